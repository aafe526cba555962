"""The notebook door: check functions defined in a running kernel, where learners work.

    import nnconf
    nnconf.check(linear_backward)        # one function (or class)
    nnconf.check(globals())              # every suite function the notebook defines

The same checks as ``nnconf check``, isolated the same way: each suite runs in a worker process in
the run's box, where the functions travel by value (cloudpickle, with the globals they use), so
whatever they do stays in the box; without a box, the worker is forked from the kernel. The result shows inline (an HTML table through IPython's
display; plain text elsewhere) and is returned as a :class:`CheckResult` whose ``records`` are a
pandas DataFrame.
"""

import html
import itertools
import types

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
    target = _target(namespace, suites)
    top_names = set(namespace)
    functions = {f for s in suites for f in FUNCTIONS[s] if f.split(".")[0] in top_names
                 or any(a in top_names for a in loader.ALIASES.get(s, {}).get(f, ()))}
    try:
        results = engine.run(target, suites, profile=profile, timeout=timeout, training=training, functions=functions)
    finally:
        loader.OBJECTS.pop(target.package, None)  # the workers that needed them are gone
    if results["meta"]["sandbox"] == "none":  # unboxed, the functions could read the cache's key: a new one
        from nnconf.conformance.run.cache import rotate_key

        rotate_key()
    result = CheckResult(results)
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
    spec = "the notebook's " + ", ".join(sorted(namespace)[:4]) + (" ..." if len(namespace) > 4 else "")
    return loader.Target(spec=spec, kind="objects", package=token, package_suites=tuple(suites))


class CheckResult:
    """The outcome of :func:`check`: ``records`` (a DataFrame), ``ok`` and the whole document."""

    def __init__(self, results):
        import pandas as pd

        self.results = results
        self.records = pd.DataFrame(results["records"])
        self._shown = False

    @property
    def ok(self):
        return not self.records["status"].isin(["fail", "error"]).any() if len(self.records) else False

    def functions(self):
        """One row per function: its worst status, failing checks, first diagnosis and message."""
        rows = []
        order = ["error", "fail", "warn", "note", "pass", "skip"]
        for (suite, function), group in self.records.groupby(["suite", "function"], sort=False):
            status = min(group["status"], key=order.index)
            bad = group[group["status"] == status] if status in ("error", "fail", "warn") else group.iloc[:0]
            first = bad.iloc[0] if len(bad) else None
            rows.append({
                "function": f"{suite}.{function}", "status": status, "checks": len(group), "failing": len(bad),
                "diagnosis": first["diagnosis"] if first is not None else "",
                "message": first["message"] if first is not None else "",
                "source": next((s for s in group.get("source", []) if isinstance(s, str)), ""),
            })
        return rows

    def __repr__(self):
        lines = [f"nnconf: {'PASS' if self.ok else 'FAIL'} ({self.results['meta']['target']})"]
        for row in self.functions():
            lines.append(f"  {row['status'].upper():<5} {row['function']}"
                         + (f"  [{row['diagnosis']}] {row['message'][:300]}" if row["failing"] else ""))
        return "\n".join(lines)

    def _repr_html_(self):
        colours = {"fail": "#cf222e", "error": "#a40e26", "warn": "#9a6700", "note": "#0969da", "pass": "#1a7f37",
                   "skip": "#6e7781"}
        rows = "".join(
            f"<tr><td><code>{html.escape(r['function'])}</code></td>"
            f"<td style='color:{colours.get(r['status'], '#000')};font-weight:600'>{html.escape(r['status'])}</td>"
            f"<td>{r['checks']}</td><td><code>{html.escape(str(r['diagnosis'] or ''))}</code></td>"
            f"<td style='text-align:left'>{html.escape(str(r['message'])[:600])}</td></tr>"
            for r in self.functions())
        verdict = "PASS" if self.ok else "FAIL"
        return (f"<div><b>nnconf: {verdict}</b> ({html.escape(self.results['meta']['target'])})"
                "<table><thead><tr><th>function</th><th>status</th><th>checks</th><th>diagnosis</th>"
                f"<th>message</th></tr></thead><tbody>{rows}</tbody></table></div>")

    def _ipython_display_(self):
        if self._shown:  # already displayed by check(); the cell's value adds nothing
            return
        self.show()

    def show(self):
        """Display inline in IPython (HTML), or print the text elsewhere."""
        self._shown = True
        try:
            from IPython import get_ipython
            from IPython.display import HTML, display
        except ImportError:
            print(repr(self))
            return
        if get_ipython() is None:
            print(repr(self))
            return
        display(HTML(self._repr_html_()))
