"""The notebook door: check functions defined in a running kernel, where learners work.

    import nnconf
    nnconf.check(linear_backward)        # one function (or class)
    r = nnconf.check(globals())          # every suite function the notebook defines
    r                                    # shown again in a later cell; print(r) for the text

The same checks as ``nnconf check``, isolated the same way: each suite runs in a worker process in
the run's box, where the functions travel by value (cloudpickle, with the globals they use), so
whatever they do stays in the box; without a box, the worker is forked from the kernel.

The result is a :class:`CheckResult`: it shows itself inline once in the cell that checks, and
again wherever it is the value of a later cell, as a table (``text/html``) and as wrapped plain
text (``text/plain``: what ``jupyter console``, nbconvert's text and PDF exports show); each
failing function comes with its diagnosis, its message and what to change. Its ``records`` are a
pandas DataFrame. A check that finds nothing to check (say ``suite="layers"`` for
``linear_backward``) is a result that says so and names the suite the functions belong to.
"""

import html
import itertools
import textwrap
import types
from dataclasses import fields

from nnconf.conformance.judging.bug_classes import BUG_CLASSES
from nnconf.conformance.judging.records import Record, safe_text, unit_verdict
from nnconf.conformance.reading import discovery, loader
from nnconf.conformance.suites import FUNCTIONS, suite_names

_TOKENS = itertools.count()


def check(*objects, suite=None, profile="fast", timeout=10.0, training=False, show=True):
    """Check ``objects`` (functions or classes, or a namespace dict such as ``globals()``).

    ``suite`` names the suite where the names alone do not tell (``sigmoid`` is in three).
    Returns a :class:`CheckResult`; ``show`` displays it at once.
    """
    from nnconf.conformance.run import engine

    namespace = _namespace(objects)
    suites = _suites(namespace, suite)
    top_names = set(namespace)
    functions = {f for s in suites for f in FUNCTIONS[s] if f.split(".")[0] in top_names
                 or any(a in top_names for a in loader.ALIASES.get(s, {}).get(f, ()))}
    if not functions:  # nothing to run: say why, and which suite the names belong to
        result = CheckResult.nothing(_nothing_found(namespace, suites), _spec(namespace), suites, profile)
        if show:
            result.show()
        return result
    target = _target(namespace, suites)
    try:
        results = engine.run(target, suites, profile=profile, timeout=timeout, training=training, functions=functions)
    finally:
        loader.OBJECTS.pop(target.package, None)  # the workers that needed them are gone
    if results["meta"]["sandbox"] == "none":  # unboxed, the functions could read the cache's key: a new one
        from nnconf.conformance.run.cache import rotate_key

        rotate_key()
    result = CheckResult(results, "" if results["records"] else
                         f"nothing was checked: the run found none of {', '.join(sorted(namespace))} to check")
    if show:
        result.show()
    return result


def _namespace(objects):
    """{name: object} of the suite functions and classes among ``objects``."""
    known = set().union(*suite_names().values())
    namespace = {}
    for obj in objects:
        if isinstance(obj, dict):
            namespace.update({k: v for k, v in obj.items() if k in known and callable(v) and not isinstance(v, types.ModuleType)})
        elif callable(obj) and getattr(obj, "__name__", None) in known:
            namespace[obj.__name__] = obj
        else:
            raise loader.UsageError(
                f"{getattr(obj, '__name__', repr(obj)[:60])} is not a function or class of any suite; "
                f"pass functions such as linear_backward, or globals(). The functions: nnconf list")
    if not namespace:
        raise loader.UsageError("none of the suites' functions is among these objects; pass functions or globals()")
    return namespace


def _suites(namespace, suite):
    if suite is not None:
        if suite not in loader.SUITES:
            raise loader.UsageError(f"unknown suite {suite!r}; suites are: {', '.join(loader.SUITES)}")
        return [suite]
    names = set(namespace)
    claimed = discovery.claims_of_names(names, names, discovery.distinctive_names(), suite_names())
    if claimed:
        return [s for s in loader.SUITES if s in claimed]
    shared = sorted(s for s, all_names in suite_names().items() if names & all_names)
    raise loader.UsageError(
        f"{', '.join(sorted(names))} belong(s) to several suites ({', '.join(shared)}): say which, "
        f"e.g. nnconf.check({sorted(names)[0]}, suite={shared[0]!r})")


def _target(namespace, suites):
    token = f"kernel-{next(_TOKENS)}"
    loader.OBJECTS[token] = namespace
    return loader.Target(spec=_spec(namespace), kind="objects", package=token, package_suites=tuple(suites))


def _spec(namespace):
    return "the notebook's " + ", ".join(sorted(namespace)[:4]) + (" ..." if len(namespace) > 4 else "")




