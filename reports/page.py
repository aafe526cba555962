"""The HTML page: one self-contained file (inline CSS and SVG, no script, no external resource).

Every string that comes from a results document goes through ``esc`` (html.escape), and long
text is shortened with a note that the CSVs hold it in full. Figures arrive already rendered
(``write_report`` draws them before anything is written).
"""

import html
import json
import math
from collections import Counter
from pathlib import Path

from . import tables
from .document import STATUSES
from .figures import accuracy_text

CSS = (Path(__file__).with_name("style.css")).read_text(encoding="utf-8")

# How much of a long text the page shows (results.json keeps everything, the CSVs 100k).
LIMITS = {"name": 200, "message": 3000, "diagnosis": 2000, "repro": 8000, "value": 300,
          "meta": 300}
MAX_FAILURES_PER_GROUP = 25
MAX_FAILURE_CARDS = 300
OPEN_ALL_BELOW = 6               # with this few failed functions, every group starts open


# ----------------------------------------------------------------------------- formatting

def esc(s):
    return html.escape("" if s is None else str(s), quote=True)


def clip(s, kind):
    """Escaped text, shortened to LIMITS[kind] characters with a note saying how much was cut."""
    if s is None:
        return ""
    s = str(s)
    limit = LIMITS[kind]
    if len(s) <= limit:
        return esc(s)
    return (esc(s[:limit]) + f'<span class="truncated">\u2026 [{len(s) - limit:,} more '
            f'characters; full text in results.json]</span>')


def fmt_err(x):
    """An error for a table cell: 3.21e-09, 0, NaN, inf or a dash."""
    if x is None:
        return "\u2014"
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return "0" if x == 0 else f"{x:.2e}"


def fmt_value(v):
    """A value of the worst element (number, list or text) as escaped text."""
    if v is None:
        return "\u2014"
    if isinstance(v, bool):
        return esc(v)
    if isinstance(v, (int, float)):
        if isinstance(v, float) and math.isnan(v):
            return "NaN"
        return esc(f"{v:.6g}") if isinstance(v, float) else esc(v)
    if isinstance(v, (list, tuple, dict)):
        return clip(json.dumps(v, default=str), "value")
    return clip(v, "value")


def fmt_shape(s):
    if s is None:
        return "\u2014"
    if isinstance(s, tuple):
        return esc("(" + ", ".join(map(str, s)) + ("," if len(s) == 1 else "") + ")")
    return clip(s, "value")


def fmt_tol(atol, rtol):
    """'atol 1e-09, rtol 1e-06' (either may be missing), or a dash."""
    def one(v):
        return f"{v:.0e}" if v and math.isfinite(v) else fmt_err(v)
    parts = [f"{k} {one(v)}" for k, v in (("atol", atol), ("rtol", rtol)) if v is not None]
    return esc(", ".join(parts)) if parts else "\u2014"


def badge(status):
    cls = status if status in STATUSES else "other"
    return f'<span class="badge {cls}">{esc(status)}</span>'


def name(s):
    return clip(s, "name")


def tinted(content, ratio, extra_class="", title=None):
    """A table cell coloured by an error/tolerance ratio."""
    colour = tables.ratio_colour(ratio)
    style = f' style="background:{colour}"' if colour else ""
    tip = f' title="{esc(title)}"' if title else ""
    return f'<td class="num hot {extra_class}"{style}{tip}>{content}</td>'


def legend():
    items = "".join(f'<span><span class="sw" style="background:{tables.ratio_colour(r)}"></span>'
                    f"{esc(label)}</span>" for label, r in tables.LEGEND)
    tol = tables.DEFAULT_TOL
    return ('<div class="legend"><span>Colour: error \u00f7 tolerance, log scale '
            '(min of abs/atol and rel/rtol):</span>' + items +
            f'<span>white: not compared. Records without a tolerance are coloured against '
            f'atol {tol["atol"]:.0e}, rtol {tol["rtol"]:.0e}.</span></div>')


# ----------------------------------------------------------------------------- sections

def empty_section(section_id, title, note):
    """A section with nothing to show: its heading and why."""
    return f'<section id="{section_id}"><h2>{title}</h2><p class="note">{note}</p></section>'


