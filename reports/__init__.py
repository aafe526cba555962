"""The nnconf report: a results document (docs/results.md) as one self-contained HTML page
plus one CSV per table.

    >>> from nnconf.reports import load_results, write_report
    >>> write_report(load_results("report/results.json"), "report2")   # doctest: +SKIP
    PosixPath('report2/report.html')

The page opens with the verdict and one card per function, the functions wrong on their own
first, then those that fail because of them (``likely_cause``), with each function's failing
checks, heat map and training curve in its card. It has no external resource (inline CSS,
inline SVG figures) and one inline script of its own, the level and suite filters, which its
Content-Security-Policy allows by hash (no other script, no request); every text from the
document is escaped. ``BUG_CLASSES`` maps each bug class of SPEC Part 3 to a plain-words
explanation and fix, used where a record has no ``diagnosis_text``.
"""

from nnconf.conformance.judging.bug_classes import BUG_CLASSES, explain

from .document import load_results
from .writer import write_report

__all__ = ["write_report", "load_results", "BUG_CLASSES", "explain"]
