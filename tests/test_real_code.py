"""Real code as it is found: course notebooks as downloaded (beside their helper files, with magics,
shell lines, test calls and training at top level), an nbconvert export, the book's repository
tree, a learner's one-function-per-file folder, a folder holding only one suite, a scratch folder
whose own packages are named like the harness's parts, and a tree where two files are equal
candidates. Every fixture is written into ``tmp_path`` by the builders of tests/real_code/, from
the correct course-style code of tests/targets/course_style/, and checked through the command
line (``python -m nnconf``, the ``nnconf`` script) or the pytest plugin, from a scratch working
folder and without PYTHONPATH, as a learner would run it.
"""

import importlib.util
import json
import os
import re
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # tests/, for the builders in real_code/
from real_code import notebooks, trees  # noqa: E402

SUITES = ("activations", "logistic", "shallow", "deep", "init", "xor", "layers")
DEEP_FUNCTIONS = ("initialize_parameters_deep", "linear_forward", "sigmoid", "relu", "linear_activation_forward",
                  "L_model_forward", "compute_cost", "linear_backward", "sigmoid_backward", "relu_backward",
                  "linear_activation_backward", "L_model_backward", "update_parameters")
LOGISTIC_FUNCTIONS = ("initialize_with_zeros", "propagate", "optimize", "predict", "model")
SHALLOW_FUNCTIONS = ("layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost",
                     "backward_propagation", "update_parameters", "nn_model", "predict")
BAD = ("fail", "error", "warn")  # on correct code a warning is a false alarm too
PROGRESS = re.compile(r"^  (ok  |FAIL|--  ) (\S+)")


# --- helpers --------------------------------------------------------------------------------------------------


