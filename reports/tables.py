"""The report's tables as pandas DataFrames, computed once from a Document and shared by the
page and the CSVs.

``records_frame`` has one row per record: the record's own fields as they are (object columns,
so a missing value stays None and apart from a NaN error) and what the tables group, sort and
colour by. Every other table is a groupby / pivot_table of it. Where an aggregate has nothing to
show it is ``pd.NA``, which, unlike None, does not turn into NaN on the way.
"""

import json
import math
import re
from dataclasses import dataclass, fields

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm, to_hex

from nnconf.conformance.judging.bug_classes import explain

from .document import SEVERITY, STATUSES, Record, stage_rank, worst_status

# Where a record gives no tolerance, errors are coloured against this one (the course's
# gradient-check threshold); the legend says so.
DEFAULT_TOL = {"atol": 1e-7, "rtol": 1e-7}

# Which reference a stage compares against: autograd (per-layer gradients are autograd
# comparisons too) or finite differences.
SIDE_OF_STAGE = {"value": "autograd", "grad_autograd": "autograd", "layer": "autograd",
                 "grad_fd": "fd"}
SIDES = ("autograd", "fd")
FAILED = ("fail", "error")


# ----------------------------------------------------------------------------- colour scale

def tolerance_ratio(abs_err, rel_err, atol, rtol):
    """How far an error is from its tolerance: min(abs/atol, rel/rtol), or None.

    An element fails |a - e| <= atol + rtol |e| only when it exceeds both atol and rtol |e|, so
    the smaller ratio is the one that says how close a check is to failing. NaN errors give inf.
    """
    if atol is None and rtol is None:
        atol, rtol = DEFAULT_TOL["atol"], DEFAULT_TOL["rtol"]
    ratios = []
    for err, tol in ((abs_err, atol), (rel_err, rtol)):
        if err is None:
            continue
        if math.isnan(err) or math.isinf(err):
            return math.inf
        if tol is not None and tol > 0:
            ratios.append(err / tol)
        elif tol is not None:
            ratios.append(0.0 if err == 0 else math.inf)
    return min(ratios) if ratios else None


# Error / tolerance on a log scale centred on the tolerance: green far below, yellow at it, red
# far above; ratios outside the range take the end colours (0 is green, inf red).
RATIO_NORM = LogNorm(vmin=1e-6, vmax=1e6, clip=True)
RATIO_CMAP = matplotlib.colormaps["RdYlGn_r"]
LEGEND = [("\u2264 1e-6 \u00d7 tol", 1e-6), ("1e-3 \u00d7", 1e-3), ("= tol", 1.0),
          ("1e3 \u00d7", 1e3), ("\u2265 1e6 \u00d7 tol", 1e6)]


def ratio_colour(ratio):
    """A hex colour for an error/tolerance ratio; None when there is nothing to colour."""
    if ratio is None or pd.isna(ratio):
        return None
    rgb = np.array(RATIO_CMAP(RATIO_NORM(ratio))[:3])
    return to_hex((rgb + 1) / 2)             # halfway to white: the cell's text stays readable


# ----------------------------------------------------------------------------- the records

_KIND_ORDER = ("dW", "db", "dA")


def quantity_kind(quantity):
    """dW / db / dA (or the bare name) of a per-layer quantity: 'grads["dW2"]' -> 'dW',
    'dA_prev' -> 'dA', 'db3' -> 'db'."""
    q = (quantity or "").strip()
    m = re.search(r"""\[\s*['"]([^'"]+)['"]\s*\]\s*$""", q)
    if m:
        q = m.group(1)
    q = re.sub(r"\d+$", "", q)
    if q.startswith("dA"):
        return "dA"
    return q or "(none)"


def diagnosis_text(r):
    """The record's own explanation, else the fallback of the bug class table, else None."""
    return r.diagnosis_text or (explain(r.diagnosis) if r.diagnosis else None)


FIELDS = [f.name for f in fields(Record)]
# Computed next to each record's fields: what the tables group, sort and colour by.
DERIVED = {"ratio": float, "side": object, "kind": object, "label": object,
           "explanation": object, "shape_bad": bool, "follows": bool, "suite_rank": int,
           "stage_rank": int}


