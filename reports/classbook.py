"""The class gradebook's outputs for the teacher: grades.csv, findings.csv and class.html.

    >>> from nnconf.reports.classbook import write_class_outputs
    >>> write_class_outputs("graded", students, findings, groups, meta)   # doctest: +SKIP
    {'grades': 'graded/grades.csv', 'findings': 'graded/findings.csv', 'class': 'graded/class.html'}

Data first, then its presentation: the gradebook's plain data (one dict per student, per finding
and per group of identical code) becomes pandas frames once (``class_tables``); the CSVs are those
frames written out, and the page is templates/class.html.j2 rendered from them (Jinja2, autoescape
on: students' names, ids, messages and reasons are untrusted and reach the page only escaped).

The page is one self-contained file (inline CSS and SVG, no script, no external resource); each
student's row links to the student's own report by a relative, percent-encoded path, so the
folder can be moved, zipped or opened offline. Every text is first made safe as the records'
texts are (``records.safe_text``: no control or reordering characters); in the CSVs, a text cell
that a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@`` first) starts with ``'``.

What the page shows, in order: the commonest bug classes (root findings only, ranked by how many
students each hit), the pass rate of each function, the distribution of scores (or of the number
of failing functions when no points are configured), the students x functions grid, the groups of
identical code with their common level, and the students that could not be graded, with why.
"""

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from nnconf.conformance.judging.bug_classes import explain
from nnconf.conformance.judging.records import safe_text
from nnconf.reports.writer import write_files

HERE = Path(__file__).parent
CSS = (HERE / "class.css").read_text(encoding="utf-8")

LEVELS = ("pass", "fail", "error", "warn", "note", "skip")       # a function's level, worst last but one
FAILING = ("fail", "error")                                      # the levels of a bug
NOTICES = ("warn", "note")
STATUSES = ("graded", "unreadable", "empty", "timeout", "error")  # what became of a submission
SYMBOLS = {"pass": "\u2713", "fail": "\u2717", "error": "!", "warn": "w", "note": "n",
           "skip": "\u2013"}                                     # the grid is readable without colour
NOT_CHECKED = "\u00b7"                                           # a function without a level
UNCLASSIFIED = ""                                                # the bug class of a finding without one

STUDENT_COLUMNS = ["student", "name", "status", "reason", "submission", "late", "points",
                   "max_points", "report"]
FINDING_COLUMNS = ["student", "suite", "function", "level", "diagnosis", "message", "file", "cell",
                   "line"]
FILES = {"grades": "grades.csv", "findings": "findings.csv", "class": "class.html"}

# How much of a long text the page shows (the CSVs keep it whole).
LIMITS = {"name": 120, "message": 3000, "repro": 8000, "reason": 2000, "meta": 300}
SHOW_STUDENTS = 40                                               # students listed before a "more" click
BAND = 10                                                        # score bands: 10 % of the maximum each
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")                 # what a spreadsheet reads as a formula


# ----------------------------------------------------------------------------- plain data to frames

def _text(value):
    """A text made safe for a page, a terminal and a file, or None."""
    if missing(value):
        return None
    return safe_text(value if isinstance(value, str) else str(value))


def missing(value):
    """None, NA or a float NaN: what a frame shows where there is no value."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def records(frame):
    """The rows of a frame as dicts, a missing value as None (pandas turns a None into NaN on the
    way: a NaN is truthy in a template)."""
    return [{k: None if missing(v) else v for k, v in row.items()}
            for row in frame.to_dict("records")]


def objects(values, index):
    """A column of Python objects, None kept as None."""
    return pd.Series(list(values), index=index, dtype=object)


def _number(value):
    if value is None or isinstance(value, bool):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _int(value):
    number = _number(value)
    return None if number is None or not number.is_integer() else int(number)


def natural_key(text):
    """Sort key of an id with numbers in it: student2 before student10, case ignored."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in re.split(r"(\d+)", text or "")) + ((2, 0, text or ""),)


def function_key(key):
    """(suite, function) of a "suite.function" key."""
    suite, _, function = key.partition(".")
    return suite, function


def report_href(report, out_dir="."):
    """The link from class.html to a student's own report: its path relative to out_dir,
    percent-encoded (a space, '#', '?', a quote or a non-ASCII letter in a student's id stays part
    of the path); None without a report. An absolute path is made relative to out_dir."""
    report = _text(report)
    if not report:
        return None
    report = report.replace("\\", "/")
    if os.path.isabs(report):
        report = os.path.relpath(report, os.path.abspath(out_dir)).replace(os.sep, "/")
    return quote(PurePosixPath(report).as_posix(), safe="/")


