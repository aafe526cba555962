"""Command line: nnconf check, list, report, api, catalog and grade (also python -m nnconf).

Exit codes of check: 0 nothing failed (warnings, notes and skips allowed), 1 some check failed or
errored (or, with --strict, warned), 2 the call itself was wrong (bad TARGET, unknown suite or
function, an option out of range, an output that cannot be written), 130 interrupted (Ctrl-C),
141 the reader of the output went away (``| head``) before the run ended.

Where things go: the progress and the summary on stdout (on stderr when ``--json -`` or
``--junit -`` puts the data there), errors and signs of life during long silent work on stderr.
Colour only on a terminal, unless ``NO_COLOR`` (no colour) or ``FORCE_COLOR`` (colour even when
piped; it wins over ``NO_COLOR``, as https://force-color.org's example does) says otherwise.
"""

import argparse
import contextlib
import difflib
import os
import re
import sys
import textwrap
import time

from nnconf.conformance.box import sandbox
from nnconf.conformance.doors.options import JOBS, LIMITS, SEED, ranged, shown
from nnconf.conformance.judging.records import (  # safe_text: every text of the target
    safe_text,
    unit_kind,
    unit_verdict,
)
from nnconf.conformance.reading import loader
from nnconf.version import __version__

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_PIPE = 0, 1, 2, 130, 141
STDOUT = "-"  # --json - / --junit -: the data on stdout, the words on stderr

DESCRIPTION = """\
Check from-scratch NumPy neural-network code, function by function, against a PyTorch autograd
reference and finite differences, and say what kind of bug each failure looks like."""

MAIN_EPILOG = """\
examples:
  nnconf check .                         check the code in this folder (notebooks, .py files, a tree)
  nnconf check W4A1.ipynb --function linear_backward
  nnconf list .                          which of the checked functions the code defines, and where
  nnconf api deep                        what each function of the deep suite must take and return
  nnconf check . --format github --junit nnconf.xml    in CI (docs/ci/github-actions.yml)

environment:
  NO_COLOR, FORCE_COLOR   no colour / colour even when piped (FORCE_COLOR wins)
  NNCONF_CACHE_DIR        where the reference side of the checks is kept between runs
  NNCONF_ALLOW_BUNDLED=1  the same as check --allow-bundled

Each command has its own help: nnconf check --help.
"""

# The error a worker reports for a call stopped by a limit (box/worker.py, box/protocol.py) -> its option.
LIMIT_OF_ERROR = {"Timeout": "--timeout", "RunTimeLimit": "--max-time", "MemoryError": "--max-memory",
                  "MemoryLimit": "--max-memory", "FileTooLarge": "--max-file", "DiskFull": "--max-disk",
                  "ProcessLimit": "--max-processes"}

CHECK_EPILOG = """\
exit codes:
  0    nothing failed (warnings, notes and not-implemented functions allowed)
  1    some check failed or errored (with --strict: or warned)
  2    the command itself was wrong: no such path, nothing recognisable in it, an ambiguous name,
       an unknown suite or function, an option out of range, an output that cannot be written
  130  interrupted (Ctrl-C); the records so far go to --json FILE
  141  the reader of the output went away (nnconf check . | head) before the run ended

output:
  -q prints only the verdict line, -v every check of every function; --json - (or --junit -)
  writes the data to stdout and the words to stderr. While long work prints nothing (reading a
  large tree, computing the reference), a line on stderr every few seconds says what is going on.

limits:
  each limit can be raised or lowered within the range --help shows for it; a check stopped by a
  limit of the run is reported as not checked, naming the limit, not as a bug of the code

profiles:
  fast      {fast[examples]} random examples per function (plus the pinned edge cases), {fast[directions]} random
            direction per network gradient check
  thorough  {thorough[examples]} random examples per function, {thorough[directions]} random directions per network check,
            longer training curves

The API each suite checks, and the levels of finding: docs/api.md and docs/findings.md in the
repository, or `nnconf api`. A CI recipe: docs/ci/github-actions.yml.
"""


