"""Each stage of a check alone (conformance/run/stages.py): a call's data in, observations out.

No worker and no reference: a stand-in ``check`` collects what a stage observes, and the expected
quantities are given as they would come from the reference.
"""

import numpy as np
import pytest

from nnconf.conformance.box.protocol import Outcome
from nnconf.conformance.judging.records import STAGES
from nnconf.conformance.run import stages
from nnconf.conformance.run.engine import ContractRun
from nnconf.conformance.suites.contract import MISSING, Case, Q


class Contract:
    suite, name = "deep", "linear_backward"
    saturated = True
    allow_mutation = ()
    has_conventions = False
    optional_kwargs = ()
    documented_defaults = {}

    def __init__(self, expected=None, pattern=("dA_prev", "dW", "db")):
        self._expected, self._pattern = expected or {}, pattern

    def expect(self, case):
        return self._expected

    def pattern(self, case):
        return self._pattern


class Worker:
    def __init__(self, answers=()):
        self.broken, self.answers, self.calls = set(), list(answers), []

    def call(self, probe, *args, **kwargs):
        self.calls.append(probe.__name__)
        return self.answers.pop(0)


class Check:
    """What a stage may use of the run of one contract."""

    def __init__(self, contract=None, worker=None, skip_is_plausible=True):
        self.contract, self.worker = contract or Contract(), worker or Worker()
        self.observations, self.notes, self.conventions, self.reached = {}, [], {}, set()
        self.alias, self.stop, self.require, self.seed = None, False, False, 0
        self.profile = {"directions": 1}
        self.skip_is_plausible = skip_is_plausible

        class Memo:
            def get(self, key, compute):
                return compute()

        self.memo = Memo()

    def observe(self, stage, quantity, obs):
        self.observations.setdefault((stage, quantity), []).append(obs)

    def plausible_skip(self, outcome):
        return self.skip_is_plausible

    def seen(self, stage, quantity=None):
        return [(o.status, o.diagnosis) for o in self.observations.get((stage, quantity), [])]


def case(label="random", m=4, **more):
    return Case(label, (), m=m, **more)


def call_of(expected, actual, **more):
    return stages.Call(case(**more.pop("case", {})), Outcome(True), more.pop("data", {}), expected=expected,
                       actual=actual, **more)


RNG = np.random.default_rng(0)
DW = RNG.normal(size=(3, 5))
DB = RNG.normal(size=(3, 1))


def test_the_stages_run_in_the_documented_order():
    names = [s.__name__ for s in stages.CASE_STAGES]
    assert names == ["smoke", "numpy_untouched", "structure", "present", "types", "shapes", "values", "saturation",
                     "determinism", "inputs_unchanged", "finite_differences", "directions"]
    assert [s.__name__ for s in stages.CONTRACT_STAGES] == ["defaults"]


def test_smoke_stops_a_call_that_raised_and_names_the_crash():
    check = Check()
    outcome = Outcome(False, error_type="ZeroDivisionError", error="division by zero")
    assert stages.smoke(check, stages.Call(case(), outcome)) is stages.STOP
    assert check.seen("smoke") == [("error", "crash.exception")]
    assert "linear_backward" in check.worker.broken


def test_smoke_skips_for_a_missing_callee_only_where_the_files_agree():
    outcome = Outcome(False, error_type="MissingName", error="`relu` is not implemented", missing="relu")
    plausible, forged = Check(), Check(skip_is_plausible=False)
    stages.smoke(plausible, stages.Call(case(), outcome))
    stages.smoke(forged, stages.Call(case(), outcome))
    assert plausible.seen("smoke") == [("skip", None)]
    assert forged.seen("api") == [("error", "api.missing")]  # the target's own crash, as the harness reads it
    strict = Check()
    strict.require = True
    stages.smoke(strict, stages.Call(case(), outcome))
    assert strict.seen("smoke") == [("fail", None)]