def student_frame(students, out_dir="."):
    """One row per student, in natural order of the ids: STUDENT_COLUMNS, ``href`` (the link to
    the report, or None) and ``label`` (the name, else the id)."""
    rows = []
    for s in students:
        row = {c: _text(s.get(c)) for c in ("student", "name", "status", "reason", "submission",
                                           "report")}
        late = s.get("late")
        row.update(late=None if late is None else bool(late), points=_number(s.get("points")),
                   max_points=_number(s.get("max_points")))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=STUDENT_COLUMNS, dtype=object)
    if frame.student.isna().any():
        raise ValueError("every student needs an id (the 'student' key)")
    twice = frame.student[frame.student.duplicated()].unique().tolist()
    if twice:
        raise ValueError(f"student ids must be unique; given more than once: {twice}")
    frame["status"] = frame.status.fillna("error")
    frame["href"] = objects((report_href(r, out_dir) for r in frame.report), frame.index)
    frame["label"] = frame.name.where(frame.name.notna() & (frame.name != ""), frame.student)
    ids = frame.student.tolist()
    order = sorted(range(len(frame)), key=lambda i: natural_key(ids[i]))
    return frame.iloc[order].reset_index(drop=True)


def level_frame(students):
    """One row per student x checked function: student, key ("suite.function"), suite, function,
    level."""
    rows = [(_text(s.get("student")), _text(key), _text(level) or "")
            for s in students for key, level in (s.get("levels") or {}).items()]
    frame = pd.DataFrame(rows, columns=["student", "key", "level"], dtype=object)
    frame["level"] = frame.level.str.strip().str.lower()
    parts = frame.key.map(function_key)
    return frame.assign(suite=parts.str[0], function=parts.str[1])


def function_keys(levels):
    """The checked functions ("suite.function"), sorted by suite then function."""
    return sorted(levels.key.unique(), key=lambda k: (*function_key(k), k))


def level_grid(levels, people, keys):
    """The students x functions table of levels (rows: people's order; None: not checked)."""
    grid = (levels.drop_duplicates(["student", "key"], keep="last")
            .pivot(index="student", columns="key", values="level")
            .reindex(index=people.student, columns=keys))
    return grid.astype(object).where(grid.notna(), None)


def finding_frame(findings):
    """One row per finding: FINDING_COLUMNS, then repro, likely_cause (a tuple), key, ``bug_class``
    (the diagnosis, or UNCLASSIFIED) and ``root`` (no failing callee explains it). Order: natural
    order of the students, then suite and function; the gradebook's order within."""
    rows = []
    for f in findings:
        row = {c: _text(f.get(c)) for c in ("student", "suite", "function", "level", "diagnosis",
                                           "message", "file", "repro")}
        row.update(cell=_int(f.get("cell")), line=_int(f.get("line")),
                   likely_cause=tuple(_text(c) for c in (f.get("likely_cause") or ())))
        rows.append(row)
    columns = FINDING_COLUMNS + ["repro", "likely_cause"]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    frame["level"] = frame.level.fillna("").str.strip().str.lower()
    frame = frame.assign(key=frame.suite.fillna("") + "." + frame.function.fillna(""),
                         bug_class=frame.diagnosis.fillna(UNCLASSIFIED),
                         root=frame.likely_cause.map(len) == 0)
    ids, keys = frame.student.tolist(), frame.key.tolist()
    order = sorted(range(len(frame)), key=lambda i: (natural_key(ids[i]), function_key(keys[i]), i))
    return frame.iloc[order].reset_index(drop=True)


# ----------------------------------------------------------------------------- the tables

def grades_table(people, grid, keys, show_points):
    """grades.csv: student, status, reason, submission, late (when the layout tells it), points
    and max_points (when points are configured), then one column per checked function."""
    columns = ["student", "status", "reason", "submission"]
    if people.late.notna().any():
        columns.append("late")
    if show_points:
        columns += ["points", "max_points"]
    return people[columns].join(grid.reset_index(drop=True)[keys])


def pass_rates(levels, people, keys):
    """One row per checked function: how many graded students have each level (``unchecked``:
    no level at all) and ``rate``, the share of graded students whose level is pass (NA without a
    graded student)."""
    graded = people.student[people.status == "graded"]
    mine = levels[levels.student.isin(graded)].drop_duplicates(["student", "key"], keep="last")
    counts = (pd.crosstab(mine.key, mine.level).reindex(index=keys, columns=list(LEVELS),
                                                        fill_value=0)
              if len(mine) else pd.DataFrame(0, index=keys, columns=list(LEVELS)))
    table = counts.astype(int).rename_axis(index="key", columns=None).reset_index()
    n = len(graded)
    table["graded"] = n
    table["unchecked"] = n - counts.sum(axis=1).to_numpy()
    table["rate"] = table["pass"] / n if n else pd.NA
    parts = table.key.map(function_key)
    return table.assign(suite=parts.str[0], function=parts.str[1])