def _parser():
    from nnconf.conformance.suites.strategies import PROFILES

    parser = argparse.ArgumentParser(prog="nnconf", description=DESCRIPTION, epilog=MAIN_EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"nnconf {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check", help="check an implementation against the reference", description=(
            "Check your NumPy code, function by function, against a PyTorch autograd reference and finite "
            "differences; say what kind of bug each failure looks like."),
        epilog=CHECK_EPILOG.format(**PROFILES), formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("target", nargs="*", metavar="TARGET",
                       help="a folder or repository tree, a .py file, a notebook (.ipynb), SUITE=PATH (repeatable), "
                            "or a dotted package; default: the current folder")
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
                                                      "if missing; - for stdout)")
    check.add_argument("--junit", metavar="FILE", help="write JUnit XML to FILE: one test case per function, class "
                                                       "nnconf.SUITE (- for stdout)")
    check.add_argument("--format", choices=("text", "github"), default="text",
                       help="text (the default), or github: also a GitHub Actions annotation (::error / ::warning) "
                            "for each failing or warned function, at its file and line")
    check.add_argument("--profile", choices=tuple(PROFILES), default="fast", help="how many cases (default fast; see below)")
    check.add_argument("--seed", type=ranged(int, *SEED, "the seed of the inputs"), default=0,
                       help="seed of the generated inputs and of NumPy's global random state before each call (default 0)")
    for option, (dest, kind, low, high, default, unit, what) in LIMITS.items():
        metavar = {"s": "SECONDS", "MB": "MB"}.get(unit, "N")
        check.add_argument(option, dest=dest, type=ranged(kind, low, high, what, unit), default=None, metavar=metavar,
                           help=f"{what} (default {shown(default)}{' ' + unit if unit else ''}; "
                                f"from {shown(low)} to {shown(high)})"
                                + ("; what is left then is reported as not run" if dest == "max_time" else "")
                                + ("; where the system lets the harness make control groups" if dest == "max_processes"
                                   else ""))
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
    check.add_argument("-n", "--jobs", type=ranged(int, *JOBS, "processes"), default=1, metavar="N",
                       help=f"run the work in N processes (default 1; from {JOBS[0]} to {JOBS[1]})")
    loudness = check.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", help="print only the verdict line (and errors)")
    loudness.add_argument("-v", "--verbose", action="store_true",
                          help="print every check of every function, and the summary uncut")
    listing = commands.add_parser("list", help="the suites and their functions; with a TARGET, which of them it "
                                               "defines and where")
    listing.add_argument("target", nargs="*", metavar="TARGET", help="as for check (optional)")
    api = commands.add_parser("api", help="the API each suite checks: signatures, shapes, caches, conventions")
    api.add_argument("suite", nargs="*", metavar="SUITE", help=f"one or more of {', '.join(loader.SUITES)} (default: all)")
    report = commands.add_parser("report", help="rebuild the HTML report from a saved results.json")
    report.add_argument("results", help="a results.json written by check --report (or the records of check --json)")
    report.add_argument("--out", required=True, metavar="DIR", help="where to write report.html and the CSV tables")
    catalog = commands.add_parser("catalog", help="run the catalog of buggy implementations and print its score")
    catalog.add_argument("--json", metavar="FILE", help="write the score's rows as JSON")
    from nnconf.conformance.doors import grade

    grade.add_parser(commands)
    return parser


def main(argv=None):
    """The command line; returns the exit code. A closed output pipe ends it quietly (141, the
    Python documentation's recipe: stdout pointed at /dev/null, so that nothing more is said)."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # here, not at exit: a reader gone away is seen while it can be handled
        return code
    except BrokenPipeError:
        _stdout_to_devnull()
        return EXIT_PIPE
    except KeyboardInterrupt:  # outside a run (reading a large tree, writing the report)
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv):
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
        if args.command == "grade":
            from nnconf.conformance.doors import grade

            return grade.main(args)
        check_output("--json", args.json, folder=False)
        from nnconf.conformance.doors import catalog_score

        return catalog_score.main(args)
    except (loader.UsageError, sandbox.SandboxUnavailable) as exc:
        print(safe_text(f"error: {exc}"), file=sys.stderr)
        return EXIT_USAGE


def _stdout_to_devnull():
    """Point stdout at /dev/null (the reader went away): Python's flush at exit then says nothing."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


class PipeClosed(BaseException):
    """The reader of the progress went away and nothing else of the run would be kept: the run stops,
    as an interrupted one does (a BaseException, so that nothing on the way takes it for a finding)."""