def test_smoke_names_a_misaligned_product_in_the_function_itself():
    check = Check()
    outcome = Outcome(False, error_type="ValueError", raised_in="linear_backward",
                      error="shapes (3,4) and (5,4) not aligned: 4 (dim 1) != 5 (dim 0)")
    stages.smoke(check, stages.Call(case(), outcome))
    assert check.seen("shape", "product") == [("fail", "shape.transposed")]


def test_numpy_untouched_fails_a_call_that_replaced_numpy():
    check = Check()
    stages.numpy_untouched(check, stages.Call(case(), Outcome(True, patched=["exp"])))
    assert check.seen("side_effect", "numpy") == [("fail", "side_effect.mutates_input")]


def test_structure_stops_a_result_of_another_shape():
    check = Check(Contract({"dW": Q(DW)}))
    call = stages.Call(case(), Outcome(True), {"result": (DW, DB)})  # a 2-tuple where 3 are expected
    assert stages.structure(check, call) is stages.STOP
    assert check.seen("shape") == [("fail", "shape.other")]
    good = stages.Call(case(), Outcome(True), {"result": (DW, DW, DB), "second": (DW, DW, DB)})
    assert stages.structure(check, good) is None
    assert set(good.actual) == {"dA_prev", "dW", "db"} and good.second is not None


def test_present_settles_a_missing_key():
    check = Check()
    call = call_of({"dW": Q(DW), "db": Q(DB)}, {"dW": DW, "db": MISSING})
    stages.present(check, call)
    assert check.seen("shape", "db") == [("fail", "shape.other")] and call.settled == {"db"}


@pytest.mark.parametrize("value, stage, expected", [
    (np.array([1.0, 2.0]), "type", ("fail", "type.not_scalar")),
    (0.5, "type", ("pass", None)),
])
def test_types_wants_a_scalar_cost(value, stage, expected):
    check = Check()
    call = call_of({"cost": Q(np.float64(0.5), cost=True)}, {"cost": value})
    stages.types(check, call)
    assert check.seen(stage, "cost")[0] == expected


def test_types_settles_complex_values_and_keeps_float32():
    check = Check()
    call = call_of({"dW": Q(DW), "db": Q(DB.astype(np.float32))},
                   {"dW": DW.astype(complex), "db": DB.astype(np.float64)}, case={"dtype": np.float32})
    stages.types(check, call)
    assert check.seen("type", "dW") == [("fail", "type.dtype")] and "dW" in call.settled
    assert check.seen("type", "db") == [("fail", "type.dtype")] and "db" not in call.settled


@pytest.mark.parametrize("actual, diagnosis", [
    (DB.ravel(), "shape.rank1"),
    (DW.T, "shape.transposed"),
])
def test_shapes_are_exact_and_diagnosed(actual, diagnosis):
    check = Check()
    name = "db" if actual.ndim == 1 else "dW"
    expected = DB if name == "db" else DW
    call = call_of({name: Q(expected)}, {name: actual})
    stages.shapes(check, call)
    assert check.seen("shape", name) == [("fail", diagnosis)] and call.settled == {name}


def test_values_against_the_reference_with_a_diagnosis():
    check = Check()
    call = call_of({"dW": Q(DW, stage="grad_autograd"), "db": Q(DB, stage="grad_autograd")},
                   {"dW": DW * 4, "db": DB.copy()}, case={"m": 4})
    stages.values(check, call)
    assert check.seen("grad_autograd", "dW") == [("fail", "value.scale_m")]
    assert check.seen("grad_autograd", "db") == [("pass", None)]
    assert check.observations[("grad_autograd", "dW")][0].reference == "autograd"


def test_the_later_stages_leave_a_settled_quantity_alone():
    check = Check()
    call = call_of({"dW": Q(DW)}, {"dW": DW * 2}, settled={"dW"})
    stages.values(check, call)
    assert check.observations == {}


def test_saturation_only_on_the_saturated_case():
    check = Check()
    expected = {"A": Q(np.ones((2, 2)))}
    stages.saturation(check, call_of(expected, {"A": np.full((2, 2), np.nan)}))
    assert check.observations == {}
    stages.saturation(check, call_of(expected, {"A": np.full((2, 2), np.nan)}, case={"label": "saturated"}))
    assert check.seen("saturation", "A") == [("fail", "value.nonfinite")]