def bug_class_table(finding_rows, people, levels=FAILING):
    """The bug classes of the root findings of those levels, commonest first: the classes named
    before the findings without one, then by students hit, findings and name. Per class: the
    students it hit (people's order), the findings, the functions with how many students each,
    its explanation, and one example (a finding with a repro where there is one, in the function
    it hit most)."""
    roots = finding_rows[finding_rows.root & finding_rows.level.isin(levels)]
    if roots.empty:
        return pd.DataFrame(columns=["bug_class", "students", "n_students", "findings",
                                     "functions", "explanation", "example"])
    rank = {s: i for i, s in enumerate(people.student)}
    hit = (roots.drop_duplicates(["bug_class", "key", "student"])
           .groupby(["bug_class", "key"]).size().rename("function_students"))
    roots = roots.join(hit, on=["bug_class", "key"]).assign(
        has_repro=roots.repro.notna() & (roots.repro != ""),
        student_rank=roots.student.map(lambda s: rank.get(s, len(rank))))
    rows = []
    for cls, g in roots.groupby("bug_class", sort=False):
        students = sorted(g.student.dropna().unique(), key=lambda s: (rank.get(s, len(rank)),
                                                                      natural_key(s)))
        functions = (g.drop_duplicates(["key", "student"]).key.value_counts(sort=False)
                     .sort_values(ascending=False, kind="stable"))
        example = g.sort_values(["has_repro", "function_students", "student_rank"],
                                ascending=[False, False, True], kind="stable").iloc[0]
        rows.append({"bug_class": cls, "students": students, "n_students": len(students),
                     "findings": len(g), "functions": list(functions.items()),
                     "explanation": explain(cls) if cls else None,
                     "example": records(example[FINDING_COLUMNS + ["repro"]].to_frame().T)[0]})
    table = pd.DataFrame(rows)
    table["unnamed"] = table.bug_class == UNCLASSIFIED
    return (table.sort_values(["unnamed", "n_students", "findings", "bug_class"],
                              ascending=[True, False, False, True], kind="stable")
            .drop(columns="unnamed").reset_index(drop=True))


