"""Contracts of the ``shallow`` suite (document 001; F15, F16, F26): tanh hidden, sigmoid out.

X (n_x, m), Y (1, m), W1 (n_h, n_x), b1 (n_h, 1), W2 (1, n_h), b2 (1, 1); n_x, n_h, m distinct.
"""


import numpy as np

from nnconf.conformance.box.probes.training import NN_MODEL_EXTRAS
from nnconf.conformance.suites._cases import (
    case_rng,
    course_version,
    global_draw,
    initialization,
    initializer_conventions,
    labels,
    normal,
    older_convention,
    probabilities_and_labels,
    run_from_own_start,
)
from nnconf.conformance.suites.contract import Case, FunctionContract, Q, call_target
from nnconf.conformance.suites.lazy import lazy
from nnconf.conformance.suites.strategies import distinct_dims

ref = lazy("nnconf.reference.shallow")
ref_training = lazy("nnconf.reference.training")

SUITE = "shallow"
KEYS = ("W1", "b1", "W2", "b2")


def _dims():
    return distinct_dims(count=3)


def _data(example, label):
    n_x, n_h, m = example
    m = 1 if label == "m=1" else m
    rng = case_rng(SUITE, example, label)
    X = normal(rng, (n_x, m))
    Y = labels(rng, (1, m))
    params = {
        "W1": normal(rng, (n_h, n_x), scale=0.8), "b1": normal(rng, (n_h, 1), scale=0.2),
        "W2": normal(rng, (1, n_h), scale=0.8), "b2": normal(rng, (1, 1), scale=0.2),
    }
    return X, Y, params, m


def _layer_sizes_case(example, label):
    X, Y, _, m = _data(example, label)
    return Case(label, (X, Y), m=m, arg_names=("X", "Y"))


layer_sizes = FunctionContract(
    SUITE, "layer_sizes", examples=_dims, build=_layer_sizes_case, pattern=("n_x", "n_h", "n_y"),
    expect=lambda c: {"n_x": Q(c.args[0].shape[0], exact=True), "n_h": Q(4, exact=True), "n_y": Q(c.args[1].shape[0], exact=True)},
)


def _initialize_case(example, label):
    n_x, n_h, _ = example
    return Case(label, (n_x, n_h, 1), arg_names=("n_x", "n_h", "n_y"))


def _initialize_quantities(params):
    return {k: Q(v, exact=k.startswith("b")) for k, v in params.items()}


def _initialize_expect(case):
    return _initialize_quantities(initialization(list(case.args), lambda fan_in: 0.01, global_draw(case.seed)))


initialize_parameters = FunctionContract(
    SUITE, "initialize_parameters", examples=_dims, build=_initialize_case,
    pattern={k: k for k in KEYS}, expect=_initialize_expect,
    conventions=lambda case: initializer_conventions(
        case, {"randn * 0.01": lambda fan_in: 0.01}, _initialize_quantities),
)


def _forward_case(example, label):
    X, Y, params, m = _data(example, label)
    return Case(label, (X, params), m=m, arg_names=("X", "parameters"))


def _forward_expect(case):
    A2, cache = ref.forward_propagation(*case.args)
    return {"A2": Q(A2), **{f'cache["{k}"]': Q(v) for k, v in cache.items()}}


forward_propagation = FunctionContract(
    SUITE, "forward_propagation", examples=_dims, build=_forward_case, labels=("random", "m=1"),
    pattern=("A2", {k: f'cache["{k}"]' for k in ("Z1", "A1", "Z2", "A2")}), expect=_forward_expect,
)


def _cost_case(example, label):
    A, Y, m = probabilities_and_labels(SUITE, example[-1], example, label)
    case = Case(label, (A, Y), m=m, arg_names=('A2', 'Y'))
    case.parameters = _data(example, label)[2]  # a network whose output has A2's shape (1, m): W2 is (1, n_h)
    return case


def _run_cost(worker, case):
    """compute_cost(A2, Y) as the API and the 2021+ graders call it; one that takes a third argument
    is called compute_cost(A2, Y, parameters) with real parameters (the 2017-2020 template reads
    parameters["W1"] and ["W2"]): accepted as that course's convention, except in a 2021+ notebook."""
    outcome = call_target(worker, SUITE, "compute_cost", case.args, {}, True)
    if outcome.ok or outcome.kind != "api.signature":
        return outcome
    accepted = older_convention(worker, "compute_cost with parameters")
    if accepted is None:
        evidence = course_version(worker)[1]
        outcome.error = (f"{outcome.error}. compute_cost(A2, Y, parameters) is the signature of the 2017-2020 course, "
                         f"but this is a 2021+ notebook{f' ({evidence})' if evidence else ''}, whose graders and "
                         "later cells call compute_cost(A2, Y)")
        return outcome
    older = call_target(worker, SUITE, "compute_cost", (*case.args, case.parameters), {}, True)
    if older.ok:
        older.value["convention"] = accepted
    return older if older.ok or older.kind != "api.signature" else outcome


compute_cost = FunctionContract(
    SUITE, "compute_cost", examples=_dims, build=_cost_case, labels=("random", "m=1", "saturated"),
    saturated=True, pattern="cost", expect=lambda c: {"cost": Q(ref.compute_cost(*c.args[:2]), cost=True)},
    run=_run_cost,
)


