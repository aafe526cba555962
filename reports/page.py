"""The HTML page: one self-contained file (inline CSS, inline SVG, one inline script of ours
for the filters; no external resource), rendered from the Jinja2 templates in templates/ with
autoescape on.

Every value from the results document reaches the page escaped: by the templates, or by the
``clip`` filter, which also shortens long text with a note that results.json holds it in full.
The page's Content-Security-Policy allows no request and no script but ours (by its hash), so a
value that escaped escaping could still run nothing and fetch nothing.

This module turns the report's tables (tables.Tables) into what each part of the page shows: one
card per function (tables.function_table, the real bugs first), with the records it lists, its
layers' heat map and its training curve; the figures arrive already drawn (``write_report``
draws them before anything is written).
"""

import base64
import hashlib
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
from .filters import SCRIPT

HERE = Path(__file__).parent
CSS = (HERE / "style.css").read_text(encoding="utf-8")
# The only script the page may run, and no request at all (data: for the empty icon).
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-"
       + base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
       + "'; base-uri 'none'; form-action 'none'")

# How much of a long text the page shows (results.json keeps everything, the CSVs 100k).
LIMITS = {"name": 200, "message": 3000, "diagnosis": 2000, "repro": 8000, "value": 300,
          "meta": 300}
MAX_CHECKS_PER_CARD = 25         # records a function's card lists (the CSVs have all)
MAX_CHECKS = 300                 # records all the cards list together
OPEN_CARDS = 8                   # the first cards of each role (roots, followers) start open
MAX_ROOTS_NAMED = 6              # roots the verdict names ("fix first")


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
    date = meta.get("date")
    if isinstance(date, str) and len(date) > 10 and date[10] == "T" and date[:4].isdigit():
        date = f"{date[:10]} {date[11:]}"     # ISO 8601 with a space: it wraps at the time
    duration = meta.get("duration_s")
    if isinstance(duration, (int, float)):
        duration = f"{duration:.1f} s"
    facts = [("Target", meta.get("target")), ("Kind", meta.get("target_kind")),
             ("Date", date), ("Profile", meta.get("profile")),
             ("Seed", meta.get("seed")), ("Duration", duration), ("Sandbox", meta.get("sandbox")),
             ("Python", versions.get("python")), ("NumPy", versions.get("numpy")),
             ("PyTorch", versions.get("torch")), ("nnconf", versions.get("nnconf"))]
    return [(label, None if value == "" else value) for label, value in facts]


# ----------------------------------------------------------------------------- function cards

SECTIONS = {"root": "failures", "follower": "failures", "warn": "warnings", "other": "warnings",
            "note": "warnings", "pass": "passing", "skip": "passing"}
COUNT_WORDS = {"fail": ("failed", "failed"), "error": ("error", "errors"),
               "warn": ("warning", "warnings"), "note": ("note", "notes"),
               "other": ("other", "other"), "pass": ("passed", "passed"),
               "skip": ("skipped", "skipped")}


def cards(t, doc, curve_figures):
    """The function cards as {section: [card]}, in the order of tables.function_table
    (``failures``: roots, then followers; ``warnings``: warnings, other statuses and notes;
    ``passing``: passes and skips), and the curves no card shows.

    A card lists the records of its function that did not pass (at most MAX_CHECKS_PER_CARD, and
    MAX_CHECKS in the page: the CSVs have them all), the distinct diagnoses among them, its
    layers' heat map, and the curve of its training loop when that did not pass; the curves of
    passing training loops stay together in their own section."""
    functions = t.functions
    keys = [tuple(k) for k in functions[tables.KEYS].to_numpy().tolist()]
    anchors = {k: f"fn-{i}" for i, k in enumerate(keys)}
    listed = tables.function_checks(t.records, functions)
    maps = heat_maps(t.layers)
    own_curves, loose = _curves_of(functions, doc.curves, curve_figures)
    followers = {}
    for key, row in zip(keys, functions.to_dict("records")):
        for root in row["roots"]:
            followers.setdefault((key[0], key[1], root), []).append(key[2])
    sections = {name: [] for name in dict.fromkeys(SECTIONS.values())}
    budget, opened = MAX_CHECKS, {}
    for key, row in zip(keys, functions.to_dict("records")):
        section = sections[SECTIONS[row["role"]]]
        records = listed[key].to_dict("records") if key in listed else []
        shown = records[:max(0, min(MAX_CHECKS_PER_CARD, budget))]
        budget -= len(shown)
        # the first roots and the first followers start open (warnings and notes when nothing
        # failed); the first record of the first card that opens, too (its message and repro)
        is_open = (row["role"] in ("root", "follower") or SECTIONS[row["role"]] == "warnings"
                   and not sections["failures"]) and opened.get(row["role"], 0) < OPEN_CARDS
        first_open = is_open and not opened and row["role"] != "follower"
        opened[row["role"]] = opened.get(row["role"], 0) + is_open
        section.append({
            **row, "anchor": anchors[key], "open": is_open,
            "counts": ", ".join(f"{row[lv]} {COUNT_WORDS[lv][row[lv] > 1]}"
                                for lv in tables.COUNTED if row[lv]),
            "rules": list(dict.fromkeys(r["rule"] for r in shown if r["rule"])),
            "diagnoses": diagnoses(shown),
            "checks": [{**r, "open": first_open and i == 0, "gist": gist(r), "facts": facts(r)}
                       for i, r in enumerate(shown)],
            "more": len(records) - len(shown),
            "causes": [(c, anchors.get((key[0], key[1], c))) for c in row["causes"]],
            "roots": [(c, anchors.get((key[0], key[1], c))) for c in row["roots"]],
            "followers": [(f, anchors.get((key[0], key[1], f))) for f in followers.get(key, ())],
            "heat_map": maps.get(key), "curve": own_curves.get(key),
            "curve_anchor": next((c["anchor"] for c in loose if c["owner"] == key), None)})
    return sections, loose


