"""write_report: a results document -> report.html, results.json and one CSV per table.

Everything is computed in memory first (figures included), then every file is staged as a
temporary file in the output directory and only then moved into place with os.replace. An
exception anywhere before the moves leaves the previous report untouched and no temporary file
behind; each move is atomic, so a reader never sees a half-written file.
"""

import os
import tempfile
from pathlib import Path
from typing import NamedTuple

from markupsafe import Markup

from nnconf.conformance.judging import jsonfile

from . import figures, page, tables
from .document import as_document, normalise

# Odd data in a curve or planar block (ragged lists, NaN everywhere, ...) must not cost the
# whole report: a figure that fails on its data is replaced by a note. Other exceptions are
# bugs and propagate (and then nothing is written).
DATA_ERRORS = (ValueError, TypeError, IndexError, KeyError, OverflowError, FloatingPointError)


class Drawn(NamedTuple):
    svg: Markup = None               # the figure, or None when there was nothing to draw
    error: str = None                # why the data could not be drawn


def _draw(fn, *args):
    try:
        svg = fn(*args)
    except DATA_ERRORS as exc:
        return Drawn(error=f"{type(exc).__name__}: {exc}")
    return Drawn(svg=Markup(svg) if svg else None)   # our SVG, its labels escaped by figures


def make_figures(doc):
    """(a Drawn per curve, a Drawn for the planar sweep or None without a planar block)."""
    curve_svgs = [_draw(figures.curve_figure, c) for c in doc.curves]
    boundary = _draw(figures.boundary_figure, doc.planar) if doc.planar is not None else None
    return curve_svgs, boundary


def render_files(results):
    """{file name: bytes} of the whole report, computed without touching the disk."""
    document = as_document(results)
    doc = normalise(document)
    t = tables.report_tables(doc)
    curve_svgs, boundary = make_figures(doc)
    files = {"report.html": page.render(doc, t, curve_svgs, boundary).encode("utf-8")}
    files["results.json"] = jsonfile.dumps(document).encode("utf-8")  # strict JSON, as --json writes
    files.update((name, text.encode("utf-8")) for name, text in tables.csv_files(t).items())
    return files


def write_files(files, out_dir):
    """Stage every file as a temporary file in out_dir, then move them all into place."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    umask = os.umask(0)
    os.umask(umask)
    staged = []
    try:
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".tmp")
            staged.append((tmp, out_dir / name))
            os.chmod(tmp, 0o666 & ~umask)       # mkstemp's 0600 would stick to the report
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)


def write_report(results, out_dir):
    """Write out_dir/report.html, out_dir/results.json and the CSVs; return the HTML's path.

    results: a results document (docs/results.md) or a bare list of records.
    """
    files = render_files(results)
    write_files(files, out_dir)
    return Path(out_dir) / "report.html"
