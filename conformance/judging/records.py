"""The record of one check (docs/results.md) and the words used to build its message."""

from dataclasses import dataclass, field, fields

STAGES = (
    "api", "smoke", "type", "shape", "value", "grad_autograd", "layer", "grad_fd",
    "side_effect", "saturation", "determinism", "training",
)
STAGE_WORDS = {
    "api": "is not usable as the API names it (docs/api.md)",
    "smoke": "does not run",
    "type": "has the wrong type",
    "shape": "has the wrong shape",
    "value": "has wrong values (against the PyTorch reference)",
    "grad_autograd": "is a wrong gradient (against autograd)",
    "layer": "is a wrong gradient (against autograd)",
    "grad_fd": "disagrees with finite differences of the target's own forward",
    "side_effect": "changed an input",
    "saturation": "is not finite on saturated input",
    "determinism": "differs between two identical calls",
    "training": "diverges from the reference training run",
}


@dataclass
class Record:
    suite: str
    function: str
    check: str
    stage: str
    status: str  # pass | fail | error | skip
    quantity: str | None = None
    layer: int | None = None
    case: str | None = None
    diagnosis: str | None = None
    diagnosis_text: str | None = None
    max_abs_err: float | None = None
    max_rel_err: float | None = None
    tolerance: dict | None = None
    reference: str | None = None
    expected_shape: list | None = None
    actual_shape: list | None = None
    worst_index: list | None = None
    expected_value: float | None = None
    actual_value: float | None = None
    message: str = ""
    repro: str | None = None
    duration_s: float | None = None
    extra: dict = field(default_factory=dict)

    def to_json(self):
        data = {f.name: getattr(self, f.name) for f in fields(self)}  # shallow: safe_text makes new lists and dicts
        extra = data.pop("extra")
        data.update(extra)
        return {k: _json_number(safe_text(v)) for k, v in data.items()}


_CONTROL = ({c: f"\\x{c:02x}" for c in range(32) if c not in (9, 10)} | {c: f"\\x{c:02x}" for c in range(127, 160)}
            | {c: f"\\u{c:04x}" for c in (*range(0x200E, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A))})
# C0 and C1 controls, and the marks that reorder text on a terminal (right-to-left overrides)


MAX_TEXT = 100_000  # characters of one text field of a record (a repro included); the rest is counted


def safe_text(value):
    """Text from the target made safe for a file and a terminal: valid UTF-8 (a lone surrogate
    becomes U+FFFD), no control or reordering characters but tab and newline (an escape sequence shows as
    ``\\x1b``), at most MAX_TEXT characters. Lists and dicts are cleaned throughout; other values
    are returned as they are."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            value = value[:MAX_TEXT] + f"... [{len(value) - MAX_TEXT} more characters]"
        value = value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        return value.translate(_CONTROL)
    if isinstance(value, list):
        return [safe_text(v) for v in value]
    if isinstance(value, dict):
        return {safe_text(k): safe_text(v) for k, v in value.items()}
    return value


def _json_number(value):
    """JSON has no NaN/inf: write them as strings so every reader can load the file."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    return value


def unit_verdict(records):
    """(verdict, failing functions) of one unit's records: FAIL where a function failed or
    errored, PASS where some check passed, else NOT RUN (nothing of it was checked)."""
    failing = {(r["suite"], r["function"]) for r in records if r["status"] in ("fail", "error")}
    verdict = "FAIL" if failing else "PASS" if any(r["status"] == "pass" for r in records) else "NOT RUN"
    return verdict, len(failing)


def unit_kind(unit):
    """What a unit is besides its file, from its entry in the results' ``meta.units``: a Jupyter
    copy of another, the course version its files tell (with the evidence)."""
    what = [f"a Jupyter copy of {unit['copy_of']}"] if unit.get("copy_of") else []
    if unit.get("course_version"):
        what.append(f"{unit['course_version']} course ({unit.get('version_evidence')})")
    return what
