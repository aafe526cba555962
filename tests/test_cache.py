"""The reference cache: a warm run gives exactly the cold run's results, needs neither PyTorch nor
hypothesis, and a change of the harness's source starts afresh. Its files are data, authenticated
with the user's key: a planted pickle never runs, rewritten values and damaged files are computed
again, never trusted."""

import dataclasses
import json
import os
import pickle
import stat
import subprocess
import sys

import numpy as np
import pytest

from nnconf.conformance.run import cache
from nnconf.conformance.suites.contract import FD, Case, Named

VOLATILE = ("duration_s",)
KEY = b"k" * cache.KEY_BYTES


def _env(tmp_path, cache_dir=None):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}  # the key of this test, not the user's
    if cache_dir is not None:
        env["NNCONF_CACHE_DIR"] = str(cache_dir)
    return env


def _check(tmp_path, name, *args, cache_dir=None):
    out = tmp_path / f"{name}.json"
    result = subprocess.run([sys.executable, "-m", "nnconf", "check", "--no-training", "--quiet", "--json", str(out), *args],
                            cwd=tmp_path, capture_output=True, text=True, timeout=600, env=_env(tmp_path, cache_dir))
    assert result.returncode in (0, 1), result.stderr
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in json.loads(out.read_text())]


def test_warm_results_equal_cold_and_uncached_results(tmp_path):
    """The bundled implementation and a buggy one: cold, warm and --no-cache give the same records."""
    bug = tmp_path / "deep.py"
    bug.write_text("from nnconf.impl.deep import *\n\n\ndef linear_backward(dZ, cache):\n"
                   "    A_prev, W, b = cache\n    return W.T @ dZ, dZ @ A_prev.T, dZ.sum(axis=1, keepdims=True)\n")
    folder = tmp_path / "cache"
    for target in (["nnconf.impl"], ["--suite", "deep", str(bug)]):
        cold = _check(tmp_path, "cold", *target, cache_dir=folder)
        warm = _check(tmp_path, "warm", *target, cache_dir=folder)
        fresh = _check(tmp_path, "fresh", "--no-cache", *target, cache_dir=folder)
        assert cold == warm == fresh
    assert any(r["status"] == "fail" and r["diagnosis"] == "value.scale_m" for r in warm)  # the bug is still found
    assert list(folder.glob("*/deep/linear_backward.fast.0.memo"))
    assert not list(folder.rglob("*.pickle"))


def test_a_warm_recheck_imports_neither_torch_nor_hypothesis(tmp_path):
    folder = tmp_path / "cache"
    program = ("import sys\nfrom nnconf.conformance.doors import cli\n"
               "code = cli.main(['check', 'nnconf.impl', '--no-training', '--quiet', '--suite', 'deep'])\n"
               "print('imported:', 'torch' in sys.modules, 'hypothesis' in sys.modules, code)\n")
    runs = [subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                           env=_env(tmp_path, folder)).stdout for _ in range(2)]
    assert "imported: True True 0" in runs[0]  # cold: the reference computes, hypothesis draws
    assert "imported: False False 0" in runs[1]


def test_the_fingerprint_follows_the_source(tmp_path, monkeypatch):
    source = tmp_path / "formula.py"
    source.write_text("def f(x):\n    return x\n")
    monkeypatch.setattr(cache, "_sources", lambda: [str(source)])
    cache.fingerprint.cache_clear()
    before = cache.fingerprint()
    source.write_text("def f(x):\n    return 2 * x\n")
    cache.fingerprint.cache_clear()
    after = cache.fingerprint()
    cache.fingerprint.cache_clear()
    assert before != after


# --- hostile files in the cache folder --------------------------------------------------------