def diagnoses(records):
    """The distinct (bug class, explanation, how many) of the failing records a card lists (of
    its warnings and notes when none failed), in the card's order."""
    worst = ([r for r in records if r["status"] in tables.FAILED]
             or [r for r in records if r["status"] != "skip"])
    found = {}
    for r in worst:
        if r["diagnosis"]:
            what = (r["diagnosis"], r["explanation"] or "No explanation is known for this bug class.")
        elif r["explanation"] or r["rule"]:
            what = (None, r["explanation"])
        else:
            what = ("not classified", "No bug class matched; compare with the formula and run the repro.")
        found[what] = found.get(what, 0) + 1
    return [(cls, text, n) for (cls, text), n in found.items() if cls or text]


def _named(r, name):
    """Whether the record's check label ("stage:quantity@case", as the engine writes it) already
    says its stage, quantity or case."""
    check, value = r["check"] or "", r[name]
    if missing(value) or not check:
        return False
    value = str(value)
    return {"stage": check == value or check.startswith(value + ":"),
            "quantity": f":{value}@" in check or check.endswith(f":{value}"),
            "case": check.endswith(f"@{value}")}[name]


def gist(r):
    """The few words that tell a listed record from the others of its card (what its check's
    label does not already say)."""
    parts = []
    if not missing(r["layer"]):
        parts.append(f"layer {r['layer']}")
    if r["case"] and not _named(r, "case"):
        parts.append(f"case {r['case']}")
    if r["shape_bad"]:
        parts.append(f"shape {fmt_shape(r['actual_shape'])}, expected {fmt_shape(r['expected_shape'])}")
    errors = [f"{word} {fmt_err(r[k])}" for word, k in (("abs err", "max_abs_err"),
                                                         ("rel err", "max_rel_err"))
              if not missing(r[k])]
    if errors:
        parts.append(", ".join(errors))
    return parts


# (label, record field, how it is shown): the facts a listed record shows where it has them
FACTS = [("Stage", "stage", "text"), ("Quantity", "quantity", "code"), ("Layer", "layer", "text"),
         ("Case", "case", "text"), ("Expected shape", "expected_shape", "shape"),
         ("Actual shape", "actual_shape", "shape"), ("Worst index", "worst_index", "shape"),
         ("Expected value", "expected_value", "value"), ("Actual value", "actual_value", "value"),
         ("Max abs error", "max_abs_err", "err"), ("Max rel error", "max_rel_err", "err"),
         ("Tolerance", "tolerance", "tol"), ("Reference", "reference", "text"),
         ("Rule", "rule", "text")]


def facts(r):
    """[(label, shown value, css class)] of the FACTS a record has a value for (never a dash),
    but for its stage, quantity and case where its check's label says them already, and one
    "Shape" where the expected and actual shapes are the same."""
    shown = []
    same_shape = not r["shape_bad"] and r["expected_shape"] == r["actual_shape"]
    for label, name, how in FACTS:
        if name in ("stage", "quantity", "case") and _named(r, name):
            continue
        if same_shape and name == "actual_shape":
            continue
        if same_shape and name == "expected_shape":
            label = "Shape"
        if how == "tol":
            if missing(r["atol"]) and missing(r["rtol"]):
                continue
            value = fmt_tol(r["atol"], r["rtol"])
        elif missing(r[name]) or r[name] == "":
            continue
        else:
            value = {"text": clip, "code": clip, "shape": fmt_shape, "value": fmt_value,
                     "err": fmt_err}[how](r[name])
        bad = name == "actual_shape" and r["shape_bad"]
        shown.append((label, value, "code" if how == "code" else "bad" if bad else ""))
    return shown