def _env():
    """The environment of a learner's shell: no PYTHONPATH (nor the plugin's fallback target)."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NNCONF_IMPL")}


def nnconf(*args, cwd, script=False):
    """``python -m nnconf ARGS`` (or the installed ``nnconf`` script) run from ``cwd``."""
    command = [os.path.join(os.path.dirname(sys.executable), "nnconf")] if script else [sys.executable, "-m", "nnconf"]
    return subprocess.run([*command, *map(str, args)], cwd=str(cwd), env=_env(), capture_output=True, text=True,
                          timeout=300)


def output(result):
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


def load(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def by_function(records, suite):
    """function -> its records, for one suite."""
    out = {}
    for record in records:
        if record["suite"] == suite:
            out.setdefault(record["function"], []).append(record)
    return out


def assert_passes(records, suite, names, result=None):
    """Each of ``names`` was checked (it has records, and at least one passing check) and nothing of it
    failed, errored or warned."""
    found = by_function(records, suite)
    context = output(result) if result is not None else ""
    for name in names:
        assert name in found, f"{suite}.{name} has no record\n{context}"
        bad = [f"{r['status']} {r['check']} [{r['diagnosis']}] {r['message'][:300]}"
               for r in found[name] if r["status"] in BAD]
        assert not bad, f"{suite}.{name}:\n" + "\n".join(bad) + f"\n{context}"
        assert any(r["status"] == "pass" for r in found[name]), f"{suite}.{name}: no passing check: {found[name]}"
        missing = [r for r in found[name] if r.get("diagnosis") == "api.missing"]
        assert not missing, f"{suite}.{name} is implemented but recorded as missing: {missing}"


def assert_not_implemented(records, suite, names, status="skip"):
    found = by_function(records, suite)
    for name in names:
        assert name in found, f"{suite}.{name} has no record"
        for r in found[name]:
            assert (r["status"], r["diagnosis"]) == (status, "api.missing"), r
            assert "not implemented" in r["message"], r


def assert_suite_skipped(records, suite):
    """A suite the target does not have: records, every one a not-implemented skip."""
    found = [r for r in records if r["suite"] == suite]
    assert found, f"no record for the absent suite {suite}"
    for r in found:
        assert (r["status"], r["diagnosis"]) == ("skip", "api.missing") and "not implemented" in r["message"], r


def sources(records, suite, function):
    return {r.get("source") for r in by_function(records, suite).get(function, []) if r["status"] != "skip"}


def def_line(path, name):
    """The line of ``def name`` / ``class name`` at the top level of a .py file."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.startswith((f"def {name}(", f"class {name}:", f"class {name}(")):
                return number
    raise KeyError(f"{name} in {path}")


def class_lines(path, name):
    """The lines a top-level class spans (its ``class`` line to the line before the next top-level statement)."""
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    start = def_line(path, name)
    end = next((n for n in range(start + 1, len(lines) + 1) if lines[n - 1][:1] not in ("", " ", "\t", "#")), len(lines) + 1)
    return range(start, end)


def progress_lines(stdout):
    return [m for m in (PROGRESS.match(line) for line in stdout.splitlines()) if m]


@pytest.fixture
def scratch(tmp_path):
    """An empty working folder, apart from the fixtures, as a learner's shell would be in."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    return folder


# --- 1, 2: W4A1 (deep), as downloaded -----------------------------------------------------------------------


def _check_w4a1_deep_records(records, notebook, nb, utils):
    assert_passes(records, "deep", DEEP_FUNCTIONS)
    name = os.path.basename(notebook)
    for function, (cell, line) in nb.graded.items():
        if function == "initialize_parameters":
            continue  # the course's 2-layer initializer: deep checks initialize_parameters_deep
        got = sources(records, "deep", function)
        assert len(got) == 1, (function, got)
        where = got.pop()
        match = re.search(rf"{re.escape(name)}, cell (\d+), line (\d+)$", where or "")
        assert match, f"{function}: source {where!r} does not name the notebook with a cell"
        assert (int(match.group(1)), int(match.group(2))) == (cell, line), (function, where)
    for function in notebooks.DNN_UTILS:  # imported by the notebook from the course's dnn_utils.py
        assert sources(records, "deep", function) == {f"{utils}:{def_line(utils, function)}"}, function
    assert_not_implemented(records, "deep", ("L_layer_model", "predict"))


def test_w4a1_folder_as_downloaded(tmp_path, scratch):
    marker = tmp_path / notebooks.MARKER
    notebook, nb = notebooks.build_w4a1(tmp_path / "course", marker)
    folder = os.path.dirname(notebook)
    result = nnconf("check", folder, "--no-training", "--json", scratch / "records.json", cwd=scratch)
    assert result.returncode == 0, output(result)
    assert not marker.exists(), marker.read_text()

    # the mapping is printed before the run: deep comes from the notebook
    assert re.search(r"^\s+deep\s+\S*Building_your_Deep_Neural_Network_Step_by_Step\.ipynb\b", result.stdout, re.M), \
        output(result)
    records = load(scratch / "records.json")
    assert records
    assert not [r for r in records if r["status"] in BAD]
    _check_w4a1_deep_records(records, notebook, nb, os.path.join(folder, "dnn_utils.py"))
    for suite in SUITES:
        if suite != "deep":
            assert_suite_skipped(records, suite)
    # nothing but deep was checked: no progress line of another suite
    checked = {m.group(2).split(".")[0] for m in progress_lines(result.stdout) if m.group(1) != "--  "}
    assert checked == {"deep"}, output(result)


@pytest.mark.parametrize("form", ["notebook", "deep=notebook"])
def test_w4a1_notebook_named_directly(tmp_path, scratch, form):
    marker = tmp_path / notebooks.MARKER
    notebook, nb = notebooks.build_w4a1(tmp_path / "course", marker)
    target = [notebook] if form == "notebook" else ["--impl", f"deep={notebook}"]
    result = nnconf("check", *target, "--suite", "deep", "--no-training", "--json", scratch / "records.json", cwd=scratch)
    assert result.returncode == 0, output(result)
    assert not marker.exists()
    assert re.search(r"^\s+deep\s+\S*Building_your_Deep_Neural_Network_Step_by_Step\.ipynb\b", result.stdout, re.M), \
        output(result)
    records = load(scratch / "records.json")
    assert {r["suite"] for r in records} == {"deep"}
    _check_w4a1_deep_records(records, notebook, nb, os.path.join(os.path.dirname(notebook), "dnn_utils.py"))


# --- 3: W2A2 (logistic), whose lr_utils imports h5py ---------------------------------------------------------


def test_w2a2_logistic_notebook_with_an_import_that_fails(tmp_path, scratch):
    if importlib.util.find_spec("h5py") is not None:
        pytest.skip("h5py is installed here: the failing import this test is about cannot be had")
    marker = tmp_path / notebooks.MARKER
    notebook, nb = notebooks.build_w2a2(tmp_path / "course", marker)
    result = nnconf("check", os.path.dirname(notebook), "--no-training", "--json", scratch / "records.json", cwd=scratch)
    assert result.returncode == 0, output(result)
    assert not marker.exists()
    assert re.search(r"^\s+logistic\s+\S*Logistic_Regression_with_a_Neural_Network_mindset\.ipynb\b", result.stdout, re.M), \
        output(result)
    records = load(scratch / "records.json")
    assert not [r for r in records if r["status"] in BAD], output(result)
    assert_passes(records, "logistic", LOGISTIC_FUNCTIONS, result)
    for function in LOGISTIC_FUNCTIONS:
        cell, line = nb.graded[function]
        assert sources(records, "logistic", function) == {
            f"{notebook}, cell {cell}, line {line}"}, (function, sources(records, "logistic", function))
    assert_not_implemented(records, "logistic", ("propagate_loop", "computation_graph"))
    # the failed import of h5py (and the data statements that could not run) are notes, nothing more
    notes = [note for r in records for note in r.get("load_notes", [])]
    assert any("h5py" in note for note in notes), notes
    for suite in SUITES:
        if suite != "logistic":
            assert_suite_skipped(records, suite)


# --- 4: Python Basics with Numpy is not the layers suite -----------------------------------------------------


def test_python_basics_notebook_is_not_the_layers_suite(tmp_path, scratch):
    folder = tmp_path / "basics"
    folder.mkdir()
    notebooks.build_python_basics(folder)
    result = nnconf("check", folder, "--no-training", "--json", scratch / "records.json", cwd=scratch)
    assert not re.search(r"^\s+layers\s+\S+\.ipynb", result.stdout, re.M), output(result)
    assert not any(m.group(2).startswith("layers.") and m.group(1) != "--  " for m in progress_lines(result.stdout))
    if result.returncode == 2:  # nothing claimed: a usage error that says so
        assert "error:" in result.stderr and "Traceback" not in result.stderr, output(result)
        assert not (scratch / "records.json").exists()
        return
    records = load(scratch / "records.json")
    assert all(r["status"] == "skip" for r in records if r["suite"] == "layers"), output(result)


# --- 5: the book's repository tree --------------------------------------------------------------------------


@pytest.mark.parametrize("packages", [False, True], ids=["original-layout", "with-__init__"])
def test_book_tree_checked_from_its_root(tmp_path, packages):
    marker = tmp_path / "TOP_LEVEL_RAN"
    root = tmp_path / "deep-learning-from-scratch"
    where = trees.build_book_tree(root, marker, packages=packages)
    result = nnconf("check", ".", "--no-training", "--json", "records.json", cwd=root)
    assert result.returncode == 0, output(result)
    assert not marker.exists(), marker.read_text()
    # the units: each chapter's TwoLayerNet on its own, the layers of common/ through their imports;
    # a file with a lone numerical_gradient is named, not silently left out
    assert re.search(r"^\s+unit ch04/two_layer_net\.py$", result.stdout, re.M), output(result)
    assert re.search(r"^\s+unit ch05/two_layer_net\.py$", result.stdout, re.M), output(result)
    assert re.search(r"not checked: ch04/gradient_2d\.py \(numerical_gradient\)", result.stdout), output(result)
    records = load(root / "records.json")
    assert not [r for r in records if r["status"] in BAD]
    layered = list(by_function(records, "layers"))
    assert_passes(records, "layers", layered, result)
    relative, line = where["numerical_gradient"]
    assert sources(records, "layers", "numerical_gradient") == {f"common/gradient.py:{line}"}
    assert relative == "common/gradient.py"
    assert len({r["unit"] for r in records if r["function"] == "numerical_gradient"}) == 1  # shared: checked once
    for chapter in ("ch04", "ch05"):
        span = class_lines(root / chapter / "two_layer_net.py", "TwoLayerNet")
        for function in ("TwoLayerNet.gradient", "TwoLayerNet.numerical_gradient", "TwoLayerNet.loss"):
            got = {r["source"] for r in records if r["function"] == function and r["unit"] == f"{chapter}/two_layer_net.py"}
            assert len(got) == 1, (function, got)
            path, _, number = got.pop().rpartition(":")
            assert path == f"{chapter}/two_layer_net.py" and int(number) in span, (function, path, number)
    assert [r for r in records if r["unit"] == "ch04/two_layer_net.py" and r["status"] == "note"
            and "chapter-4" in r["message"]], "the chapter-4 network is noted as such"
    for name in ("softmax", "cross_entropy_error"):
        assert sources(records, "layers", name) == {f"common/functions.py:{where[name][1]}"}
    for suite in SUITES:
        if suite != "layers":
            assert_suite_skipped(records, suite)
    assert not (root / "dataset" / "mnist.pkl").exists()


# --- 6: two equal candidates: each a unit, checked and named; [tool.nnconf.names] narrows ------------------


def test_equal_candidates_are_two_units_and_tool_nnconf_names_narrows_to_one(tmp_path):
    root = tmp_path / "project"
    trees.build_two_candidates(root)
    both = nnconf("check", ".", "--suite", "layers", "--no-training", "--json", "both.json", cwd=root)
    assert both.returncode == 0, output(both)
    assert re.search(r"^\s+unit a/net\.py", both.stdout, re.M) and re.search(r"^\s+unit b/net\.py", both.stdout, re.M)
    records = load(root / "both.json")
    for unit in ("a/net.py", "b/net.py"):  # each unit's own TwoLayerNet, checked and passing
        own = [r for r in records if r.get("unit") == unit and r["function"] == "TwoLayerNet.gradient"]
        assert own and {r["status"] for r in own} == {"pass"} and {r["source"].rpartition(":")[0] for r in own} == {unit}
    shared = [r for r in records if r["function"] == "Affine.backward" and r["status"] == "pass"]
    assert shared and len({r["unit"] for r in shared}) == 1  # nn_layers.py, imported by both, checked once

    (root / "pyproject.toml").write_text('[tool.nnconf.names]\nTwoLayerNet = "b/net.py"\n')
    settled = nnconf("check", ".", "--suite", "layers", "--no-training", "--json", "records.json", cwd=root)
    assert settled.returncode == 0, output(settled)
    assert re.search(r"not checked\s+a/net\.py: left out: \[tool\.nnconf\.names\] takes TwoLayerNet from b/net\.py",
                     settled.stdout), output(settled)
    records = load(root / "records.json")
    assert_passes(records, "layers", ("TwoLayerNet.gradient", "TwoLayerNet.loss"), settled)
    span = class_lines(root / "b" / "net.py", "TwoLayerNet")
    for function in ("TwoLayerNet.gradient", "TwoLayerNet.loss"):
        (got,) = sources(records, "layers", function)
        path, _, number = got.rpartition(":")
        assert path == "b/net.py" and int(number) in span, got


# --- 7: the user's impl/, reports/, reference/ packages -----------------------------------------------------


def _check_rank1(records, line):
    failing = [r for r in records if r["status"] == "fail" and r["function"] == "linear_backward"]
    db = [r for r in failing if r.get("quantity") == "db"]
    assert db and {r["diagnosis"] for r in db} == {"shape.rank1"}, failing
    assert sources(records, "deep", "linear_backward") == {f"impl/deep.py:{line}"}
    # the rest of the user's deep code is correct: only linear_backward and what calls it can fail
    failing_functions = {r["function"] for r in records if r["status"] in ("fail", "error")}
    assert "linear_backward" in failing_functions
    assert failing_functions <= {"linear_backward", "linear_activation_backward", "L_model_backward", "L_layer_model"}, \
        failing_functions


@pytest.mark.parametrize("form", ["script", "python -m"])
def test_user_packages_named_like_the_harness_parts(tmp_path, form):
    root = tmp_path / "scratch"
    line = trees.build_collision(root)
    target = ["impl"] if form == "script" else ["--impl", "impl"]
    result = nnconf("check", *target, "--suite", "deep", "--no-training", "--report", "out", "--json", "records.json",
                    cwd=root, script=form == "script")
    assert result.returncode == 1, output(result)
    assert "Traceback" not in result.stderr, output(result)
    assert (root / "out" / "report.html").is_file(), output(result)
    assert re.search(r"^\s+deep\s+impl/deep\.py\b", result.stdout, re.M), output(result)
    records = load(root / "records.json")
    _check_rank1(records, line)


def test_pytest_plugin_from_a_folder_with_user_packages_named_like_the_harness_parts(tmp_path):
    root = tmp_path / "scratch"
    trees.build_collision(root)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--pyargs", "nnconf.conformance.checks",
         "--nnconf-impl", "impl", "-k", "deep and linear_backward"],
        cwd=str(root), env=_env(), capture_output=True, text=True, timeout=300)
    text = output(result)
    assert result.returncode == 1, text
    assert "shape.rank1" in result.stdout, text
    assert re.search(r"\b1 failed\b", result.stdout), text
    assert not re.search(r"\d+ errors?\b", result.stdout) and "ERROR collecting" not in result.stdout, text


# --- 8: a folder with one suite only --------------------------------------------------------------------------


def test_folder_with_only_activations(tmp_path):
    root = tmp_path / "mine"
    trees.build_activations_only(root)
    result = nnconf("check", ".", "--json", "records.json", cwd=root)  # training left on: nothing of it applies
    assert result.returncode == 0, output(result)
    records = load(root / "records.json")
    activations = by_function(records, "activations")
    assert_passes(records, "activations", list(activations), result)
    assert len(activations) == 12
    for suite in SUITES:
        if suite != "activations":
            assert_suite_skipped(records, suite)
    lines = progress_lines(result.stdout)
    assert lines and all(m.group(2).startswith("activations.") for m in lines), output(result)
    assert not re.search(r"curve|sweep|training", result.stdout, re.I), output(result)

    required = nnconf("check", ".", "--require", "--json", "required.json", cwd=root)
    assert required.returncode == 1, output(required)
    required_records = load(root / "required.json")
    for suite in SUITES:
        if suite != "activations":
            absent = [r for r in required_records if r["suite"] == suite]
            assert absent and all((r["status"], r["diagnosis"]) == ("fail", "api.missing") for r in absent), suite
    assert_passes(required_records, "activations", list(activations), required)


# --- 9: one function per file ---------------------------------------------------------------------------------


def test_one_function_per_file(tmp_path, scratch):
    marker = tmp_path / "TOP_LEVEL_RAN"
    folder = tmp_path / "week4"
    lines = trees.build_one_function_per_file(folder, marker)
    result = nnconf("check", folder, "--no-training", "--json", scratch / "records.json", cwd=scratch)
    assert result.returncode == 0, output(result)
    assert not marker.exists(), marker.read_text()
    assert re.search(r"^\s+deep\s", result.stdout, re.M), output(result)
    records = load(scratch / "records.json")
    assert_passes(records, "deep", ("linear_forward", "linear_backward"), result)
    for name, line in lines.items():
        assert sources(records, "deep", name) == {os.path.join(str(folder), f"{name}.py") + f":{line}"}
    assert_not_implemented(records, "deep", [n for n in DEEP_FUNCTIONS if n not in ("linear_forward", "linear_backward")])
    for suite in SUITES:
        if suite != "deep":
            assert_suite_skipped(records, suite)


# --- 10: a notebook exported by nbconvert -------------------------------------------------------------------


def test_nbconvert_export(tmp_path, scratch):
    marker = tmp_path / notebooks.MARKER
    path, lines = notebooks.build_w3a1_export(tmp_path / "course", marker)
    result = nnconf("check", path, "--no-training", "--json", scratch / "records.json", cwd=scratch)
    assert result.returncode == 0, output(result)
    assert not marker.exists(), marker.read_text()
    assert re.search(r"^\s+shallow\s+\S*Planar_data_classification_with_one_hidden_layer\.py\b", result.stdout, re.M), \
        output(result)
    records = load(scratch / "records.json")
    assert not [r for r in records if r["status"] in BAD]
    assert_passes(records, "shallow", SHALLOW_FUNCTIONS, result)
    for name in SHALLOW_FUNCTIONS:
        assert sources(records, "shallow", name) == {f"{path}:{lines[name]}"}, name
    for suite in SUITES:
        if suite != "shallow":
            assert_suite_skipped(records, suite)


# --- W4A2: the application notebook, whose only graded function sits beside the course's helpers ------------


# The application notebook's graded two_layer_model as the course had it until 2020 (parameters only).
TWO_LAYER_MODEL_UNTIL_2020 = """\
def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    np.random.seed(1)
    parameters = initialize_parameters_deep(layers_dims)
    W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    for i in range(0, num_iterations):
        A1, cache1 = linear_activation_forward(X, W1, b1, "relu")
        A2, cache2 = linear_activation_forward(A1, W2, b2, "sigmoid")
        dA2 = - (np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        dA0, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        parameters = update_parameters(parameters, grads, learning_rate)
        W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    return parameters
"""


def test_w4a2_application_notebook_beside_dnn_app_utils(tmp_path, scratch):
    """The course's dnn_app_utils_v3.py defines the step-by-step functions (and seeds its own
    initializer, randn / sqrt(n[l-1])); the notebook defines only L_layer_model (and returns
    parameters only, as until 2020), two_layer_model and plot_costs: it claims no suite on its own,
    yet its L_layer_model is the one checked, from the notebook."""
    import nbformat

    from real_code.sources import function, functions, replace_line, write

    marker = tmp_path / notebooks.MARKER
    folder = tmp_path / "W4A2"
    helper_functions = [n for n in DEEP_FUNCTIONS if n != "initialize_parameters_deep"] + ["predict"]
    initializer = replace_line(function("deep", "initialize_parameters_deep"), "parameters = {}",
                               "np.random.seed(1)\n    parameters = {}")
    initializer = replace_line(initializer,
                               "parameters['W' + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01",
                               "parameters['W' + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) "
                               "/ np.sqrt(layer_dims[l - 1])")
    write(folder, "dnn_app_utils_v3.py", "import numpy as np\nimport h5py\n\n\n" + initializer + "\n\n"
          + functions("deep", *helper_functions) + "\n\ndef load_data():\n    with h5py.File('datasets/train.h5') as f:\n"
          "        return f\n")
    model = function("deep", "L_layer_model").replace(", print_cost=False,\n                  initializer=initialize_he)",
                                                        ", print_cost=False)")
    model = replace_line(model, "parameters = initializer(layers_dims)", "parameters = initialize_parameters_deep(layers_dims)")
    model = replace_line(model, "return parameters, costs", "return parameters")
    cells = [
        nbformat.v4.new_code_cell("import numpy as np\nimport h5py\nimport matplotlib.pyplot as plt\n"
                                  "from dnn_app_utils_v3 import *\n%matplotlib inline\nnp.random.seed(1)"),
        nbformat.v4.new_code_cell(notebooks._loud(str(marker), "data cell")),
        nbformat.v4.new_code_cell(TWO_LAYER_MODEL_UNTIL_2020),
        nbformat.v4.new_code_cell("# GRADED FUNCTION: L_layer_model\n\n" + model),
        nbformat.v4.new_code_cell("def plot_costs(costs, learning_rate=0.0075):\n    plt.plot(np.squeeze(costs))\n"),
        nbformat.v4.new_code_cell(notebooks._loud(str(marker), "training cell")),
    ]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(folder / "Deep Neural Network - Application.ipynb"))
    result = nnconf("check", folder, "--suite", "deep", "--no-training", "--json", scratch / "records.json", cwd=scratch)
    assert result.returncode == 0, output(result)
    assert not marker.exists()
    records = by_function(load(scratch / "records.json"), "deep")
    model_records = records["L_layer_model"]
    assert {r["status"] for r in model_records} <= {"pass", "note"}, output(result)
    assert all("Application.ipynb, cell 4" in r["source"] for r in model_records if r.get("source"))
    notes = " ".join(r["message"] for r in model_records if r["status"] == "note")
    assert "returns only `parameters`" in notes
    assert any(r["status"] == "note" and "np.random.seed(1)" in r["message"] for r in records["initialize_parameters_deep"])
    assert "h5py" in result.stdout  # the failed import is a note of loading, not a failure


def test_packages_installed_in_a_projects_own_venv_are_imported_whole(tmp_path, scratch):
    """A project's .venv lives inside the tree it checks: its packages are not the user's code
    and run as they are (their top level is not filtered down to definitions)."""
    from real_code.sources import function, write

    project = tmp_path / "project"
    write(project, ".venv/lib/python3.11/site-packages/scaler/__init__.py",
          "def _compute():\n    return 0.01\n\n\nSCALE = _compute()  # a call at top level, which the filter would leave out\n")
    source = function("init", "initialize_random").replace("scale=0.01", "scale=None")
    source = source.replace("    parameters = {}", "    scale = SCALE if scale is None else scale\n    parameters = {}", 1)
    assert "SCALE" in source
    write(project, "init.py", "import sys, os\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), "
          "'.venv', 'lib', 'python3.11', 'site-packages'))\nimport numpy as np\nfrom scaler import SCALE\n\n\n"
          + function("init", "_randn") + "\n\n" + source)
    result = nnconf("check", project, "--function", "initialize_random", "--json", scratch / "records.json", cwd=scratch)
    assert result.returncode == 0, output(result)
    records = load(scratch / "records.json")
    assert {r["status"] for r in records} == {"pass"}, output(result)


def test_a_notebook_whose_helper_files_were_not_committed(tmp_path, scratch):
    """Learners often commit the notebook alone: `from dnn_app_utils_v3 import *` and
    `from dnn_utils_v2 import sigmoid, ...` fail. The functions that need those names could not
    run, which is a skip with the reason, never a failure; nor is the training curve."""
    import nbformat

    from real_code.sources import function, functions

    marker = tmp_path / notebooks.MARKER
    folder = tmp_path / "alone"
    folder.mkdir()
    model = function("deep", "L_layer_model").replace(", print_cost=False,\n                  initializer=initialize_he)",
                                                        ", print_cost=False)")
    model = model.replace("parameters = initializer(layers_dims)", "parameters = initialize_parameters_deep(layers_dims)")
    own = functions("deep", "initialize_parameters_deep", "linear_forward", "linear_activation_forward", "L_model_forward",
                    "compute_cost", "linear_backward", "linear_activation_backward", "L_model_backward",
                    "update_parameters")
    cells = [
        nbformat.v4.new_code_cell("import numpy as np\nfrom dnn_utils_v2 import sigmoid, sigmoid_backward, relu, relu_backward\n"
                                  "from dnn_app_utils_v3 import *\n%matplotlib inline"),
        nbformat.v4.new_code_cell(own),
        nbformat.v4.new_code_cell(notebooks._loud(str(marker), "training cell")),
    ]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(folder / "Step_by_Step.ipynb"))
    application = [nbformat.v4.new_code_cell("import numpy as np\nfrom dnn_app_utils_v3 import *"),
                   nbformat.v4.new_code_cell(model)]
    nbformat.write(nbformat.v4.new_notebook(cells=application), str(folder / "Application.ipynb"))
    result = nnconf("check", folder, "--suite", "deep", "--json", scratch / "records.json", cwd=scratch)
    assert result.returncode == 0, output(result)
    assert not marker.exists()
    records = load(scratch / "records.json")
    assert not [r for r in records if r["status"] in ("fail", "error")], output(result)
    skipped = by_function(records, "deep")
    assert any("dnn_utils_v2" in r["message"] for r in skipped["L_model_forward"] if r["status"] == "skip")
    assert "could not run" in result.stdout


def test_a_notebook_copied_by_hand_into_a_py_file_keeps_its_magics(tmp_path, scratch):
    """Learners paste cells into a .py file with `%matplotlib inline` and `!ls` still in it (not
    Python); and the application's file defines L_layer_model beside two_layer_model and
    plot_costs, which is enough to tell the suite."""
    from real_code.sources import function, functions, write

    write(tmp_path, "copied/deep_nn.py", "import numpy as np\n%matplotlib inline\n%load_ext autoreload\n!ls\n\n"
          + functions("deep", "linear_forward", "linear_backward"))
    result = nnconf("check", tmp_path / "copied" / "deep_nn.py", "--no-training", "--json", scratch / "a.json", cwd=scratch)
    assert result.returncode == 0, output(result)
    checked = {r["function"] for r in load(scratch / "a.json") if r["status"] == "pass"}
    assert {"linear_forward", "linear_backward"} <= checked

    write(tmp_path, "app/application.py", "import numpy as np\nfrom nnconf.impl.deep import *\nfrom nnconf.impl.init import initialize_he\n\n"
          "def two_layer_model(X, Y, layers_dims):\n    return {}\n\n\n"
          "def plot_costs(costs, learning_rate=0.0075):\n    pass\n\n\n" + function("deep", "L_layer_model"))
    result = nnconf("check", tmp_path / "app" / "application.py", "--function", "L_layer_model",
                    "--json", scratch / "b.json", cwd=scratch)
    assert result.returncode == 0, output(result)
    assert {r["status"] for r in load(scratch / "b.json")} <= {"pass", "note"}
