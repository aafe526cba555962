"""The harness's own contract (SPEC Part 3): targets, exit codes, JSON records, isolation."""

import json
import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from nnconf.conformance.run import engine
from nnconf.conformance.reading import loader
from nnconf.conformance.box import probes
from nnconf.conformance.judging.compare import compare
from nnconf.conformance.judging.diagnosis import diagnose_shape, diagnose_values
from nnconf.conformance.box.worker import Worker

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIELDS = {"suite", "function", "check", "status", "diagnosis", "max_abs_err", "max_rel_err",
          "expected_shape", "actual_shape", "message"}


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "nnconf", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def write(folder, name, source):
    path = folder / name
    path.write_text(textwrap.dedent(source))
    return path


def run(target_words, suites, functions=None):
    return engine.run(loader.parse_target(target_words), suites, training=False, functions=functions)["records"]


# --- command line ---------------------------------------------------------------------------------


def test_cli_exit_codes_and_json_records(tmp_path):
    good = cli("check", "nnconf.impl", "--suite", "init", "--no-training", "--json", str(tmp_path / "good.json"))
    assert good.returncode == 0, good.stdout + good.stderr
    records = json.loads((tmp_path / "good.json").read_text())
    assert records and all(FIELDS <= set(r) for r in records)
    assert {r["status"] for r in records} == {"pass"}

    bug = os.path.join(ROOT, "conformance", "catalog", "bugs", "deep_linear_backward_db_rank1.py")
    bad = cli("check", "--impl", f"deep={bug}", "--no-training", "--json", str(tmp_path / "bad.json"))
    assert bad.returncode == 1
    failing = [r for r in json.loads((tmp_path / "bad.json").read_text()) if r["status"] == "fail"]
    db = [r for r in failing if r["function"] == "linear_backward" and r["quantity"] == "db"]
    assert db and db[0]["diagnosis"] == "shape.rank1"
    assert db[0]["expected_shape"] != db[0]["actual_shape"] and "linear_backward" in db[0]["message"]
    assert "from deep_linear_backward_db_rank1 import linear_backward" in db[0]["repro"]


