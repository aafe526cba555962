"""The report's tables, computed once from a Document and shared by the page and the CSVs."""

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from nnconf.conformance.bug_classes import explain
from .document import STATUSES, stage_rank, worst_status

# Where a record gives no tolerance, errors are coloured against this one (the course's
# gradient-check threshold); the legend says so.
DEFAULT_TOL = {"atol": 1e-7, "rtol": 1e-7}

AUTOGRAD_STAGES = ("value", "grad_autograd", "layer")  # per-layer gradients are autograd comparisons too
FD_STAGES = ("grad_fd",)


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


_STOPS = [(-6.0, (120, 200, 140)), (-3.0, (170, 222, 160)), (-1.0, (226, 238, 150)),
          (0.0, (255, 224, 120)), (0.5, (250, 170, 110)), (2.0, (236, 96, 86))]


def ratio_colour(ratio):
    """A CSS colour for an error/tolerance ratio on a log scale: green far below, yellow near
    1, red above; None when there is nothing to colour."""
    if ratio is None:
        return None
    if ratio <= 0:
        return _rgb(_STOPS[0][1])
    r = 9.0 if math.isinf(ratio) else math.log10(ratio)
    if r <= _STOPS[0][0]:
        return _rgb(_STOPS[0][1])
    for (x0, c0), (x1, c1) in zip(_STOPS, _STOPS[1:]):
        if r <= x1:
            t = (r - x0) / (x1 - x0)
            return _rgb(tuple(a + t * (b - a) for a, b in zip(c0, c1)))
    return _rgb(_STOPS[-1][1])


def _rgb(c):
    return "#%02x%02x%02x" % tuple(int(round(v)) for v in c)


LEGEND = [("\u2264 1e-6 \u00d7 tol", 1e-6), ("1e-3 \u00d7", 1e-3), ("1e-1 \u00d7", 1e-1),
          ("= tol", 1.0), ("3 \u00d7", 3.0), ("\u2265 100 \u00d7 tol", 100.0)]


# ----------------------------------------------------------------------------- summary

def counts_by_suite(doc):
    """[(suite, Counter of statuses)] in suite order, and the total Counter."""
    per = {s: Counter() for s in doc.suites}
    for r in doc.records:
        per.setdefault(r.suite, Counter())[r.status] += 1
    total = Counter()
    for c in per.values():
        total.update(c)
    return list(per.items()), total


def other_count(counter):
    return sum(n for s, n in counter.items() if s not in STATUSES)


def verdict(doc):
    """FAIL when any check failed or errored; PASS when at least one check ran and every other
    check passed, warned, noted or was skipped; NO RESULT otherwise (no records, or statuses it
    cannot read)."""
    _, total = counts_by_suite(doc)
    if total["fail"] or total["error"]:
        return "FAIL"
    if total["pass"] and not other_count(total):
        return "PASS"
    return "NO RESULT"


def diagnosis_text(r):
    """The record's own explanation, else the fallback of the bug class table, else None."""
    return r.diagnosis_text or (explain(r.diagnosis) if r.diagnosis else None)


# ----------------------------------------------------------------------------- failures

def failure_groups(doc, statuses=("fail", "error")):
    """{(suite, function): [records of those statuses]}: root failures (no failing callee) first,
    then those that probably follow from another; in suite order, then first appearance; each
    group's records by stage (errors before fails within a stage)."""
    order = {s: i for i, s in enumerate(doc.suites)}
    groups = {}
    for r in doc.records:
        if r.status in statuses:
            groups.setdefault((r.suite, r.function), []).append(r)
    keys = sorted(groups, key=lambda k: (any(r.likely_cause for r in groups[k]),  # the real bugs first
                                         order.get(k[0], len(order)), min(r.index for r in groups[k])))
    return {k: sorted(groups[k], key=lambda r: (stage_rank(r.stage), r.status != "error",
                                                 r.index)) for k in keys}


# ----------------------------------------------------------------------------- gradient errors

