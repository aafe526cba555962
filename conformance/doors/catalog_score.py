"""Test the tester: run every buggy implementation of the catalog and score the harness.

``nnconf catalog`` prints, for each bug, whether the harness caught it (a failing
check of the function that holds it) and diagnosed it (with the expected bug class), then the
score ``caught / diagnosed / total``. A bug is caught when its function is flagged at all
(``fail``, ``error`` or ``warn``: a write into an argument is a warning on its own). The correct-but-noisy files must pass every check.
"""

import time

from nnconf.conformance.catalog import BUGS, CORRECT_BUT_NOISY, path
from nnconf.conformance.reading import loader
from nnconf.conformance.run import engine


def judge(bug, profile="fast"):
    """Run the harness on one catalog entry; returns a row of figures."""
    target = loader.parse_target([f"{bug.suite}={path(bug)}"])
    noisy = bug.diagnosis is None
    functions = None if noisy else {bug.function}
    started = time.perf_counter()
    results = engine.run(target, [bug.suite], profile=profile, training=False, functions=functions)
    records = results["records"]
    failing = [r for r in records if r["status"] in ("fail", "error", "warn")]  # flagged, at any level
    mine = [r for r in failing if r["function"] in (bug.function, "*")]
    classes = sorted({r["diagnosis"] for r in mine if r["diagnosis"]})
    if noisy:
        caught = diagnosed = not failing
    else:
        caught = bool(mine)
        diagnosed = bug.diagnosis in classes
    return {
        "id": bug.id, "suite": bug.suite, "function": bug.function, "expected": bug.diagnosis,
        "found": classes, "caught": caught, "diagnosed": diagnosed, "crashed_harness": False,
        "seconds": round(time.perf_counter() - started, 2),
        "first_message": (mine or failing or [{"message": ""}])[0]["message"][:300],
    }


def score(bugs=None, profile="fast"):
    rows = []
    for bug in bugs if bugs is not None else list(BUGS) + list(CORRECT_BUT_NOISY):
        try:
            rows.append(judge(bug, profile))
        except Exception as exc:  # noqa: BLE001 - counted as a harness failure, and shown
            rows.append({"id": bug.id, "suite": bug.suite, "function": bug.function, "expected": bug.diagnosis,
                         "found": [], "caught": False, "diagnosed": False, "crashed_harness": True,
                         "seconds": None, "first_message": repr(exc)})
    return rows


def main(args):
    rows = score()
    for row in rows:
        mark = "ok " if row["diagnosed"] else ("~  " if row["caught"] else "MISS")
        print(f"{mark} {row['id']:<52} expected {str(row['expected']):<28} found {', '.join(row['found']) or '-'}")
    bugs = [r for r in rows if r["expected"] is not None]
    noisy = [r for r in rows if r["expected"] is None]
    caught, diagnosed = sum(r["caught"] for r in bugs), sum(r["diagnosed"] for r in bugs)
    print(f"catalog score: {caught} caught / {diagnosed} diagnosed / {len(bugs)} total; "
          f"correct-but-noisy passing: {sum(r['caught'] for r in noisy)} / {len(noisy)}; "
          f"harness crashes: {sum(r['crashed_harness'] for r in rows)}")
    if args.json:
        from nnconf.conformance.judging import jsonfile

        jsonfile.write_atomic(args.json, rows)
    return 0 if caught == diagnosed == len(bugs) and all(r["caught"] for r in noisy) else 1
