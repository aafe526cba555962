"""A crash in a callee never hides the caller's own bug: the caller is judged once more with working
stand-ins for its failing callees (conformance/suites/standins.py).

The stand-ins themselves are checked by the harness, against autograd, like any learner's code.
"""

import os

import pytest

from nnconf.conformance.suites.standins import STANDINS
from test_fair_judgement import check, describe

COURSE = os.path.join(os.path.dirname(__file__), "targets", "course_style")


@pytest.mark.parametrize("suite", sorted(STANDINS))
def test_every_standin_passes_the_harness_checks(tmp_path, suite):
    path = tmp_path / f"{suite}.py"
    path.write_text("import numpy as np\n\n" + "\n".join(STANDINS[suite].values()))
    functions = [a for name in STANDINS[suite] for a in ("--function", name)]
    run = check(str(path), "--suite", suite, "--no-training", *functions)  # the file name tells the suite
    assert run.code == 0, describe(run.records)
    for name in STANDINS[suite]:
        assert run.status(name, "pass", suite), f"{suite}.{name} was not checked:\n{describe(run.records)}"


def _course(tmp_path, *edits):
    folder = tmp_path / "t"
    folder.mkdir()
    with open(os.path.join(COURSE, "deep.py")) as handle:
        code = handle.read()
    for old, new in edits:
        assert old in code, old
        code = code.replace(old, new)
    (folder / "deep.py").write_text(code)
    (folder / "init.py").write_text(open(os.path.join(COURSE, "init.py")).read())
    return str(folder / "deep.py")


CRASHING_LINEAR_BACKWARD = ("    dA_prev = np.dot(W.T, dZ)\n", "    dA_prev = np.dot(W.T, dZ)\n    assert isinstance(db, float)\n")
SIGMOID_IN_HIDDEN_LAYERS = ('current_cache, "relu")', 'current_cache, "sigmoid")')


def test_a_callers_own_bug_behind_a_crashing_callee_is_found(tmp_path):
    target = _course(tmp_path, CRASHING_LINEAR_BACKWARD, SIGMOID_IN_HIDDEN_LAYERS)
    run = check(target, "--suite", "deep", "--no-training", "--function", "linear_backward",
                "--function", "linear_activation_backward", "--function", "L_model_backward")
    assert run.code == 1
    own = [r for r in run.bad("L_model_backward") if "linear_backward" in r.get("isolated", ())]
    assert own and all("`linear_backward` in place of yours" in r["message"] for r in own), describe(run.records)
    assert {r["diagnosis"] for r in own if r["stage"] == "layer"} == {"value.activation_derivative"}
    assert not any(r.get("likely_cause") for r in own)
    roots = run.out[run.out.index("wrong on their own"):]
    assert "FAIL deep.linear_backward" in roots and "FAIL deep.L_model_backward" in roots, run.out


def test_a_caller_that_only_follows_its_callee_is_confirmed_and_not_a_root(tmp_path):
    target = _course(tmp_path, CRASHING_LINEAR_BACKWARD)
    run = check(target, "--suite", "deep", "--no-training", "--function", "linear_backward",
                "--function", "linear_activation_backward", "--function", "L_model_backward")
    assert run.code == 1
    for caller in ("linear_activation_backward", "L_model_backward"):
        assert not [r for r in run.bad(caller) if r.get("isolated")], describe(run.bad(caller))
        confirmed = [r for r in run.status(caller, "pass") if r["check"] == f"isolated:{caller}"]
        assert confirmed and "`linear_backward` in place of yours: its failures follow from" in confirmed[0]["message"]
    roots = run.out[run.out.index("wrong on their own"):]
    assert "1 function(s) wrong on their own" in run.out and "FAIL deep.L_model_backward" not in roots, run.out