def score_bands(people):
    """The graded students' scores in bands of BAND % of their maximum points (full marks, and
    more, in a band of their own): band (the lower bound, %), count, students, label."""
    graded = people[(people.status == "graded") & people.points.notna()
                    & people.max_points.map(lambda m: not missing(m) and m > 0)]
    share = (graded.points / graded.max_points * 100).astype(float)
    band = (share // BAND).clip(lower=0, upper=100 // BAND).astype(int) * BAND
    bands = pd.DataFrame({"band": range(0, 100 + BAND, BAND)})
    students = graded.student.groupby(band.to_numpy()).agg(list)
    bands["students"] = bands.band.map(lambda b: students.get(b, []))
    bands["count"] = bands.students.map(len)
    bands["label"] = bands.band.map(lambda b: f"{b}%" if b == 100 else str(b))
    return bands


def score_summary(people):
    """Facts of the scores of the graded students: how many have one, mean, median, lowest and
    highest (in points when every maximum is the same, else in % of the maximum)."""
    graded = people[people.status == "graded"]
    scored = graded[graded.points.notna() & graded.max_points.map(lambda m: not missing(m) and m > 0)]
    maxima = scored.max_points.unique()
    same = len(maxima) == 1
    values = (scored.points if same else scored.points / scored.max_points * 100).astype(float)
    return {"scored": len(scored), "unscored": len(graded) - len(scored),
            "unit": f"points of {maxima[0]:g}" if same else "% of the maximum",
            "mean": values.mean() if len(values) else None,
            "median": values.median() if len(values) else None,
            "min": values.min() if len(values) else None,
            "max": values.max() if len(values) else None}


def failing_counts(people, grid):
    """How many graded students fail (fail or error) 0, 1, 2, ... functions: failing, count,
    students, label."""
    graded = people.status.to_numpy() == "graded"
    failing = grid.isin(FAILING).sum(axis=1).to_numpy()[graded]
    per = pd.Series(people.student[graded].to_numpy()).groupby(failing).agg(list)
    top = int(failing.max()) if len(failing) else 0
    table = pd.DataFrame({"failing": range(top + 1)})
    table["students"] = table.failing.map(lambda k: per.get(k, []))
    table["count"] = table.students.map(len)
    table["label"] = table.failing.map(str)
    return table


def _level(known, student, key):
    """A student's level of a function ({student: {key: level}} of the grid), else "unknown"."""
    level = known.get(student, {}).get(key)
    return "unknown" if missing(level) else level


def group_table(groups, finding_rows, people, grid):
    """One row per group of identical code (largest first, then those failing, then by function):
    suite, function, key, fingerprint, students (people's order), size, ``levels`` (level: how
    many; the group's own levels, else the grid's), ``common`` (the level when all agree, else None), failing, and the bug classes of the
    group's root findings in that function (class: students)."""
    rank = {s: i for i, s in enumerate(people.student)}
    known = grid.to_dict("index")
    rows = []
    for g in groups:
        suite, function = _text(g.get("suite")) or "", _text(g.get("function")) or ""
        key = f"{suite}.{function}"
        students = sorted({_text(s) for s in g.get("students") or ()},
                          key=lambda s: (rank.get(s, len(rank)), natural_key(s)))
        given = {_text(s): (_text(v) or "").lower() for s, v in (g.get("levels") or {}).items()}
        levels = pd.Series([given.get(s) or _level(known, s, key) for s in students], dtype=object)
        counts = levels.value_counts(sort=False)
        counts = counts.reindex([lv for lv in LEVELS if lv in counts.index]
                                + [lv for lv in counts.index if lv not in LEVELS])
        mine = finding_rows[finding_rows.student.isin(students) & (finding_rows.key == key)
                            & finding_rows.root & finding_rows.level.isin(FAILING)]
        classes = (mine.drop_duplicates(["bug_class", "student"]).bug_class.value_counts()
                   if len(mine) else pd.Series(dtype=int))
        rows.append({"suite": suite, "function": function, "key": key,
                     "fingerprint": _text(g.get("fingerprint")) or "", "students": students,
                     "size": len(students), "levels": dict(counts.astype(int)),
                     "common": counts.index[0] if len(counts) == 1 else None,
                     "failing": bool(levels.isin(FAILING).any()),
                     "classes": list(classes.items())})
    table = pd.DataFrame(rows, columns=["suite", "function", "key", "fingerprint", "students",
                                        "size", "levels", "common", "failing", "classes"])
    if table.empty:
        return table
    table["order"] = table.key.map(function_key)
    return (table.sort_values(["size", "failing", "order"], ascending=[False, False, True],
                              kind="stable").drop(columns="order").reset_index(drop=True))


@dataclass
class ClassTables:
    people: pd.DataFrame        # student_frame
    levels: pd.DataFrame        # level_frame
    keys: list                  # the checked functions, "suite.function", in order
    grid: pd.DataFrame          # level_grid
    findings: pd.DataFrame      # finding_frame
    grades: pd.DataFrame        # grades.csv
    rates: pd.DataFrame         # pass_rates
    bugs: pd.DataFrame          # bug_class_table of the failing levels
    notices: pd.DataFrame       # bug_class_table of warnings and notes
    bands: pd.DataFrame         # score_bands
    failing: pd.DataFrame       # failing_counts
    groups: pd.DataFrame        # group_table


def class_tables(students, findings, groups, meta, out_dir="."):
    """Every table of the class's outputs, computed once for the CSVs and the page."""
    people = student_frame(students, out_dir)
    levels = level_frame(students)
    keys = function_keys(levels)
    grid = level_grid(levels, people, keys)
    finding_rows = finding_frame(findings)
    return ClassTables(
        people=people.assign(failing=grid.isin(FAILING).sum(axis=1).to_numpy()),
        levels=levels, keys=keys, grid=grid, findings=finding_rows,
        grades=grades_table(people, grid, keys, bool(meta.get("points"))),
        rates=pass_rates(levels, people, keys),
        bugs=bug_class_table(finding_rows, people),
        notices=bug_class_table(finding_rows, people, NOTICES),
        bands=score_bands(people), failing=failing_counts(people, grid),
        groups=group_table(groups, finding_rows, people, grid))


# ----------------------------------------------------------------------------- the CSV files

def csv_cell(value):
    """A CSV cell: '' for a missing value, repr for a float, the text otherwise; a text a
    spreadsheet would run as a formula gets a leading quote."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(table):
    return table.astype(object).map(csv_cell).to_csv(index=False, lineterminator="\n")


def csv_files(t):
    """{file name: CSV text}: grades.csv and findings.csv."""
    return {FILES["grades"]: csv_text(t.grades),
            FILES["findings"]: csv_text(t.findings[FINDING_COLUMNS])}


# ----------------------------------------------------------------------------- the page

def clip(text, kind="name"):
    """Escaped text, cut at LIMITS[kind] characters with a note of how much was cut."""
    if missing(text):
        return ""
    text = str(text)
    limit = LIMITS[kind]
    if len(text) <= limit:
        return text                                   # autoescape escapes it
    return Markup("{}<span class=\"cut\">\u2026 [{:,} more characters in the CSV files]</span>"
                  ).format(text[:limit], len(text) - limit)


def short(text, kind="name"):
    """Plain text cut at LIMITS[kind] characters, for an attribute (autoescape escapes it)."""
    if missing(text):
        return ""
    text = str(text)
    return text if len(text) <= LIMITS[kind] else text[:LIMITS[kind]] + "\u2026"


def percent(x, digits=0):
    if missing(x):
        return "\u2014"
    return f"{100 * x:.{digits}f}%"


def number(x):
    """A score: at most two decimals (7.5, 6, 7.24), or a dash."""
    return "\u2014" if missing(x) else f"{x:.2f}".rstrip("0").rstrip(".")


def plural(n, word, words=None):
    return f"{n} {word if n == 1 else (words or word + 's')}"


def run_facts(meta, people):
    """[(label, value)] of the run, for the page's header."""
    duration = meta.get("duration_s")
    statuses = people.status.value_counts()
    graded = int(statuses.get("graded", 0))
    return [("Submissions", meta.get("submissions", len(people))), ("Graded", graded),
            ("Not graded", len(people) - graded), ("Layout", meta.get("layout")),
            ("Generated", meta.get("generated")),
            ("Duration", f"{duration:.0f} s" if isinstance(duration, (int, float)) else None),
            ("nnconf", meta.get("version"))]


def grid_rows(t):
    """Each student's row of the grid: the student (people's columns) and one (level, symbol)
    per function, or None for a student that was not graded."""
    rows = []
    for person, levels in zip(records(t.people), t.grid.to_numpy().tolist()):
        cells = None
        if person["status"] == "graded":
            cells = [(None, NOT_CHECKED) if missing(lv) or not lv else (lv, SYMBOLS.get(lv, "?"))
                     for lv in levels]
        rows.append((person, cells))
    return rows


def suite_spans(keys):
    """[(suite, how many functions)] of the grid's header, in the keys' order."""
    spans = []
    for key in keys:
        suite = function_key(key)[0]
        if spans and spans[-1][0] == suite:
            spans[-1][1] += 1
        else:
            spans.append([suite, 1])
    return spans


ENV = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                  undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
ENV.filters.update(clip=clip, short=short, percent=percent, number=number)
ENV.globals.update(plural=plural, LEVELS=LEVELS, SYMBOLS=SYMBOLS, NOT_CHECKED=NOT_CHECKED,
                   FILES=FILES, BAND=BAND, SHOW_STUDENTS=SHOW_STUDENTS)


def render(t, meta):
    """class.html as a string."""
    people = {p["student"]: p for p in records(t.people)}
    not_graded = t.people[t.people.status != "graded"]
    show_points = bool(meta.get("points"))
    return ENV.get_template("class.html.j2").render(
        css=Markup(CSS), facts=run_facts(meta, t.people),
        notes=[_text(n) for n in meta.get("notes") or ()], people=people,
        bugs=records(t.bugs), notices=records(t.notices),
        rates=records(t.rates), keys=t.keys, spans=suite_spans(t.keys),
        rows=grid_rows(t), show_points=show_points,
        show_late=bool(t.people.late.notna().any()),
        bands=records(t.bands), scores=score_summary(t.people),
        failing=records(t.failing), groups=records(t.groups),
        not_graded=records(not_graded),
        graded=int((t.people.status == "graded").sum()))


# ----------------------------------------------------------------------------- writing

def write_class_outputs(out_dir, students, findings, groups, meta) -> dict[str, str]:
    """Write out_dir/grades.csv, out_dir/findings.csv and out_dir/class.html (each through a
    temporary file and os.replace, all computed before any is written); return
    {"grades": path, "findings": path, "class": path}.

    students, findings, groups, meta: the gradebook's plain data (see the module's docstring and
    tests/test_class_report.py). A student's ``report`` is a path relative to out_dir.
    """
    out_dir = Path(out_dir)
    t = class_tables(students, findings, groups, meta, out_dir)
    texts = {**csv_files(t), FILES["class"]: render(t, meta)}
    write_files({name: text.encode("utf-8") for name, text in texts.items()}, out_dir)
    return {what: str(out_dir / name) for what, name in FILES.items()}
