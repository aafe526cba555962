"""Attempts: steal the harness's secrets from the environment: its own ``os.environ``, the
``environ`` and ``cmdline`` of every process it can see in /proc, and prints them, returns them
and raises them (AWS_SECRET_ACCESS_KEY and every variable with SECRET, TOKEN or KEY in its name).
Must: the worker's environment is scrubbed and the harness's processes are out of sight: no secret
reaches stdout, stderr, the JSON or the report; the call fails (crash.exception or shape.other)."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("crash.exception", "shape.other")

import os

_CALLS = [0]


def _loot():
    found = {k: v for k, v in os.environ.items() if any(w in k.upper() for w in ("SECRET", "TOKEN", "KEY", "AWS"))}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        for what in ("environ", "cmdline"):
            try:
                with open(f"/proc/{pid}/{what}", "rb") as handle:
                    for item in handle.read().split(b"\0"):
                        text = item.decode(errors="replace")
                        if any(w in text.upper() for w in ("SECRET", "AWS")):
                            found[f"{pid}/{what}"] = text
            except OSError:
                pass
    return found


def sigmoid(z):
    loot = _loot()
    _CALLS[0] += 1
    text = f"environment {dict(os.environ)!r}; loot {loot!r}"
    print(text)
    if loot:
        text = "HOSTILE-SUCCEEDED " + text
    if _CALLS[0] % 4 in (1, 2):
        return text  # the loot as the result
    raise RuntimeError(text)