def summary_section(doc):
    meta = doc.meta
    versions = meta.get("versions") if isinstance(meta.get("versions"), dict) else {}
    per_suite, total = tables.counts_by_suite(doc)
    word = tables.verdict(doc)
    n = sum(total.values())
    if word == "FAIL":
        why = f'{total["fail"]} failed, {total["error"]} errors out of {n} checks'
    elif word == "PASS":
        why = f'all {n} checks passed' + (f' ({total["skip"]} skipped)' if total["skip"] else "")
    else:
        why = "no checks ran" if not n else "some checks have a status this report cannot read"

    def m(key, source=meta):
        v = source.get(key)
        return "\u2014" if v is None or v == "" else clip(v, "meta")

    duration = meta.get("duration_s")
    duration = f"{duration:.1f} s" if isinstance(duration, (int, float)) else m("duration_s")
    facts = [("Target", f'<code>{m("target")}</code>'), ("Kind", m("target_kind")),
             ("Date", m("date")), ("Profile", m("profile")), ("Seed", m("seed")),
             ("Duration", esc(duration)), ("Python", m("python", versions)),
             ("NumPy", m("numpy", versions)), ("PyTorch", m("torch", versions)),
             ("nnconf", m("nnconf", versions))]
    meta_html = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)

    others = tables.other_count(total) > 0
    head = "".join(f'<th class="num">{s}</th>' for s in STATUSES + (("other",) if others else ()))
    rows = []
    for suite, c in per_suite + [("Total", total)]:
        cells = [c[s] for s in STATUSES] + ([tables.other_count(c)] if others else [])
        tds = "".join(f'<td class="num{" c-" + s if v and s in ("fail", "error") else ""}">{v}</td>'
                      for s, v in zip(STATUSES + ("other",), cells))
        k = sum(c.values())
        bar = ('<div class="bar">' + "".join(
            f'<span class="{s}" style="width:{100 * v / k:.2f}%"></span>'
            for s, v in zip(STATUSES + ("other",), cells) if v) + "</div>"
            if k else '<span class="muted">no checks ran</span>')
        cls = ' class="total"' if suite == "Total" and c is total else ""
        rows.append(f'<tr{cls}><td>{name(suite)}</td>{tds}<td class="num">{k}</td>'
                    f'<td>{bar}</td></tr>')
    skipped = (f'<p class="note">{doc.skipped} entries of the document were not objects and '
               'were ignored.</p>' if doc.skipped else "")
    skipped += code_checked(doc)
    return f"""
<section id="summary">
<h2>Summary</h2>
<div class="summary">
  <div class="verdict {word.replace(' ', '-')}" id="verdict"><div class="word">{word}</div>
  <div class="why">{esc(why)}</div></div>
  <div>
    <dl class="meta">{meta_html}</dl>
    <table class="counts"><thead><tr><th>Suite</th>{head}<th class="num">total</th><th></th></tr>
    </thead><tbody>{''.join(rows)}</tbody></table>
    {skipped}
  </div>
</div>
</section>"""


def code_checked(doc):
    """Where each suite's code came from, the conventions noted, what could not be loaded, and the
    functions the target does not implement (collapsed, last)."""
    lines = doc.meta.get("sources")
    lines = [str(line) for line in lines] if isinstance(lines, list) else []
    absent = sorted({f"{r.suite}.{r.function}" for r in doc.records
                     if r.diagnosis == "api.missing" and r.status == "skip"})
    out = ""
    if lines:
        out += ('<details class="sources" open><summary>Code checked (where each suite was found)</summary>'
                f'<pre>{clip(chr(10).join(lines), "repro")}</pre></details>')
    notes = [r for r in doc.records if r.status == "note"]
    if notes:
        items = "".join(f"<li><code>{name(r.suite)}.{name(r.function)}</code>: {clip(r.message, 'message')}</li>"
                        for r in notes)
        out += (f'<details class="notes" open><summary>{len(notes)} note(s): accepted conventions of a course '
                f'version or of the book</summary><ul>{items}</ul></details>')
    loading = sorted({n for r in doc.records for n in r.load_notes})
    if loading:
        out += ('<details class="loading"><summary>While loading the code (these matter only to a function '
                f'that uses the names)</summary><pre>{clip(chr(10).join(loading), "repro")}</pre></details>')
    if absent:
        out += (f'<details class="absent"><summary>{len(absent)} function(s) not implemented '
                '(skipped, not failed)</summary>'
                f'<p>{", ".join(f"<code>{name(a)}</code>" for a in absent)}</p></details>')
    return out


