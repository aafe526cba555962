"""The report's figures, drawn with matplotlib and returned as inline SVG text.

No pyplot: figures are ``matplotlib.figure.Figure`` objects saved through the SVG backend, so
making a report never opens a window nor changes the caller's backend. Text is drawn as paths
(``svg.fonttype = 'path'``: the page references no font), text from the document is drawn with
``parse_math=False`` (a ``$`` in a label is a dollar sign), and each figure gets its own ``svg.hashsalt`` so the ids of several SVGs inlined
in one page never collide.
"""

import io
import re

import matplotlib
import numpy as np
from matplotlib.figure import Figure

MAX_POINTS = 500          # a curve is plotted with at most this many points (the CSV has all)
MAX_SCATTER = 2000        # data points drawn on a decision-boundary panel
MAX_GRID = 200            # grid points per axis of a decision-boundary panel
TARGET_COLOUR, REFERENCE_COLOUR, DOCUMENT_COLOUR = "#1f6feb", "#e36209", "#24292f"


def _rc(salt):
    return {"svg.fonttype": "path", "svg.hashsalt": f"nnconf-{salt}", "font.size": 9, "axes.titlesize": 10, "axes.spines.top": False,
            "axes.spines.right": False, "axes.grid": True, "grid.color": "#e5e7eb",
            "grid.linewidth": 0.6, "legend.frameon": False, "figure.dpi": 100}


def to_svg(fig, label):
    """The figure as an <svg> element (no XML prolog), labelled for screen readers."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    # matplotlib's RDF metadata block only names namespaces (purl.org, creativecommons.org);
    # drop it so the page holds no URL but the SVG and XLink namespaces.
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    svg = re.sub(r'\s+xmlns:(?:dc|cc|rdf)="[^"]*"', "", svg)
    label = (label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
             .replace('"', "&quot;"))
    return svg.replace("<svg", f'<svg class="figure" role="img" aria-label="{label}"', 1)


def downsample(n, limit=MAX_POINTS):
    """Indices of at most ``limit`` evenly spread points of n, first and last included."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(int))


def _short(s, n=80):
    s = " ".join((s or "").split())
    return s if len(s) <= n else s[:n - 1] + "\u2026"


def use_log_y(*series):
    """Log scale when every finite value is positive and they span at least a decade."""
    vals = np.concatenate([np.asarray(s, dtype=float).ravel() for s in series if s is not None])
    vals = vals[np.isfinite(vals)]
    return vals.size > 1 and vals.min() > 0 and vals.max() / vals.min() >= 10


def curve_figure(curve):
    """Target and reference cost against iteration (document points as markers), and below,
    their difference."""
    with matplotlib.rc_context(_rc(f"curve{curve.index}")):
        fig = Figure(figsize=(7.2, 4.4))
        top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1.3]})
        idx = downsample(len(curve.iterations))
        it = curve.iterations[idx]
        target = np.where(np.isfinite(curve.target[idx]), curve.target[idx], np.nan)
        reference = np.where(np.isfinite(curve.reference[idx]), curve.reference[idx], np.nan)
        top.plot(it, reference, color=REFERENCE_COLOUR, lw=2.2, alpha=0.8,
                 label="reference (PyTorch)")
        top.plot(it, target, color=TARGET_COLOUR, lw=1.2, ls="--", label="target")
        doc = curve.document
        if doc is not None:
            top.plot(doc[:, 0], doc[:, 1], ls="none", marker="o", ms=5, mfc="none",
                     mec=DOCUMENT_COLOUR, mew=1.2, label="document (printed)")
        if use_log_y(target, reference, None if doc is None else doc[:, 1]):
            top.set_yscale("log")
        top.set_ylabel("cost")
        top.set_title(_short(curve.label), loc="left", parse_math=False)
        if np.isfinite(target).any() or np.isfinite(reference).any() or doc is not None:
            top.legend(loc="upper right", fontsize=8)
        diff = target - reference
        bottom.plot(it, diff, color="#8250df", lw=1.0)
        bottom.axhline(0, color="#6e7781", lw=0.6)
        bottom.set_ylabel("target \u2212 ref.")
        bottom.set_xlabel("iteration")
        bottom.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3))
        fig.align_ylabels()
        return to_svg(fig, f"training curve: {curve.label}")


def boundary_figure(planar):
    """One panel per hidden size: the target's predicted probability on the grid (filled,
    boundary at p = 0.5) with the data points coloured by their label."""
    entries = [e for e in planar.sweep if e.grid_p is not None]
    n = len(entries)
    if n == 0:
        return None
    ncols = min(4, n)
    nrows = -(-n // ncols)
    with matplotlib.rc_context(_rc("planar")):
        fig = Figure(figsize=(2.6 * ncols + 0.4, 2.6 * nrows + 0.3))
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
        X, Y = planar.X, planar.Y
        if X is not None:
            keep = downsample(X.shape[1], MAX_SCATTER)
            X = X[:2, keep]
            Y = None if Y is None else Y[keep]
        for ax, e in zip(axes, entries):
            sx = downsample(len(e.grid_x), MAX_GRID)
            sy = downsample(len(e.grid_y), MAX_GRID)
            p = np.clip(np.nan_to_num(e.grid_p[np.ix_(sy, sx)], nan=0.5), 0, 1)
            gx, gy = e.grid_x[sx], e.grid_y[sy]
            ax.contourf(gx, gy, p, levels=[0, 0.5, 1], colors=["#f8d7da", "#cfe2ff"])
            if p.min() < 0.5 < p.max():
                ax.contour(gx, gy, p, levels=[0.5], colors=["#24292f"], linewidths=1.0)
            if X is not None:
                if Y is not None:
                    ax.scatter(X[0], X[1], c=np.where(Y > 0.5, "#0550ae", "#cf222e"), s=7,
                               linewidths=0)
                else:
                    ax.scatter(X[0], X[1], c="#24292f", s=7, linewidths=0)
            acc = "" if e.accuracy is None else f", accuracy {_accuracy_text(e.accuracy)}"
            ax.set_title(_short(f"n_h = {e.n_h}{acc}", 40), fontsize=9, parse_math=False)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            ax.set_aspect("auto")
        for ax in axes[n:]:
            ax.set_visible(False)
        fig.tight_layout()
        return to_svg(fig, "decision boundaries of the hidden-size sweep")


def _accuracy_text(a):
    if not np.isfinite(a):
        return str(a)
    return f"{a * 100:.1f} %" if 0 <= a <= 1 else f"{a:.1f} %"


def accuracy_text(a):
    """An accuracy in percent: a fraction in [0, 1] is scaled, a larger number is taken as %."""
    return "\u2014" if a is None else _accuracy_text(a)

