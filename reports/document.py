"""Reading a results document (docs/results.md) and normalising it for the report.

Tolerant by design: unknown keys are ignored, a missing optional key is None, a value of the
wrong type becomes None (numbers) or its ``str`` (text), and an entry that is not an object is
skipped. Nothing here truncates text: the CSVs keep everything, the page shortens what it shows.
"""

import json
from dataclasses import dataclass, field

import numpy as np

from nnconf.conformance.judging.records import safe_text

STATUSES = ("pass", "fail", "error", "warn", "note", "skip")
STAGES = ("smoke", "type", "shape", "value", "grad_autograd", "grad_fd", "layer", "side_effect",
          "saturation", "determinism", "api", "training")
SUITES = ("activations", "logistic", "shallow", "deep", "init", "xor", "layers")
# Worst first: the status that a group of records shows.
SEVERITY = {"error": 5, "fail": 4, "warn": 3, "note": 1.5, "pass": 1, "skip": 0}


def load_results(path):
    """Read a results document from a JSON file.

    Accepts the full document (an object with meta, records, curves, planar) or the bare array
    of records that ``--json`` writes; a bare array becomes a document with empty meta, no
    curves and no planar block. Missing top-level keys are filled the same way.
    """
    with open(path, encoding="utf-8") as fh:
        return as_document(json.load(fh))


def as_document(data):
    """A results document (dict) from a document or a bare list of records."""
    if isinstance(data, list):
        data = {"records": data}
    if not isinstance(data, dict):
        raise ValueError("a results document is a JSON object or an array of records, "
                         f"not {type(data).__name__}")
    doc = _clean(dict(data))
    doc.setdefault("meta", {})
    doc.setdefault("records", [])
    doc.setdefault("curves", [])
    doc.setdefault("planar", None)
    return doc


def _clean(value):
    """Every text of a document made safe for a page, a terminal and a file (records.safe_text: valid
    UTF-8, control and reordering characters escaped, an ESC shown as ``\\x1b``), at any depth:
    the target's folder and file names in ``meta`` (its ``target``, ``sources``, ``units``), and a
    saved document given to ``nnconf report``, which may have been written by anyone."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


# ----------------------------------------------------------------------------- scalar coercion

def text(value):
    """A string, or None: a value of another type is shown as its str."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=str)
    return str(value)


def number(value):
    """A float (NaN and inf allowed), or None when the value is not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def shape(value):
    """A tuple of ints for a list of ints, the str of anything else, or None."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)) and all(
            isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in value):
        return tuple(int(d) for d in value)
    return text(value)