def did_you_mean(word, choices):
    """`` (did you mean X?)`` for a name close to one of ``choices``, else ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = [lowered[word.lower()]] if word.lower() in lowered else []
    return f" (did you mean {' or '.join(close)}?)" if close else ""


def _unknown_suites(suites, flag):
    unknown = [s for s in suites if s not in loader.SUITES]
    if unknown:
        raise loader.UsageError("; ".join(f"{flag}{s}: no such suite{did_you_mean(s, loader.SUITES)}" for s in unknown)
                                + f"; suites are: {', '.join(loader.SUITES)}")


def _resolve(args):
    """Check the options that argparse cannot check alone; fill in the limits' defaults, keeping
    which the user set (``args.given``: option -> value)."""
    from nnconf.conformance.suites import FUNCTIONS

    _unknown_suites(args.suite, "--suite ")
    known = {name for suite in loader.SUITES for name in FUNCTIONS[suite]}
    unknown = [f for f in args.function if f not in known]
    if unknown:
        raise loader.UsageError("; ".join(f"--function {f}: no such function in any suite{did_you_mean(f, known)}"
                                          for f in unknown) + "; nnconf list shows every function")
    if args.function and args.suite:
        chosen = {name for suite in args.suite for name in FUNCTIONS[suite]}
        if not chosen & set(args.function):
            raise loader.UsageError(f"--function {' '.join(args.function)}: not a function of the suite(s) "
                                    f"{', '.join(args.suite)}")
    args.given = {}
    for option, (dest, _, _, _, default, _, _) in LIMITS.items():
        if getattr(args, dest) is None:
            setattr(args, dest, default)
        else:
            args.given[option] = getattr(args, dest)
    to_stdout = [f"{flag} -" for flag, value in (("--json", args.json), ("--junit", args.junit)) if value == STDOUT]
    to_stdout += ["--format github"] if args.format == "github" else []
    if len(to_stdout) > 1:
        raise loader.UsageError(f"{' and '.join(to_stdout)} would both write to stdout; give a file to one of them")
    args.to_stdout = bool(to_stdout) and args.format != "github"


def check(args):
    _resolve(args)
    made = []
    stdout = sys.stdout
    human = contextlib.redirect_stdout(sys.stderr) if args.to_stdout else contextlib.nullcontext()
    try:
        for flag, path, folder in (("--json", args.json, False), ("--junit", args.junit, False),
                                   ("--report", args.report, True)):
            made += check_output(flag, path, folder=folder)
        with human, Pulse(enabled=not args.quiet) as pulse:
            return _check(args, pulse, stdout)
    except (loader.UsageError, sandbox.SandboxUnavailable):  # stopped before any check: it leaves nothing behind
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                os.rmdir(folder)  # only if still empty
        raise


def _check(args, pulse, stdout):
    """The run of ``nnconf check`` after its options were checked; the words go to sys.stdout (stderr
    with ``--json -``), the data to ``stdout``."""
    from nnconf.conformance.box.worker import Limits
    from nnconf.conformance.suites import FUNCTIONS, contracts

    words = args.target + args.impl
    with pulse.during(f"reading {' '.join(words) or os.curdir} (every file is parsed, none is run)"):
        target = loader.parse_target(words)
    absent = [s for s in args.suite if s not in target.suites()]
    if absent and not args.require:
        raise loader.UsageError(f"--suite {' '.join(absent)}: {target.spec or 'the target'} does not implement it "
                                f"(it implements: {', '.join(target.suites())}); --require makes that a failure")
    kept_elsewhere = bool(args.report or args.junit or (args.json and args.json != STDOUT))
    if not args.quiet:
        try:
            print(safe_text("\n".join([f"checking {target.spec}:", *(f"  {line}" for line in target.describe())])),
                  flush=True)
        except BrokenPipeError:  # the reader went away already: go on only for results kept in a file
            _stdout_to_devnull()
            if not kept_elsewhere:
                return EXIT_PIPE
    functions = set(args.function) or None
    checked = [s for s in (args.suite or loader.SUITES)
               if s in target.suites() and (functions is None or functions & set(FUNCTIONS[s]))]
    box = sandbox.choose(args.sandbox)
    if box.warning:
        print(f"warning: {box.warning}", file=sys.stderr)
    limits = Limits(memory_mb=args.max_memory, file_mb=args.max_file, disk_mb=args.max_disk,
                    processes=args.max_processes, deadline=time.time() + args.max_time, sandbox=args.sandbox,
                    allow_bundled=args.allow_bundled)
    cache = _cache(args)
    if box.mode == "none":
        cache.distrust_from_now()  # before the first worker starts: unboxed code can sign entries with the key
    early = _early_worker(args, target, checked, functions, limits)
    from nnconf.conformance.run import engine

    total = sum(len(engine.contract_names(s, functions)) for s in checked)
    variants = set()
    for suite in checked:
        names = [c.name for c in contracts(suite)]
        variants |= {(suite, n) for n in names if names.count(n) > 1}
    progress = Progress(total, enabled=not args.quiet, verbose=args.verbose, pulse=pulse, variants=variants,
                        keep_going=kept_elsewhere, stopped=lambda records: stopped_by(records, args))
    stopped = False
    with Interruption() as interruption:
        try:
            with pulse.during(f"checking {target.spec}: loading the code and the reference"), progress:
                results = engine.run(
                    target, args.suite or None, profile=args.profile, seed=args.seed, timeout=args.timeout,
                    progress=progress, training=not args.no_training, jobs=args.jobs, require=args.require,
                    functions=functions, limits=limits, cache=cache, early=early,
                )
        except KeyboardInterrupt:
            interruption.seen = True
        except PipeClosed:
            stopped = True
        if box.mode == "none" and not args.no_cache:  # the code could read the cache's key: a new one
            from nnconf.conformance.run.cache import rotate_key

            rotate_key()
        if stopped:
            return EXIT_PIPE
        if interruption.seen:
            return _interrupted(args, progress.records)
    return _finish(args, results, pulse, stdout)


def _finish(args, results, pulse, stdout):
    """The outputs, the summary, then the data for stdout; an output that cannot be written is
    named after the summary (exit 2), never at the cost of the summary."""
    records = results["records"]
    limited = limits_hit(records, args)
    failed, written = [], []
    if args.json and args.json != STDOUT:
        from nnconf.conformance.judging.jsonfile import write_atomic

        _write("--json", args.json, lambda: write_atomic(args.json, records), failed)
    junit = None
    if args.junit:
        from nnconf.conformance.doors import ci

        junit = ci.junit(records, limited=limited, strict=args.strict, timestamp=time.strftime("%Y-%m-%dT%H:%M:%S"))
        if args.junit != STDOUT:
            _write("--junit", args.junit, lambda: _write_text(args.junit, junit), failed)
    if args.report:
        from nnconf.reports import write_report

        with pulse.during(f"writing the report into {args.report}"):
            path = _write("--report", args.report, lambda: write_report(results, args.report), failed)
        if path is not None:
            written.append(f"report: {path}")
    pulse.stop()
    try:
        code = _summarize(results, strict=args.strict, shown=None if args.verbose else 10, quiet=args.quiet,
                          limited=limited, color=color_for(sys.stdout))
        for line in written if not args.quiet else ():
            print(safe_text(line))
        data = []
        if args.format == "github":
            from nnconf.conformance.doors import ci

            data.append(ci.github(records, limited=limited, strict=args.strict))
        if args.json == STDOUT:
            from nnconf.conformance.judging.jsonfile import dumps

            data.append(dumps(records))
        if args.junit == STDOUT:
            data.append(junit.rstrip("\n"))
        sys.stdout.flush()
        for text in data:
            if text:
                stdout.write(text + "\n")
        stdout.flush()
    except BrokenPipeError:  # the reader of the summary went away (| head): the files are written already
        _stdout_to_devnull()
        code = exit_code(records, args.strict)
    for line in failed:
        print(safe_text(line), file=sys.stderr)
    return EXIT_USAGE if failed else code


def _write(flag, path, write, failed):
    """Run ``write()``; an OSError becomes a line of ``failed`` (said after the summary)."""
    try:
        return write()
    except OSError as exc:
        failed.append(f"error: {flag} {path} could not be written ({exc.strerror or exc}); the summary above is "
                      "all that is left of the run")
        return None


def _write_text(path, text):
    """Write ``text`` to ``path`` through a temporary file and a rename: never a half file."""
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".nnconf-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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
    if args.json and args.json != STDOUT and records:
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
    """Before any check runs: the output's folder exists (made if missing) and a file of that name
    can be made in it (tried, then removed). The folders it made, outermost first (for a run that
    stops before writing to remove)."""
    if not path or (path == STDOUT and not folder):
        return []
    where = os.path.abspath(path if folder else os.path.dirname(os.path.abspath(path)))
    if os.path.exists(path) and os.path.isdir(path) != folder:
        raise loader.UsageError(f"{flag} {path}: it is a {'file' if folder else 'folder'}; give a "
                                f"{'folder' if folder else 'file name'}")
    made, missing = [], where
    while missing and not os.path.exists(missing):
        made.insert(0, missing)
        missing = os.path.dirname(missing) if os.path.dirname(missing) != missing else ""
    try:
        os.makedirs(where, exist_ok=True)
    except OSError as exc:
        raise loader.UsageError(f"{flag} {path}: the folder {where} cannot be made ({exc.strerror})") from None
    if not os.access(where, os.W_OK | os.X_OK):
        raise loader.UsageError(f"{flag} {path}: the folder {where} is not writable")
    import tempfile

    try:  # the file itself where it is new (a name too long, a read-only file system), else one beside it
        if folder or os.path.exists(path):
            fd, probe = tempfile.mkstemp(prefix=".nnconf-probe-", dir=where)
        else:
            probe = os.path.abspath(path)
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made meanwhile by another
        return made
    except OSError as exc:
        raise loader.UsageError(f"{flag} {path}: cannot be written ({exc.strerror})") from None
    os.close(fd)
    os.unlink(probe)
    return made


def limits_hit(records, args):
    """{(unit, suite, function): what stopped it} for each function whose failures all come from a
    limit of the run rather than from its code: the run's time (--max-time, whatever its value), or
    a limit the user set below its default (a call's time, memory, files, processes). Such a
    function was not judged; the summary, the progress line, the annotations and the JUnit file
    name the limit, with its value and whose it is."""
    failing = {}
    for r in records:
        if r["status"] in ("fail", "error"):
            failing.setdefault((r.get("unit"), r["suite"], r["function"]), []).append(r)
    found = {}
    for key, bad in failing.items():
        words = stopped_by(bad, args)
        if words:
            found[key] = words
    return found


def stopped_by(records, args):
    """What stopped a function, when every failure of its ``records`` is a limit of the run
    (as :func:`limits_hit` tells them): ``--timeout 1 s (the limit you set, default 10 s)``; else None."""
    pattern = re.compile(r"\b(" + "|".join(LIMIT_OF_ERROR) + r"): ")
    given = getattr(args, "given", {})
    options = []
    bad = [r for r in records if r["status"] in ("fail", "error")]
    for r in bad:
        match = pattern.search(r.get("message") or "") if r.get("diagnosis") in ("crash.timeout", "crash.resource") else None
        option = LIMIT_OF_ERROR.get(match[1]) if match else None
        if option is None or not (option == "--max-time" or (option in given and given[option] < LIMITS[option][4])):
            return None
        options += [option] if option not in options else []
    return " and ".join(_limit_words(option, args) for option in options) or None


def _limit_words(option, args):
    dest, _, _, _, default, unit, _ = LIMITS[option]
    value = getattr(args, dest, default)
    unit = f" {unit}" if unit else ""
    if option in getattr(args, "given", {}):
        return f"{option} {shown(value)}{unit} (the limit you set, default {shown(default)}{unit})"
    return f"{option} {shown(value)}{unit} (the default)"


# --- colour, progress and signs of life ---------------------------------------------------------------


def color_for(stream):
    """Colour on ``stream``: FORCE_COLOR (present and not empty) forces it, else NO_COLOR (present and
    not empty) turns it off, else only on a terminal that is not TERM=dumb."""
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return _tty(stream) and os.environ.get("TERM") != "dumb"


def _tty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


ANSI = {"green": "32", "bold red": "1;31", "yellow": "33", "dim": "2", "bold": "1", "red": "31"}


def paint(text, style, color):
    return f"\x1b[{ANSI[style]}m{text}\x1b[0m" if color and style in ANSI else text


PULSE_FIRST, PULSE_EVERY = 1.0, 5.0  # the status line after 1 s; a plain line after 5 s of silence, then every 5 s


class Pulse:
    """Signs of life on stderr while long work prints nothing (reading a large tree, computing the
    reference before the first function is done, writing the report), within ``during(what)``
    blocks: on a terminal, a status line redrawn in place and wiped when the block ends; otherwise
    (piped, in CI) a plain line after every PULSE_EVERY seconds of silence. ``touch()`` says
    something was just printed (and what is going on now); ``pause()`` leaves the terminal to the
    progress bar."""

    SPINNER = "|/-\\"

    def __init__(self, enabled=True, stream=None):
        self.enabled, self.stream = enabled, stream
        self.what, self.active, self.paused = "", False, False
        self.started = self.last = time.monotonic()
        self._thread = None
        self._drawn = False

    def __enter__(self):
        import threading

        self.stream = self.stream or sys.stderr
        self.tty = _tty(self.stream) and os.environ.get("TERM") != "dumb"
        self._lock = threading.Lock()
        if self.enabled:
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, name="nnconf-pulse", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
        self._wipe()

    @contextlib.contextmanager
    def during(self, what):
        """Signs of life while the block runs, saying ``what`` (until a touch says more)."""
        self.what, self.last, self.active = what, time.monotonic(), True
        try:
            yield self
        finally:
            self.active = False
            self._wipe()

    def touch(self, what=None):
        self.last = time.monotonic()
        if what:
            self.what = what

    def pause(self, paused=True):
        self.paused = paused
        if paused:
            self._wipe()

    def _run(self):
        turn = 0
        while not self._stop.wait(0.25):
            if self.paused or not self.active:
                continue
            now = time.monotonic()
            elapsed = now - self.started
            try:
                if self.tty and elapsed >= PULSE_FIRST:
                    import shutil

                    turn += 1
                    width = shutil.get_terminal_size().columns - 1
                    text = safe_text(f"{self.SPINNER[turn % 4]} {self.what} ({elapsed:.0f} s)")[:width]
                    with self._lock:
                        if self.active and not self.paused:
                            self.stream.write(f"\r\x1b[K{text}")
                            self.stream.flush()
                            self._drawn = True
                elif not self.tty and now - self.last >= PULSE_EVERY:
                    self.stream.write(safe_text(f"nnconf: {self.what} ({elapsed:.0f} s)") + "\n")
                    self.stream.flush()
                    self.last = now
            except (OSError, ValueError):  # stderr closed: no more signs of life
                return

    def _wipe(self):
        if not self._drawn:
            return
        with self._lock:
            with contextlib.suppress(OSError, ValueError):
                self.stream.write("\r\x1b[K")
                self.stream.flush()
            self._drawn = False


class Progress:
    """The engine's progress callback: a progress bar with a line per function on a terminal
    (coloured as ``color_for`` says), plain lines otherwise; ``verbose``: every check under its
    function. The records so far are kept (``records``), so that an interrupted run still has them.
    A function checked in variants (the sigmoid and relu versions of ``linear_activation_forward``)
    has a line per variant, named with it. When the reader of the lines goes away, the run goes on
    quietly if its results are kept elsewhere (``keep_going``: --json FILE, --report, --junit), else
    it stops (:class:`PipeClosed`)."""

    MARKS = {"ok": ("ok  ", "green"), "FAIL": ("FAIL", "bold red"), "WARN": ("warn", "yellow"), "--": ("--  ", "dim")}

    def __init__(self, total, enabled=True, verbose=False, pulse=None, variants=(), keep_going=False, stopped=None):
        self.total, self.enabled, self.verbose, self.stopped = total, enabled, verbose, stopped
        self.pulse, self.variants, self.keep_going = pulse, set(variants), keep_going
        self.bar = None
        self.records = []
        self.seen = set()
        self.closed = self.color = False

    def __enter__(self):
        if self.enabled and _tty(sys.stdout) and os.environ.get("TERM") != "dumb":
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as Bar

            color = color_for(sys.stdout)
            console = Console(file=sys.stdout, no_color=not color, color_system="auto" if color else None,
                              highlight=False)
            self.bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                           console=console, transient=True)
            if self.pulse is not None:
                self.pulse.pause()
            self.bar.start()
            self.task = self.bar.add_task("loading the reference", total=self.total or None)
        self.color = color_for(sys.stdout)
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        if self.pulse is not None:
            self.pulse.pause(False)

    def unit(self, label):
        """A heading before the functions of the next unit (a run of several)."""
        self._print(f"unit {label}:")

    def __call__(self, suite, function, records):
        self.records += records
        first = (suite, function) not in self.seen
        self.seen.add((suite, function))
        if self.pulse is not None:
            self.pulse.touch(f"checking: {len(self.seen)} of {self.total} function(s) done, the last "
                             f"{suite}.{function}")
        if not self.enabled or self.closed:
            return
        mark, rest = self.mark(records)
        limit = self.stopped(records) if mark == "FAIL" and self.stopped else None
        if limit:  # not judged: a limit of the run stopped it
            mark, rest = "--", f"(not checked: stopped by {limit})"
        word, style = self.MARKS[mark]
        name = safe_text(f"{suite}.{function}" + self._variant(suite, function, records))
        rest = safe_text(rest)
        lines = [self._check_line(r) for r in records] if self.verbose else []
        if self.bar is None:
            self._emit("\n".join([f"  {paint(word, style, self.color)} {name}  {rest}".rstrip(), *lines]))
            return
        from rich.text import Text

        self.bar.console.print(Text.assemble("  ", (word, style), f" {name}  {rest}".rstrip()))
        for line in lines:
            self.bar.console.print(Text(line))
        if first:
            self.bar.update(self.task, advance=1, description=name)

    def _variant(self, suite, function, records):
        """`` (relu)`` for a function checked in variants, from its cases' labels (``random, relu``)."""
        if (suite, function) not in self.variants:
            return ""
        tails = {r["case"].rpartition(", ")[2] for r in records if ", " in (r.get("case") or "")}
        return f" ({tails.pop()})" if len(tails) == 1 else ""

    @staticmethod
    def _check_line(record):
        text = f"      {record['status']:<5} {record['check']}"
        if record["status"] != "pass":
            text += f"  {record['message'].splitlines()[0][:200] if record.get('message') else ''}"
        return safe_text(text.rstrip())

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
        if not self.enabled or self.closed:
            return
        text = safe_text(text)
        if self.bar is None:
            self._emit(text)
        else:
            self.bar.console.print(text, markup=False, highlight=False)

    def _emit(self, text):
        try:
            print(text, flush=True)
        except BrokenPipeError:
            self.closed = True
            _stdout_to_devnull()
            if not self.keep_going:
                raise PipeClosed from None
        if self.pulse is not None:
            self.pulse.touch()


# --- the summary ------------------------------------------------------------------------------------


def _summarize(results, shown=10, strict=False, quiet=False, limited=None, color=False):
    """The closing summary, the real bug first: root failures (failing, with no failing callee)
    with their message, worst element and what to change; the failures that follow from each,
    directly or through others, under it; the functions a limit of the run stopped (not judged);
    then warnings, notes, and the functions not implemented, collapsed. With several units, each
    function is named with its unit, and the units are listed with their verdicts. Whatever is cut
    says how much and where the rest is (``shown=None``: nothing is cut). ``quiet``: the verdict
    line alone (and the warning of a run without a box)."""
    from nnconf.conformance.suites.dependencies import causes_of, roots_of

    meta = safe_text(results["meta"])  # the target's own names (its spec, its units' files)
    records = safe_text(results["records"])
    limited = limited or {}
    shown = len(records) + 1 if shown is None else shown
    units = meta.get("units") or []
    several = _shared_suites(units)
    counts = {s: sum(r["status"] == s for r in records) for s in ("pass", "fail", "error", "warn", "note", "skip")}
    by_function = {}
    for r in records:
        by_function.setdefault((r.get("unit") if several else None, r["suite"], r["function"]), []).append(r)
    failing = {k: sorted((r for r in v if r["status"] in ("fail", "error")), key=lambda r: bool(r.get("likely_cause")))
               for k, v in by_function.items()}  # its own failures first
    failing = {k: v for k, v in failing.items() if v}
    stopped = [k for k in failing if _limit_of(k, limited)]
    causes = {k: causes_of(v) for k, v in failing.items()}
    roots = {k: roots_of(k, causes) for k in failing}
    root_keys = [k for k in failing if roots[k] == {k} and k not in stopped]
    absent = [f"{s}.{f}" for (u, s, f), v in by_function.items()
              if all(r.get("diagnosis") == "api.missing" and r["status"] == "skip" for r in v)]
    where = f" ({len(units)} units)" if several else ""
    verdict = (f"{meta['target']}{where}: {counts['pass']} passed, {counts['fail']} failed, "
               f"{counts['error']} errors, {counts['warn']} warnings, {counts['note']} notes, "
               f"{counts['skip']} skipped in {meta['duration_s']:.1f} s")
    if stopped:
        options = dict.fromkeys(w for k in stopped for w in re.findall(r"--[a-z-]+", _limit_of(k, limited)))
        verdict += f"; {len(stopped)} function(s) not checked, stopped by {', '.join(options)}"
    print(verdict)
    if quiet:
        if meta.get("sandbox_warning"):
            print(f"warning: {meta['sandbox_warning']}")
        return exit_code(records, strict)
    if several:
        _print_units(units, records)
    if root_keys:
        print(f"\n{len(root_keys)} function(s) wrong on their own (fix these first):")
    for key in root_keys[:shown]:
        _print_root(key, failing[key], color)
        for follower in [k for k in failing if k != key and key in roots[k] and k not in stopped]:
            via = [c for c in causes[follower] if c != key[2]]
            how = f"calls {key[2]}" if not via else f"calls {', '.join(via)}, which depend(s) on {key[2]}"
            print(f"      then {_name(follower)} fails too, probably because it {how}")
    _more(len(root_keys) - shown, "root failure(s)")
    if stopped:
        _print_stopped(stopped, failing, roots, limited, shown)
    for status, title in (("warn", "with warning(s): right on ordinary inputs, fragile at an edge"),
                          ("note", "with note(s): accepted conventions of a course version or the book")):
        lines = []
        for key, v in by_function.items():
            r = next((r for r in v if r["status"] == status), None)
            if r is not None:
                text = r.get("rule") or (r["message"].split(": ", 2)[-1] if status == "note" else r["diagnosis"])
                lines.append(f"{paint(status.upper(), 'yellow' if status == 'warn' else 'dim', color)} {_name(key)}: "
                             f"{text}" + (f"  [{r['source']}]" if r.get("source") else ""))
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


def _limit_of(key, limited):
    """What stopped the function ``key`` (the summary's key: its unit only with several units)."""
    if key in limited:
        return limited[key]
    return next((text for (unit, suite, function), text in limited.items() if (suite, function) == key[1:]
                 and key[0] is None), None)


def _print_stopped(stopped, failing, roots, limited, shown):
    """The functions a limit of the run stopped, by limit: not judged, so neither wrong nor right."""
    by_limit = {}
    for key in stopped:
        by_limit.setdefault(_limit_of(key, limited), []).append(key)
    print(f"\n{len(stopped)} function(s) not checked: a limit of the run stopped them, not a bug of the code "
          "(raise the limit to check them):")
    for words, keys in by_limit.items():
        names = [_name(k) for k in keys]
        listed = ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")
        print(textwrap.fill(f"{words} was reached: {listed}", 96, initial_indent="  ", subsequent_indent="      "))
    followers = [k for k in failing if k not in stopped and roots[k] and roots[k] <= stopped]
    if followers:
        print(f"      then {', '.join(_name(k) for k in followers)} fail(s) too, probably because they call these")


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


def _print_root(key, found, color=False):
    first = found[0]
    where = f"  [{first['source']}]" if first.get("source") else ""
    print(f"  {paint('FAIL', 'bold red', color)} {_name(key)} ({len(found)} failing check(s)){where}")
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
        print(f"  ... {count} more {what}: see the JSON records or report.html (or -v)")


# --- list, api, report --------------------------------------------------------------------------------


def list_functions(args):
    """Every suite and its functions; with a TARGET, where each suite was found and which functions
    its files define (read by their syntax only: nothing of the target runs)."""
    from nnconf.conformance.run import engine

    with Pulse() as pulse, pulse.during(f"reading {' '.join(args.target)} (every file is parsed, none is run)"):
        target = loader.parse_target(args.target) if args.target else None
        lines = []
        if target is not None:
            lines.append(f"{target.spec}:")
            lines += [f"  {line}" for line in target.describe()]
        for unit in target.units() if target is not None else [None]:
            if unit is not None and target.parts:
                lines.append(f"\nunit {unit.label()}:")
            for suite in loader.SUITES if unit is None or not target.parts else unit.suites():
                names = engine.contract_names(suite)
                marks = [n if unit is None else f"{'+' if n in _present(unit, suite, names) else '-'} {n}" for n in names]
                lines.append(f"{suite}: " + ", ".join(marks))
        if target is not None:
            lines.append("(+ defined or imported by the target's files, - not implemented)")
    for line in lines:
        print(safe_text(line))
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
    _unknown_suites(args.suite, "")
    from nnconf.conformance.doors import api

    print(api.markdown(args.suite or None), end="")
    return EXIT_PASS


def rebuild_report(args):
    """``nnconf report results.json --out DIR``; a file that is not a results document is a usage
    error with its reason, never a traceback."""
    from nnconf.reports import load_results, write_report

    if not os.path.isfile(args.results):
        raise loader.UsageError(f"no such results file {args.results!r}")
    check_output("--out", args.out, folder=True)
    hint = "give a results.json written by nnconf check --report, or the records of nnconf check --json"
    try:
        results = load_results(args.results)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise loader.UsageError(f"{args.results}: not a results file nnconf can read ({reason[:300]}); {hint}") from None
    records = results.get("records")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise loader.UsageError(f"{args.results}: its records are not a list of objects; {hint}")
    with Pulse() as pulse, pulse.during(f"writing the report into {args.out}"):
        try:
            path = write_report(results, args.out)
        except OSError as exc:
            raise loader.UsageError(f"--out {args.out}: the report could not be written ({exc.strerror or exc})") from None
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise loader.UsageError(f"{args.results}: its records are not nnconf's ({exc.__class__.__name__}: "
                                    f"{str(exc)[:200]}); {hint}") from None
    print(safe_text(f"report: {path}"))
    return EXIT_PASS