@pytest.mark.parametrize("args", [
    ("check", "--impl", "no_such_package_xyz"),
    ("check", "nnconf.impl", "--suite", "convolution"),
    ("check", "--impl", "deep=/no/such/file.py"),
    ("check", "--impl", "tensors=impl/deep.py"),
    ("check", "nnconf.impl", "--json", "README.md/out.json"),
    ("check", "nnconf.impl", "--report", "README.md"),
    ("check", "nnconf.impl", "--function", "no_such_function"),
    ("report", "README.md", "--out", "README.md"),
    ("check", "--impl", "activations=README.md"),
    ("check", "--impl", "activations=impl/activations.py", "--suite", "deep"),
    ("check", "--impl", "activations=impl/activations.py", "--impl", "activations=impl/activations.py"),
    ("check", "--impl", "docs"),
])
def test_cli_usage_errors_exit_2_with_a_message(args):
    result = cli(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("error:") and len(result.stderr) > 20


def test_report_is_rebuilt_from_saved_results(tmp_path):
    result = cli("check", "nnconf.impl", "--suite", "init", "--no-training", "--report", str(tmp_path / "a"))
    assert result.returncode == 0
    rebuilt = cli("report", str(tmp_path / "a" / "results.json"), "--out", str(tmp_path / "b"))
    assert rebuilt.returncode == 0
    assert (tmp_path / "b" / "report.html").read_text().count("initialize_he") >= 1


# --- choosing the target ----------------------------------------------------------------------------


def test_folder_with_learner_style_imports(tmp_path):
    write(tmp_path, "activations.py", "from nnconf.impl.activations import *\n")
    write(tmp_path, "deep.py", """
        from activations import sigmoid as _s  # learners' files import each other by name
        from nnconf.impl.deep import *
    """)
    records = run([str(tmp_path)], ["deep"], functions={"linear_forward"})
    assert records and all(r["status"] == "pass" for r in records)


def test_folder_as_package_with_relative_imports(tmp_path):
    write(tmp_path, "__init__.py", "")
    write(tmp_path, "activations.py", "from nnconf.impl.activations import *\n")
    write(tmp_path, "deep.py", "from .activations import sigmoid as _s\nfrom nnconf.impl.deep import *\n")
    records = run([str(tmp_path)], ["deep"], functions={"linear_forward"})
    assert records and all(r["status"] == "pass" for r in records)


def test_missing_suite_function_and_signature_are_findings(tmp_path):
    write(tmp_path, "deep.py", """
        from nnconf.impl.deep import *
        del linear_backward
        def linear_forward(A, W):
            return W @ A
    """)
    records = run([str(tmp_path)], ["deep", "xor"], functions={"linear_forward", "linear_backward", "affine"})
    by = {(r["suite"], r["function"]): r for r in records if r["status"] != "pass"}
    for absent in (("xor", "affine"), ("deep", "linear_backward")):  # absent is not failing
        assert by[absent]["status"] == "skip" and by[absent]["diagnosis"] == "api.missing"
        assert "not implemented" in by[absent]["message"]
    assert by[("deep", "linear_forward")]["status"] == "error"
    assert by[("deep", "linear_forward")]["diagnosis"] == "api.signature"


def test_a_replaced_numpy_function_is_a_finding_and_is_put_back(tmp_path):
    write(tmp_path, "deep.py", """
        from nnconf.impl.deep import *
        import numpy as np
        def linear_forward(A, W, b):
            np.exp = lambda x: x
            return W @ A + b, (A, W, b)
    """)
    records = run([str(tmp_path)], ["deep"], functions={"linear_forward", "sigmoid"})
    bad = [r for r in records if r["status"] in ("fail", "error")]
    assert [(r["function"], r["quantity"], r["diagnosis"]) for r in bad] == [
        ("linear_forward", "numpy", "side_effect.mutates_input")]


def test_documents_aliases_are_accepted(tmp_path):
    write(tmp_path, "deep.py", """
        from nnconf.impl.deep import *
        L_Model_Forward = L_model_forward
        initialize_parameters = initialize_parameters_deep
        del L_model_forward, initialize_parameters_deep
    """)
    records = run([str(tmp_path)], ["deep"], functions={"L_model_forward", "initialize_parameters_deep"})
    assert records and all(r["status"] == "pass" for r in records)
    smoke = {r["function"]: r["message"] for r in records if r["stage"] == "smoke"}
    assert "L_Model_Forward" in smoke["L_model_forward"]
    assert "initialize_parameters" in smoke["initialize_parameters_deep"]


# --- isolation ---------------------------------------------------------------------------------------


def test_worker_survives_everything_a_target_can_do(tmp_path):
    write(tmp_path, "xor.py", """
        import os, sys
        import numpy as np
        def hang(): 
            while True: pass
        def leave(): sys.exit(3)
        def die(): os._exit(4)
        def shout():
            print("x" * 5_000_000)
            return 1.0
        def odd(): return (i for i in range(3))
        def global_state():
            np.seterr(all="raise"); np.random.seed(123)
            return np.random.rand()
    """)
    target = loader.parse_target([str(tmp_path)])
    with Worker(target, "xor", timeout=2.0) as worker:
        outcomes = {name: worker.call(probes.call, "xor", name, (), {}, False)
                    for name in ("hang", "leave", "die", "shout", "odd", "global_state")}
        again = worker.call(probes.call, "xor", "global_state", (), {}, False)
    assert outcomes["hang"].kind == "crash.timeout"
    assert outcomes["leave"].kind == "crash.exception" and "sys.exit(3)" in outcomes["leave"].error
    assert outcomes["die"].kind == "crash.exception" and "exit code 4" in outcomes["die"].error
    assert outcomes["shout"].ok and outcomes["shout"].value["result"] == 1.0
    assert outcomes["odd"].ok and isinstance(outcomes["odd"].value["result"], probes.Opaque)
    # NumPy's global state is reset before every call: the same draw both times
    assert again.value["result"] == outcomes["global_state"].value["result"]


def test_engine_run_records_a_hanging_function_and_goes_on(tmp_path):
    write(tmp_path, "xor.py", "from nnconf.impl.xor import *\ndef affine(W, X, B):\n    while True:\n        pass\n")
    results = engine.run(loader.parse_target([str(tmp_path)]), ["xor"], training=False, timeout=1.0,
                         functions={"affine", "sigmoid"})
    records = results["records"]
    assert any(r["function"] == "affine" and r["diagnosis"] == "crash.timeout" for r in records)
    assert all(r["status"] == "pass" for r in records if r["function"] == "sigmoid")


# --- comparison and diagnosis -----------------------------------------------------------------------


def test_compare_never_broadcasts():
    result = compare(np.ones(3), np.ones((3, 1)), atol=1e-9, rtol=1e-9)
    assert not result.ok and not result.shape_ok


@pytest.mark.parametrize(("actual", "expected", "bug"), [
    ((3,), (3, 1), "shape.rank1"),
    ((4, 3), (3, 4), "shape.transposed"),
    ((3, 5), (3, 1), "shape.broadcast"),
    ((1, 5), (3, 1), "shape.broadcast"),
    ((2, 7), (3, 4), "shape.other"),
])
def test_shape_diagnosis(actual, expected, bug):
    assert diagnose_shape(actual, expected)[0] == bug


def test_value_diagnosis_hypotheses():
    rng = np.random.default_rng(0)
    e = rng.standard_normal((3, 5))
    square = rng.standard_normal((4, 4))
    kw = {"atol": 1e-9, "rtol": 1e-7}
    assert diagnose_values(e * 5, e, m=5, **kw)[0] == "value.scale_m"
    assert diagnose_values(e / 5, e, m=5, **kw)[0] == "value.scale_m"
    assert diagnose_values(-e, e, m=5, **kw)[0] == "value.sign"
    assert diagnose_values(2 * e, e, m=5, **kw)[0] == "value.scale"
    assert diagnose_values(square.T, square, **kw)[0] == "value.transposed"
    kink = np.zeros_like(e, dtype=bool)
    kink[0, 0] = True
    off = e.copy()
    off[0, 0] += 1
    assert diagnose_values(off, e, kink_mask=kink, **kw)[0] == "value.kink"
    assert diagnose_values(e + 1, e, alternatives={"tanh'": e + 1}, **kw)[0] == "value.activation_derivative"
    nan = e.copy()
    nan[1, 1] = np.nan
    assert diagnose_values(nan, e, **kw)[0] == "value.nonfinite"
    assert diagnose_values(rng.standard_normal((3, 5)), e, **kw)[0] == "value.wrong"


def test_random_direction_check_of_a_large_network_passes_on_impl():
    from nnconf.impl import deep as impl_deep

    rng = np.random.default_rng(0)
    dims = [784, 128, 64, 10]
    params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) * np.sqrt(2 / dims[l - 1])
        params[f"b{l}"] = np.zeros((dims[l], 1))
    X = rng.standard_normal((784, 32))
    Y = (rng.random((10, 32)) < 0.5).astype(float)
    found = probes.fd_directions(impl_deep, "deep", (X, Y), params, seed=0)
    assert len(found) == 6  # one random direction per parameter tensor
    for entry in found:
        assert entry["analytic"] == pytest.approx(entry["numeric"], rel=1e-5, abs=1e-8), entry["keys"]