def _derived(r, suite_rank):
    return {"ratio": tolerance_ratio(r.max_abs_err, r.max_rel_err, r.atol, r.rtol),
            "side": SIDE_OF_STAGE.get(r.stage), "kind": quantity_kind(r.quantity),
            "label": r.check or r.stage or "", "explanation": diagnosis_text(r),
            "shape_bad": (r.expected_shape is not None and r.actual_shape is not None
                          and r.expected_shape != r.actual_shape),
            "follows": bool(r.likely_cause),       # a failing callee probably explains it
            "suite_rank": suite_rank[r.suite], "stage_rank": stage_rank(r.stage)}


def records_frame(doc):
    """One row per record, in document order: its fields and the DERIVED columns."""
    suite_rank = {s: i for i, s in enumerate(doc.suites)}
    rows = [{**vars(r), **_derived(r, suite_rank)} for r in doc.records]
    frame = pd.DataFrame(rows, columns=FIELDS + list(DERIVED), dtype=object)
    typed = {c: t for c, t in DERIVED.items() if t is not object}
    return frame.astype({"index": int, **typed})


def worst_error(errors):
    """The largest of some errors, NaN winning (a NaN error is the worst error); NA when none
    was measured."""
    measured = [e for e in errors if e is not None and e is not pd.NA]
    if not measured:
        return pd.NA
    return math.nan if any(math.isnan(e) for e in measured) else max(measured)


# ----------------------------------------------------------------------------- summary

def status_counts(frame, suites):
    """Records per suite (rows, in suite order) and status (columns STATUSES, other, total)."""
    table = frame.pivot_table(index="suite", columns="status", values="index",
                              aggfunc="count", fill_value=0).reindex(index=suites, fill_value=0)
    counts = table.reindex(columns=list(STATUSES), fill_value=0)
    counts["other"] = table.drop(columns=list(STATUSES), errors="ignore").sum(axis=1)
    counts["total"] = table.sum(axis=1)
    return counts.astype(int)


def verdict(total):
    """FAIL when any check failed or errored; PASS when at least one check ran and every other
    check passed, warned, noted or was skipped; NO RESULT otherwise (no records, or statuses it
    cannot read). total: the status counts of all suites."""
    if total["fail"] or total["error"]:
        return "FAIL"
    if total["pass"] and not total["other"]:
        return "PASS"
    return "NO RESULT"


# ----------------------------------------------------------------------------- failures

def failures(frame, statuses=FAILED):
    """The records of those statuses, grouped by function: root failures (some failure not
    blamed on a failing callee) first, then those that probably follow from another; then suite order and first
    appearance; within a function by stage, errors before fails."""
    failed = frame[frame.status.isin(statuses)]
    group = failed.groupby(["unit", "suite", "function"], sort=False)
    return (failed.assign(group_follows=group.follows.transform("all"),  # one failure of its own: a root
                          group_first=group["index"].transform("min"),
                          not_error=failed.status != "error")
            .sort_values(["group_follows", "suite_rank", "group_first", "stage_rank",
                          "not_error", "index"], kind="stable"))


# ----------------------------------------------------------------------------- functions

KEYS = ["unit", "suite", "function"]
# A function's place on the page, in the page's order: wrong on its own (some failure of its own),
# failing because failing callees do (every failure has a likely_cause), then its worst status.
ROLES = ("root", "follower", "warn", "other", "note", "pass", "skip")
LEVELS = ("fail", "error", "warn", "note", "pass", "skip")   # a function shows at its worst
COUNTED = list(LEVELS) + ["other"]
FUNCTION_COLUMNS = (KEYS + ["level", "role", "causes", "roots", "depth", "checks"] + COUNTED
                    + ["source", "first", "suite_rank"])


def level(status):
    """A status as a level of the page: one of LEVELS, or 'other' (a status the report cannot read)."""
    return status if status in LEVELS else "other"


def _names(lists):
    """The sorted union of the names of some lists (a failure's likely causes)."""
    return tuple(sorted(set().union(*map(set, lists))))


def _first_text(values):
    """The first non-empty text of some values (a missing one may have become NaN)."""
    return next((v for v in values if isinstance(v, str) and v), None)


