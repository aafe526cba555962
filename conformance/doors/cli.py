"""Command line: ``nnconf check|list|report|catalog`` (also ``python -m nnconf``).

Exit codes of ``check``: 0 nothing failed (warnings, notes and skips allowed), 1 some check
failed or errored (or, with ``--strict``, warned), 2 the call itself was wrong (bad TARGET,
unknown suite or function, unwritable output).
"""

import argparse
import os
import sys
import textwrap
import time

from nnconf import __version__
from nnconf.conformance.box import sandbox
from nnconf.conformance.judging.records import (  # safe_text: every text of the target
    safe_text,
    unit_kind,
    unit_verdict,
)
from nnconf.conformance.reading import loader

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

CHECK_EPILOG = """\
exit codes:
  0  nothing failed (warnings, notes and not-implemented functions allowed)
  1  some check failed or errored (with --strict: or warned)
  2  the command itself was wrong: no such path, nothing recognisable in it, an ambiguous name,
     an unknown suite or function, an output that cannot be written

profiles:
  fast      {fast[examples]} random examples per function (plus the pinned edge cases), {fast[directions]} random
            direction per network gradient check
  thorough  {thorough[examples]} random examples per function, {thorough[directions]} random directions per network check,
            longer training curves

The API each suite checks, and the levels of finding: docs/api.md and docs/findings.md in the
repository, or `nnconf api`.
"""


