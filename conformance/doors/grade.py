"""The class gradebook's front door: ``nnconf grade SUBMISSIONS --out DIR`` and ``nnconf.grade(...)``.

The submissions are read in the layout they were downloaded in (``reading/layouts``: nbgrader,
Canvas, Moodle, GitHub Classroom, or one file or folder per student); each one is checked as
``nnconf check`` checks it, in its own box, with the assignment's helper files where the student
did not submit them (``run/grading``); each student's results are stored in one transaction in
``DIR/gradebook.sqlite`` under the content hash of what was checked (``run/gradebook``), so a
second run re-checks only new or changed submissions and an interrupted run resumes. From the
gradebook: ``grades.csv``, ``findings.csv``, ``class.html`` and ``students/<student>.html``.
"""

import os
import re
import sys
import time
from dataclasses import dataclass

LEVELS = ("error", "fail", "warn", "note", "pass", "skip")  # worst first: a function's level is its worst record's
EXIT_GRADED, EXIT_HARNESS, EXIT_USAGE = 0, 1, 2


class GradeError(ValueError):
    """Bad input to ``nnconf grade`` (a usage error: exit 2)."""


def add_parser(commands):
    """The ``grade`` subcommand of ``nnconf``."""
    from nnconf.conformance.doors.options import JOBS, LIMITS, SEED, ranged
    from nnconf.conformance.reading.layouts import LAYOUTS
    from nnconf.conformance.suites.strategies import PROFILES

    grade = commands.add_parser(
        "grade", help="grade a whole class: many submissions, one gradebook",
        description="Check every student's submission as `nnconf check` would, each in its own box, and write "
                    "the class's gradebook: grades.csv, findings.csv, class.html, students/<student>.html and "
                    "gradebook.sqlite (a second run re-checks only new or changed submissions).")
    grade.add_argument("submissions", metavar="SUBMISSIONS", help="the folder of the class's submissions, as downloaded")
    grade.add_argument("--out", required=True, metavar="DIR", help="where the gradebook and its files go")
    grade.add_argument("--layout", choices=LAYOUTS, help="the submissions' layout (default: detected)")
    grade.add_argument("--assignment", metavar="NAME", help="nbgrader: which assignment (where there are several)")
    grade.add_argument("--helpers", metavar="DIR", help="the assignment's helper files (dnn_utils.py, testCases.py, "
                                                        "public_tests.py, ...), given to each student who did not submit them")
    grade.add_argument("--points", metavar="FILE", help="points per function or per suite (TOML; see README)")
    grade.add_argument("--strict", action="store_true", help="warnings cost points too")
    grade.add_argument("-n", "--jobs", type=ranged(int, *JOBS, "submissions at once"), default=os.cpu_count() or 1,
                       metavar="N", help="submissions graded at once on this machine (default: the number of cores)")
    grade.add_argument("--scheduler", metavar="ADDRESS", help="grade on a Dask distributed cluster "
                                                              "(tcp://host:8786) instead of this machine")
    _, kind, low, high, _, _, _ = LIMITS["--max-time"]
    grade.add_argument("--max-time-per-submission", type=ranged(kind, low, high, "seconds per submission", "s"),
                       default=300.0, metavar="SECONDS",
                       help="what one submission may take (default 300 s); the rest of it is not run")
    _, kind, low, high, _, unit, what = LIMITS["--timeout"]
    grade.add_argument("--timeout", type=ranged(kind, low, high, what, unit), default=10.0, metavar="SECONDS",
                       help="seconds per call of a student's code (default 10)")
    grade.add_argument("--profile", choices=tuple(PROFILES), default="fast", help="how many cases (default fast)")
    grade.add_argument("--seed", type=ranged(int, *SEED, "the seed of the inputs"), default=0,
                       help="seed of the generated inputs (default 0)")
    grade.add_argument("--no-training", action="store_true", help="skip the training curves and the planar sweep")
    grade.add_argument("--sandbox", choices=("auto", "bwrap", "none"), default="auto",
                       help="box each submission's workers with bubblewrap (default auto: where it can run)")
    grade.add_argument("--quiet", action="store_true", help="print only the summary")
    return grade


def main(args):
    """``nnconf grade``: the exit code (0 every submission has a row, 1 the harness could not grade one)."""
    try:
        summary = grade(args.submissions, args.out, layout=args.layout, assignment=args.assignment,
                        helpers=args.helpers, points=args.points, strict=args.strict, jobs=args.jobs,
                        scheduler=args.scheduler, max_time=args.max_time_per_submission, timeout=args.timeout,
                        profile=args.profile, seed=args.seed, training=not args.no_training, sandbox=args.sandbox,
                        progress=not args.quiet)
    except GradeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(summary.text())
    return EXIT_HARNESS if summary.errors else EXIT_GRADED