def failure_card(r):
    text = tables.diagnosis_text(r)
    if r.diagnosis:
        diag = (f'<div class="diagnosis"><span class="cls">Diagnosis: '
                f'<code>{name(r.diagnosis)}</code></span>'
                + (f"<p>{clip(text, 'diagnosis')}</p>" if text else
                   "<p>No explanation is known for this bug class.</p>") + "</div>")
    elif text:
        diag = f'<div class="diagnosis"><p>{clip(text, "diagnosis")}</p></div>'
    else:
        diag = ('<div class="diagnosis"><span class="cls">Diagnosis: not classified</span>'
                "<p>No bug class matched; compare with the formula and run the repro.</p></div>")
    shape_bad = (r.expected_shape is not None and r.actual_shape is not None
                 and r.expected_shape != r.actual_shape)
    sc = ' class="shape-bad"' if shape_bad else ""
    facts = [("Suite", name(r.suite)), ("Function", f"<code>{name(r.function)}</code>"),
             ("Quantity", f"<code>{name(r.quantity)}</code>" if r.quantity else "\u2014"),
             ("Check", f"<code>{name(r.check)}</code>" if r.check else "\u2014"),
             ("Stage", name(r.stage) or "\u2014"), ("Case", name(r.case) or "\u2014"),
             ("Expected shape", fmt_shape(r.expected_shape)),
             ("Actual shape", f"<span{sc}>{fmt_shape(r.actual_shape)}</span>"),
             ("Worst index", fmt_shape(r.worst_index)),
             ("Expected value", fmt_value(r.expected_value)),
             ("Actual value", fmt_value(r.actual_value)),
             ("Max abs / rel error", f"{fmt_err(r.max_abs_err)} / {fmt_err(r.max_rel_err)}"),
             ("Tolerance", fmt_tol(r.atol, r.rtol)),
             ("Reference", name(r.reference) or "\u2014")]
    if r.layer is not None:
        facts.insert(3, ("Layer", name(r.layer)))
    if r.source:
        facts.insert(2, ("Loaded from", f"<code>{name(r.source)}</code>"))
    facts_html = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in facts)
    message = (f'<div class="label">Message</div><p class="message">{clip(r.message, "message")}</p>'
               if r.message else "")
    repro = (f'<div class="label">Reproduce</div><pre class="repro"><code>'
             f'{clip(r.repro, "repro")}</code></pre>' if r.repro else
             '<p class="note">No repro snippet for this check.</p>')
    title = f"{name(r.check or r.stage or 'check')}"
    return f"""<article class="failure {esc(r.status)}" data-record="{r.index}">
<h4>{badge(r.status)} <code>{title}</code></h4>
{diag}
<dl class="facts">{facts_html}</dl>
{message}
{repro}
</article>"""