def layer_number(value):
    """An int layer number when the value is one (3, "3", 3.0), else its text, or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    s = text(value).strip()
    return int(s) if s.lstrip("-").isdigit() else (s or None)


def floats(values):
    """A 1-D float array from a list; entries that are not numbers become NaN."""
    if not isinstance(values, (list, tuple, np.ndarray)):
        return np.zeros(0)
    out = [number(v) for v in values]
    return np.array([np.nan if v is None else v for v in out], dtype=float)


def matrix(values):
    """A 2-D float array from a list of lists (ragged or non-numeric entries: None)."""
    try:
        arr = np.array(values, dtype=float)
    except (TypeError, ValueError):
        return None
    if arr.ndim == 1:
        arr = arr[None, :]
    return arr if arr.ndim == 2 and arr.size else None


# ----------------------------------------------------------------------------- records

@dataclass
class Record:
    index: int
    suite: str
    function: str
    check: str = None
    stage: str = None
    quantity: str = None
    layer: object = None
    case: str = None
    status: str = "unknown"
    diagnosis: str = None
    diagnosis_text: str = None
    max_abs_err: float = None
    max_rel_err: float = None
    atol: float = None
    rtol: float = None
    reference: str = None
    expected_shape: object = None
    actual_shape: object = None
    worst_index: object = None
    expected_value: object = None
    actual_value: object = None
    message: str = None
    repro: str = None
    duration_s: float = None
    source: str = None  # the user's file (and line, or notebook cell) the function was loaded from
    likely_cause: tuple = ()  # failing functions this one really called: its failure probably follows
    unit: str = ""  # the file that holds the suite on its own (a run of several units names each)
    load_notes: tuple = ()  # what could not be loaded from the target's files (a missing package)
    rule: str = None  # the severity rule that made a failing observation a warning or a note

    @property
    def failed(self):
        return self.status in ("fail", "error")


def record(index, raw):
    """A Record from one raw record; None when raw is not an object."""
    if not isinstance(raw, dict):
        return None
    tol = raw.get("tolerance")
    tol = tol if isinstance(tol, dict) else {}
    status = (text(raw.get("status")) or "unknown").strip().lower() or "unknown"
    worst = raw.get("worst_index")
    return Record(
        index=index,
        suite=text(raw.get("suite")) or "(no suite)",
        function=text(raw.get("function")) or "(no function)",
        check=text(raw.get("check")),
        stage=text(raw.get("stage")),
        quantity=text(raw.get("quantity")),
        layer=layer_number(raw.get("layer")),
        case=text(raw.get("case")),
        status=status,
        diagnosis=text(raw.get("diagnosis")),
        diagnosis_text=text(raw.get("diagnosis_text")),
        max_abs_err=number(raw.get("max_abs_err")),
        max_rel_err=number(raw.get("max_rel_err")),
        atol=number(tol.get("atol")),
        rtol=number(tol.get("rtol")),
        reference=text(raw.get("reference")),
        expected_shape=shape(raw.get("expected_shape")),
        actual_shape=shape(raw.get("actual_shape")),
        worst_index=shape(worst) if worst is not None else None,
        expected_value=raw.get("expected_value"),
        actual_value=raw.get("actual_value"),
        message=text(raw.get("message")),
        repro=text(raw.get("repro")),
        duration_s=number(raw.get("duration_s")),
        source=text(raw.get("source")),
        likely_cause=_texts(raw.get("likely_cause")),
        load_notes=_texts(raw.get("load_notes")),
        unit=text(raw.get("unit")) or "",
        rule=text(raw.get("rule")),
    )


def _texts(value):
    """A tuple of the non-empty texts of a JSON list (anything else: empty)."""
    return tuple(t for t in map(text, value) if t) if isinstance(value, list) else ()


# ----------------------------------------------------------------------------- curves, planar

@dataclass
class Curve:
    index: int
    system: str
    label: str
    iterations: np.ndarray
    target: np.ndarray
    reference: np.ndarray
    document: np.ndarray = None      # (k, 2): iteration, cost
    status: str = None
    message: str = None
    unit: str = ""                   # the unit whose training loop this is (a run of several)


def curve(index, raw):
    """A Curve from one raw curve, series padded with NaN to a common length; None if odd."""
    if not isinstance(raw, dict):
        return None
    target, reference = floats(raw.get("target")), floats(raw.get("reference"))
    n = max(len(target), len(reference))
    target = np.pad(target, (0, n - len(target)), constant_values=np.nan)
    reference = np.pad(reference, (0, n - len(reference)), constant_values=np.nan)
    iterations = floats(raw.get("iterations"))
    if len(iterations) != n or not np.all(np.isfinite(iterations)):
        iterations = np.arange(n, dtype=float)
    doc = raw.get("document")
    points = []
    if isinstance(doc, dict):
        doc = list(doc.items())
    if isinstance(doc, (list, tuple)):
        for p in doc:
            if isinstance(p, (list, tuple)) and len(p) >= 2:
                it, cost = number(p[0]), number(p[1])
                if it is not None and cost is not None:
                    points.append((it, cost))
    return Curve(
        index=index,
        system=text(raw.get("system")) or "",
        label=text(raw.get("label")) or f"curve {index + 1}",
        iterations=iterations, target=target, reference=reference,
        document=np.array(points, dtype=float) if points else None,
        status=(text(raw.get("status")) or "").strip().lower() or None,
        message=text(raw.get("message")),
        unit=text(raw.get("unit")) or "",
    )


@dataclass
class SweepEntry:
    n_h: object
    accuracy: float
    grid_x: np.ndarray = None
    grid_y: np.ndarray = None
    grid_p: np.ndarray = None        # (len(grid_y), len(grid_x))


@dataclass
class Planar:
    X: np.ndarray                    # (2, m), or None
    Y: np.ndarray                    # (m,), or None
    sweep: list = field(default_factory=list)
    logistic_baseline_accuracy: float = None


def planar(raw):
    """A Planar from the raw planar block, or None when there is none."""
    if not isinstance(raw, dict):
        return None
    X = matrix(raw.get("X"))
    if X is not None and X.shape[0] != 2 and X.shape[1] == 2:
        X = X.T                      # row-major data: one example a row
    if X is not None and X.shape[0] < 2:
        X = None
    Y = matrix(raw.get("Y"))
    Y = Y.ravel() if Y is not None else None
    if X is None or Y is None or len(Y) != X.shape[1]:
        Y = None
    sweep = []
    for entry in raw.get("sweep") or []:
        if not isinstance(entry, dict):
            continue
        n_h = entry.get("n_h")
        n_h = int(n_h) if isinstance(n_h, (int, float)) and not isinstance(n_h, bool) \
            and float(n_h).is_integer() else text(n_h)
        item = SweepEntry(n_h=n_h, accuracy=number(entry.get("accuracy")))
        grid = entry.get("grid")
        if isinstance(grid, dict):
            gx, gy, gp = floats(grid.get("x")), floats(grid.get("y")), matrix(grid.get("p"))
            if gp is not None and gp.shape == (len(gx), len(gy)) and len(gx) != len(gy):
                gp = gp.T
            if gp is not None and gp.shape == (len(gy), len(gx)) and min(gp.shape) >= 2:
                item.grid_x, item.grid_y, item.grid_p = gx, gy, gp
        sweep.append(item)
    return Planar(X=X, Y=Y, sweep=sweep,
                  logistic_baseline_accuracy=number(raw.get("logistic_baseline_accuracy")))


# ----------------------------------------------------------------------------- the document

@dataclass
class Document:
    meta: dict
    records: list
    curves: list
    planar: Planar = None
    skipped: int = 0                 # raw records / curves that were not objects

    @property
    def suites(self):
        """Suites in the order of meta.suites (listed even without records), then SPEC order,
        then first appearance."""
        listed = self.meta.get("suites")
        listed = listed if isinstance(listed, list) else []
        seen = list(dict.fromkeys(s for s in listed if isinstance(s, str)))
        present = {r.suite for r in self.records}
        rest = [s for s in SUITES if s in present and s not in seen]
        for r in self.records:
            if r.suite not in seen and r.suite not in rest:
                rest.append(r.suite)
        return seen + rest


def normalise(results):
    """A Document from a results dict (or bare list of records)."""
    doc = as_document(results)
    meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
    raw_records = doc.get("records") if isinstance(doc.get("records"), list) else []
    raw_curves = doc.get("curves") if isinstance(doc.get("curves"), list) else []
    records = [r for r in (record(i, raw) for i, raw in enumerate(raw_records)) if r]
    curves = [c for c in (curve(i, raw) for i, raw in enumerate(raw_curves)) if c]
    skipped = len(raw_records) - len(records) + len(raw_curves) - len(curves)
    return Document(meta=meta, records=records, curves=curves,
                    planar=planar(doc.get("planar")), skipped=skipped)


def stage_rank(stage):
    """Position of a stage in the fixed order; unknown stages last."""
    return STAGES.index(stage) if stage in STAGES else len(STAGES)


def worst_status(statuses):
    """The status a group of records shows: error > fail > warn > unknown > note > pass > skip."""
    statuses = list(statuses)
    if not statuses:
        return None
    return max(statuses, key=lambda s: SEVERITY.get(s, 2))

