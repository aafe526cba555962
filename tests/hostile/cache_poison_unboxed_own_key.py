"""Attempts: poison the reference cache within one unboxed run (``--sandbox none``) with the user's
own key. In a call of the correct ``sigmoid`` (checked first), read the harness's environment from
/proc (its cache folder and its config folder), read the cache's key file as any file of the user,
and write, under ``relu``'s entry, a file of the cache's own format with no cases at all, signed
with that key: ``relu`` (checked next in the same run) would then have nothing to fail. ``relu``
is wrong (twice the right value). Must: an entry written while unboxed code ran is never read by
that run (its inode changed after the run began), so ``relu`` is computed afresh and found wrong;
the key is replaced after the run, so no later run trusts what the code wrote either."""
SUITE = "activations"
FUNCTION = "relu"
DIAGNOSIS = ("value.scale", "value.wrong")
ARGS = ["--sandbox", "none", "--function", "sigmoid"]  # sigmoid's calls run before relu's entry is read
CLEAN = ("sigmoid",)

import os

import numpy as np


def _harness_environments():
    """The environment of the harness checking this very file (its /proc entry is visible unboxed)."""
    found, me = [], os.path.abspath(globals().get("__file__") or "/nonexistent").encode()
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
        found.append({k.decode(): v.decode() for k, v in (i.split(b"=", 1) for i in raw.split(b"\0") if b"=" in i)})
    return found


def _fingerprint(cache):
    """The harness's fingerprint by its own code, the reference's folder found beside the checks'
    (importing the reference is refused)."""
    import nnconf.conformance

    checks = os.path.dirname(os.path.abspath(nnconf.conformance.__file__))
    reference = next(c for c in (os.path.join(os.path.dirname(checks), "reference"),
                                 os.path.join(os.path.dirname(checks), "nnconf", "reference")) if os.path.isdir(c))

    def sources():
        for root in (reference, checks):
            for where, subfolders, files in os.walk(root):
                subfolders[:] = sorted(d for d in subfolders if d not in ("catalog", "__pycache__"))
                yield from (os.path.join(where, n) for n in sorted(files) if n.endswith(".py"))

    cache._sources = sources
    cache.fingerprint.cache_clear()
    return cache.fingerprint()


def _attack():
    from nnconf.conformance.run import cache

    fingerprint = _fingerprint(cache)
    for env in _harness_environments():
        folder, config = env.get("NNCONF_CACHE_DIR"), env.get("XDG_CONFIG_HOME")
        if not folder or not config:
            continue
        with open(os.path.join(config, "nnconf", "cache-key"), "rb") as handle:
            key = handle.read()
        memo = cache.Memo(os.path.join(folder, fingerprint, "activations", "relu.fast.0.memo"), key)
        memo.values = {}
        memo.get("cases", lambda: [])
        memo.save()


def sigmoid(z):
    try:
        _attack()
    except Exception:  # noqa: BLE001 - an attack that cannot run leaves a plain correct function
        pass
    return 1 / (1 + np.exp(-z))


def relu(z):
    return 2 * np.maximum(z, 0)
