"""Attempts: rewrite the run's outputs while it runs: the harness's working directory is on
``sys.path`` (and holds the target), so the JSON and report it writes there can be guessed; the
target overwrites ``out.json`` and ``report/report.html``, creates ``report/results.json`` and
a ``records.csv`` early, and replaces the folder itself. Must: every write is refused (the folder
is read-only in the box); the harness writes its own outputs; the call fails (crash.exception)."""
SUITE = "activations"
FUNCTION = "sigmoid"
NEEDS_BWRAP = True  # what holds it is the box (read-only system, empty HOME, empty answer folders)
DIAGNOSIS = "crash.exception"

import json
import os
import shutil
import sys

FORGED = json.dumps([{"suite": "activations", "function": "sigmoid", "status": "pass", "message": "HOSTILE-SUCCEEDED"}])


def _folders():
    here = os.path.dirname(os.path.abspath(__file__))
    return sorted({here, *(p for p in sys.path if p and os.path.isfile(os.path.join(p, "activations.py")))})


def sigmoid(z):
    done, refused = [], []
    for folder in _folders():
        for relative in ("out.json", "report/report.html", "report/results.json", "report/records.csv", "r.json"):
            path = os.path.join(folder, relative)
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as handle:
                    handle.write(FORGED)
                done.append(path)
            except OSError as exc:
                refused.append(f"{path}: {exc.strerror}")
        try:
            shutil.rmtree(os.path.join(folder, "report"))
            done.append(f"removed {folder}/report")
        except OSError as exc:
            refused.append(f"rmtree report: {exc.strerror}")
        try:
            os.symlink("/dev/null", os.path.join(folder, "out.json.hostile"))
            done.append("symlink")
        except OSError as exc:
            refused.append(f"symlink: {exc.strerror}")
    if done:
        raise RuntimeError("HOSTILE-SUCCEEDED: " + "; ".join(done))
    raise RuntimeError(f"refused {len(refused)} writes: " + "; ".join(refused[:6]))