def test_a_product_that_cannot_be_formed_is_named_as_a_transposed_product(tmp_path):
    write(tmp_path, "deep.py", """
        from nnconf.impl.deep import *
        import numpy as np
        def linear_backward(dZ, cache):
            A_prev, W, b = cache
            m = A_prev.shape[1]
            dW = np.dot(A_prev.T, dZ) / m  # the course graders' square matrices hide this
            return np.dot(W.T, dZ), dW, np.sum(dZ, axis=1, keepdims=True) / m
    """)
    records = run([str(tmp_path)], ["deep"], functions={"linear_backward"})
    classes = {r["diagnosis"] for r in records if r["status"] in ("fail", "error")}
    assert {"crash.exception", "shape.transposed"} <= classes


def _pytest(*args, cwd):
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--pyargs",
                           "nnconf.conformance.checks", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_pytest_plugin_runs_a_target_and_puts_figures_into_junitxml(tmp_path):
    import xml.etree.ElementTree as ET

    bug = os.path.join(ROOT, "conformance", "catalog", "bugs", "init_xavier_b_rank1.py")
    xml_path = tmp_path / "out.xml"
    result = _pytest("-k", "init", "--nnconf-impl", f"init={bug}", f"--junitxml={xml_path}", "-o", "junit_family=xunit1",
                     cwd=tmp_path)
    assert result.returncode == 1, result.stdout[-2000:]
    cases = {(c.get("classname"), c.get("name")): c for c in ET.parse(xml_path).getroot().iter("testcase")}
    xavier = cases[("nnconf.init", "initialize_xavier")]
    failure = xavier.find("failure")
    assert failure is not None and "shape.rank1" in failure.get("message", "") + (failure.text or "")
    assert "what to change" in failure.text and "the whole repro:" in failure.text
    properties = {p.get("name"): p.get("value") for p in xavier.iter("property")}
    assert any("shape.rank1" in v for v in properties.values())
    he = cases[("nnconf.init", "initialize_he")]
    assert he.find("failure") is None and any(v.startswith("pass") for v in (p.get("value") for p in he.iter("property")))