def _nothing_found(namespace, suites):
    """The sentence of a check with nothing to check: the suite asked for holds none of the names;
    the suites that do, as the argument to give instead."""
    names = sorted(namespace)
    shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    others = [s for s, all_names in suite_names().items() if s not in suites and set(names) & all_names]
    sentence = f"nothing of the {' and '.join(suites)} suite was found among {shown}"
    if not others:
        return sentence + "; the functions of each suite: nnconf api SUITE, or docs/api.md."
    choices = " or ".join(f"suite={s!r}" for s in others)
    return (f"{sentence}: {'it is' if len(names) == 1 else 'they are'} in the {', '.join(others)} "
            f"suite{'s' if len(others) > 1 else ''}. Did you mean nnconf.check({names[0]}, {choices})?")


_STATUS_ORDER = ("error", "fail", "warn", "note", "pass", "skip")
_COLOURS = {"fail": "#cf222e", "error": "#a40e26", "warn": "#9a6700", "note": "#0969da", "pass": "#1a7f37",
            "skip": "#6e7781"}
_WIDTH = 100  # the plain text's lines: a console, nbconvert's text and PDF (verbatim lines are not wrapped there)


class CheckResult:
    """The outcome of :func:`check`: ``records`` (a pandas DataFrame, one row per check), ``ok``,
    ``verdict``, :meth:`functions` (one row per function, with what to change) and ``results``,
    the whole results document (docs/results.md). Shown as HTML or as plain text."""

    def __init__(self, results, note=""):
        import pandas as pd

        self.results = results
        columns = [f.name for f in fields(Record) if f.name != "extra"] + ["source", "sandbox", "unit"]
        self.records = pd.DataFrame(results["records"], columns=None if results["records"] else columns)
        self.note = note
        self._shown_in = None  # the cell (of this kernel) that displayed it already

    @classmethod
    def nothing(cls, note, spec, suites, profile):
        """A result with no records and the sentence that says why."""
        meta = {"target": spec, "suites": [], "requested": list(suites), "profile": profile,
                "sandbox": None, "sandbox_warning": None, "duration_s": 0.0, "units": []}
        return cls({"meta": meta, "records": [], "curves": []}, note)

    @property
    def verdict(self):
        """PASS (some check passed, none failed), FAIL, or NOTHING CHECKED."""
        verdict, _ = unit_verdict(self.results["records"])
        return "NOTHING CHECKED" if verdict == "NOT RUN" else verdict

    @property
    def ok(self):
        """True when some check passed and none failed or errored (never for an empty result)."""
        return self.verdict == "PASS"

    def functions(self):
        """One dict per function, in the run's order (the real bug first): ``function``
        (suite.function), ``status`` (its worst), ``checks``, ``failing``, ``diagnosis``,
        ``message`` and ``what_to_change`` of its first own failure (or warning), ``follows_from``
        (the failing functions its failures are blamed on) and ``source``."""
        from nnconf.conformance.suites.dependencies import causes_of

        groups = {}
        for record in safe_text(self.results["records"]):
            groups.setdefault((record["suite"], record["function"]), []).append(record)
        rows = []
        for (suite, function), group in groups.items():
            status = min((r["status"] for r in group), key=_STATUS_ORDER.index)
            bad = [r for r in group if r["status"] == status] if status in ("error", "fail", "warn") else []
            bad.sort(key=lambda r: bool(r.get("likely_cause")))  # its own failure first
            first = bad[0] if bad else group[0] if status == "skip" else None  # a skip: why it was not checked
            causes = causes_of(bad) if status in ("error", "fail") else []
            rows.append({
                "function": f"{suite}.{function}", "status": status, "checks": len(group), "failing": len(bad),
                "diagnosis": (first.get("diagnosis") or "") if first else "",
                "message": first["message"].split(" [probably follows")[0] if first else "",
                "what_to_change": _what_to_change(first, causes, suite) if bad else "",
                "follows_from": [f"{suite}.{c}" for c in causes],
                "source": next((r["source"] for r in group if isinstance(r.get("source"), str)), ""),
            })
        return rows

    def _headline(self):
        meta = safe_text(self.results["meta"])
        rows = self.functions()
        failing = sum(r["status"] in ("fail", "error") for r in rows)
        counts = {s: sum(r["status"] == s for r in rows) for s in _STATUS_ORDER}
        parts = [f"{failing} of {len(rows)} function(s) failing" if failing else f"{len(rows)} function(s) checked"]
        parts += [f"{counts[s]} with {w}" for s, w in (("warn", "warnings"), ("note", "notes")) if counts[s]]
        parts += [f"{counts['skip']} not checked"] if counts["skip"] else []
        where = meta.get("target", "")
        if meta.get("sandbox"):
            where += f"; boxed: {meta['sandbox']}" if meta["sandbox"] != "none" else "; NOT SANDBOXED"
        return f"nnconf: {self.verdict}", ", ".join(parts) if rows else "", where

    def __repr__(self):
        verdict, counts, where = self._headline()
        head = " ".join(p for p in (verdict, f"- {counts}" if counts else "", f"({where})") if p)
        lines = [textwrap.fill(head, _WIDTH, subsequent_indent="  ")]

        def wrap(text, indent):
            return textwrap.fill(text, _WIDTH, initial_indent=indent, subsequent_indent=indent)

        if self.note:
            lines.append(wrap(self.note, "  "))
        for row in self.functions():
            counted = f"{row['checks']} checks"
            if row["failing"]:
                counted = f"{row['failing']} of {counted} {row['status']}"
            lines.append(f"  {row['status'].upper():<5} {row['function']} ({counted})")
            if row["failing"]:
                lines.append(wrap(f"[{row['diagnosis']}] {row['message'][:600]}", "        "))
                lines.append(wrap(f"what to change: {row['what_to_change']}", "        "))
            elif row["message"]:
                lines.append(wrap(row["message"][:600], "        "))
        warning = self.results["meta"].get("sandbox_warning")
        if warning:
            lines.append(wrap(f"warning: {safe_text(warning)}", "  "))
        return "\n".join(lines)

    def _repr_html_(self):
        e = html.escape
        verdict, counts, where = self._headline()
        colour = {"nnconf: PASS": _COLOURS["pass"], "nnconf: FAIL": _COLOURS["fail"]}.get(verdict, _COLOURS["skip"])
        head = (f"<p><b style='color:{colour}'>{e(verdict)}</b>" + (f" &middot; {e(counts)}" if counts else "")
                + f" <span style='color:#6e7781'>({e(where)})</span></p>")
        note = f"<p>{e(self.note)}</p>" if self.note else ""
        warning = self.results["meta"].get("sandbox_warning")
        warning = f"<p style='color:{_COLOURS['warn']}'><b>warning:</b> {e(safe_text(warning))}</p>" if warning else ""
        rows = "".join(
            f"<tr><td style='text-align:left'><code>{e(r['function'])}</code></td>"
            f"<td style='color:{_COLOURS.get(r['status'], '#000')};font-weight:600'>{e(r['status'])}</td>"
            f"<td>{r['failing']} / {r['checks']}</td>"
            f"<td style='text-align:left'><code>{e(r['diagnosis'])}</code></td>"
            f"<td style='text-align:left'>{e(r['message'][:600])}</td>"
            f"<td style='text-align:left'>{e(r['what_to_change'])}</td></tr>"
            for r in self.functions())
        table = ("<table><thead><tr><th>function</th><th>status</th><th>failing / checks</th><th>diagnosis</th>"
                 f"<th>message</th><th>what to change</th></tr></thead><tbody>{rows}</tbody></table>") if rows else ""
        return f"<div class='nnconf-result'>{head}{note}{table}{warning}</div>"

    def _repr_pretty_(self, printer, cycle):
        printer.text(repr(self))

    def _mimebundle(self):
        return {"text/plain": repr(self), "text/html": self._repr_html_()}

    def _ipython_display_(self):
        """As a cell's value or through ``display()``: shown, unless :func:`check` showed it
        already in this same cell (``nnconf.check(f)`` as a cell's last line is shown once)."""
        from IPython import get_ipython
        from IPython.display import display

        shell = get_ipython()
        if shell is not None and self._shown_in is not None and self._shown_in == _cell_of(shell):
            return
        display(self._mimebundle(), raw=True)

    def show(self):
        """Display it inline in IPython (HTML and plain text), or print the text elsewhere."""
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:
            print(repr(self))
            return
        shell = get_ipython()
        if shell is None:
            print(repr(self))
            return
        display(self._mimebundle(), raw=True)
        self._shown_in = _cell_of(shell)


def _what_to_change(record, causes, suite):
    """The fix of a failure's bug class (bug_classes), or, for a failure that follows from a
    failing callee, which function to fix first."""
    if causes:
        names = ", ".join(f"{suite}.{c}" for c in causes)
        return f"fix {names} first: this fails because it calls {'it' if len(causes) == 1 else 'them'}"
    entry = BUG_CLASSES.get(record.get("diagnosis") or "")
    if entry is not None:
        return entry[1]
    text = record.get("diagnosis_text") or ""
    return text.split("What to change: ", 1)[-1] or "see the message and its repro (result.records.repro)"


_CELLS = {}  # id(shell) -> cells run in it since the door first showed a result there


def _cell_of(shell):
    """A number that changes with every cell the kernel runs (counted from IPython's
    ``pre_run_cell`` event, which also fires where cells are run without a history number)."""
    key = id(shell)
    if key not in _CELLS:
        _CELLS[key] = 0

        def count(*_):
            _CELLS[key] += 1

        shell.events.register("pre_run_cell", count)
    return _CELLS[key]