def failures_section(doc, warnings=False):
    section, title = ("warnings", "Warnings") if warnings else ("failures", "Failures")
    groups = tables.failure_groups(doc, ("warn",) if warnings else ("fail", "error"))
    n = sum(len(g) for g in groups.values())
    if not n:
        return "" if warnings else empty_section("failures", "Failures", "No check failed or errored.")
    classes = Counter(r.diagnosis or "not classified" for g in groups.values() for r in g)
    chips = "".join(f"<span><code>{name(c)}</code> \u00d7 {k}</span>"
                    for c, k in classes.most_common())
    parts, shown = [], 0
    open_all = len(groups) <= OPEN_ALL_BELOW
    for i, ((suite, function), records) in enumerate(groups.items()):
        room = max(0, min(MAX_FAILURES_PER_GROUP, MAX_FAILURE_CARDS - shown))
        cards = "".join(failure_card(r) for r in records[:room])
        shown += min(room, len(records))
        rest = len(records) - min(room, len(records))
        more = (f'<p class="note" style="margin:0.8rem">{rest} more failures of this function '
                'are in failures.csv.</p>' if rest else "")
        statuses = Counter(r.status for r in records)
        count = ", ".join(f"{v} {k}" for k, v in statuses.items())
        is_open = " open" if (i == 0 or open_all) else ""
        causes = sorted({c for r in records for c in r.likely_cause})
        follows = (f'<span class="muted"> follows from {", ".join(f"<code>{name(c)}</code>" for c in causes)}</span>'
                   if causes else "")
        parts.append(f'<details class="group"{is_open}><summary>{name(suite)} \u203a '
                     f'<code>{name(function)}</code>{follows}<span class="count">{esc(count)}</span>'
                     f"</summary>{cards}{more}</details>")
    return f"""
<section id="{section}">
<h2>{title} <span class="muted">({n} in {len(groups)} functions)</span></h2>
<div class="classes">{chips}</div>
{''.join(parts)}
</section>"""


def gradient_section(doc):
    by_suite = tables.gradient_rows(doc)
    if not by_suite:
        return empty_section("gradients", "Gradient and value errors",
                             "No value or gradient comparisons in this document.")
    blocks = []
    for suite, rows in by_suite.items():
        trs = []
        for row in rows:
            cells = [f'<td class="fn"><code>{name(row.function)}</code></td>',
                     f"<td><code>{name(row.quantity)}</code></td>"]
            for side in (row.autograd, row.fd):
                if side is None:
                    cells += ['<td class="num first">\u2014</td>', '<td class="num">\u2014</td>',
                              '<td class="tol">\u2014</td>']
                    continue
                tip = "; ".join(side.checks[:20])
                bad = " bad" if side.ratio is not None and side.ratio > 1 else ""
                cells += [tinted(fmt_err(side.max_abs), side.ratio, "first" + bad, tip),
                          tinted(fmt_err(side.max_rel), side.ratio, bad, tip)]
                star = ("*" if len(side.tolerances) > 1 else "")
                tol_tip = ("" if not star else ' title="tolerance differs between cases; '
                           'shown: the one of the worst case"')
                cells.append(f'<td class="tol"{tol_tip}>{fmt_tol(side.atol, side.rtol)}{star}</td>')
            cells.append(f'<td class="num first">{len(row.statuses)}</td><td>{badge(row.status)}</td>')
            trs.append(f"<tr>{''.join(cells)}</tr>")
        blocks.append(f"""<h3>{name(suite)}</h3>
<div class="scroll"><table class="grad"><thead>
<tr><th colspan="2"></th><th class="group" colspan="3">vs the reference (value, grad_autograd, layer)</th>
<th class="group" colspan="3">vs finite differences (grad_fd)</th><th class="group" colspan="2"></th></tr>
<tr><th>Function</th><th>Quantity</th>
<th class="num first">max abs err</th><th class="num">max rel err</th><th>tolerance</th>
<th class="num first">max abs err</th><th class="num">max rel err</th><th>tolerance</th>
<th class="num first">checks</th><th>status</th></tr></thead>
<tbody>{''.join(trs)}</tbody></table></div>""")
    return f"""
<section id="gradients">
<h2>Gradient and value errors</h2>
<p class="note">One row per function and quantity, worst over its cases. \u201cvs the reference\u201d:
stages value, grad_autograd and layer (the float64 PyTorch reference and its autograd); \u201cvs FD\u201d: stage grad_fd
(central finite differences of the target's own forward).</p>
{legend()}
{''.join(blocks)}
</section>"""


