"""Attempts: poison the reference cache from an unboxed run (``--sandbox none``, as the notebook
door runs too): in a call of ``sigmoid``, before the harness reads the cache entry of ``relu`` (the
next function of the run; a later run would read any of them), find the cache
folder (``NNCONF_CACHE_DIR`` in the harness's environment, read from /proc), compute the harness's
fingerprint with its own code, and plant, under the entries' names and the old ``.pickle`` names, a
pickle that would run in the harness (it writes HOSTILE-SUCCEEDED into HOME and the terminal), and
a file of the cache's own format whose values (no cases at all) would let a wrong ``sigmoid``
pass, signed with a key of its own. ``sigmoid`` itself is wrong (a tanh). Must: no pickle from
the cache folder is ever loaded, the forged entry fails its MAC and is computed again: the wrong
sigmoid is found and the correct relu passes, as in any run. (What unboxed code can do with the user's own key file, it
can read it like any file of the user, is the documented limit of ``--sandbox none``; see
conformance/run/cache.py.)"""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("value.wrong", "value.activation_derivative", "value.sign", "value.scale_m", "value.kink")
ARGS = ["--sandbox", "none", "--function", "relu"]  # relu's entry is read after sigmoid's calls
CLEAN = ("relu",)
VICTIMS = ("relu", "tanh", "leaky_relu", "sigmoid_backward", "relu_backward")

import os

import numpy as np


class _Payload:
    """Loaded with pickle, it runs in the harness: says so, and writes into the harness's HOME."""

    def __reduce__(self):
        return exec, ("import os, sys\nprint('HOSTILE-SUCCEEDED: a pickle from the cache ran in the harness')\n"
                      "sys.stderr.write('HOSTILE-SUCCEEDED\\n')\n"
                      "open(os.path.join(os.path.expanduser('~'), 'HOSTILE-SUCCEEDED'), 'w').write('x')\n",)


def _cache_folders():
    """NNCONF_CACHE_DIR of the harness checking this very file (the worker has a PID namespace of its
    own, but /proc still shows the harness; other runs' folders are left alone)."""
    found, me = set(), os.path.abspath(globals().get("__file__") or "/nonexistent").encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            command = open(f"/proc/{entry}/cmdline", "rb").read()
            if b"nnconf" not in command or b"activations=" + me not in command:
                continue
            raw = open(f"/proc/{entry}/environ", "rb").read()
        except OSError:
            continue
        env = dict(item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)
        if env.get(b"NNCONF_CACHE_DIR"):
            found.add(env[b"NNCONF_CACHE_DIR"].decode())
    return found


def _fingerprint():
    """The harness's fingerprint, by its own code, with the reference's folder found beside the checks'
    (importing the reference is refused)."""
    import nnconf.conformance
    from nnconf.conformance.run import cache

    checks = os.path.dirname(os.path.abspath(nnconf.conformance.__file__))
    candidates = [os.path.join(os.path.dirname(checks), "reference"), os.path.join(os.path.dirname(checks), "nnconf", "reference")]
    reference = next((c for c in candidates if os.path.isdir(c)), None)

    def sources():
        for root in (reference, checks):
            for where, subfolders, files in os.walk(root):
                subfolders[:] = sorted(d for d in subfolders if d not in ("catalog", "__pycache__"))
                for name in sorted(files):
                    if name.endswith(".py"):
                        yield os.path.join(where, name)

    cache._sources = sources
    cache.fingerprint.cache_clear()
    return cache, cache.fingerprint()


def _attack():
    import pickle

    try:
        cache, fingerprint = _fingerprint()
    except Exception:  # noqa: BLE001 - without the harness's code, plant under every fingerprint folder there is
        cache, fingerprint = None, None
    payload = pickle.dumps({"cases": pickle.dumps(_Payload())})
    for folder in _cache_folders():
        fingerprints = ({fingerprint} if fingerprint else set()) | set(os.listdir(folder) if os.path.isdir(folder) else ())
        for fp in fingerprints:
            _plant(os.path.join(folder, fp, "activations"), payload, cache)


def _plant(suite, payload, cache):
    os.makedirs(suite, exist_ok=True)
    for name in VICTIMS:
        for extension in (".pickle", ".memo"):
            with open(os.path.join(suite, f"{name}.fast.0{extension}"), "wb") as out:
                out.write(payload)
        if cache is not None and hasattr(cache, "Memo"):
            try:  # the cache's own format, no cases at all, under a key of the attacker's
                memo = cache.Memo(os.path.join(suite, f"{name}.fast.0.memo"), b"attacker".ljust(32, b"!"))
                memo.get("cases", lambda: [])
                memo.save()
            except Exception:  # noqa: BLE001
                pass


def sigmoid(z):
    try:
        _attack()
    except Exception:  # noqa: BLE001 - an attack that cannot run leaves a plain wrong function
        pass
    return np.tanh(z)


def relu(z):
    return np.maximum(z, 0)
