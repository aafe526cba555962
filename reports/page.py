"""The HTML page: one self-contained file (inline CSS and SVG, no script, no external resource),
rendered from the Jinja2 templates in templates/ with autoescape on.

Every value from the results document reaches the page escaped: by the templates, or by the
``clip`` filter, which also shortens long text with a note that results.json holds it in full.
This module turns the report's tables (tables.Tables) into what each section shows; the figures
arrive already drawn (``write_report`` draws them before anything is written).
"""

import html
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from nnconf.conformance.judging.records import unit_kind, unit_verdict

from . import tables
from .document import STATUSES
from .figures import accuracy_text

HERE = Path(__file__).parent
CSS = (HERE / "style.css").read_text(encoding="utf-8")

# How much of a long text the page shows (results.json keeps everything, the CSVs 100k).
LIMITS = {"name": 200, "message": 3000, "diagnosis": 2000, "repro": 8000, "value": 300,
          "meta": 300}
MAX_FAILURES_PER_GROUP = 25
MAX_FAILURE_CARDS = 300
OPEN_ALL_BELOW = 6               # with this few failed functions, every group starts open


# ----------------------------------------------------------------------------- template filters

def missing(v):
    return v is None or v is pd.NA


def clip(text, kind="name"):
    """Escaped text, shortened to LIMITS[kind] characters with a note saying how much was cut."""
    if missing(text):
        return ""
    text = str(text)
    limit = LIMITS[kind]
    shown = Markup(html.escape(text[:limit]))      # html.escape: quotes as &#x27;
    if len(text) <= limit:
        return shown
    return shown + Markup(f'<span class="truncated">\u2026 [{len(text) - limit:,} more '
                          'characters; full text in results.json]</span>')


def fmt_err(x):
    """An error for a table cell: 3.21e-09, 0, NaN, inf or a dash."""
    if missing(x):
        return "\u2014"
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return "0" if x == 0 else f"{x:.2e}"


def fmt_value(v):
    """A value of the worst element: a number, or a list or text (clipped)."""
    if v is None:
        return "\u2014"
    if isinstance(v, float):
        return "NaN" if math.isnan(v) else f"{v:.6g}"
    if isinstance(v, (bool, int)):
        return str(v)
    if isinstance(v, (list, tuple, dict)):
        return clip(json.dumps(v, default=str), "value")
    return clip(v, "value")


def fmt_shape(s):
    if s is None:
        return "\u2014"
    if isinstance(s, tuple):
        return "(" + ", ".join(map(str, s)) + ("," if len(s) == 1 else "") + ")"
    return clip(s, "value")


def fmt_tol(atol, rtol):
    """'atol 1e-09, rtol 1e-06' (either may be missing), or a dash."""
    def one(v):
        return f"{v:.0e}" if v and math.isfinite(v) else fmt_err(v)
    parts = [f"{k} {one(v)}" for k, v in (("atol", atol), ("rtol", rtol)) if not missing(v)]
    return ", ".join(parts) if parts else "\u2014"


def fmt_decade(x):
    """'log10 -12.3' of a positive finite error, else ''."""
    return f"log10 {math.log10(x):.1f}" if not missing(x) and 0 < x < math.inf else ""


ENV = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                  undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
ENV.filters.update(clip=clip, err=fmt_err, value=fmt_value, shape=fmt_shape, decade=fmt_decade,
                   colour=tables.ratio_colour, accuracy=accuracy_text)
ENV.globals.update(tol=fmt_tol, STATUSES=STATUSES, DEFAULT_TOL=tables.DEFAULT_TOL,
                   LEGEND=[(label, tables.ratio_colour(r)) for label, r in tables.LEGEND])


# ----------------------------------------------------------------------------- sections

def summary(doc, records):
    """Verdict, run facts, status counts per suite, and where the code came from."""
    counts = tables.status_counts(records, doc.suites)
    total = counts.sum()
    word = tables.verdict(total)
    n = total["total"]
    if word == "FAIL":
        why = f'{total["fail"]} failed, {total["error"]} errors out of {n} checks'
    elif word == "PASS":
        why = f"all {n} checks passed" + (f' ({total["skip"]} skipped)' if total["skip"] else "")
    else:
        why = "no checks ran" if not n else "some checks have a status this report cannot read"
    absent = records[(records.diagnosis == "api.missing") & (records.status == "skip")]
    sources = doc.meta.get("sources")
    warning = doc.meta.get("sandbox_warning")
    return {"verdict": word, "why": why, "facts": meta_facts(doc.meta),
            "sandbox_warning": warning if isinstance(warning, str) else None,
            "statuses": STATUSES + (("other",) if total["other"] else ()),
            "rows": counts.to_dict("index"), "total": total.to_dict(), "skipped": doc.skipped,
            "sources": "\n".join(map(str, sources)) if isinstance(sources, list) else "",
            "notes": records[records.status == "note"].to_dict("records"),
            "loading": "\n".join(sorted(records.load_notes.explode().dropna().unique())),
            "absent": sorted(set(absent.suite + "." + absent.function)),
            "units": _units(doc.meta.get("units"), records)}


def _units(units, records):
    """The units of a run of several, each with its suites, verdict and what it is (a copy, a version)."""
    if not isinstance(units, list) or len(units) < 2:
        return []
    rows = []
    for unit in (u for u in units if isinstance(u, dict)):
        verdict, failing = unit_verdict(records[records.unit == unit.get("unit")].to_dict("records"))
        rows.append({"unit": unit.get("unit"), "suites": ", ".join(unit.get("suites") or ()),
                     "verdict": verdict, "failing": failing, "what": "; ".join(unit_kind(unit))})
    return rows


