"""No pass without a check, no silent pick: what a notebook user's usual mistakes must never hide.

A cell that does not parse, a folder of two students, a notebook beside its Jupyter copy, no TARGET,
a pytest run that names none, Ctrl-C: each must end in a verdict that says what was checked, or in
no verdict at all. Every target is the course-style deep implementation of tests/targets/course_style
(a correct one), cut into notebook cells or copied, with the one change each test is about.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from nnconf.conformance.reading import discovery, loader
from test_fair_judgement import check

COURSE = os.path.join(os.path.dirname(__file__), "targets", "course_style")
DEEP_NAMES = ("linear_backward", "linear_activation_backward", "L_model_backward")


def course_notebook(path, replace=None):
    """The course-style deep.py (and the init.py it imports, beside it) as a notebook with one cell
    per top-level definition; ``replace`` {old: new} edits the code first."""
    with open(os.path.join(COURSE, "deep.py")) as handle:
        code = handle.read()
    for old, new in (replace or {}).items():
        assert old in code, old
        code = code.replace(old, new)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Building your Deep Neural Network: Step by Step")]
    notebook.cells += [nbformat.v4.new_code_cell(cell) for cell in re.split(r"\n(?=def )", code)]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    nbformat.write(notebook, path)
    with open(os.path.join(COURSE, "init.py")) as source, open(os.path.join(os.path.dirname(path), "init.py"), "w") as out:
        out.write(source.read())
    return path


def cell_of(path, name):
    notebook = nbformat.read(path, as_version=4)
    return next(i for i, c in enumerate(notebook.cells, start=1) if c.source.startswith(f"def {name}("))


# --- a cell that does not parse ---------------------------------------------------------------------


def test_a_cell_that_does_not_parse_is_an_error_and_its_callers_are_not_ok(tmp_path):
    path = course_notebook(str(tmp_path / "W4A1" / "Step_by_Step.ipynb"),
                           {"def linear_backward(dZ, cache):": "def linear_backward(dZ, cache)"})
    run = check(str(tmp_path / "W4A1"), "--suite", "deep", "--no-training")
    assert run.code == 1, run.out
    (error,) = run.bad("linear_backward")
    assert error["status"] == "error" and error["diagnosis"] == "crash.syntax", error
    assert f"cell {cell_of(path, 'linear_backward')}, line 1, column" in error["message"], error["message"]
    assert "expected ':'" in error["message"]
    for caller in ("linear_activation_backward", "L_model_backward"):  # blamed on it, never shown as ok
        assert not run.status(caller, "pass") or run.bad(caller), caller
        assert not re.search(rf"^\s+ok\s+deep\.{caller}\b", run.out, re.M), run.out
    assert re.search(r"wrong on their own.*\n\s+FAIL deep\.linear_backward", run.out), run.out
    assert "does not parse" in run.out


def test_a_py_file_that_does_not_parse_is_an_error_for_every_function_it_defines(tmp_path):
    with open(os.path.join(COURSE, "deep.py")) as handle:
        code = handle.read().replace("def relu(Z):", "def relu(Z)")
    (tmp_path / "deep.py").write_text(code)
    (tmp_path / "init.py").write_text(open(os.path.join(COURSE, "init.py")).read())
    run = check(str(tmp_path / "deep.py"), "--suite", "deep", "--no-training")
    assert run.code == 1
    for name in ("linear_forward", "linear_backward", "L_layer_model"):
        (error,) = run.bad(name)
        assert error["diagnosis"] == "crash.syntax" and "line 29, column 12" in error["message"], error
    assert not run.status("linear_forward", "pass")


# --- every unit checked and named ------------------------------------------------------------------


def test_two_students_folders_are_two_units_each_named(tmp_path):
    course_notebook(str(tmp_path / "class" / "alice" / "W4A1.ipynb"))
    course_notebook(str(tmp_path / "class" / "bob" / "W4A1.ipynb"),
                    {"dW = 1 / m * np.dot(dZ, A_prev.T)": "dW = np.dot(dZ, A_prev.T)"})
    run = check(str(tmp_path / "class"), "--suite", "deep", "--no-training")
    assert run.code == 1, run.out
    units = {r.get("unit") for r in run.records}
    assert {"alice/W4A1.ipynb", "bob/W4A1.ipynb"} <= units, units
    bob = [r for r in run.bad("linear_backward") if r["unit"] == "bob/W4A1.ipynb"]
    alice = [r for r in run.of("linear_backward") if r["unit"] == "alice/W4A1.ipynb"]
    assert bob and any(r["diagnosis"] == "value.scale_m" for r in bob)
    assert alice and {r["status"] for r in alice} == {"pass"}
    assert re.search(r"alice/W4A1\.ipynb \[deep\]: nothing failed", run.out), run.out
    assert re.search(r"bob/W4A1\.ipynb \[deep\]: \d+ function\(s\) failing", run.out), run.out


def test_a_jupyter_copy_is_checked_and_labelled_beside_the_fixed_notebook(tmp_path):
    folder = tmp_path / "W4A1"
    course_notebook(str(folder / "Step_by_Step.ipynb"))
    course_notebook(str(folder / "Step_by_Step-Copy1.ipynb"), {"dA_prev = np.dot(W.T, dZ)": "dA_prev = np.dot(W, dZ.T).T"})
    target = loader.parse_target([str(folder)])
    assert [u.label() for u in target.units() if "deep" in u.suites()] == [
        "Step_by_Step-Copy1.ipynb (a Jupyter copy of Step_by_Step.ipynb)", "Step_by_Step.ipynb"]
    run = check(str(folder), "--suite", "deep", "--no-training")
    assert run.code == 1
    assert "a Jupyter copy of" in run.out
    failing = {r["unit"] for r in run.bad("linear_backward")}
    assert failing == {"Step_by_Step-Copy1.ipynb"}, failing


def test_a_name_defined_in_two_files_never_stops_the_run(tmp_path):
    """The book's numerical_gradient in common/gradient.py and in the learner's own file."""
    from real_code import trees

    trees.build_book_tree(tmp_path / "book", tmp_path / "marker")
    with open(tmp_path / "book" / "common" / "gradient.py") as handle:
        gradient = handle.read()
    (tmp_path / "book" / "ch04" / "my_gradient.py").write_text(gradient)
    target = loader.parse_target([str(tmp_path / "book")])
    assert "layers" in target.suites()


# --- the version of the course, from the files ----------------------------------------------------------


@pytest.mark.parametrize(("files", "imports", "version", "evidence"), [
    (("public_tests.py", "dnn_utils.py"), "", "2021+", "public_tests.py beside"),
    (("dnn_utils_v2.py", "testCases_v4a.py"), "", "older", "dnn_utils_v2.py beside"),
    ((), "from public_tests import *\n", "2021+", "imports public_tests"),
    (("public_tests.py",), "from testCases_v4a import *\n", "older", "imports testCases_v4a"),
    (("public_tests.py", "dnn_app_utils_v3.py"), "", "2021+", "public_tests.py beside"),  # 2021+ ships _v3 too
    ((), "", None, ""),
])
def test_the_course_version_comes_from_the_files(tmp_path, files, imports, version, evidence):
    for name in files:
        (tmp_path / name).write_text("import numpy as np\n")
    path = tmp_path / "Step_by_Step.py"
    path.write_text(imports + "def linear_backward(dZ, cache):\n    pass\n")
    from nnconf.conformance.reading.sources import scan

    found, words = discovery.course_version(str(path), scan(str(path)))
    assert found == version and evidence in words, (found, words)


# --- no TARGET, and pytest without one -------------------------------------------------------------------


def test_without_a_target_the_current_folder_is_checked(tmp_path):
    empty = subprocess.run([sys.executable, "-m", "nnconf", "check", "--no-training"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert empty.returncode == 2 and "no Python file" in empty.stderr, empty.stderr
    course_notebook(str(tmp_path / "Step_by_Step.ipynb"), {"db = 1 / m * np.sum(dZ, axis=1, keepdims=True)":
                                                           "db = 1 / m * np.sum(dZ, axis=1)"})
    found = subprocess.run([sys.executable, "-m", "nnconf", "check", "--suite", "deep", "--no-training"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
    assert found.returncode == 1, found.stdout + found.stderr
    assert "checking .:" in found.stdout and "Step_by_Step.ipynb" in found.stdout


def test_the_pytest_plugin_without_a_target_is_a_usage_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NNCONF_IMPL"}
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--pyargs",
                             "nnconf.conformance.checks", "-q"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "--nnconf-impl" in result.stderr and "passed" not in result.stdout


# --- Ctrl-C ----------------------------------------------------------------------------------------------


def test_ctrl_c_stops_with_one_line_exit_130_and_the_records_so_far(tmp_path):
    course_notebook(str(tmp_path / "W4A1" / "Step_by_Step.ipynb"))
    out = tmp_path / "records.json"
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "nnconf", "check", "W4A1", "--suite", "deep", "--no-training", "--no-cache",
         "--json", str(out)], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    lines = []
    deadline = time.time() + 240
    while time.time() < deadline:  # wait for the first checked function, then Ctrl-C the whole group
        line = process.stdout.readline()
        lines.append(line)
        if re.match(r"\s+(ok|FAIL|warn)\s+deep\.", line):
            break
    os.killpg(process.pid, signal.SIGINT)  # as a terminal sends it: to every process of the job
    rest, err = process.communicate(timeout=120)
    text = "".join(lines) + rest
    assert process.returncode == 130, text + err
    assert "passed" not in text and "Traceback" not in err, text + err
    assert len(err.strip().splitlines()) == 1 and err.startswith("interrupted:"), err
    records = json.loads(out.read_text())
    assert records and all(r["suite"] == "deep" for r in records)


# --- the root bug first ----------------------------------------------------------------------------------


def test_the_root_bug_comes_first_with_the_training_loop_and_model_under_it(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    with open(os.path.join(COURSE, "deep.py")) as handle:
        code = handle.read().replace("dW = 1 / m * np.dot(dZ, A_prev.T)", "dW = np.dot(dZ, A_prev.T)")
    (folder / "deep.py").write_text(code)
    (folder / "init.py").write_text(open(os.path.join(COURSE, "init.py")).read())
    run = check(str(folder), "--suite", "deep")
    assert run.code == 1
    roots = re.search(r"(\d+) function\(s\) wrong on their own.*?\n\s+FAIL (\S+)", run.out, re.S)
    assert roots and roots.group(1) == "1" and roots.group(2) == "deep.linear_backward", run.out
    assert re.search(r"then deep\.L_layer_model (\(deep\.py\) )?fails too", run.out), run.out
    assert re.search(r"then deep\.training loop .* fails too", run.out), run.out
    training = [r for r in run.records if r["stage"] == "training" and r["status"] in ("fail", "error")]
    assert training and all(r.get("likely_cause") for r in training)


# --- names as learners write them ------------------------------------------------------------------------


def test_a_class_name_in_another_case_is_judged_with_a_note(tmp_path):
    from real_code.sources import functions

    code = "import numpy as np\n\n\n" + functions("layers", "Relu", "Affine", "SoftmaxWithLoss", "softmax",
                                                  "cross_entropy_error")
    (tmp_path / "layers.py").write_text(code.replace("class Relu", "class ReLu"))
    run = check(str(tmp_path / "layers.py"), "--suite", "layers", "--function", "Relu.forward",
                "--function", "Relu.backward")
    assert run.code == 0, run.out
    assert run.status("Relu.backward", "pass")
    notes = run.status("Relu.forward", "note")  # once, with the first method checked
    assert notes and re.search(r"read as `ReLu` \(\S*layers\.py:4\)", notes[0]["message"]), notes