class _Payload:
    """A pickle that, loaded, writes ``marker``: what a target could plant in the cache folder."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return exec, (f"open({self.marker!r}, 'w').write('pickle ran')",)


def test_hostile_cache_files_are_computed_again_and_never_trusted(tmp_path):
    """After a cold run, four entries are replaced as unboxed code could: a pickle that would write
    a marker (under the entry's name and the old .pickle one), expected values rewritten in a valid
    file under another key, a file cut short and a garbled one. The warm run's records equal the
    cold run's, the pickle never ran, and each file is written again, valid with the user's key."""
    folder, marker = tmp_path / "cache", tmp_path / "MARKER"
    cold = _check(tmp_path, "cold", "--suite", "deep", "nnconf.impl", cache_dir=folder)
    (suite,) = folder.glob("*/deep")
    planted = {name: suite / f"{name}.fast.0.memo"
               for name in ("linear_backward", "linear_forward", "relu_backward", "sigmoid_backward")}
    assert all(p.is_file() for p in planted.values())

    payload = pickle.dumps({"cases": pickle.dumps(_Payload(str(marker)))}, protocol=5)  # the old format's shape
    planted["linear_backward"].write_bytes(payload)
    (suite / "linear_backward.fast.0.pickle").write_bytes(payload)

    honest = cache.Memo(str(planted["linear_forward"]), _user_key(tmp_path))
    assert honest.rejected is None and honest.values
    forged = cache.Memo(str(planted["linear_forward"]) + ".tmp", b"attacker's key".ljust(cache.KEY_BYTES))
    for text, (node, buffers) in honest.values.items():
        value = cache.decode(node, buffers)
        if text.startswith('{"t":["expect"'):
            value = {name: dataclasses.replace(q, value=np.zeros_like(q.value) if isinstance(q.value, np.ndarray) else -1.0)
                     for name, q in value.items()}
        forged.get(cache.decode(json.loads(text), []), lambda v=value: v)
    forged.save()
    os.replace(forged.path, planted["linear_forward"])

    data = planted["relu_backward"].read_bytes()
    planted["relu_backward"].write_bytes(data[:len(data) // 2])
    data = bytearray(planted["sigmoid_backward"].read_bytes())
    data[len(data) // 2] ^= 0xFF
    planted["sigmoid_backward"].write_bytes(bytes(data))

    warm = _check(tmp_path, "warm", "--suite", "deep", "nnconf.impl", cache_dir=folder)
    assert not marker.exists(), "a pickle from the cache folder ran in the harness"
    assert warm == cold
    for path in planted.values():
        memo = cache.Memo(str(path), _user_key(tmp_path))
        assert memo.rejected is None and memo.values, f"{path.name} was not written again: {memo.rejected}"


def _user_key(tmp_path):
    key = cache._read_key(str(tmp_path / "config" / "nnconf" / "cache-key"))
    assert key is not None
    return key


def _saved(path, values, key=KEY):
    memo = cache.Memo(str(path), key)
    for k, v in values.items():
        memo.get(k, lambda v=v: v)
    memo.save()
    return path


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbled", "pickle", "json", "other key", "moved"])
def test_a_damaged_or_unauthenticated_file_is_a_cold_start(tmp_path, damage):
    path = _saved(tmp_path / "fp" / "deep" / "f.fast.0.memo", {"cases": [1.5, 2], ("expect", "abc"): np.arange(3.0)})
    data = path.read_bytes()
    key = KEY
    if damage == "empty":
        path.write_bytes(b"")
    elif damage == "truncated":
        path.write_bytes(data[:-5])
    elif damage == "garbled":
        path.write_bytes(data[:-3] + bytes([data[-3] ^ 1]) + data[-2:])
    elif damage == "pickle":
        path.write_bytes(pickle.dumps({"cases": pickle.dumps([1.5, 2])}))
    elif damage == "json":  # the format without its MAC: values anyone could write
        path.write_bytes(json.dumps({"cases": [9, 9]}).encode())
    elif damage == "other key":
        key = b"x" * cache.KEY_BYTES
    elif damage == "moved":  # a valid file of another contract under this one's name
        path = tmp_path / "fp" / "deep" / "g.fast.0.memo"
        path.write_bytes(data)
    memo = cache.Memo(str(path), key)
    assert memo.rejected is not None and not memo.values
    assert memo.get("cases", lambda: "recomputed") == "recomputed"
    memo.save()
    assert cache.Memo(str(path), key).get("cases", lambda: "again") == "recomputed"  # overwritten, valid


def test_the_key_file_is_made_once_for_this_user_only(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = cache.key_path()
    assert path == str(tmp_path / "config" / "nnconf" / "cache-key")
    cache._key.cache_clear()
    key = cache._key(path)
    assert len(key) == cache.KEY_BYTES
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
    cache._key.cache_clear()
    assert cache._key(path) == key  # kept
    os.chmod(path, 0o644)  # others could read it: not a secret any more, replaced
    cache._key.cache_clear()
    assert cache._key(path) not in (None, key)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    cache._key.cache_clear()


def test_values_round_trip_exactly_and_strangers_are_refused():
    shared = np.arange(6.0).reshape(2, 3)
    rng = np.random.default_rng(7)
    rng.standard_normal(3)
    case = Case("random", (shared, shared.T.copy(order="F")), {"rng": rng, "alpha": np.float32(0.5)}, np.float32,
                kinks={"dZ": np.array([[True, False]])}, fd=[FD("relu", (shared,), (0,), None, 0, Named(("dZ",)))])
    case.refused = "extra attribute"
    value = [case, float("nan"), float("-inf"), -0.0, 1 + 2j, (1, "x", None, True), {("a", 1): np.int64(3)},
             np.dtype("float32"), np.array("text"), np.zeros((0, 3), np.int32), _user_key]
    with pytest.raises(cache.Unencodable):  # a function, but not one of nnconf.conformance
        cache.encode(value)
    value.pop()
    got = cache.decode(*cache.encode(value))
    c = got[0]
    assert c.args[0] is c.fd[0].args[0] and c.args[1].flags.f_contiguous and not c.args[1].flags.c_contiguous
    assert np.array_equal(c.args[1], shared.T) and c.dtype is np.float32 and c.refused == "extra attribute"
    assert c.kwargs["rng"].standard_normal() == rng.standard_normal()
    assert type(c.kwargs["alpha"]) is np.float32 and c.fd[0].to_quantities([1]) == {"dZ": 1}
    assert np.isnan(got[1]) and got[2] == float("-inf") and str(got[3]) == "-0.0" and got[4] == 1 + 2j
    assert got[5] == value[5] and got[6] == value[6] and type(got[6][("a", 1)]) is np.int64 and got[7] == np.float32
    assert got[8] == "text" and got[9].shape == (0, 3) and got[9].dtype == np.int32
    assert cache.key_of(value) == cache.key_of(got)
    for stranger in (object(), lambda: 1, np.array([None]), np.arange(3).view(np.matrix), {1: pickle}):
        with pytest.raises(cache.Unencodable):
            cache.encode(stranger)
        assert cache.key_of(stranger) != cache.key_of(stranger)  # never the key of anything kept
    memo, calls = cache.Memo(), []
    assert memo.get("k", lambda: calls.append(1) or object) is object and memo.get("k", lambda: 1 / 0) is object


def test_an_unboxed_run_leaves_a_new_key_behind(tmp_path):
    """Unboxed, the code under check can read the key (and sign entries with it): after the run the
    key is another, so nothing it wrote verifies in a later run; a boxed run keeps the key."""
    env = _env(tmp_path, tmp_path / "cache")
    path = tmp_path / "config" / "nnconf" / "cache-key"
    keys = []
    for mode in ("bwrap", "bwrap", "none"):  # the first boxed run makes the key, the second keeps it
        from nnconf.conformance.box import sandbox

        if mode == "bwrap" and sandbox.choose("auto").mode != "bwrap":
            continue
        before = path.read_bytes() if path.exists() else None
        result = subprocess.run([sys.executable, "-m", "nnconf", "check", "nnconf.impl", "--function", "relu",
                                 "--no-training", "--quiet", "--sandbox", mode], cwd=tmp_path, capture_output=True,
                                text=True, timeout=300, env=env)
        assert result.returncode == 0, result.stderr
        keys.append((mode, before, path.read_bytes()))
    for mode, before, after in keys:
        assert len(after) == cache.KEY_BYTES and os.stat(path).st_mode & 0o077 == 0
        if mode == "none":
            assert after != before
        elif before is not None:
            assert after == before


def test_an_unboxed_run_reads_only_entries_written_before_its_code_ran(tmp_path, monkeypatch):
    """Unboxed code can read the key and sign an entry of its own: once the run distrusts from now,
    an entry whose file changed afterwards is a cold start, one from before is read as ever."""
    import time

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    store = cache.Cache(str(tmp_path / "cache"))
    old = store.named("deep", "before", "fast", 0)
    old.get("cases", lambda: [1, 2, 3])
    old.save()
    time.sleep(0.05)
    store.distrust_from_now()
    time.sleep(0.05)
    forged = cache.Memo(os.path.join(str(tmp_path / "cache"), cache.fingerprint(), "deep", "after.fast.0.memo"), store.key)
    forged.get("cases", lambda: [])
    forged.save()
    assert store.named("deep", "before", "fast", 0).get("cases", lambda: None) == [1, 2, 3]
    reread = store.named("deep", "after", "fast", 0)
    assert "unboxed" in (reread.rejected or "") and reread.get("cases", lambda: "computed") == "computed"