def function_table(frame):
    """One row per function the target defines (KEYS, in the page's order): its level (the worst
    status of its records), how many records of each level, where it was loaded from, and its
    role: ``root`` when some failure is its own, ``follower`` when every failure names failing
    functions it calls (``causes``; ``roots``: the roots behind them; ``depth``: how many calls
    away the nearest is), else its level. Roots come first (suite order, then first record), each
    follower after its first root (nearest first), then warnings, notes, passes and skips. A
    function every record of which is an api.missing skip is not defined by the target, and is
    left out (the summary lists it)."""
    if frame.empty:
        return pd.DataFrame(columns=FUNCTION_COLUMNS)
    failed = frame.status.isin(FAILED)
    rows = (frame.assign(absent=(frame.diagnosis == "api.missing") & (frame.status == "skip"),
                         failed=failed, own=failed & ~frame.follows,
                         blamed=[c if f else () for c, f in zip(frame.likely_cause, failed)])
            .groupby(KEYS, sort=False)
            .agg(level=("status", worst_status), checks=("status", "size"),
                 failed=("failed", "sum"), own=("own", "sum"), absent=("absent", "all"),
                 causes=("blamed", _names), source=("source", _first_text),
                 first=("index", "min"), suite_rank=("suite_rank", "first")))
    counts = pd.crosstab([frame.unit, frame.suite, frame.function], frame.status.map(level))
    rows = rows[~rows.absent].join(counts.reindex(columns=COUNTED, fill_value=0)).reset_index()
    rows["level"] = rows.level.map(level)
    rows["role"] = [("follower" if own == 0 else "root") if n else lvl
                    for n, own, lvl in zip(rows.failed, rows.own, rows.level)]
    return _in_page_order(rows)[FUNCTION_COLUMNS]


def _in_page_order(rows):
    """The function rows in the page's order, with each follower's ``roots`` and ``depth``."""
    keys = [tuple(k) for k in rows[KEYS].to_numpy().tolist()]
    causes = {k: (c if role == "follower" else ())
              for k, c, role in zip(keys, rows.causes, rows.role) if role in ("root", "follower")}
    found = {k: _roots(k, causes) for k in causes}
    first_roots = rows[rows.role == "root"].sort_values(["suite_rank", "first"], kind="stable")
    root_rank = {tuple(k): i for i, k in enumerate(first_roots[KEYS].to_numpy().tolist())}
    last = len(root_rank)

    def roots(key):
        return sorted(found[key][0], key=lambda r: root_rank.get(r, last)) if key in found else []

    rows = rows.assign(
        roots=[tuple(r[-1] for r in roots(k)) if role == "follower" else ()
               for k, role in zip(keys, rows.role)],
        depth=[found[k][1] if k in found else 0 for k in keys],
        role_rank=rows.role.map(ROLES.index),
        root_rank=[min((root_rank.get(r, last) for r in roots(k)), default=last) for k in keys])
    return rows.sort_values(["role_rank", "root_rank", "depth", "suite_rank", "first"],
                            kind="stable").reset_index(drop=True)


def _roots(key, causes, seen=None):
    """(the root failures behind ``key``, how many calls away the nearest is): its causes'
    causes, down to functions that fail on their own (suites.dependencies.roots_of, which the
    report may not import). ``causes``: key -> the failing functions it is blamed on, () for a
    root."""
    seen = set() if seen is None else seen
    seen.add(key)
    direct = [(*key[:-1], c) for c in causes.get(key, ())]
    direct = [c for c in direct if c in causes and c not in seen]
    if not direct:
        return {key}, 0
    found = [_roots(c, causes, seen) for c in direct]
    return set().union(*(r for r, _ in found)), 1 + min(d for _, d in found)


def function_checks(frame, functions):
    """The records each function's card lists: every one that did not pass, worst first (errors,
    failures, warnings, other statuses, notes, skips), then by stage and record order. A dict
    KEYS tuple -> frame, for the functions of ``functions`` (function_table)."""
    shown = frame[frame.status != "pass"]
    shown = shown.assign(severity=-shown.status.map(lambda s: SEVERITY.get(s, 2)))
    shown = shown.sort_values(["severity", "stage_rank", "index"], kind="stable")
    wanted = set(map(tuple, functions[KEYS].to_numpy().tolist()))
    return {k: g for k, g in shown.groupby(KEYS, sort=False) if k in wanted}


# ----------------------------------------------------------------------------- gradient errors

SIDE_COLUMNS = ["max_abs_err", "max_rel_err", "atol", "rtol", "ratio", "tolerances", "labels"]