def _backward_case(example, label):
    X, Y, params, m = _data(example, label)
    _, cache = ref.forward_propagation(X, params)
    case = Case(label, (params, cache, X, Y), m=m, arg_names=("parameters", "cache", "X", "Y"))
    case.alternatives = _hidden_alternatives(params, cache, X, Y)
    if label == "random":
        case.network = ("shallow", (X, Y), params)
    return case


def _hidden_alternatives(params, cache, X, Y):
    """Hypotheses for the diagnosis: F16 with another hidden derivative (never a reference)."""
    m = X.shape[1]
    A1, Z1 = cache["A1"], cache["Z1"]
    dZ2 = cache["A2"] - Y
    found = {}
    for words, derivative in (
        ("A1 (1 - A1) (the sigmoid derivative) in dZ1 instead of 1 - A1^2", A1 * (1 - A1)),
        ("1 - Z1^2 in dZ1 (the tanh derivative written with Z1 instead of A1)", 1 - Z1**2),
    ):
        dZ1 = params["W2"].T @ dZ2 * derivative
        for key, value in (("dW1", dZ1 @ X.T / m), ("db1", dZ1.sum(axis=1, keepdims=True) / m)):
            found.setdefault(key, {})[words] = value
    return found


def _backward_expect(case):
    params, _, X, Y = case.args
    grads = ref.backward_propagation(params, X, Y)
    return {k: Q(v, stage="layer", layer=int(k[-1])) for k, v in grads.items()}


backward_propagation = FunctionContract(
    SUITE, "backward_propagation", examples=_dims, build=_backward_case, labels=("random", "m=1"),
    pattern={f"d{k}": f"d{k}" for k in KEYS}, expect=_backward_expect,
)


def _update_case(example, label):
    _, _, params, m = _data(example, label)
    rng = case_rng(SUITE, "grads", example)
    grads = {f"d{k}": normal(rng, v.shape) for k, v in params.items()}
    return Case(label, (params, grads, 0.5), m=m, arg_names=("parameters", "grads", "learning_rate"),
                baseline=dict(params))


update_parameters = FunctionContract(
    SUITE, "update_parameters", examples=_dims, build=_update_case, allow_mutation=("parameters",),
    pattern={k: k for k in KEYS},
    expect=lambda c: {k: Q(v) for k, v in ref.update_parameters(*c.args).items()},
)


def _nn_model_case(example, label):
    """As the graders call it: nn_model(X, Y, n_h, num_iterations=..., print_cost=False)."""
    X, Y, _, m = _data(example, label)
    iterations = 0 if label == "0 iterations" else 50
    return Case(label, (X, Y, example[1]), {"num_iterations": iterations, "print_cost": False}, m=m,
                arg_names=("X", "Y", "n_h", "num_iterations", "print_cost"))


def _document_start(case):
    """Document 001: np.random.seed(3), then initialize_parameters (randn * 0.01)."""
    X, _, n_h = case.args
    return initialization([X.shape[0], n_h, 1], lambda fan_in: 0.01, global_draw(3))


def _nn_model_expect(case):
    X, Y, _ = case.args
    trained = ref_training.train_shallow(case.start or _document_start(case), X, Y, NN_MODEL_EXTRAS["learning_rate"],
                                         case.kwargs["num_iterations"])
    return {k: Q(v) for k, v in trained.params.items()}


nn_model = FunctionContract(
    SUITE, "nn_model", examples=_dims, build=_nn_model_case, pattern={k: k for k in KEYS}, labels=("random", "0 iterations"),
    expect=_nn_model_expect, timeout=30.0,
    run=run_from_own_start(SUITE, "nn_model", "num_iterations", _document_start, seed=3, returns_tuple=False,
                           extras=NN_MODEL_EXTRAS),
)


def _predict_case(example, label):
    X, _, params, m = _data(example, label)
    if label == "p=0.5":  # A2 = sigmoid(0) = 0.5 exactly: the course predicts 1 only above 0.5
        params = {**params, "W2": np.zeros_like(params["W2"]), "b2": np.zeros_like(params["b2"])}
    return Case(label, (params, X), m=m, arg_names=("parameters", "X"))


predict = FunctionContract(
    SUITE, "predict", examples=_dims, build=_predict_case, labels=("random", "m=1", "p=0.5"), pattern="predictions",
    expect=lambda c: {"predictions": Q(ref.predict(*c.args), exact=True)},
)

update_parameters.documented_defaults = {2: ("learning_rate", 1.2)}
nn_model.documented_defaults = {3: ("num_iterations", 10000), 4: ("print_cost", False)}
# The 2021+ graders call update_parameters(parameters, grads) and one of them nn_model(X, Y, n_h,
# print_cost=False): they rely on those defaults (another value fails); print_cost they pass.
nn_model.passed_by_graders = ("print_cost",)

CONTRACTS = [
    layer_sizes,
    initialize_parameters,
    forward_propagation,
    compute_cost,
    backward_propagation,
    update_parameters,
    nn_model,
    predict,
]