def test_pytest_plugin_fits_other_projects(tmp_path):
    """Beside a conftest.py with its own --impl; under the default xunit2 with no warning; a bad
    target is one usage error."""
    import xml.etree.ElementTree as ET

    write(tmp_path, "conftest.py", "def pytest_addoption(parser):\n    parser.addoption('--impl', default='mine')\n")
    xml_path = tmp_path / "out.xml"
    result = _pytest("-k", "init", "--impl", "x", f"--junitxml={xml_path}", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "PytestWarning" not in result.stdout + result.stderr and "warning" not in result.stdout.lower()
    classes = {c.get("classname") for c in ET.parse(xml_path).getroot().iter("testcase")}
    assert "nnconf.init" in classes and all(c in {f"nnconf.{s}" for s in loader.SUITES} for c in classes)
    bad = _pytest("--nnconf-impl", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert bad.returncode == 4 and "nowhere" in bad.stderr and len(bad.stderr.strip().splitlines()) <= 2, bad.stderr


def test_pytest_plugin_under_xdist_keeps_a_suite_in_one_process_with_the_same_results(tmp_path):
    """Under ``-n 2`` each suite's checks run in one xdist process (its worker starts once), the
    outcomes are those of one process, and nnconf's modules are not assertion-rewritten there."""
    import re

    one = _pytest("-vv", "-k", "init or xor", cwd=tmp_path)  # -vv: one level above the -q of _pytest
    two = _pytest("-vv", "-n", "2", "-k", "init or xor", cwd=tmp_path)
    assert one.returncode == two.returncode == 0, two.stdout[-3000:] + two.stderr[-2000:]
    outcomes = lambda out: sorted(re.findall(r"test_conforms\[(\S+)\] (PASSED|FAILED|SKIPPED)", out)  # noqa: E731
                                  + [(n, o) for o, n in re.findall(r"(PASSED|FAILED|SKIPPED) \S*test_conforms\[(\S+)\]", out)])
    assert outcomes(one.stdout) == outcomes(two.stdout) and len(outcomes(one.stdout)) >= 10
    processes = {}
    for process, suite in re.findall(r"\[(gw\d+)\].*?test_conforms\[(\w+)\.", two.stdout):
        processes.setdefault(suite, set()).add(process)
    assert {"init", "xor"} <= set(processes) and all(len(p) == 1 for p in processes.values()), processes
    probe = tmp_path / "test_probe.py"
    probe.write_text("def test_not_rewritten(pytestconfig):\n"
                     "    import nnconf.conformance.run.engine\n"
                     "    assert 'nnconf' not in pytestconfig.pluginmanager.rewrite_hook._must_rewrite\n")
    rewritten = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(probe)], cwd=tmp_path,
                               capture_output=True, text=True, timeout=300)
    assert rewritten.returncode == 0, rewritten.stdout[-2000:]