def side_errors(records, keys):
    """Per group: the largest abs and rel error, the largest error/tolerance ratio and the
    tolerance of that case, how many tolerances the cases have, and the cases' labels."""
    worst_case = (records.sort_values("ratio", ascending=False, na_position="last", kind="stable")
                  .drop_duplicates(keys).set_index(keys)[["atol", "rtol"]])
    tolerance = records.atol.map(repr) + " " + records.rtol.map(repr)
    return (records.assign(tolerance=tolerance).groupby(keys, sort=False)
            .agg(max_abs_err=("max_abs_err", worst_error), max_rel_err=("max_rel_err", worst_error),
                 ratio=("ratio", "max"), tolerances=("tolerance", "nunique"),
                 labels=("label", list))
            .join(worst_case))


def gradient_table(frame):
    """One row per suite x function x quantity of the value and gradient comparisons (suite
    order, then first appearance): how many records and their worst status, and per side
    (autograd_*, fd_*) the side_errors columns, NA where the side has no record."""
    compared = frame[frame.side.notna()].assign(quantity=lambda f: f.quantity.fillna("(none)"))
    keys = ["suite", "function", "quantity"]
    rows = compared.groupby(keys, sort=False).agg(
        checks=("status", "size"), status=("status", worst_status),
        suite_rank=("suite_rank", "first"), first=("index", "min"))
    sides = side_errors(compared, keys + ["side"]).astype(object).unstack("side", fill_value=pd.NA)
    sides.columns = [f"{side}_{column}" for column, side in sides.columns]
    sides = sides.reindex(columns=[f"{s}_{c}" for s in SIDES for c in SIDE_COLUMNS],
                          fill_value=pd.NA)
    return rows.join(sides).sort_values(["suite_rank", "first"], kind="stable").reset_index()


# ----------------------------------------------------------------------------- shapes, layers

def shape_table(frame):
    """The shape checks, in suite order then record order."""
    return frame[frame.stage == "shape"].sort_values(["suite_rank", "index"], kind="stable")


def _layer_key(layer):
    return (0, layer, "") if isinstance(layer, int) else (1, 0, str(layer))


def kind_key(kind):
    """Sort key of a per-layer quantity kind: dW, db, dA, then the others by name."""
    return (_KIND_ORDER.index(kind), "") if kind in _KIND_ORDER else (len(_KIND_ORDER), kind)


def layer_table(frame):
    """The per-layer records (stage layer, layer set), by network function (first appearance),
    layer number, kind (dW, db, dA) and record order."""
    layered = frame[(frame.stage == "layer") & frame.layer.notna()]
    grid = layered.groupby(KEYS, sort=False)["index"].transform("min")
    return (layered.assign(grid=grid, layer_key=layered.layer.map(_layer_key),
                           kind_key=layered.kind.map(kind_key))
            .sort_values(["grid", "layer_key", "kind_key", "index"], kind="stable"))


def layer_cells(layers):
    """One row per network function (KEYS) x layer x kind of layer_table: the worst errors,
    ratio and status of its records, and their checks."""
    return (layers.groupby(KEYS + ["layer", "kind"], sort=False)
            .agg(max_rel_err=("max_rel_err", worst_error), max_abs_err=("max_abs_err", worst_error),
                 ratio=("ratio", "max"), status=("status", worst_status), checks=("check", list))
            .reset_index())


# ----------------------------------------------------------------------------- curves, sweep

CURVE_COLUMNS = ["curve", "system", "label", "iteration", "target", "reference", "difference",
                 "document"]


def _curve_points(c):
    series = pd.DataFrame({"iteration": c.iterations, "target": c.target,
                           "reference": c.reference})
    printed = pd.DataFrame(np.empty((0, 2)) if c.document is None else c.document,
                           columns=["iteration", "document"])
    points = series.merge(printed.drop_duplicates("iteration", keep="last"), on="iteration",
                          how="outer")
    return points.assign(curve=c.index, system=c.system, label=c.label,
                         difference=points.target - points.reference)


def curve_table(curves):
    """Every point of every curve (the figures draw at most 500): target, reference, their
    difference and the document's printed cost, outer-joined on the iteration."""
    if not curves:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    table = pd.concat([_curve_points(c) for c in curves], ignore_index=True)[CURVE_COLUMNS]
    return table.assign(iteration=pd.to_numeric(table.iteration, downcast="integer"))


