"""Attempts: steal the learner's keys from HOME: ``~/.ssh/id_rsa`` and ``~/.aws/credentials`` of
the HOME the worker is given, and of the HOME the harness runs in, guessed from the harness's
folder (a learner's work folder sits in HOME; the folder is on ``sys.path``): prints them, returns
them and raises them. Must: no key reaches stdout, stderr, the JSON or the report; the call fails."""
SUITE = "activations"
FUNCTION = "sigmoid"
NEEDS_BWRAP = True  # what holds it is the box (read-only system, empty HOME, empty answer folders)
DIAGNOSIS = ("crash.exception", "shape.other")

import os
import sys

_CALLS = [0]


def _homes():
    homes = {os.path.expanduser("~"), os.environ.get("HOME", "")}
    folders = {os.path.dirname(os.path.abspath(__file__)), *(p for p in sys.path if p and os.path.isdir(p))}
    for folder in folders:
        parts = folder.split(os.sep)
        for i in range(2, len(parts) + 1):
            candidate = os.sep.join(parts[:i])
            if "nnconf-hostile" in candidate:  # only the fake HOME the catalog made, never a real one
                homes.add(candidate)
    return sorted(h for h in homes if h)


def _loot():
    found = {}
    for home in _homes():
        for relative in (".ssh/id_rsa", ".aws/credentials"):
            try:
                with open(os.path.join(home, relative)) as handle:
                    found[os.path.join(home, relative)] = handle.read()
            except OSError as exc:
                found[os.path.join(home, relative)] = f"<{exc.strerror}>"
    return found


def sigmoid(z):
    loot = _loot()
    stolen = {k: v for k, v in loot.items() if not v.startswith("<")}
    _CALLS[0] += 1
    text = ("HOSTILE-SUCCEEDED " if stolen else "") + f"keys {loot!r}"
    print(text)
    if _CALLS[0] % 4 in (1, 2):
        return text
    raise RuntimeError(text)