def test_under_many_xdist_processes_the_largest_suites_are_shared_in_runs_of_functions():
    from collections import Counter

    from nnconf.conformance.doors.pytest_plugin import check_unit, functions

    checks = functions()
    for processes in (1, 2):  # a unit per suite: each suite's worker starts once
        assert {check_unit(s, f, processes) for s, f in checks} == {f"nnconf:{s}" for s, _ in checks}
    for processes in (4, 8, 16):
        units = Counter(check_unit(s, f, processes) for s, f in checks)
        assert len(units) >= min(2 * processes, len(checks)) // 2 and max(units.values()) <= -(-len(checks) // (2 * processes))
        for s, f in checks:  # a unit holds one suite's consecutive functions
            assert check_unit(s, f, processes).startswith(f"nnconf:{s}")


def test_parallel_jobs_give_the_same_records_in_the_same_order():
    target = loader.parse_target(["nnconf.impl"])
    strip = lambda doc: [{k: v for k, v in r.items() if k != "duration_s"} for r in doc["records"]]  # noqa: E731
    one = engine.run(target, ["init", "xor"], training=True, jobs=1)
    two = engine.run(target, ["init", "xor"], training=True, jobs=2)
    assert strip(one) == strip(two) and one["records"]
    assert [c["system"] for c in one["curves"]] == [c["system"] for c in two["curves"]] == ["xor"]


def test_a_failure_that_follows_from_a_callee_names_it(tmp_path):
    import shutil

    folder = tmp_path / "course"
    shutil.copytree(os.path.join(ROOT, "tests", "targets", "course_style"), folder)
    with open(folder / "deep.py", "a") as handle:  # every later call in the module uses this one
        handle.write("\n\ndef linear_backward(dZ, cache):\n"
                     "    A_prev, W, b = cache\n"
                     "    m = A_prev.shape[1]\n"
                     "    return W.T @ dZ, dZ @ A_prev.T / m, np.sum(dZ, axis=1) / m\n")
    records = run([str(folder)], ["deep"], functions={"linear_backward", "L_model_backward"})
    failing = {r["function"]: r for r in records if r["status"] in ("fail", "error")}
    assert "likely_cause" not in failing["linear_backward"]
    assert failing["L_model_backward"]["likely_cause"] == ["linear_backward"]
    assert "fix that first" in failing["L_model_backward"]["message"]


def test_a_check_leaves_nothing_in_the_users_folders(tmp_path):
    code = tmp_path / "code"
    code.mkdir()
    write(code, "deep.py", "from nnconf.impl.deep import *\n")
    write(code, "helpers.py", "import numpy as np\nSCALE = 0.01\n")
    before = sorted(p.name for p in code.rglob("*"))
    result = cli("check", str(code), "--quiet", "--suite", "deep", "--no-training", cwd=code)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in code.rglob("*")) == before  # no .hypothesis/, no __pycache__/


def test_the_levels_document_is_generated_from_the_code():
    from nnconf.conformance.judging import severity

    with open(os.path.join(ROOT, "docs", "findings.md")) as handle:
        assert handle.read() == severity.markdown(), "docs/findings.md is stale: python -m nnconf.conformance.judging.severity > docs/findings.md"


