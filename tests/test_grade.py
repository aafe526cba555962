"""Grading a whole class (nnconf grade): the gradebook, one submission as a unit of work, and a
class of course notebooks with known bugs, a hanging student, a corrupt notebook and an empty
folder, graded locally, again (nothing re-checked), with one student added, and on a Dask
LocalCluster of separate processes (the same grades)."""

import json
import os
import shutil
import sqlite3
import sys
import zipfile

import pandas as pd
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # tests/, for the builders in real_code/

from real_code import notebooks  # noqa: E402

from nnconf.conformance.run import grading  # noqa: E402
from nnconf.conformance.run.gradebook import Gradebook, GradebookError  # noqa: E402

NOTEBOOK = "Building_your_Deep_Neural_Network_Step_by_Step.ipynb"


# -- the gradebook ---------------------------------------------------------------------------


def test_the_gradebook_keeps_each_student_under_their_key(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    with Gradebook(str(path)) as book:
        book.store({"student": "ada", "key": "k1", "status": "graded", "late": True,
                    "results": {"records": [{"suite": "deep", "function": "relu", "status": "pass"}]}})
        book.store({"student": "ben", "key": "k2", "status": "empty", "reason": "nothing was submitted"})
        book.store({"student": "ada", "key": "k3", "status": "graded", "results": {"records": []}})
        assert book.keys() == {"ada": "k3", "ben": "k2"}
        rows = book.rows(["ben", "ada", "nobody"])
    assert [r["student"] for r in rows] == ["ben", "ada"]
    assert rows[1]["results"] == {"records": []} and rows[1]["late"] is None and rows[0]["reason"]
    with pytest.raises(ValueError, match="unknown status"):
        Gradebook(str(path)).store({"student": "x", "key": "k", "status": "done"})


def test_a_file_that_is_not_a_gradebook_is_a_clear_error(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(GradebookError, match="not a gradebook"):
        Gradebook(str(path))


# -- one submission --------------------------------------------------------------------------


def test_a_zip_never_unpacks_outside_its_folder_nor_a_link(tmp_path):
    data = tmp_path / "s.zip"
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("ok/deep.py", "x = 1\n")
        archive.writestr("../../escaped.py", "x = 2\n")
        archive.writestr("/abs.py", "x = 3\n")
        link = zipfile.ZipInfo("link.py")
        link.external_attr = (0o120777 << 16)
        archive.writestr(link, "/etc/passwd")
    folder = tmp_path / "out"
    written = grading._unzip(data.read_bytes(), str(folder))
    assert [os.path.relpath(p, folder) for p in written] == [os.path.join("ok", "deep.py")]
    assert not (tmp_path / "escaped.py").exists() and not (folder / "link.py").exists()
    assert grading._unzip(b"not a zip", str(folder / "bad")) == []


def test_the_key_follows_content_helpers_and_options():
    files = (("a.ipynb", b"1"),)
    base = grading.key_of(files, (), grading.Options())
    assert base == grading.key_of(files, (), grading.Options(report=False))  # how it is shown is not what it is
    assert base != grading.key_of((("a.ipynb", b"2"),), (), grading.Options())
    assert base != grading.key_of(files, (("dnn_utils.py", b""),), grading.Options())
    assert base != grading.key_of(files, (), grading.Options(seed=1))


def test_a_submission_is_read_within_its_size_bound(tmp_path, monkeypatch):
    (tmp_path / "a.ipynb").write_bytes(b"x" * 100)
    assert grading.read_submission([str(tmp_path / "a.ipynb")], str(tmp_path)) == (("a.ipynb", b"x" * 100),)
    monkeypatch.setattr(grading, "MAX_SUBMISSION_BYTES", 10)
    with pytest.raises(grading.TooLarge):
        grading.read_submission([str(tmp_path / "a.ipynb")], str(tmp_path))


@pytest.mark.parametrize("files, status", [
    ((), "empty"),
    ((("notes.txt", b"hello"),), "empty"),
    ((("W4A1.ipynb", b'{"cells": [ {"cell_type": "code", "sour'),), "unreadable"),
    ((("mine.py", b"def hello():\n    return 1\n"),), "empty"),
])
def test_what_cannot_be_graded_says_why(files, status):
    result = grading.grade_one(grading.Job("s", "k", files, (), grading.Options(training=False)))
    assert result["status"] == status and result["reason"], result
    assert "nnconf-grade-" not in result["reason"]  # the student's paths, not the workspace's


# -- a class ---------------------------------------------------------------------------------


def _cell(nb_path, function, old, new):
    """The notebook at ``nb_path`` with ``old`` replaced by ``new`` in the cell that defines ``function``."""
    with open(nb_path, encoding="utf-8") as handle:
        data = json.load(handle)
    for cell in data["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and f"def {function}(" in source:
            assert old in source, (function, old)
            cell["source"] = source.replace(old, new)
            break
    else:
        raise AssertionError(f"no cell defines {function}")
    with open(nb_path, "w", encoding="utf-8") as handle:
        json.dump(data, handle)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The W4A1 notebook as a learner completes it, and the assignment's helper files."""
    root = tmp_path_factory.mktemp("course")
    notebook, _ = notebooks.build_w4a1(root, str(root / notebooks.MARKER))
    helpers = root / "helpers"
    helpers.mkdir()
    for name in os.listdir(os.path.dirname(notebook)):
        if os.path.isfile(os.path.join(os.path.dirname(notebook), name)) and not name.endswith(".ipynb"):
            shutil.copy(os.path.join(os.path.dirname(notebook), name), helpers / name)
    return notebook, str(helpers)


def _student(folder, notebook, name, bug=None):
    os.makedirs(folder / name)
    path = folder / name / NOTEBOOK
    shutil.copy(notebook, path)
    if bug:
        _cell(path, *bug)
    return path


NO_M = ("linear_backward", "dW = 1 / m * np.dot(dZ, A_prev.T)", "dW = np.dot(dZ, A_prev.T)")  # the missing 1/m
HANG = ("linear_forward", "def linear_forward(", "class Hang:\n    while True:\n        pass\n\n\ndef linear_forward(")


@pytest.fixture(scope="module")
def klass(tmp_path_factory, course):
    """One folder per student: two correct (identical code), two with the same bug, one that hangs
    when its notebook loads, one corrupt notebook, one empty folder."""
    notebook, _ = course
    folder = tmp_path_factory.mktemp("class") / "submissions"
    folder.mkdir()
    _student(folder, notebook, "ada")
    _student(folder, notebook, "dee")
    _student(folder, notebook, "ben", NO_M)
    _student(folder, notebook, "cy", NO_M)
    _student(folder, notebook, "eve", HANG)
    os.makedirs(folder / "fay")
    (folder / "fay" / NOTEBOOK).write_text('{"cells": [{"cell_type": "code", "source": "def rel')
    os.makedirs(folder / "gus")
    return folder


def _grade(submissions, out, helpers, **more):
    from nnconf.conformance.doors.grade import grade

    return grade(str(submissions), str(out), helpers=helpers, training=False, timeout=10.0, max_time=120.0, jobs=2,
                 **more)


@pytest.fixture(scope="module")
def graded(tmp_path_factory, klass, course):
    out = tmp_path_factory.mktemp("gradebook")
    summary = _grade(klass, out, course[1])
    return summary, out


def test_every_student_has_one_row_with_the_right_status(graded):
    summary, out = graded
    grades = pd.read_csv(out / "grades.csv")
    assert sorted(grades["student"]) == ["ada", "ben", "cy", "dee", "eve", "fay", "gus"]
    status = dict(zip(grades["student"], grades["status"]))
    assert {s: status[s] for s in ("ada", "ben", "cy", "dee")} == dict.fromkeys(("ada", "ben", "cy", "dee"), "graded")
    assert status["fay"] == "unreadable" and status["gus"] == "empty"
    assert status["eve"] in ("graded", "timeout")
    assert not summary.errors, summary.text()
    assert summary.checked == 6 and summary.kept == 0  # gus has no files: nothing to check


def test_bugs_are_flagged_on_their_function_and_correct_code_is_not(graded):
    _, out = graded
    grades = pd.read_csv(out / "grades.csv").set_index("student")
    for student in ("ben", "cy"):
        assert grades.loc[student, "deep.linear_backward"] == "fail"
    for student in ("ada", "dee"):
        row = grades.loc[student]
        levels = {c: row[c] for c in grades.columns if c.startswith("deep.")}
        assert not [c for c, v in levels.items() if v in ("fail", "error")], levels
    findings = pd.read_csv(out / "findings.csv")
    ben = findings[(findings["student"] == "ben") & (findings["function"] == "linear_backward")]
    assert "value.scale_m" in set(ben["diagnosis"])
    assert set(ben["file"].dropna()) == {os.path.join("ben", NOTEBOOK)} or set(ben["file"].dropna()) == {NOTEBOOK}
    assert ben["cell"].notna().all() and ben["line"].notna().all()


def test_the_hanging_student_costs_a_bounded_time_and_is_named(graded):
    _, out = graded
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        duration, status = db.execute("SELECT duration_s, status FROM submissions WHERE student = 'eve'").fetchone()
    assert duration < 120, duration
    findings = pd.read_csv(out / "findings.csv")
    eve = findings[findings["student"] == "eve"]
    assert status == "timeout" or {"crash.timeout"} & set(eve["diagnosis"].dropna()), eve.to_string()


def test_each_student_gets_their_own_report_and_the_class_page_links_them(graded):
    _, out = graded
    page = (out / "class.html").read_text(encoding="utf-8")
    for student in ("ada", "ben", "cy", "dee"):
        report = out / "students" / f"{student}.html"
        assert report.is_file() and f"students/{student}.html" in page
        assert "nnconf-grade-" not in report.read_text(encoding="utf-8")  # the workspace never shows
    assert "value.scale_m" in page


def test_identical_code_is_grouped(graded, klass):
    from nnconf.conformance.doors.grade import identical_groups
    from nnconf.conformance.reading import layouts
    from nnconf.conformance.run.gradebook import Gradebook

    _, out = graded
    with Gradebook(str(out / "gradebook.sqlite")) as book:
        rows = book.rows()
    groups = identical_groups(rows, layouts.detect(str(klass)))
    backward = [g for g in groups if g["function"] == "linear_backward"]
    assert {tuple(g["students"]) for g in backward} >= {("ada", "dee"), ("ben", "cy")}


def test_a_second_run_rechecks_nothing_and_gives_the_same_grades(graded, klass, course, tmp_path):
    summary, out = graded
    again = tmp_path / "again"
    shutil.copytree(out, again)
    second = _grade(klass, again, course[1])
    assert second.checked == 0 and second.kept == 6, second.text()
    assert second.duration_s < 0.3 * summary.duration_s + 2.0, (second.duration_s, summary.duration_s)
    assert pd.read_csv(again / "grades.csv").equals(pd.read_csv(out / "grades.csv"))


def test_one_student_added_is_the_only_one_checked(graded, klass, course, tmp_path):
    _, out = graded
    bigger = tmp_path / "bigger"
    shutil.copytree(klass, bigger)
    _student(bigger, course[0], "hal", NO_M)
    again = tmp_path / "out"
    shutil.copytree(out, again)
    summary = _grade(bigger, again, course[1])
    assert summary.checked == 1, summary.text()
    grades = pd.read_csv(again / "grades.csv").set_index("student")
    assert grades.loc["hal", "deep.linear_backward"] == "fail"


def test_points_as_teachers_grade(graded, klass, course, tmp_path):
    _, out = graded
    points = tmp_path / "points.toml"
    points.write_text('[points]\n"deep.linear_backward" = 4\ndeep = 6\n')
    again = tmp_path / "out"
    shutil.copytree(out, again)
    _grade(klass, again, course[1], points=str(points))
    grades = pd.read_csv(again / "grades.csv").set_index("student")
    assert grades.loc["ada", "points"] == grades.loc["ada", "max_points"] == 10
    assert grades.loc["ben", "points"] < grades.loc["ada", "points"] - 4 + 1e-9
    bad = tmp_path / "bad.toml"
    bad.write_text('[points]\n"deep.linear_backwards" = 4\n')
    from nnconf.conformance.doors.grade import GradeError

    with pytest.raises(GradeError, match="linear_backwards"):
        _grade(klass, tmp_path / "bad", course[1], points=str(bad))


def test_the_same_class_on_a_dask_cluster_gives_the_same_grades(graded, klass, course, tmp_path):
    distributed = pytest.importorskip("distributed")
    _, out = graded
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        summary = _grade(klass, tmp_path / "dask", course[1], scheduler=cluster.scheduler_address)
    assert summary.checked == 6 and not summary.errors, summary.text()
    local = pd.read_csv(out / "grades.csv")
    remote = pd.read_csv(tmp_path / "dask" / "grades.csv")
    assert remote.equals(local), remote.compare(local)


def test_the_command_line(klass, course, tmp_path):
    import subprocess

    nnconf = os.path.join(os.path.dirname(sys.executable), "nnconf")
    done = subprocess.run([nnconf, "grade", str(klass), "--out", str(tmp_path / "out"), "--helpers", course[1],
                           "--no-training", "-n", "2", "--quiet"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 submission(s)" in done.stdout and "class page:" in done.stdout
    usage = subprocess.run([nnconf, "grade", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")],
                           capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and "no such folder" in usage.stderr


@pytest.mark.parametrize("layout", ["nbgrader", "canvas", "moodle"])
def test_the_layouts_teachers_download(layout, course, tmp_path):
    """The same two students (one correct, one with the missing 1/m) as nbgrader, Canvas and Moodle
    name them: each present once under the layout's id, the bug on its function, the late flag."""
    notebook, helpers = course
    root = tmp_path / "download"
    if layout == "nbgrader":
        for student, bug in (("ada", None), ("ben", NO_M)):
            folder = root / "submitted" / student / "W4A1"
            os.makedirs(folder)
            shutil.copy(notebook, folder / NOTEBOOK)
            if bug:
                _cell(folder / NOTEBOOK, *bug)
        ids = {"ada": "ada", "ben": "ben"}
    elif layout == "canvas":
        os.makedirs(root)
        shutil.copy(notebook, root / f"lovelaceada_1001_5001_{NOTEBOOK}")
        shutil.copy(notebook, root / f"babbageben_LATE_1002_5002_{NOTEBOOK}")
        _cell(root / f"babbageben_LATE_1002_5002_{NOTEBOOK}", *NO_M)
        ids = {"ada": "lovelaceada_1001", "ben": "babbageben_1002"}
    else:
        for name, number, bug in (("Ada Lovelace", 11, None), ("Ben Babbage", 12, NO_M)):
            folder = root / f"{name}_{number}_assignsubmission_file_"
            os.makedirs(folder)
            shutil.copy(notebook, folder / NOTEBOOK)
            if bug:
                _cell(folder / NOTEBOOK, *bug)
        ids = {"ada": "Ada_Lovelace_11", "ben": "Ben_Babbage_12"}
    summary = _grade(root, tmp_path / "out", helpers)
    assert summary.layout == layout and not summary.errors, summary.text()
    grades = pd.read_csv(tmp_path / "out" / "grades.csv").set_index("student")
    assert sorted(grades.index) == sorted(ids.values())
    assert grades.loc[ids["ben"], "deep.linear_backward"] == "fail"
    assert grades.loc[ids["ada"], "deep.linear_backward"] == "pass"
    if layout == "canvas":
        assert bool(grades.loc[ids["ben"], "late"]) and not bool(grades.loc[ids["ada"], "late"])


def test_an_unreachable_scheduler_is_an_error_before_any_grade():
    pytest.importorskip("distributed")
    job = grading.Job("s", "k", (("a.py", b"x = 1\n"),))
    with pytest.raises(OSError):
        grading.run_dask([job], "tcp://127.0.0.1:9", lambda result: pytest.fail("graded"), timeout=2)