@dataclass
class Summary:
    """What ``grade`` did: the students, how many were (re)checked, the files written."""

    layout: str
    students: list
    checked: int
    kept: int
    duration_s: float
    files: dict

    @property
    def errors(self):
        return [s for s in self.students if s["status"] == "error"]

    def text(self):
        counts = {}
        for student in self.students:
            counts[student["status"]] = counts.get(student["status"], 0) + 1
        states = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        lines = [f"{len(self.students)} submission(s) ({self.layout} layout): {states}; {self.checked} checked, "
                 f"{self.kept} unchanged since the last run, in {self.duration_s:.1f} s",
                 f"class page: {self.files['class']}", f"grades: {self.files['grades']}"]
        lines += [f"  {s['student']}: the harness could not grade it: {(s['reason'] or '').splitlines()[0]}"
                  for s in self.errors]
        return "\n".join(lines)


def grade(submissions, out, layout=None, assignment=None, helpers=None, points=None, strict=False, jobs=None,
          scheduler=None, max_time=300.0, timeout=10.0, profile="fast", seed=0, training=True, sandbox="auto",
          progress=False):
    """Grade the class in ``submissions`` into the folder ``out``; returns a :class:`Summary`.
    The same as ``nnconf grade`` (see its ``--help``); ``points`` is a TOML file's path."""
    from nnconf.conformance.reading import layouts
    from nnconf.conformance.run import grading
    from nnconf.conformance.run.gradebook import Gradebook, GradebookError

    started = time.perf_counter()
    if not os.path.isdir(submissions):
        raise GradeError(f"{submissions}: no such folder (give the folder of the class's submissions)")
    if helpers and not os.path.isdir(helpers):
        raise GradeError(f"--helpers {helpers}: no such folder")
    table = read_points(points) if points else None
    try:
        found = layouts.detect(submissions, layout=layout, assignment=assignment)
    except layouts.LayoutError as exc:
        raise GradeError(str(exc)) from None
    os.makedirs(os.path.join(out, "students"), exist_ok=True)
    options = grading.Options(profile=profile, seed=seed, timeout=timeout, training=training, max_time=max_time,
                              sandbox=sandbox)
    helper_files = grading.read_helpers(helpers)
    try:
        book = Gradebook(os.path.join(out, "gradebook.sqlite"))
    except GradebookError as exc:
        raise GradeError(str(exc)) from None
    with book:
        book.setting("layout", found.name)
        stored = book.keys()
        jobs_to_run, kept, rows = [], 0, {}
        for submission in found.submissions:
            row = {"student": submission.student, "name": submission.name, "submission": submission.root,
                   "late": submission.late}
            rows[submission.student] = row
            try:
                files = grading.read_submission(submission.files, os.path.join(submissions, submission.root))
            except (grading.TooLarge, OSError) as exc:
                book.store({**row, "key": "-", "status": "unreadable", "reason": str(exc)})
                continue
            if not files:
                book.store({**row, "key": "-", "status": "empty", "reason": "nothing was submitted"})
                continue
            job = grading.Job(submission.student, grading.key_of(files, helper_files, options), files, helper_files,
                              options)
            if stored.get(submission.student) == job.key:
                kept += 1
                continue
            jobs_to_run.append(job)
        with _Progress(len(jobs_to_run), enabled=progress) as bar:
            def keep(result):
                book.store({**rows[result["student"]], **result})
                bar.advance(result)

            if scheduler:
                try:
                    grading.run_dask(jobs_to_run, scheduler, keep, work=grade_and_render)
                except (grading.ClusterError, OSError) as exc:
                    raise GradeError(f"--scheduler {scheduler}: {exc}") from None
            else:
                grading.run_local(jobs_to_run, jobs or os.cpu_count() or 1, keep, work=grade_and_render)
        if sandbox == "none":
            from nnconf.conformance.run.cache import rotate_key

            rotate_key()  # the students' code could read the cache's key: a new one
        students = [s.student for s in found.submissions]
        stored_rows = book.rows(students)
    files = export(stored_rows, out, found, table, strict, time.perf_counter() - started,
                   tuple(name for name, _ in helper_files))
    return Summary(found.name, [{k: r[k] for k in ("student", "status", "reason")} for r in stored_rows],
                   len(jobs_to_run), kept, time.perf_counter() - started, files)