def test_the_index_of_functions_is_the_contracts():
    from nnconf.conformance.suites import FUNCTIONS, contracts

    assert list(FUNCTIONS) == list(loader.SUITES)
    for suite, names in FUNCTIONS.items():
        assert names == tuple(dict.fromkeys(c.name for c in contracts(suite))), suite


def test_outputs_are_checked_and_made_before_the_run(tmp_path):
    import time

    started = time.perf_counter()
    blocked = tmp_path / "a file"
    blocked.write_text("")
    refused = cli("check", "nnconf.impl", "--json", str(blocked / "records.json"))
    assert refused.returncode == 2 and "cannot be made" in refused.stderr
    assert time.perf_counter() - started < 30 and "checking" not in refused.stdout  # before any check
    made = cli("check", "nnconf.impl", "--function", "initialize_he", "--json", str(tmp_path / "new" / "r.json"),
               "--report", str(tmp_path / "new" / "report"), "--quiet")
    assert made.returncode == 0, made.stderr
    assert json.loads((tmp_path / "new" / "r.json").read_text())
    assert (tmp_path / "new" / "report" / "report.html").is_file()


def test_version_and_help_say_what_they_should():
    from nnconf import __version__

    assert cli("--version").stdout.strip() == f"nnconf {__version__}"
    text = cli("check", "--help").stdout
    for word in ("exit codes", "profiles", "--strict", "--require", "--function", "docs/api.md"):
        assert word in text
    assert "SPEC" not in text and "../shared" not in text


def test_the_api_document_is_generated_from_the_contracts():
    from nnconf.conformance.doors import api

    with open(os.path.join(ROOT, "docs", "api.md")) as handle:
        text = handle.read()
    assert text == api.markdown(), "docs/api.md is stale: python -m nnconf.conformance.doors.api > docs/api.md"
    assert "linear_backward(dZ=(3, 4), cache=((2, 4), (3, 2), (3, 1))) -> (dA_prev (2, 4), dW (3, 2), db (3, 1))" in text
    assert "SPEC" not in text and "../shared" not in text


def test_a_file_that_cannot_be_read_is_named_not_silently_dropped(tmp_path):
    write(tmp_path, "init.py", "from nnconf.impl.init import *\n")
    write(tmp_path, "broken.ipynb", '{"cells": [')
    result = cli("check", str(tmp_path), "--suite", "init", "--no-training")
    assert result.returncode == 0, result.stderr
    assert re.search(r"not checked\s+\S*broken\.ipynb: .*cannot be read as a Jupyter notebook", result.stdout)


def test_a_misspelt_function_is_not_implemented_with_a_hint(tmp_path):
    write(tmp_path, "layers.py", "from nnconf.impl.layers import *\ncros_entropy_error = cross_entropy_error\n"
                                 "del cross_entropy_error\n")
    records = run([str(tmp_path)], ["layers"], functions={"cross_entropy_error"})
    assert [(r["status"], r["diagnosis"]) for r in records] == [("skip", "api.missing")]
    assert "`cros_entropy_error` is defined: a misspelling?" in records[0]["message"]


def test_the_book_texts_one_hot_softmax_with_loss_is_a_warning(tmp_path):
    write(tmp_path, "layers.py", """
        from nnconf.impl.layers import *


        class SoftmaxWithLoss:  # as the book's chapter 5 prints it: one-hot targets only
            def forward(self, x, t):
                self.t = t
                self.y = softmax(x)
                self.loss = cross_entropy_error(self.y, self.t)
                return self.loss

            def backward(self, dout=1):
                batch_size = self.t.shape[0]
                return dout * (self.y - self.t) / batch_size
    """)
    records = run([str(tmp_path)], ["layers"], functions={"SoftmaxWithLoss.backward"})
    bad = [r for r in records if r["status"] != "pass"]
    assert bad and all(r["status"] == "warn" and r["rule"] == "one-hot targets only" and r["case"] == "labels" for r in bad)