def sweep_table(planar):
    """The hidden-size sweep, then the logistic baseline: model, n_h, accuracy."""
    rows = [] if planar is None else [("shallow", e.n_h, e.accuracy) for e in planar.sweep]
    if planar is not None and planar.logistic_baseline_accuracy is not None:
        rows.append(("logistic baseline", None, planar.logistic_baseline_accuracy))
    return pd.DataFrame(rows, columns=["model", "n_h", "accuracy"], dtype=object)


# ----------------------------------------------------------------------------- all of them

@dataclass
class Tables:
    records: pd.DataFrame
    functions: pd.DataFrame
    failures: pd.DataFrame
    gradients: pd.DataFrame
    shapes: pd.DataFrame
    layers: pd.DataFrame
    curves: pd.DataFrame
    sweep: pd.DataFrame


def report_tables(doc):
    """Every table of the report, computed once for the page and the CSVs."""
    frame = records_frame(doc)
    return Tables(records=frame, functions=function_table(frame), failures=failures(frame),
                  gradients=gradient_table(frame), shapes=shape_table(frame),
                  layers=layer_table(frame), curves=curve_table(doc.curves),
                  sweep=sweep_table(doc.planar))


# ----------------------------------------------------------------------------- CSV files

RECORD_COLUMNS = ["unit", "suite", "function", "check", "stage", "quantity", "layer", "case", "status",
                  "diagnosis", "diagnosis_text", "max_abs_err", "max_rel_err", "atol", "rtol",
                  "reference", "expected_shape", "actual_shape", "worst_index", "expected_value",
                  "actual_value", "message", "repro", "duration_s"]
GRADIENT_COLUMNS = (["suite", "function", "quantity"]
                    + [f"{s}_{c}" for s in SIDES for c in SIDE_COLUMNS[:4]] + ["checks", "status"])
SHAPE_COLUMNS = ["suite", "function", "quantity", "case", "check", "expected_shape",
                 "actual_shape", "status", "diagnosis"]
LAYER_COLUMNS = ["suite", "function", "layer", "kind", "quantity", "case", "check", "max_abs_err",
                 "max_rel_err", "atol", "rtol", "status", "diagnosis"]
CSV_FUNCTION_COLUMNS = (KEYS + ["level", "role", "causes", "roots", "checks"] + COUNTED
                        + ["source"])
CSV_FILES = ("functions.csv", "failures.csv", "gradient_errors.csv", "shape_contracts.csv",
             "layers.csv", "curves.csv", "sweep.csv", "records.csv")

# Longest CSV cell: Python's csv reader refuses fields over 131072 characters by default.
MAX_CSV_CELL = 100_000


def csv_value(v):
    """A cell: '' for None and NA, full-precision repr for floats, JSON for lists and dicts;
    text longer than MAX_CSV_CELL is cut with a note (results.json keeps it whole)."""
    if v is None or v is pd.NA:
        return ""
    if isinstance(v, float):
        return repr(float(v))
    if isinstance(v, tuple):
        v = list(v)
    s = json.dumps(v, default=str) if isinstance(v, (list, dict)) else str(v)
    if len(s) > MAX_CSV_CELL:
        s = (s[:MAX_CSV_CELL] + f"... [{len(s) - MAX_CSV_CELL} more characters; full text in "
             "results.json]")
    return s


def _csv(table):
    return table.map(csv_value).to_csv(index=False, lineterminator="\n")


def csv_files(t):
    """{file name: CSV text} of every table the report writes, in CSV_FILES order."""
    return {
        "functions.csv": _csv(t.functions[CSV_FUNCTION_COLUMNS]),
        "failures.csv": _csv(t.failures[RECORD_COLUMNS + ["explanation"]]),
        "gradient_errors.csv": _csv(t.gradients[GRADIENT_COLUMNS]),
        "shape_contracts.csv": _csv(t.shapes[SHAPE_COLUMNS]),
        "layers.csv": _csv(t.layers[LAYER_COLUMNS]),
        # numeric columns: a point that is not a number (NaN) is an empty cell
        "curves.csv": t.curves.to_csv(index=False, lineterminator="\n", na_rep=""),
        "sweep.csv": _csv(t.sweep),
        "records.csv": _csv(t.records[RECORD_COLUMNS]),
    }
