"""write_report: a results document -> report.html, results.json and one CSV per table.

Everything is computed in memory first (figures included), then every file is staged as a
temporary file in the output directory and only then moved into place with os.replace. An
exception anywhere before the moves leaves the previous report untouched and no temporary file
behind; each move is atomic, so a reader never sees a half-written file.
"""

import csv
import io
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from . import figures, page, tables
from .document import as_document, normalise

# Odd data in a curve or planar block (ragged lists, NaN everywhere, ...) must not cost the
# whole report: a figure that fails on its data is replaced by a note. Other exceptions are
# bugs and propagate (and then nothing is written).
DATA_ERRORS = (ValueError, TypeError, IndexError, KeyError, OverflowError, FloatingPointError)


def _figure_or_note(fn, *args):
    try:
        return fn(*args)
    except DATA_ERRORS as exc:
        return (f'<div class="figure-note">This figure could not be drawn from the data: '
                f'{page.esc(type(exc).__name__)}: {page.clip(str(exc), "message")}</div>')


def make_figures(doc):
    """(SVG or note per curve, SVG or note or None for the planar sweep)."""
    curve_svgs = [_figure_or_note(figures.curve_figure, c) for c in doc.curves]
    boundary = (_figure_or_note(figures.boundary_figure, doc.planar)
                if doc.planar is not None else None)
    return curve_svgs, boundary


def _json_default(obj):
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.integer, np.floating, np.bool_)):
        return obj.item()
    return str(obj)


def _csv_text(header, rows):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def render_files(results):
    """{file name: bytes} of the whole report, computed without touching the disk."""
    document = as_document(results)
    doc = normalise(document)
    curve_svgs, boundary = make_figures(doc)
    files = {"report.html": page.render(doc, curve_svgs, boundary).encode("utf-8")}
    files["results.json"] = json.dumps(document, indent=1, default=_json_default).encode("utf-8")
    for name, (header, rows) in tables.csv_tables(doc).items():
        files[name] = _csv_text(header, rows).encode("utf-8")
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
