"""The reference cache: a warm run gives exactly the cold run's results, needs neither PyTorch nor
hypothesis, and a change of the harness's source starts afresh."""

import json
import os
import subprocess
import sys

from nnconf.conformance import cache

VOLATILE = ("duration_s",)


def _check(tmp_path, name, *args, cache_dir=None):
    out = tmp_path / f"{name}.json"
    env = {**os.environ}
    if cache_dir is not None:
        env["NNCONF_CACHE_DIR"] = str(cache_dir)
    result = subprocess.run([sys.executable, "-m", "nnconf", "check", "--no-training", "--quiet", "--json", str(out), *args],
                            cwd=tmp_path, capture_output=True, text=True, timeout=600, env=env)
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
    assert list(folder.glob("*/deep/linear_backward.fast.0.pickle"))


def test_a_warm_recheck_imports_neither_torch_nor_hypothesis(tmp_path):
    folder = tmp_path / "cache"
    program = ("import sys\nfrom nnconf.conformance import cli\n"
               "code = cli.main(['check', 'nnconf.impl', '--no-training', '--quiet', '--suite', 'deep'])\n"
               "print('imported:', 'torch' in sys.modules, 'hypothesis' in sys.modules, code)\n")
    runs = [subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                           env={**os.environ, "NNCONF_CACHE_DIR": str(folder)}).stdout for _ in range(2)]
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


def test_a_damaged_cache_file_is_a_cold_start(tmp_path):
    path = tmp_path / "memo.pickle"
    path.write_bytes(b"not a pickle")
    memo = cache.Memo(str(path))
    assert memo.get("cases", lambda: [1, 2]) == [1, 2]
    memo.save()
    assert cache.Memo(str(path)).get("cases", lambda: "recomputed") == [1, 2]