def test_determinism_compares_the_repeat():
    check = Check()
    stages.determinism(check, call_of({"dW": Q(DW), "db": Q(DB)}, {"dW": DW, "db": DB},
                                      second={"dW": DW + 1, "db": DB}))
    assert check.seen("determinism", "dW") == [("fail", "value.stale_state")]
    assert check.seen("determinism", "db") == [("pass", None)]


def test_inputs_unchanged_names_each_written_argument():
    check = Check()
    stages.inputs_unchanged(check, call_of({}, {}, data={"mutated": ["dZ", "cache[0]"]}))
    assert check.seen("side_effect", "dZ") == [("fail", "side_effect.mutates_input")]
    assert check.seen("side_effect", "cache[0]") == [("fail", "side_effect.mutates_input")]
    clean = Check()
    stages.inputs_unchanged(clean, call_of({}, {}, data={"mutated": []}))
    assert clean.seen("side_effect") == [("pass", None)]


def test_finite_differences_skip_a_forward_that_failed_its_own_checks():
    from nnconf.conformance.suites.contract import FD, Named

    job = FD("linear_forward", (), ("W",), None, None, Named(("dW",)))
    broken = Check()
    broken.worker.broken.add("linear_forward")
    stages.finite_differences(broken, call_of({}, {"dW": DW}, case={"fd": [job]}))
    assert broken.seen("grad_fd") == [("skip", None)] and broken.worker.calls == []
    check = Check(worker=Worker([Outcome(True, [DW * 4])]))
    stages.finite_differences(check, call_of({}, {"dW": DW}, case={"fd": [job]}))
    assert check.seen("grad_fd", "dW") == [("fail", "value.scale_m")]


def test_directions_class_a_gradient_off_by_m():
    answer = [{"keys": ["W1"], "numeric": 0.25, "analytic": 1.0}]
    check = Check(worker=Worker([Outcome(True, answer)]))
    stages.directions(check, call_of({}, {}, case={"network": ("deep", None, None)}))
    assert check.seen("grad_fd", "dW1") == [("fail", "value.scale_m")]
    assert check.observations[("grad_fd", "dW1")][0].layer == 1


def test_every_stage_records_under_a_known_stage_name():
    """A new stage that records under a new name must add it to records.STAGES (ordering, words)."""
    check = Check(worker=Worker([Outcome(True, [DW])]))
    from nnconf.conformance.suites.contract import FD, Named

    job = FD("linear_forward", (), ("W",), None, None, Named(("dW",)))
    call = stages.Call(case(fd=[job]), Outcome(True, patched=["exp"]),
                       {"result": (DW, DW, DB), "second": (DW, DW, DB), "mutated": ["dZ"]})
    check.contract = Contract({"dA_prev": Q(DW), "dW": Q(DW, stage="grad_autograd"), "db": Q(DB)})
    for stage in stages.CASE_STAGES:
        if stage(check, call) is stages.STOP:
            break
    assert {s for s, _ in check.observations} <= set(STAGES)
    assert {"smoke", "shape", "value", "grad_autograd", "grad_fd", "side_effect", "determinism"} <= {
        s for s, _ in check.observations}


def test_the_contract_run_puts_each_case_through_the_stages(monkeypatch):
    """ContractRun.run_case is the list of stages, in order, until one stops the case."""
    seen = []
    monkeypatch.setattr(stages, "CASE_STAGES", (
        lambda check, call: seen.append("first"),
        lambda check, call: stages.STOP,
        lambda check, call: seen.append("never"),
    ))

    class Runs(Contract):
        def run(self, worker, case):
            return Outcome(True), {"result": None}

    run = ContractRun(Worker(), Runs(), "fast", 0, import_line=lambda name: "")
    run.run_case(case())
    assert seen == ["first"]