def _curves_of(functions, curves, drawn):
    """({function key: curve} of training loops whose record did not pass, [the other curves]):
    a curve belongs to the function ``training loop (<its label>)`` of its suite (and unit, where
    it names one). A curve: {curve, drawn, caption, anchor, owner (its function's key or None)}."""
    levels = {}
    for unit, suite, function, lvl in functions[tables.KEYS + ["level"]].to_numpy().tolist():
        levels.setdefault((suite, function), []).append(((unit, suite, function), lvl))
    own, loose = {}, []
    for c, d in zip(curves, drawn):
        owners = [(k, lvl) for k, lvl in levels.get((c.system, f"training loop ({c.label})"), ())
                  if not c.unit or k[0] == c.unit]
        owner, lvl = owners[0] if owners else (None, None)
        item = {"curve": c, "drawn": d, "caption": curve_caption(c), "anchor": f"curve-{c.index}",
                "owner": owner, "level": tables.level(c.status or lvl) if c.status or lvl else None}
        if owner is not None and lvl not in ("pass", "skip") and owner not in own:
            own[owner] = item
        else:
            loose.append(item)
    return own, loose


def filters(functions, suites):
    """The filter buttons: [(level, how many functions)] and [(suite, how many)], in page order
    (levels fail to pass always; skip and other where some function has them)."""
    levels = functions.level.value_counts()
    shown = [lv for lv in tables.LEVELS[:5]] + [lv for lv in ("skip", "other") if levels.get(lv)]
    per_suite = functions.suite.value_counts()
    return ([(lv, int(levels.get(lv, 0))) for lv in shown],
            [(s, int(per_suite[s])) for s in suites if per_suite.get(s)])


def gradient_blocks(gradients):
    """{suite: rows} of the gradient table, each row's autograd_* and fd_* columns gathered as
    row["autograd"] and row["fd"] (None: no such comparison)."""
    blocks = {}
    for row in gradients.to_dict("records"):
        for side in tables.SIDES:
            part = {c: row.pop(f"{side}_{c}") for c in tables.SIDE_COLUMNS}
            row[side] = None if missing(part["labels"]) else part
        row["level"] = tables.level(row["status"])
        blocks.setdefault(row["suite"], []).append(row)
    return blocks


def heat_maps(layers):
    """{function key: its layer x kind grid of layer cells (None where no record)}."""
    maps = {}
    cells = tables.layer_cells(layers)
    for key, g in cells.groupby(tables.KEYS, sort=False):
        kinds = sorted(g.kind.unique(), key=tables.kind_key)
        grid = (g.assign(cell=g.to_dict("records"))
                .pivot(index="layer", columns="kind", values="cell")
                .reindex(index=g.layer.unique(), columns=kinds))
        rows = [(layer, [c if isinstance(c, dict) else None for c in row])
                for layer, row in zip(grid.index, grid.to_numpy().tolist())]
        maps[key] = {"kinds": list(grid.columns), "rows": rows}
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
    sections, loose_curves = cards(t, doc, curve_figures)
    levels, suites = filters(t.functions, doc.suites)
    roots = [c for c in sections["failures"] if c["role"] == "root"]
    passing = {}
    for c in sections["passing"]:                     # by suite, in the order of the suites
        passing.setdefault(c["suite"], []).append(c)
    return ENV.get_template("report.html.j2").render(
        css=Markup(CSS), script=Markup(SCRIPT), csp=CSP, target=target,
        title=f"nnconf report: {target if target is not None else 'results'}",
        summary=summary(doc, t.records), roots=roots[:MAX_ROOTS_NAMED],
        more_roots=len(roots) - MAX_ROOTS_NAMED, cards=sections, passing=passing,
        levels=levels, suites=suites,
        gradients=gradient_blocks(t.gradients),
        shapes=t.shapes.assign(level=t.shapes.status.map(tables.level)).to_dict("records"),
        curves=loose_curves, planar=doc.planar, sweep=sweep_rows(t.sweep), boundary=boundary,
        csv_files=tables.CSV_FILES)