def _parser():
    from nnconf.conformance.suites.strategies import PROFILES

    parser = argparse.ArgumentParser(prog="nnconf", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"nnconf {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check", help="check an implementation against the reference", description=(
            "Check your NumPy code, function by function, against a PyTorch autograd reference and finite "
            "differences; say what kind of bug each failure looks like."),
        epilog=CHECK_EPILOG.format(**PROFILES), formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("target", nargs="*", metavar="TARGET",
                       help="a folder or repository tree, a .py file, a notebook (.ipynb), SUITE=PATH (repeatable), "
                            "or a dotted package; default: the bundled implementation")
    check.add_argument("--impl", action="append", default=[], metavar="TARGET", help="the same as TARGET (repeatable)")
    check.add_argument("--suite", action="append", default=[], metavar="NAME",
                       help=f"check only this suite (repeatable): {', '.join(loader.SUITES)}")
    check.add_argument("--function", action="append", default=[], metavar="NAME",
                       help="check only this function (repeatable; Class.method for a method); no training curves")
    check.add_argument("--require", action="store_true",
                       help="a function or suite the target does not implement fails (default: skipped)")
    check.add_argument("--strict", action="store_true",
                       help="warnings (right on ordinary inputs, fragile at an edge) fail too (exit 1)")
    check.add_argument("--report", metavar="DIR", help="write report.html, its CSV tables and results.json into DIR "
                                                       "(created if missing)")
    check.add_argument("--json", metavar="FILE", help="write the records as a JSON array to FILE (its folder is created "
                                                      "if missing)")
    check.add_argument("--profile", choices=tuple(PROFILES), default="fast", help="how many cases (default fast; see below)")
    check.add_argument("--seed", type=int, default=0, help="seed of the generated inputs and of NumPy's global random "
                                                           "state before each call (default 0)")
    check.add_argument("--timeout", type=float, default=10.0, help="seconds per call of the target (default 10)")
    check.add_argument("--max-time", type=float, default=1800.0, metavar="SECONDS",
                       help="seconds for the whole run (default 1800); what is left then is reported as not run")
    check.add_argument("--max-memory", type=int, default=2048, metavar="MB",
                       help="memory the target may allocate in each worker (default 2048 MB)")
    check.add_argument("--max-file", type=int, default=100, metavar="MB",
                       help="the largest file the target may write (default 100 MB)")
    check.add_argument("--max-disk", type=int, default=200, metavar="MB",
                       help="all the target may write into its scratch folder, per worker (default 200 MB)")
    check.add_argument("--max-processes", type=int, default=32, metavar="N",
                       help="processes and threads the target may run at once, per worker (default 32; where the "
                            "system lets the harness make control groups)")
    check.add_argument("--sandbox", choices=sandbox.MODES, default=sandbox.default_mode(),
                       help="box each worker with bubblewrap (bwrap; an error if it cannot run), with resource limits "
                            "only (none), or bubblewrap where it runs, loudly without it (auto, the default)")
    check.add_argument("--allow-bundled", action="store_true", default=os.environ.get("NNCONF_ALLOW_BUNDLED") == "1",
                       help="let the code under check import nnconf.impl (code that builds on the bundled "
                            "implementation; refused by default: for a teacher, that is a copied answer)")
    check.add_argument("--cache-dir", metavar="DIR", help="where the reference side of the checks is kept between runs "
                       "(default: NNCONF_CACHE_DIR, else the platform's cache folder: ~/.cache/nnconf on Linux)")
    check.add_argument("--no-cache", action="store_true", help="compute the reference side afresh and keep nothing")
    check.add_argument("--no-training", action="store_true", help="skip the lockstep training curves and the planar sweep")
    check.add_argument("-n", "--jobs", type=int, default=1, metavar="N", help="run the work in N processes (default 1)")
    check.add_argument("--quiet", action="store_true", help="print only the summary")
    report = commands.add_parser("report", help="rebuild the HTML report from a saved results.json")
    report.add_argument("results", help="a results.json written by check --report")
    report.add_argument("--out", required=True, metavar="DIR", help="where to write report.html and the CSV tables")
    api = commands.add_parser("api", help="the API each suite checks: signatures, shapes, caches, conventions")
    api.add_argument("suite", nargs="*", metavar="SUITE", help=f"one or more of {', '.join(loader.SUITES)} (default: all)")
    listing = commands.add_parser("list", help="the suites and their functions; with a TARGET, which of them it defines and where")
    listing.add_argument("target", nargs="*", metavar="TARGET", help="as for check (optional)")
    catalog = commands.add_parser("catalog", help="run the catalog of buggy implementations and print its score")
    catalog.add_argument("--json", metavar="FILE", help="write the score's rows as JSON")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return check(args)
        if args.command == "list":
            return list_functions(args)
        if args.command == "api":
            return print_api(args)
        if args.command == "report":
            return rebuild_report(args)
        from nnconf.conformance.doors import catalog_score

        return catalog_score.main(args)
    except (loader.UsageError, sandbox.SandboxUnavailable) as exc:
        print(safe_text(f"error: {exc}"), file=sys.stderr)
        return EXIT_USAGE


def check(args):
    from nnconf.conformance.box.worker import Limits
    from nnconf.conformance.suites import FUNCTIONS

    unknown = [s for s in args.suite if s not in loader.SUITES]
    if unknown:
        raise loader.UsageError(f"unknown suite(s) {unknown}; suites are: {', '.join(loader.SUITES)}")
    known = {name for suite in loader.SUITES for name in FUNCTIONS[suite]}
    unknown = [f for f in args.function if f not in known]
    if unknown:
        raise loader.UsageError(f"--function {' '.join(unknown)}: no such function in any suite "
                                f"(functions: {', '.join(sorted(known))})")
    check_output("--json", args.json, folder=False)
    check_output("--report", args.report, folder=True)
    target = loader.parse_target(args.target + args.impl)
    absent = [s for s in args.suite if s not in target.suites()]
    if absent and not args.require:
        raise loader.UsageError(f"--suite {' '.join(absent)}: {target.spec or 'the target'} does not implement it "
                                f"(it implements: {', '.join(target.suites())}); --require makes that a failure")
    if not args.quiet:
        print(safe_text(f"checking {target.spec}:"))
        for line in target.describe():
            print(safe_text(f"  {line}"))
    functions = set(args.function) or None
    checked = [s for s in (args.suite or loader.SUITES)
               if s in target.suites() and (functions is None or functions & set(FUNCTIONS[s]))]
    box = sandbox.choose(args.sandbox)
    if box.warning:
        print(f"warning: {box.warning}", file=sys.stderr)
    limits = Limits(memory_mb=args.max_memory, file_mb=args.max_file, disk_mb=args.max_disk,
                    processes=args.max_processes, deadline=time.time() + args.max_time, sandbox=args.sandbox,
                    allow_bundled=args.allow_bundled)
    early = _early_worker(args, target, checked, functions, limits)
    from nnconf.conformance.run import engine

    total = sum(len(engine.contract_names(s, functions)) for s in checked)
    progress = Progress(total, enabled=not args.quiet)
    with Interruption() as interruption:
        try:
            with progress:
                results = engine.run(
                    target, args.suite or None, profile=args.profile, seed=args.seed, timeout=args.timeout,
                    progress=progress, training=not args.no_training, jobs=max(1, args.jobs), require=args.require,
                    functions=functions, limits=limits, cache=_cache(args), early=early,
                )
        except KeyboardInterrupt:
            interruption.seen = True
        if box.mode == "none" and not args.no_cache:  # the code could read the cache's key: a new one
            from nnconf.conformance.run.cache import rotate_key

            rotate_key()
        if interruption.seen:
            return _interrupted(args, progress.records)
    if args.json:
        from nnconf.conformance.judging.jsonfile import write_atomic

        write_atomic(args.json, results["records"])
    if args.report:
        from nnconf.reports import write_report

        path = write_report(results, args.report)
        print(safe_text(f"report: {path}"))
    try:
        return _summarize(results, strict=args.strict)
    except BrokenPipeError:  # the reader of the summary went away (| head): the outputs are written already
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return exit_code(results["records"], args.strict)


class Interruption:
    """Ctrl-C during a run: the first one stops it (KeyboardInterrupt), and is remembered even where
    something on the way swallowed the exception, so that an interrupted run never ends in a verdict."""

    def __init__(self):
        self.seen = False

    def __enter__(self):
        import signal

        def stop(signum, frame):
            self.seen = True
            raise KeyboardInterrupt

        self._previous = signal.signal(signal.SIGINT, stop)
        return self

    def __exit__(self, *exc):
        import signal

        signal.signal(signal.SIGINT, self._previous)


def _interrupted(args, records):
    """The end of an interrupted run: one line, the records so far kept, exit 130 (as a shell's)."""
    kept = ""
    if args.json and records:
        from nnconf.conformance.judging.jsonfile import write_atomic

        write_atomic(args.json, records)
        kept = f"; the records so far ({len(records)}) are in {args.json}"
    functions = len({(r.get("unit"), r["suite"], r["function"]) for r in records})
    print(f"interrupted: stopped after {functions} function(s), no verdict{kept}", file=sys.stderr)
    return EXIT_INTERRUPTED


def _early_worker(args, target, checked, functions, limits):
    """For a checks-only run in one process, the first suite's worker, started now: it loads the
    code while the harness loads itself (a warm re-check waits for neither in turn)."""
    if args.jobs > 1 or not checked or not (args.no_training or functions):
        return None
    from nnconf.conformance.box.worker import Worker

    first = target.units()[0]
    if checked[0] not in first.suites():
        return None
    worker = Worker(first, checked[0], seed=args.seed, timeout=args.timeout, limits=limits)
    worker.start()
    return worker


def _cache(args):
    from nnconf.conformance.run.cache import Cache

    if args.no_cache:
        return Cache(None)
    return Cache(args.cache_dir) if args.cache_dir else Cache.default()


def check_output(flag, path, folder):
    """Before any check runs: the output's folder exists (made if missing) and can be written."""
    if not path:
        return
    where = os.path.abspath(path if folder else os.path.dirname(os.path.abspath(path)))
    if os.path.exists(path) and os.path.isdir(path) != folder:
        raise loader.UsageError(f"{flag} {path}: it is a {'file' if folder else 'folder'}; give a "
                                f"{'folder' if folder else 'file name'}")
    try:
        os.makedirs(where, exist_ok=True)
    except OSError as exc:
        raise loader.UsageError(f"{flag} {path}: the folder {where} cannot be made ({exc.strerror})") from None
    if not os.access(where, os.W_OK | os.X_OK):
        raise loader.UsageError(f"{flag} {path}: the folder {where} is not writable")


class Progress:
    """The engine's progress callback: a progress bar with a line per function on a terminal
    (coloured unless ``NO_COLOR`` is set), plain lines otherwise; the records so far are kept
    (``records``), so that an interrupted run still has them."""

    MARKS = {"ok": ("ok  ", "green"), "FAIL": ("FAIL", "bold red"), "WARN": ("warn", "yellow"), "--": ("--  ", "dim")}

    def __init__(self, total, enabled=True):
        self.total, self.enabled = total, enabled
        self.bar = None
        self.records = []

    def __enter__(self):
        if self.enabled and sys.stdout.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as Bar

            console = Console(no_color=bool(os.environ.get("NO_COLOR")), highlight=False)
            self.bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                           console=console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("loading the reference", total=self.total or None)
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()

    def unit(self, label):
        """A heading before the functions of the next unit (a run of several)."""
        self._print(f"unit {label}:")

    def __call__(self, suite, function, records):
        self.records += records
        if not self.enabled:
            return
        mark, rest = self.mark(records)
        word, style = self.MARKS[mark]
        if self.bar is None:
            print(safe_text(f"  {word} {suite}.{function}  {rest}".rstrip()), flush=True)
            return
        from rich.text import Text

        self.bar.console.print(Text.assemble("  ", (word, style), safe_text(f" {suite}.{function}  {rest}".rstrip())))
        self.bar.update(self.task, advance=1, description=safe_text(f"{suite}.{function}"))

    @staticmethod
    def mark(records):
        """The line's mark and its rest: ``ok`` only where some check of the function passed."""
        bad = [r for r in records if r["status"] in ("fail", "error")]
        source = next((r["source"] for r in records if r.get("source")), None)
        where = f"  [{source}]" if source else ""
        if not bad and records and all(r.get("diagnosis") == "api.missing" for r in records):
            return "--", "(not implemented)"
        if bad:
            return "FAIL", f"({len(bad)} failing check(s)){where}"
        if any(r["status"] == "warn" for r in records):
            return "WARN", where.strip()
        if any(r["status"] in ("pass", "note") for r in records):
            return "ok", where.strip()
        why = next((r["message"] for r in records if r.get("message")), "no check ran")
        return "--", f"(not checked: {why.split(': ', 1)[-1][:120]}){where}"

    def _print(self, text):
        if not self.enabled:
            return
        text = safe_text(text)
        if self.bar is None:
            print(text, flush=True)
        else:
            self.bar.console.print(text, markup=False, highlight=False)


def _summarize(results, shown=10, strict=False):
    """The closing summary, the real bug first: root failures (failing, with no failing callee)
    with their message, worst element and what to change; the failures that follow from each,
    directly or through others, under it; then warnings, notes, and the functions not
    implemented, collapsed. With several units, each function is named with its unit, and the
    units are listed with their verdicts. Whatever is cut says how much and where the rest is."""
    from nnconf.conformance.suites.dependencies import causes_of, roots_of

    meta = safe_text(results["meta"])  # the target's own names (its spec, its units' files)
    records = safe_text(results["records"])
    units = meta.get("units") or []
    several = _shared_suites(units)
    counts = {s: sum(r["status"] == s for r in records) for s in ("pass", "fail", "error", "warn", "note", "skip")}
    by_function = {}
    for r in records:
        by_function.setdefault((r.get("unit") if several else None, r["suite"], r["function"]), []).append(r)
    failing = {k: sorted((r for r in v if r["status"] in ("fail", "error")), key=lambda r: bool(r.get("likely_cause")))
               for k, v in by_function.items()}  # its own failures first
    failing = {k: v for k, v in failing.items() if v}
    causes = {k: causes_of(v) for k, v in failing.items()}
    roots = {k: roots_of(k, causes) for k in failing}
    root_keys = [k for k in failing if roots[k] == {k}]
    absent = [f"{s}.{f}" for (u, s, f), v in by_function.items()
              if all(r.get("diagnosis") == "api.missing" and r["status"] == "skip" for r in v)]
    where = f" ({len(units)} units)" if several else ""
    print(f"{meta['target']}{where}: {counts['pass']} passed, {counts['fail']} failed, "
          f"{counts['error']} errors, {counts['warn']} warnings, {counts['note']} notes, "
          f"{counts['skip']} skipped in {meta['duration_s']:.1f} s")
    if several:
        _print_units(units, records)
    if root_keys:
        print(f"\n{len(root_keys)} function(s) wrong on their own (fix these first):")
    for key in root_keys[:shown]:
        _print_root(key, failing[key])
        for follower in [k for k in failing if k != key and key in roots[k]]:
            via = [c for c in causes[follower] if c != key[2]]
            how = f"calls {key[2]}" if not via else f"calls {', '.join(via)}, which depend(s) on {key[2]}"
            print(f"      then {_name(follower)} fails too, probably because it {how}")
    _more(len(root_keys) - shown, "root failure(s)")
    for status, title in (("warn", "with warning(s): right on ordinary inputs, fragile at an edge"),
                          ("note", "with note(s): accepted conventions of a course version or the book")):
        lines = []
        for key, v in by_function.items():
            r = next((r for r in v if r["status"] == status), None)
            if r is not None:
                text = r.get("rule") or (r["message"].split(": ", 2)[-1] if status == "note" else r["diagnosis"])
                lines.append(f"{status.upper()} {_name(key)}: {text}" + (f"  [{r['source']}]" if r.get("source") else ""))
        _listing(f"function(s) {title}", lines, shown)
    runs = {k: [r for r in v if r["stage"] in ("smoke", "training")] for k, v in by_function.items()}
    _listing("function(s) could not run (not checked: fix what they need first)",
             [f"SKIP {_name(key)}: {runs[key][0]['message'].split(': ', 1)[-1][:300]}"
              for key in by_function if runs[key] and all(r["status"] == "skip" for r in runs[key])], shown)
    _listing("note(s) while loading the code (they matter only to a function that uses these names)",
             [n for r in records for n in r.get("load_notes", ())], shown)
    if absent:
        suites = [s for s in meta.get("requested", []) if s not in meta["suites"]]
        single = sorted({a for a in absent if a.split(".")[0] not in suites}, key=absent.index)
        listed = ", ".join(single[:8]) + (f" and {len(single) - 8} more" if len(single) > 8 else "")
        parts = ([f"the suites {', '.join(suites)}"] if suites else []) + ([listed] if single else [])
        print(f"\nnot implemented (skipped, not failed): {'; '.join(parts)}")
    if meta.get("sandbox_warning"):
        print(f"\nwarning: {meta['sandbox_warning']}")
    return exit_code(records, strict)


def _shared_suites(units):
    """Whether some suite is held by several units (then every function is named with its unit)."""
    suites = [s for u in units for s in u.get("suites", ())]
    return len(suites) > len(set(suites)) or any(u.get("copy_of") for u in units)


def _name(key):
    unit, suite, function = key
    return f"{suite}.{function}" + (f" ({unit})" if unit else "")


def _print_units(units, records):
    """The units of the run, each with its verdict: nothing is checked without being named."""
    print("\nunits (each file that holds a suite on its own, checked on its own):")
    for unit in units:
        verdict, failing = unit_verdict([r for r in records if r.get("unit") == unit["unit"]])
        verdict = {"FAIL": f"{failing} function(s) failing", "PASS": "nothing failed"}.get(verdict, "nothing checked")
        extra = unit_kind(unit)
        extra += [f"{len(unit['shared'])} shared function(s) checked under another unit"] if unit.get("shared") else []
        print(f"  {unit['unit']} [{', '.join(unit['suites'])}]: {verdict}" + (f" ({'; '.join(extra)})" if extra else ""))


def exit_code(records, strict=False):
    """1 if a check failed or errored (or warned, with ``strict``), else 0."""
    bad = ("fail", "error", "warn") if strict else ("fail", "error")
    return EXIT_FAIL if any(r["status"] in bad for r in records) else EXIT_PASS


def _print_root(key, found):
    first = found[0]
    where = f"  [{first['source']}]" if first.get("source") else ""
    print(f"  FAIL {_name(key)} ({len(found)} failing check(s)){where}")
    print(textwrap.indent(textwrap.fill(first["message"].split(" [probably follows")[0][:600], 96), "      "))
    if first.get("diagnosis_text"):
        print(textwrap.indent(textwrap.fill(f"what to change: {first['diagnosis_text']}"[:400], 96), "      "))
    others = sorted({r["diagnosis"] for r in found[1:] if r.get("diagnosis")} - {first.get("diagnosis")})
    if others:
        print(f"      also: {', '.join(others)}")


def _listing(title, lines, shown):
    """A titled block of at most ``shown`` lines, saying how many more there are and where."""
    if not lines:
        return
    print(f"\n{len(lines)} {title}:")
    for line in lines[:shown]:
        print(f"  {line}")
    _more(len(lines) - shown, "of these")


def _more(count, what):
    if count > 0:
        print(f"  ... {count} more {what}: see the JSON records or report.html")


def list_functions(args):
    """Every suite and its functions; with a TARGET, where each suite was found and which functions
    its files define (read by their syntax only: nothing of the target runs)."""
    from nnconf.conformance.run import engine

    target = loader.parse_target(args.target) if args.target else None
    if target is not None:
        print(safe_text(f"{target.spec}:"))
        for line in target.describe():
            print(safe_text(f"  {line}"))
    for unit in target.units() if target is not None else [None]:
        if unit is not None and target.parts:
            print(safe_text(f"\nunit {unit.label()}:"))
        for suite in loader.SUITES if unit is None or not target.parts else unit.suites():
            names = engine.contract_names(suite)
            marks = [n if unit is None else f"{'+' if n in _present(unit, suite, names) else '-'} {n}" for n in names]
            print(f"{suite}: " + ", ".join(marks))
    if target is not None:
        print("(+ defined or imported by the target's files, - not implemented)")
    return EXIT_PASS


def _present(unit, suite, names):
    """The names of ``suite`` that the unit's files define or import (read by their syntax only)."""
    from nnconf.conformance.reading import sources

    if suite not in unit.suites():
        return set()
    if unit.kind != "path":
        return set(names)
    source = unit.sources[suite]
    scanned = sources.scan(source.primary)
    defined = set(scanned.defined) | scanned.imported | set(source.names)
    return {n for n in names if n.split(".")[0] in defined
            or any(a in defined for a in loader.ALIASES.get(suite, {}).get(n, ()))}


def print_api(args):
    """``nnconf api [SUITE ...]``: the API reference, generated from the contracts."""
    unknown = [s for s in args.suite if s not in loader.SUITES]
    if unknown:
        raise loader.UsageError(f"unknown suite(s) {unknown}; suites are: {', '.join(loader.SUITES)}")
    from nnconf.conformance.doors import api

    print(api.markdown(args.suite or None), end="")
    return EXIT_PASS


def rebuild_report(args):
    from nnconf.reports import load_results, write_report

    if not os.path.isfile(args.results):
        raise loader.UsageError(f"no such results file {args.results!r}")
    check_output("--out", args.out, folder=True)
    print(f"report: {write_report(load_results(args.results), args.out)}")
    return EXIT_PASS