def shapes_section(doc):
    rows = tables.shape_rows(doc)
    if not rows:
        return empty_section("shapes", "Shape contracts", "No shape checks in this document.")
    trs = []
    for r in rows:
        bad = r.expected_shape is not None and r.actual_shape is not None \
            and r.expected_shape != r.actual_shape
        sc = ' class="num shape-bad"' if bad else ' class="num"'
        trs.append(f"<tr><td>{name(r.suite)}</td><td class=\"fn\"><code>{name(r.function)}</code></td>"
                   f"<td><code>{name(r.quantity)}</code></td><td>{name(r.case)}</td>"
                   f'<td class="num">{fmt_shape(r.expected_shape)}</td>'
                   f"<td{sc}>{fmt_shape(r.actual_shape)}</td><td>{badge(r.status)}</td>"
                   f"<td>{name(r.diagnosis) if r.diagnosis else ''}</td></tr>")
    return f"""
<section id="shapes">
<h2>Shape contracts</h2>
<div class="scroll"><table class="shapes"><thead><tr><th>Suite</th><th>Function</th>
<th>Output</th><th>Case</th><th class="num">expected shape</th><th class="num">actual shape</th>
<th>verdict</th><th>diagnosis</th></tr></thead><tbody>{''.join(trs)}</tbody></table></div>
</section>"""


def layers_section(doc):
    grids = tables.layer_grids(doc)
    if not grids:
        return empty_section("layers", "Per-layer errors", "No per-layer records in this document.")
    maps = []
    for g in grids:
        head = "".join(f"<th>{name(k)}</th>" for k in g.kinds)
        trs = []
        for layer in g.layers:
            tds = []
            for kind in g.kinds:
                cell = g.cells.get((layer, kind))
                if cell is None:
                    tds.append('<td class="cell">\u2014</td>')
                    continue
                rel = cell.max_rel
                lg = (f"log10 {math.log10(rel):.1f}" if rel is not None and rel > 0
                      and math.isfinite(rel) else "")
                bad = cell.status in ("fail", "error")
                mark = " \u2717" if bad else ""
                tip = (f"layer {layer} {kind}: max rel {fmt_err(rel)}, max abs "
                       f"{fmt_err(cell.max_abs)}, status {cell.status}; checks: "
                       + "; ".join((r.check or "") for r in cell.records[:10]))
                colour = tables.ratio_colour(cell.ratio)
                style = f' style="background:{colour}"' if colour else ""
                tds.append(f'<td class="cell{" bad" if bad else ""}"{style} title="{esc(tip)}">'
                           f'{fmt_err(rel)}{mark}<span class="sub">{esc(lg)}</span></td>')
            trs.append(f'<tr><th class="row">layer {name(layer)}</th>{"".join(tds)}</tr>')
        maps.append(f"""<div class="heatmap"><h3>{name(g.suite)} \u203a <code>{name(g.function)}</code></h3>
<table><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(trs)}</tbody></table></div>""")
    return f"""
<section id="layers">
<h2>Per-layer errors</h2>
<p class="note">Max relative error of each layer's gradients against autograd (worst over cases);
a \u2717 marks a failed check.</p>
{legend()}
<div class="heatmaps">{''.join(maps)}</div>
</section>"""


def curves_section(doc, curve_figures):
    if not doc.curves:
        return empty_section("curves", "Training curves", "No training curves in this document.")
    figs = []
    for c, svg in zip(doc.curves, curve_figures):
        last_t = c.target[-1] if len(c.target) else None
        last_r = c.reference[-1] if len(c.reference) else None
        diffs = [abs(t - r) for t, r in zip(c.target, c.reference) if math.isfinite(t - r)]
        stats = (f"final cost: target {fmt_err(_f(last_t))}, reference {fmt_err(_f(last_r))}; "
                 f"max |difference| {fmt_err(max(diffs) if diffs else None)}; "
                 f"{len(c.iterations)} points")
        doc_note = (f"; {len(c.document)} printed points of the document as \u25cb"
                    if c.document is not None else "")
        status = badge(c.status) + " " if c.status else ""
        msg = f'<br><span class="message">{clip(c.message, "message")}</span>' if c.message else ""
        figs.append(f"""<figure class="curve">{svg}
<figcaption>{status}<strong>{name(c.label)}</strong> <span class="muted">({name(c.system)})</span><br>
<span class="muted">{esc(stats + doc_note)}</span>{msg}</figcaption></figure>""")
    return f"""
<section id="curves">
<h2>Training curves</h2>
<p class="note">The target's training loop and the PyTorch reference in lockstep from the same
initial parameters and data; costs before each update. Curves are drawn with at most 500 points;
curves.csv holds every iteration.</p>
<div class="curves">{''.join(figs)}</div>
</section>"""