def grade_and_render(job):
    """``grading.grade_one``, then the student's own report rendered where the job ran."""
    import tempfile

    from nnconf.conformance.run.grading import grade_one

    result = grade_one(job)
    result["report"] = None
    if job.options.report and result["results"]:
        from nnconf.reports import write_report

        with tempfile.TemporaryDirectory(prefix="nnconf-report-") as folder:
            try:
                with open(write_report(result["results"], folder), encoding="utf-8") as handle:
                    result["report"] = handle.read()
            except Exception as exc:  # noqa: BLE001 - the grades stand without the page
                result["reason"] = (result["reason"] or "") + f" (the student's report could not be written: {exc!r})"
    return result


# -- the gradebook's outputs -----------------------------------------------------------------------


_SOURCE = re.compile(r"^(?P<file>.+?)(?:, cell (?P<cell>\d+), line (?P<line>\d+)|:(?P<pline>\d+))$")


def graded_records(row):
    """The records of a stored row that grade the student: those of the suites their files hold
    (not the "does not implement the X suite" of every other suite)."""
    results = row.get("results") or {}
    suites = set(results.get("meta", {}).get("suites", ()))
    return [r for r in results.get("records", ()) if r["suite"] in suites]


def function_levels(records):
    """``suite.function`` -> its level: its worst record's (error, fail, warn, note, pass; skip
    where nothing of it ran)."""
    found = {}
    for record in records:
        key = f"{record['suite']}.{record['function']}"
        level = record["status"]
        if key not in found or LEVELS.index(level) < LEVELS.index(found[key]):
            found[key] = level
    return found


def spread(levels, checked):
    """``levels`` with a suite-wide level (``deep.*``: the student's deep code did not load) given
    to each of the class's checked functions of that suite, where nothing else of it ran."""
    whole = {key[:-2]: level for key, level in levels.items() if key.endswith(".*")}
    out = {k: v for k, v in levels.items() if not k.endswith(".*")}
    for function in checked:
        suite = function.split(".")[0]
        if suite in whole and out.get(function, "skip") == "skip":
            out[function] = whole[suite]
    return out


def findings_of(student, records):
    """One finding per record that is not a pass or a skip."""
    rows = []
    for record in records:
        if record["status"] in ("pass", "skip"):
            continue
        match = _SOURCE.match(record.get("source") or "")
        rows.append({"student": student, "suite": record["suite"], "function": record["function"],
                     "level": record["status"], "diagnosis": record.get("diagnosis"), "message": record.get("message"),
                     "file": match["file"] if match else record.get("source"),
                     "cell": int(match["cell"]) if match and match["cell"] else None,
                     "line": int(match["line"] or match["pline"]) if match else None,
                     "repro": record.get("repro"), "likely_cause": record.get("likely_cause") or None})
    return rows