@dataclass
class Side:
    """Aggregate of the records of one row against one reference (autograd or FD)."""
    max_abs: float = None
    max_rel: float = None
    atol: float = None
    rtol: float = None
    ratio: float = None
    tolerances: set = field(default_factory=set)
    checks: list = field(default_factory=list)

    def add(self, r):
        self.checks.append(r.check or r.stage or "")
        self.max_abs = _max(self.max_abs, r.max_abs_err)
        self.max_rel = _max(self.max_rel, r.max_rel_err)
        self.tolerances.add((r.atol, r.rtol))
        ratio = tolerance_ratio(r.max_abs_err, r.max_rel_err, r.atol, r.rtol)
        if ratio is not None and (self.ratio is None or ratio > self.ratio):
            self.ratio, self.atol, self.rtol = ratio, r.atol, r.rtol
        elif self.ratio is None and self.atol is None and self.rtol is None:
            self.atol, self.rtol = r.atol, r.rtol


def _max(a, b):
    """Max of two optional floats where NaN wins (a NaN error is the worst error)."""
    if a is None:
        return b
    if b is None:
        return a
    if math.isnan(a) or math.isnan(b):
        return math.nan
    return max(a, b)


@dataclass
class GradRow:
    suite: str
    function: str
    quantity: str
    autograd: Side = None
    fd: Side = None
    statuses: list = field(default_factory=list)

    @property
    def status(self):
        return worst_status(self.statuses)


def gradient_rows(doc):
    """{suite: [GradRow]} of records with stage value / grad_autograd / grad_fd, one row per
    function x quantity, in order of first appearance."""
    rows = {}
    for r in doc.records:
        if r.stage not in AUTOGRAD_STAGES + FD_STAGES:
            continue
        key = (r.suite, r.function, r.quantity or "(none)")
        row = rows.get(key)
        if row is None:
            row = rows[key] = GradRow(*key)
        side = "fd" if r.stage in FD_STAGES else "autograd"
        if getattr(row, side) is None:
            setattr(row, side, Side())
        getattr(row, side).add(r)
        row.statuses.append(r.status)
    out = {s: [] for s in doc.suites}
    for row in rows.values():
        out.setdefault(row.suite, []).append(row)
    return {s: v for s, v in out.items() if v}


# ----------------------------------------------------------------------------- shapes

def shape_rows(doc):
    """Records of stage shape, in suite order then record order."""
    order = {s: i for i, s in enumerate(doc.suites)}
    rows = [r for r in doc.records if r.stage == "shape"]
    return sorted(rows, key=lambda r: (order.get(r.suite, len(order)), r.index))


# ----------------------------------------------------------------------------- per-layer grid

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


@dataclass
class LayerCell:
    max_abs: float = None
    max_rel: float = None
    ratio: float = None
    statuses: list = field(default_factory=list)
    records: list = field(default_factory=list)

    @property
    def status(self):
        return worst_status(self.statuses)


@dataclass
class LayerGrid:
    suite: str
    function: str
    layers: list
    kinds: list
    cells: dict                      # (layer, kind) -> LayerCell


def layer_grids(doc):
    """One LayerGrid per network function with per-layer records (stage layer, layer set)."""
    grids = {}
    for r in doc.records:
        if r.stage != "layer" or r.layer is None:
            continue
        key = (r.suite, r.function)
        cells = grids.setdefault(key, {})
        cell = cells.setdefault((r.layer, quantity_kind(r.quantity)), LayerCell())
        cell.max_abs = _max(cell.max_abs, r.max_abs_err)
        cell.max_rel = _max(cell.max_rel, r.max_rel_err)
        ratio = tolerance_ratio(r.max_abs_err, r.max_rel_err, r.atol, r.rtol)
        if ratio is not None:
            cell.ratio = ratio if cell.ratio is None else max(cell.ratio, ratio)
        cell.statuses.append(r.status)
        cell.records.append(r)
    out = []
    for (suite, function), cells in grids.items():
        layers = sorted({k[0] for k in cells}, key=_layer_key)
        present = {k[1] for k in cells}
        kinds = [k for k in _KIND_ORDER if k in present] + sorted(present - set(_KIND_ORDER))
        out.append(LayerGrid(suite, function, layers, kinds, cells))
    return out


def _layer_key(layer):
    return (0, layer, "") if isinstance(layer, int) else (1, 0, str(layer))


# ----------------------------------------------------------------------------- CSV tables

RECORD_COLUMNS = ["suite", "function", "check", "stage", "quantity", "layer", "case", "status",
                  "diagnosis", "diagnosis_text", "max_abs_err", "max_rel_err", "atol", "rtol",
                  "reference", "expected_shape", "actual_shape", "worst_index", "expected_value",
                  "actual_value", "message", "repro", "duration_s"]