def _f(x):
    return None if x is None else float(x)


def planar_section(doc, boundary_svg):
    p = doc.planar
    if p is None:
        return ""
    rows = []
    accs = [a for a in [e.accuracy for e in p.sweep] + [p.logistic_baseline_accuracy]
            if a is not None and math.isfinite(a)]
    scale = 1.0 if all(0 <= a <= 1 for a in accs) else 100.0
    for e in p.sweep:
        width = (0 if e.accuracy is None or not math.isfinite(e.accuracy)
                 else max(0.0, min(1.0, e.accuracy / scale)) * 6)
        rows.append(f'<tr><td class="num">{name(e.n_h)}</td><td class="num">'
                    f'{esc(accuracy_text(e.accuracy))}<span class="accbar" '
                    f'style="width:{width:.2f}rem"></span></td></tr>')
    base = p.logistic_baseline_accuracy
    if base is not None:
        width = 0 if not math.isfinite(base) else max(0.0, min(1.0, base / scale)) * 6
        rows.append(f'<tr class="total"><td>logistic baseline</td><td class="num">'
                    f'{esc(accuracy_text(base))}<span class="accbar baseline" '
                    f'style="width:{width:.2f}rem"></span></td></tr>')
    fig = boundary_svg or ('<div class="figure-note">No decision-boundary grid in the planar '
                           'block.</div>')
    return f"""
<section id="planar">
<h2>Planar data: hidden-size sweep</h2>
<div class="planar">
  <div><table class="sweep"><thead><tr><th class="num">n_h</th><th class="num">accuracy</th>
  </tr></thead><tbody>{''.join(rows)}</tbody></table>
  <p class="note">Accuracy on the training set, as document 001 reports it.</p></div>
  <figure>{fig}<figcaption class="muted">Decision boundary (p = 0.5) of the target's
  trained network per hidden size; shaded by predicted class, points coloured by label
  (blue 1, red 0).</figcaption></figure>
</div>
</section>"""


CSV_FILES = ("failures.csv", "gradient_errors.csv", "shape_contracts.csv", "layers.csv",
             "curves.csv", "sweep.csv", "records.csv")


def render(doc, curve_figures, boundary_svg):
    """The whole page as a string."""
    word = tables.verdict(doc)
    target = doc.meta.get("target")
    n_fail = sum(len(g) for g in tables.failure_groups(doc).values())
    nav = [("summary", "Summary"), ("failures", f"Failures ({n_fail})"),
           ("gradients", "Gradient errors"), ("shapes", "Shapes"), ("layers", "Per-layer"),
           ("curves", "Training curves")]
    if doc.planar is not None:
        nav.append(("planar", "Planar sweep"))
    nav_html = "".join(f'<a href="#{a}">{esc(t)}</a>' for a, t in nav)
    csv_links = ", ".join(f'<a href="{f}">{f}</a>' for f in CSV_FILES)
    title = f"nnconf report: {target if target is not None else 'results'} \u2014 {word}"
    target_html = clip(target, "meta") if target is not None else "\u2014"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{clip(title, "name")}</title>
<style>
{CSS}</style>
</head>
<body>
<header class="top"><div class="inner">
<h1>nnconf conformance report</h1>
<div class="target">Target <code>{target_html}</code>
checked against the PyTorch-autograd reference and finite differences.</div>
</div></header>
<nav><div class="inner">{nav_html}</div></nav>
<main>
{summary_section(doc)}
{failures_section(doc)}
{failures_section(doc, warnings=True)}
{gradient_section(doc)}
{shapes_section(doc)}
{layers_section(doc)}
{curves_section(doc, curve_figures)}
{planar_section(doc, boundary_svg)}
<footer>Tables as CSV next to this page: {csv_links}; the whole results document:
<a href="results.json">results.json</a>. Rebuild with
<code>nnconf report results.json --out DIR</code>.</footer>
</main>
</body>
</html>
"""