def meta_facts(meta):
    """[(label, value)] of the run: target, kind, date, ..., versions (None: not given)."""
    versions = meta.get("versions") if isinstance(meta.get("versions"), dict) else {}
    duration = meta.get("duration_s")
    if isinstance(duration, (int, float)):
        duration = f"{duration:.1f} s"
    facts = [("Target", meta.get("target")), ("Kind", meta.get("target_kind")),
             ("Date", meta.get("date")), ("Profile", meta.get("profile")),
             ("Seed", meta.get("seed")), ("Duration", duration), ("Sandbox", meta.get("sandbox")),
             ("Python", versions.get("python")), ("NumPy", versions.get("numpy")),
             ("PyTorch", versions.get("torch")), ("nnconf", versions.get("nnconf"))]
    return [(label, None if value == "" else value) for label, value in facts]


def failure_groups(failed):
    """The failure cards by function, in the order of tables.failures: at most
    MAX_FAILURES_PER_GROUP cards per function and MAX_FAILURE_CARDS in all (the rest are
    counted), and the bug classes with how often each occurs."""
    if failed.empty:
        return None
    keys = ["unit", "suite", "function"]
    first_ones = failed.groupby(keys, sort=False).cumcount() < MAX_FAILURES_PER_GROUP
    shown = failed.assign(shown=first_ones & (first_ones.cumsum() <= MAX_FAILURE_CARDS))
    groups = list(shown.groupby(keys, sort=False))
    open_all = len(groups) <= OPEN_ALL_BELOW
    classes = failed.diagnosis.fillna("not classified").value_counts()
    return {"n": len(failed), "classes": list(classes.items()),
            "groups": [_group(key, g, open_all or i == 0) for i, (key, g) in enumerate(groups)]}


def _group(key, g, is_open):
    """One function's failures: its cards, how many more, its statuses and failing callees."""
    statuses = g.status.value_counts(sort=False)
    return {"unit": key[0], "suite": key[1], "function": key[2], "open": is_open,
            "cards": g[g.shown].to_dict("records"), "more": int((~g.shown).sum()),
            "count": ", ".join(f"{n} {s}" for s, n in statuses.items()),
            "causes": sorted(set().union(*g.likely_cause))}


def gradient_blocks(gradients):
    """{suite: rows} of the gradient table, each row's autograd_* and fd_* columns gathered as
    row["autograd"] and row["fd"] (None: no such comparison)."""
    blocks = {}
    for row in gradients.to_dict("records"):
        for side in tables.SIDES:
            part = {c: row.pop(f"{side}_{c}") for c in tables.SIDE_COLUMNS}
            row[side] = None if missing(part["labels"]) else part
        blocks.setdefault(row["suite"], []).append(row)
    return blocks


def heat_maps(layers):
    """Per network function, its layer x kind grid of layer cells (None where no record)."""
    maps = []
    cells = tables.layer_cells(layers)
    for (suite, function), g in cells.groupby(["suite", "function"], sort=False):
        kinds = sorted(g.kind.unique(), key=tables.kind_key)
        grid = (g.assign(cell=g.to_dict("records"))
                .pivot(index="layer", columns="kind", values="cell")
                .reindex(index=g.layer.unique(), columns=kinds))
        rows = [(layer, [c if isinstance(c, dict) else None for c in row])
                for layer, row in zip(grid.index, grid.to_numpy().tolist())]
        maps.append({"suite": suite, "function": function, "kinds": list(grid.columns),
                     "rows": rows})
    return maps


def curve_caption(c):
    """Final costs, largest |target - reference| and the number of points of a curve."""
    def last(values):
        return float(values[-1]) if len(values) else None
    diffs = np.abs(c.target - c.reference)
    diffs = diffs[np.isfinite(diffs)]
    text = (f"final cost: target {fmt_err(last(c.target))}, reference "
            f"{fmt_err(last(c.reference))}; max |difference| "
            f"{fmt_err(float(diffs.max()) if diffs.size else None)}; {len(c.iterations)} points")
    if c.document is not None:
        text += f"; {len(c.document)} printed points of the document as \u25cb"
    return text


def sweep_rows(sweep):
    """The sweep table with the width (rem) of each accuracy's bar: fractions in [0, 1], or
    percentages when some accuracy is larger."""
    accuracy = pd.to_numeric(sweep.accuracy).astype(float)
    finite = accuracy.where(np.isfinite(accuracy))
    scale = 1.0 if finite.dropna().between(0, 1).all() else 100.0
    return sweep.assign(bar=(finite / scale).clip(0, 1).fillna(0) * 6).to_dict("records")


def render(doc, t, curve_figures, boundary):
    """The whole page as a string. t: tables.Tables; curve_figures and boundary: as drawn by
    writer.make_figures."""
    target = doc.meta.get("target")
    return ENV.get_template("report.html.j2").render(
        css=Markup(CSS), target=target,
        title=f"nnconf report: {target if target is not None else 'results'}",
        summary=summary(doc, t.records), failures=failure_groups(t.failures),
        warnings=failure_groups(t.warnings), gradients=gradient_blocks(t.gradients),
        shapes=t.shapes.to_dict("records"), heat_maps=heat_maps(t.layers),
        curves=[(c, f, curve_caption(c)) for c, f in zip(doc.curves, curve_figures)],
        planar=doc.planar, sweep=sweep_rows(t.sweep), boundary=boundary,
        csv_files=tables.CSV_FILES)