def read_points(path):
    """The points table of a TOML file: ``[points]`` with ``"suite.function" = n`` or ``suite = n``
    (a suite's points shared evenly by its functions that the class is checked on)."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    from nnconf.conformance.reading.names import FUNCTIONS

    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise GradeError(f"--points {path}: cannot be read as TOML ({exc})") from None
    table = data.get("points", data)
    known = {f"{s}.{f}" for s, names in FUNCTIONS.items() for f in names} | set(FUNCTIONS)
    wrong = [k for k, v in table.items() if k not in known or not isinstance(v, (int, float)) or v < 0]
    if wrong:
        raise GradeError(f"--points {path}: {', '.join(map(repr, wrong))} is not `suite.function = points` or "
                         "`suite = points` with a number of points >= 0 (the functions: nnconf list)")
    return table


def score(levels, table, checked, strict=False):
    """(points, max points) of one student's function levels under the points ``table``;
    ``checked``: the functions the class was checked on (a suite's points are shared by them)."""
    weights = {}
    for key, value in table.items():
        if "." in key:
            weights[key] = weights.get(key, 0) + value
            continue
        own = [f for f in checked if f.split(".")[0] == key]
        for function in own:
            weights[function] = weights.get(function, 0) + value / len(own)
    earned = ("pass", "note") if strict else ("pass", "note", "warn")
    points = sum(w for f, w in weights.items() if levels.get(f) in earned)
    return round(points, 2), round(sum(weights.values()), 2)


def identical_groups(rows, found, helper_names=()):
    """Groups of students whose function bodies are identical after normalisation (names,
    comments, whitespace and docstrings set aside). The course's own files are left out: a ``.py``
    file named as one of the helpers, or submitted with the same content by at least half of the
    graded students (three or more), is the course's (``dnn_utils.py``), not anyone's work; a
    notebook always counts, however many students hand in the same one."""
    import hashlib

    from nnconf.conformance.reading.fingerprints import function_fingerprints

    by_student = {s.student: s for s in found.submissions}
    graded = [r for r in rows if r["status"] in ("graded", "timeout")]
    levels = {r["student"]: function_levels(graded_records(r)) for r in graded}
    digests, contents = {}, {}
    for row in graded:
        for path in by_student[row["student"]].files:
            if path.endswith(".py"):
                with open(path, "rb") as handle:
                    digests[path] = hashlib.sha256(handle.read()).hexdigest()
                contents.setdefault(digests[path], set()).add(row["student"])
    common = {digest for digest, students in contents.items() if len(students) >= max(3, len(graded) / 2)}
    members = {}
    for row in graded:
        for path in by_student[row["student"]].files:
            if not path.endswith((".py", ".ipynb")) or os.path.basename(path) in helper_names \
                    or digests.get(path) in common:
                continue
            try:
                prints = function_fingerprints(path)
            except (OSError, ValueError, SyntaxError):
                continue
            for name, fingerprint in prints.items():
                for key in levels[row["student"]]:
                    if key.split(".", 1)[1] == name:
                        members.setdefault((key, fingerprint), set()).add(row["student"])
    groups = []
    for (key, fingerprint), students in sorted(members.items()):
        if len(students) > 1:
            suite, function = key.split(".", 1)
            groups.append({"suite": suite, "function": function, "fingerprint": fingerprint,
                           "students": sorted(students), "levels": {s: levels[s].get(key) for s in sorted(students)}})
    return groups


def export(rows, out, found, table, strict, duration, helper_names=()):
    """grades.csv, findings.csv, class.html and students/<student>.html, from the stored rows."""
    from nnconf.version import __version__
    from nnconf.conformance.reading.layouts import safe_name
    from nnconf.reports.classbook import write_class_outputs
    from nnconf.reports.writer import write_files

    students, findings, pages = [], [], {}
    checked = sorted({k for r in rows for k, v in function_levels(graded_records(r)).items()
                      if v != "skip" and not k.endswith(".*")})
    for row in rows:
        records = graded_records(row)
        levels = spread(function_levels(records), checked)
        page = None
        if row.get("report"):
            pages[f"{safe_name(row['student'])}.html"] = row["report"].encode("utf-8")
            page = f"students/{safe_name(row['student'])}.html"
        points, most = score(levels, table, checked, strict) if table else (None, None)
        students.append({"student": row["student"], "name": row.get("name"), "status": row["status"],
                         "reason": row.get("reason"), "submission": row.get("submission"), "late": row.get("late"),
                         "points": points, "max_points": most, "levels": levels, "report": page})
        findings += findings_of(row["student"], records)
    import datetime

    meta = {"layout": found.name, "submissions": len(rows), "version": __version__, "duration_s": round(duration, 1),
            "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "points": table is not None, "notes": list(found.notes)}
    groups = identical_groups(rows, found, helper_names)
    write_files(pages, os.path.join(out, "students"))
    return write_class_outputs(out, students, findings, groups, meta)


class _Progress:
    """Students done, failures so far and the time left: a rich bar on a terminal, a plain line per
    student otherwise (on stderr, so that the summary on stdout stays clean)."""

    def __init__(self, total, enabled=True):
        self.total, self.enabled, self.done, self.failing = total, enabled and total > 0, 0, 0
        self.bar = None

    def __enter__(self):
        if self.enabled and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[failing]} with failures"), TimeRemainingColumn(),
                                console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("grading", total=self.total, failing=0)
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()

    def advance(self, result):
        self.done += 1
        records = (result.get("results") or {}).get("records", [])
        failing = any(r["status"] in ("fail", "error") for r in records) or result["status"] != "graded"
        self.failing += failing
        if self.bar is not None:
            self.bar.update(self.task, advance=1, failing=self.failing)
        elif self.enabled:
            from nnconf.conformance.judging.records import safe_text

            print(safe_text(f"  [{self.done}/{self.total}] {result['student']}: {result['status']}"
                            f"{' (findings)' if failing and result['status'] == 'graded' else ''} "
                            f"{result['duration_s'] or 0:.1f} s"), file=sys.stderr, flush=True)
