"""Blame from the target's real calls.

While a function is checked, the worker records which functions of the target its calls really
reached (``probes.traced``); a record keeps those of the suite's API as ``calls``. When a function
fails and a function it really called fails on its own checks too, the failure most likely follows
from the callee's: the record says so (``likely_cause``), so that a learner fixes the callee first.
A function that fails with no failing callee is a *root*.
"""


def note_likely_causes(records):
    """Add ``likely_cause`` (and a sentence) to failing records whose real callees fail too."""
    failing = {(r["suite"], r["function"]) for r in records if r["status"] in ("fail", "error")}
    for record in records:
        if record["status"] not in ("fail", "error"):
            continue
        causes = [c for c in record.get("calls", ()) if (record["suite"], c) in failing]
        if causes:
            record["likely_cause"] = causes
            names = ", ".join(f"`{c}`" for c in causes)
            record["message"] += (f" [probably follows from {names}, which {record['function']} called and "
                                  "which fail(s) on its own checks too: fix that first]")
    return records