# Longest CSV cell: Python's csv reader refuses fields over 131072 characters by default.
MAX_CSV_CELL = 100_000


def csv_value(v):
    """A cell: '' for None, full-precision repr for floats, JSON for lists and dicts; text
    longer than MAX_CSV_CELL is cut with a note (results.json keeps it whole)."""
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, tuple):
        v = list(v)
    s = json.dumps(v, default=str) if isinstance(v, (list, dict)) else str(v)
    if len(s) > MAX_CSV_CELL:
        s = (s[:MAX_CSV_CELL] + f"... [{len(s) - MAX_CSV_CELL} more characters; full text in "
             "results.json]")
    return s


def record_row(r):
    return [csv_value(getattr(r, c)) for c in RECORD_COLUMNS]


def csv_tables(doc):
    """{file name: (header, rows)} of every CSV the report writes."""
    tables = {}
    tables["records.csv"] = (RECORD_COLUMNS, [record_row(r) for r in doc.records])

    fail_rows = []
    for group in failure_groups(doc).values():
        for r in group:
            fail_rows.append(record_row(r) + [csv_value(diagnosis_text(r))])
    tables["failures.csv"] = (RECORD_COLUMNS + ["explanation"], fail_rows)

    grad = []
    for rows in gradient_rows(doc).values():
        for row in rows:
            cells = [row.suite, row.function, row.quantity]
            for side in (row.autograd, row.fd):
                if side is None:
                    cells += ["", "", "", ""]
                else:
                    cells += [csv_value(side.max_abs), csv_value(side.max_rel),
                              csv_value(side.atol), csv_value(side.rtol)]
            n = len(row.statuses)
            cells += [str(n), row.status]
            grad.append(cells)
    tables["gradient_errors.csv"] = (
        ["suite", "function", "quantity", "autograd_max_abs_err", "autograd_max_rel_err",
         "autograd_atol", "autograd_rtol", "fd_max_abs_err", "fd_max_rel_err", "fd_atol",
         "fd_rtol", "checks", "status"], grad)

    tables["shape_contracts.csv"] = (
        ["suite", "function", "quantity", "case", "check", "expected_shape", "actual_shape",
         "status", "diagnosis"],
        [[csv_value(x) for x in (r.suite, r.function, r.quantity, r.case, r.check,
                                 r.expected_shape, r.actual_shape, r.status, r.diagnosis)]
         for r in shape_rows(doc)])

    layer_rows = []
    for g in layer_grids(doc):
        for layer in g.layers:
            for kind in g.kinds:
                for r in g.cells.get((layer, kind), LayerCell()).records:
                    layer_rows.append([csv_value(x) for x in (
                        r.suite, r.function, layer, kind, r.quantity, r.case, r.check,
                        r.max_abs_err, r.max_rel_err, r.atol, r.rtol, r.status, r.diagnosis)])
    tables["layers.csv"] = (
        ["suite", "function", "layer", "kind", "quantity", "case", "check", "max_abs_err",
         "max_rel_err", "atol", "rtol", "status", "diagnosis"], layer_rows)

    curve_rows = []
    for c in doc.curves:
        doc_points = {} if c.document is None else {it: cost for it, cost in c.document}
        for it, t, ref in zip(c.iterations, c.target, c.reference):
            d = doc_points.pop(it, None)
            curve_rows.append([str(c.index), c.system, c.label, _num_cell(it), _num_cell(t),
                               _num_cell(ref), _num_cell(t - ref), _num_cell(d)])
        for it, d in sorted(doc_points.items()):      # document points off the iteration grid
            curve_rows.append([str(c.index), c.system, c.label, _num_cell(it), "", "", "",
                               _num_cell(d)])
    tables["curves.csv"] = (["curve", "system", "label", "iteration", "target", "reference",
                             "difference", "document"], curve_rows)

    sweep = []
    if doc.planar is not None:
        for e in doc.planar.sweep:
            sweep.append(["shallow", csv_value(e.n_h), csv_value(e.accuracy)])
        if doc.planar.logistic_baseline_accuracy is not None:
            sweep.append(["logistic baseline", "",
                          csv_value(doc.planar.logistic_baseline_accuracy)])
    tables["sweep.csv"] = (["model", "n_h", "accuracy"], sweep)
    return tables


def _num_cell(x):
    if x is None:
        return ""
    x = float(x)
    if x.is_integer() and abs(x) < 2 ** 53:
        return str(int(x))
    return repr(x)

