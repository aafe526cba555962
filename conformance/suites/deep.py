"""Contracts of the ``deep`` suite (document 000; F14, F17-F19, F26).

Column-major: A_prev (n_prev, m), W (n, n_prev), b (n, 1), Z (n, m); caches as the course:
linear (A_prev, W, b), activation Z, layer (linear_cache, Z). Dimensions pairwise distinct.
"""

import numpy as np

from nnconf.conformance.box import probes
from nnconf.conformance.suites._cases import (
    case_rng,
    global_draw,
    initialization,
    initializer_conventions,
    labels,
    normal,
    older_convention,
    probabilities_and_labels,
    refusal,
    refused,
    run_from_own_start,
    saturated,
)
from nnconf.conformance.suites.contract import (
    FD,
    Case,
    FunctionContract,
    Named,
    Q,
    call_target,
)
from nnconf.conformance.suites.lazy import lazy
from nnconf.conformance.suites.strategies import distinct_dims, layer_dims
from nnconf.reference import conventions

st = lazy("hypothesis.strategies")
ref_act = lazy("nnconf.reference.activations")
ref = lazy("nnconf.reference.deep")
ref_training = lazy("nnconf.reference.training")

SUITE = "deep"
LAYER_LABELS = ("random", "m=1", "n=1", "float32")


def _dims():
    return distinct_dims(count=3)


def _network_dims():
    """(layer_dims, m) with m distinct from every layer size."""
    return st.tuples(layer_dims(min_layers=2, max_layers=4), st.integers(2, 9)).filter(lambda x: x[1] not in x[0])


def _layer(example, label, dtype=None):
    """A_prev, W, b of one layer (and the rng) for a case."""
    n_prev, n, m = example
    m = 1 if label == "m=1" else m
    n = 1 if label == "n=1" else n
    n = n_prev if label == "square" else n  # W square: a transposed dW keeps its shape
    dtype = dtype or (np.float32 if label == "float32" else np.float64)
    rng = case_rng(SUITE, example, label)
    A_prev = normal(rng, (n_prev, m), dtype)
    W = normal(rng, (n, n_prev), dtype, scale=0.7)
    b = normal(rng, (n, 1), dtype, scale=0.3)
    if label == "z=0":  # the real way a kink happens: an all-zero example with b = 0
        A_prev[:, : max(1, m // 2)] = 0
        b[:] = 0
    return A_prev, W, b, m, rng


def _parameters(dims, rng, scale=None):
    params = {}
    for l in range(1, len(dims)):
        s = scale if scale is not None else np.sqrt(2.0 / dims[l - 1])
        params[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) * s
        params[f"b{l}"] = rng.standard_normal((dims[l], 1)) * 0.1
    return params


def _network(example, label):
    dims, m = example
    m = 1 if label == "m=1" else m
    rng = case_rng(SUITE, "network", example, label)
    X = rng.standard_normal((dims[0], m))
    Y = labels(rng, (1, m))
    dims = list(dims[:-1]) + [1]
    return X, Y, _parameters(dims, rng), m


def _cache_pattern(prefix):
    return ((f"{prefix}[0][0]", f"{prefix}[0][1]", f"{prefix}[0][2]"), f"{prefix}[1]")


def _kink_masks(Z):
    """Which elements of dA_prev, dW, db a kink of Z (Z == 0) reaches."""
    kink = Z == 0
    rows = kink.any(axis=1, keepdims=True)
    return {"dZ": kink, "dW": np.broadcast_to(rows, (Z.shape[0], 1)), "db": rows}


# --- forward ------------------------------------------------------------------------------------


def _linear_forward_case(example, label):
    A, W, b, m, _ = _layer(example, label)
    return Case(label, (A, W, b), dtype=A.dtype, m=m, arg_names=("A", "W", "b"))


linear_forward = FunctionContract(
    SUITE, "linear_forward", examples=_dims, build=_linear_forward_case, labels=LAYER_LABELS,
    pattern=("Z", ("cache[0]", "cache[1]", "cache[2]")),
    expect=lambda c: {
        "Z": Q(ref.linear_forward(*c.args)),
        **{f"cache[{i}]": Q(c.args[i], exact=True) for i in range(3)},
    },
)


def _activation_case(example, label):
    A, W, b, m, rng = _layer(example, label)
    Z = (W.astype(np.float64) @ A + b).astype(A.dtype)
    if label == "saturated":
        Z = saturated(rng, Z.shape, Z.dtype)
    if label == "z=0":
        Z[:, 0] = 0
    return Case(label, (Z,), dtype=Z.dtype, m=m, arg_names=("Z",))


def _activation_contract(act):
    return FunctionContract(
        SUITE, act, examples=_dims, build=_activation_case, pattern=("A", "cache"),
        labels=("random", "z=0", "saturated", "float32"), saturated=True,
        expect=lambda c: {"A": Q(ref.activation_forward(act, c.args[0])), "cache": Q(c.args[0], exact=True)},
    )


def _linear_activation_forward_case(act):
    def build(example, label):
        A, W, b, m, _ = _layer(example, label)
        return Case(f"{label}, {act}", (A, W, b, act), dtype=A.dtype, m=m, arg_names=("A_prev", "W", "b", "activation"))
    return build


def _linear_activation_forward_expect(case):
    A_prev, W, b, act = case.args
    A, ((a, w, bb), Z) = ref.linear_activation_forward(A_prev, W, b, act)
    return {
        "A": Q(A),
        "cache[0][0]": Q(A_prev, exact=True), "cache[0][1]": Q(W, exact=True), "cache[0][2]": Q(b, exact=True),
        "cache[1]": Q(Z),
    }


def _linear_activation_forward(act):
    return FunctionContract(
        SUITE, "linear_activation_forward", examples=_dims, build=_linear_activation_forward_case(act),
        labels=("random", "m=1", "z=0", "float32"), pattern=("A", _cache_pattern("cache")),
        expect=_linear_activation_forward_expect,
    )


def _network_case(example, label):
    X, Y, params, m = _network(example, label)
    return Case(label, (X, params), m=m, arg_names=("X", "parameters"))


def _L_model_forward_pattern(case):
    L = len(case.args[1]) // 2
    return ("AL", tuple(_cache_pattern(f"caches[{l}]") for l in range(L)))


def _L_model_forward_expect(case):
    X, params = case.args
    AL, caches = ref.L_model_forward(X, params)
    expected = {"AL": Q(AL)}
    for l, ((A_prev, W, b), Z) in enumerate(caches):
        expected[f"caches[{l}][0][0]"] = Q(A_prev)
        expected[f"caches[{l}][0][1]"] = Q(W, exact=True)
        expected[f"caches[{l}][0][2]"] = Q(b, exact=True)
        expected[f"caches[{l}][1]"] = Q(Z)
    return expected


L_model_forward = FunctionContract(
    SUITE, "L_model_forward", examples=_network_dims, build=_network_case, labels=("random", "m=1"),
    pattern=_L_model_forward_pattern, expect=_L_model_forward_expect,
)


def _cost_case(example, label):
    A, Y, m = probabilities_and_labels(SUITE, example[-1], example, label)
    return Case(label, (A, Y), m=m, arg_names=('AL', 'Y'))


compute_cost = FunctionContract(
    SUITE, "compute_cost", examples=_dims, build=_cost_case, labels=("random", "m=1", "saturated"),
    saturated=True, pattern="cost", expect=lambda c: {"cost": Q(ref.compute_cost(*c.args), cost=True)},
)


# --- backward -----------------------------------------------------------------------------------


def _linear_backward_case(example, label):
    A, W, b, m, rng = _layer(example, label)
    dZ = normal(rng, (W.shape[0], A.shape[1]), A.dtype)
    case = Case(label, (dZ, (A, W, b)), dtype=A.dtype, m=m, arg_names=("dZ", "cache"))
    if label != "float32":
        case.fd = [FD("linear_forward", (A, W, b), (0, 1, 2), dZ, 0, _course_linear)]
    return case


def _course_linear(grads):
    dA_prev, dW, db = conventions.course_linear_grads(*grads, m=grads[0].shape[1])
    return {"dA_prev": dA_prev, "dW": dW, "db": db}


def _linear_grads_expect(dA_prev, dW, db):
    return {name: Q(v, stage="grad_autograd") for name, v in zip(("dA_prev", "dW", "db"), (dA_prev, dW, db))}


linear_backward = FunctionContract(
    SUITE, "linear_backward", examples=_dims, build=_linear_backward_case, labels=LAYER_LABELS + ("square",),
    pattern=("dA_prev", "dW", "db"),
    expect=lambda c: _linear_grads_expect(*ref.linear_backward(c.args[0], *c.args[1])),
)


def _activation_backward_case(act):
    def build(example, label):
        base = _activation_case(example, label)
        Z = base.args[0]
        rng = case_rng(SUITE, "dA", example, label)
        dA = normal(rng, Z.shape, Z.dtype)
        case = Case(label, (dA, Z), dtype=Z.dtype, m=base.m, arg_names=("dA", "cache"))
        case.kinks = {"dZ": Z == 0} if act == "relu" else {}
        a = ref_act.forward(act, Z)
        case.alternatives = {"dZ": {
            f"dA * {other}'(Z) (the derivative of {other})": dA * ref_act.derivative(other, Z)
            for other in ("sigmoid", "relu", "tanh") if other != act
        } | {
            f"dA * {act}'(A) (the derivative taken at A instead of Z)": dA * ref_act.derivative(act, a),
            "dA * Z (1 - Z) (s(1-s) written with the cache Z in place of A)": dA * Z * (1 - Z),
            "dA * A (the activation itself in place of its derivative)": dA * a,
        }}
        if label == "random":
            case.fd = [FD(act, (Z,), (0,), dA, 0, Named(("dZ",)))]
        return case
    return build


def _activation_backward(act):
    return FunctionContract(
        SUITE, f"{act}_backward", examples=_dims, build=_activation_backward_case(act),
        labels=("random", "z=0", "saturated", "float32"), saturated=True, pattern="dZ",
        expect=lambda c: {"dZ": Q(ref.activation_backward(act, *c.args), stage="grad_autograd")},
    )


def _linear_activation_backward_case(act):
    def build(example, label):
        A, W, b, m, rng = _layer(example, label)
        Z = (W @ A + b).astype(A.dtype)
        dA = normal(rng, Z.shape, A.dtype)
        case = Case(f"{label}, {act}", (dA, ((A, W, b), Z), act), dtype=A.dtype, m=m,
                    arg_names=("dA", "cache", "activation"))
        if act == "relu" and label == "z=0":
            masks = _kink_masks(Z)
            case.kinks = {"dW": masks["dW"], "db": masks["db"]}
        case.alternatives = _derivative_alternatives(act, dA, (A, W, b), Z)
        if label == "random":
            case.fd = [FD("linear_activation_forward", (A, W, b, act), (0, 1, 2), dA, 0, _course_linear)]
        return case
    return build


def _derivative_alternatives(act, dA, linear_cache, Z):
    """Hypotheses for the diagnosis: the course's formulas with another derivative (or g'(A))."""
    A_prev, W, _ = linear_cache
    m = A_prev.shape[1]
    candidates = {f"{other}'(Z) (the derivative of {other})": ref_act.derivative(other, Z)
                  for other in ("sigmoid", "relu", "tanh") if other != act}
    candidates[f"{act}'(A) (the derivative taken at A instead of Z)"] = ref_act.derivative(act, ref_act.forward(act, Z))
    found = {}
    for words, derivative in candidates.items():
        dZ = dA * derivative
        for key, value in (("dA_prev", W.T @ dZ), ("dW", dZ @ A_prev.T / m), ("db", dZ.sum(axis=1, keepdims=True) / m)):
            found.setdefault(key, {})[f"dZ = dA * {words}"] = value
    return found


def _linear_activation_backward(act):
    return FunctionContract(
        SUITE, "linear_activation_backward", examples=_dims, build=_linear_activation_backward_case(act),
        labels=("random", "m=1", "z=0", "float32"), pattern=("dA_prev", "dW", "db"),
        expect=lambda c: _linear_grads_expect(*ref.linear_activation_backward(c.args[0], *c.args[1][0], c.args[2])),
    )


def _L_model_backward_case(example, label):
    X, Y, params, m = _network(example, label)
    AL, caches = ref.L_model_forward(X, params)
    case = Case(label, (AL, Y, caches), m=m, arg_names=("AL", "Y", "caches"))
    case.params, case.X = params, X
    case.alternatives = _hidden_derivative_alternatives(Y, caches)
    if label == "random":
        case.network = ("deep", (X, Y), params)
    return case


def _hidden_derivative_alternatives(Y, caches):
    """What the course's backward gives when the hidden layers use another derivative:
    hypotheses for the diagnosis (never a reference), keyed by quantity."""
    found = {}
    for other in ("sigmoid", "tanh"):
        grads = _course_backward(Y, caches, lambda Z, o=other: ref_act.derivative(o, Z))
        for key, value in grads.items():
            found.setdefault(key, {})[f"the gradient with {other}'(Z) in the hidden layers instead of relu'(Z)"] = value
    return found


def _course_backward(Y, caches, hidden_derivative):
    L = len(caches)
    (A_prev, W, b), Z = caches[-1]
    dZ = 1 / (1 + np.exp(-Z)) - Y
    grads = {}
    for l in range(L, 0, -1):
        (A_prev, W, b), Z = caches[l - 1]
        if l < L:
            dZ = grads[f"dA{l}"] * hidden_derivative(Z)
        m = A_prev.shape[1]
        grads[f"dW{l}"], grads[f"db{l}"] = dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m
        grads[f"dA{l - 1}"] = W.T @ dZ
    return grads


def _L_model_backward_pattern(case):
    refused(case)
    L = len(case.args[2])
    return {**{f"dA{l}": f"dA{l}" for l in range(L)}, **{f"d{k}{l}": f"d{k}{l}" for l in range(1, L + 1) for k in "Wb"}}


def _L_model_backward_expect(case):
    grads = ref.L_model_backward_from(case.X, case.args[1], case.params)
    return {k: Q(v, stage="layer", layer=int(k[2:]) + (1 if k.startswith("dA") else 0)) for k, v in grads.items()}


def _run_own_forward(worker, case):
    if case.label != "own forward":
        outcome = call_target(worker, SUITE, "L_model_backward", case.args, {}, True)
    else:
        outcome = worker.call(probes.chain_deep_backward, case.X, case.args[1], case.params)
    return _older_dA_keys(worker, case, outcome, len(case.args[2]))


def _older_dA_keys(worker, case, outcome, L):
    """Grads written with the older keys (dA1..dAL for dA0..dA(L-1)) read as the current ones: the
    older course's convention (noted with the evidence of the code's version). A 2021+ notebook must
    write dA0..dA(L-1) (its own test cell fails with KeyError 'dA0'): its "random" case fails with
    that message; its other cases are still judged on the shifted keys, so that a wrong gradient
    behind the keys shows too."""
    if not outcome.ok:
        return outcome
    accepted = older_convention(worker, "older dA keys")
    for key in ("result", "second"):
        grads = outcome.value.get(key)
        if isinstance(grads, dict) and "dA0" not in grads and f"dA{L}" in grads:
            shifted = {f"dA{l - 1}": grads[f"dA{l}"] for l in range(1, L + 1) if f"dA{l}" in grads}
            outcome.value[key] = {**{k: v for k, v in grads.items() if not str(k).startswith("dA")}, **shifted}
            if accepted:
                outcome.value["convention"] = accepted
            elif key == "result" and case.label == "random":
                case.refused = refusal(
                    worker, f"grads has the older keys dA1..dA{L} (grads['dA' + str(l)] the gradient with respect to "
                            "A[l-1], as the course before 2021 wrote them) and no dA0",
                    f"must write dA0..dA{L - 1} (its own test cell fails with KeyError: 'dA0')")
    return outcome


def _L_model_backward_build(example, label):
    if label == "own forward":
        case = _L_model_backward_case(example, "random")
        case.label = "own forward"
        case.network = None
        return case
    return _L_model_backward_case(example, label)


L_model_backward = FunctionContract(
    SUITE, "L_model_backward", examples=_network_dims, build=_L_model_backward_build,
    labels=("random", "m=1", "own forward"), pattern=_L_model_backward_pattern,
    expect=_L_model_backward_expect, run=_run_own_forward,
)


def _update_case(example, label):
    X, Y, params, m = _network(example, label)
    rng = case_rng(SUITE, "grads", example, label)
    grads = {"d" + k: rng.standard_normal(v.shape) for k, v in params.items()}
    return Case(label, (params, grads, 0.05), m=m, arg_names=("parameters", "grads", "learning_rate"),
                baseline=dict(params))


update_parameters = FunctionContract(
    SUITE, "update_parameters", examples=_network_dims, build=_update_case, allow_mutation=("parameters",),
    pattern=lambda c: {k: k for k in c.args[0]},
    expect=lambda c: {k: Q(v) for k, v in ref.update_parameters(*c.args).items()},
)


def _he(dims, seed):
    return initialization(dims, lambda fan_in: np.sqrt(2.0 / fan_in), global_draw(seed))


def _model_case(example, label):
    X, Y, _, m = _network(example, label)
    dims = [X.shape[0]] + list(example[0][1:-1]) + [1]
    iterations = 0 if label == "0 iterations" else 101
    return Case(label, (X, Y, dims, 0.05, iterations), m=m,
                arg_names=("X", "Y", "layers_dims", "learning_rate", "num_iterations"))


def _model_expect(case, documented_start=None):
    """The reference run from the function's own start (or the documented one: He for L_layer_model)."""
    X, Y, dims, lr, iterations = case.args
    start = case.start or (documented_start(case) if documented_start else _he(dims, case.seed))
    trained = ref_training.train_deep(start, X, Y, lr, iterations)
    expected = {k: Q(v) for k, v in trained.params.items()}
    if not case.only_parameters:
        expected["costs"] = Q(np.array(trained.costs[::100]))
    return expected


def _model_pattern(case):
    refused(case)
    params = {f"{k}{l}": f"{k}{l}" for l in range(1, len(case.args[2])) for k in "Wb"}
    return params if case.only_parameters else (params, "costs")


L_layer_model = FunctionContract(
    SUITE, "L_layer_model", examples=_network_dims, build=_model_case, timeout=30.0, labels=("random", "0 iterations"),
    pattern=_model_pattern, expect=_model_expect,
    run=run_from_own_start(SUITE, "L_layer_model", 4, lambda c: _he(c.args[2], c.seed)),
)


def _two_layer_dims():
    """((n_x, n_h, n_y), m): one hidden layer, sizes and m pairwise distinct (n_y becomes 1)."""
    return st.tuples(layer_dims(min_layers=2, max_layers=2), st.integers(2, 9)).filter(lambda x: x[1] not in x[0])


def _two_layer_case(example, label):
    """As the graders call it: two_layer_model(X, Y, (n_x, n_h, n_y), learning_rate, num_iterations)."""
    case = _model_case(example, label)
    X, Y, dims, lr, iterations = case.args
    case.args = (X, Y, tuple(dims), lr, iterations)
    return case


def _two_layer_start(case):
    """The application notebook: np.random.seed(1), then initialize_parameters(n_x, n_h, n_y), randn * 0.01."""
    return initialization(list(case.args[2]), lambda fan_in: 0.01, global_draw(1))


two_layer_model = FunctionContract(
    SUITE, "two_layer_model", examples=_two_layer_dims, build=_two_layer_case, timeout=30.0,
    labels=("random", "0 iterations"), pattern=_model_pattern,
    expect=lambda c: _model_expect(c, _two_layer_start), run=run_from_own_start(SUITE, "two_layer_model", 4, _two_layer_start),
)


def _predict_case(example, label):
    X, Y, params, m = _network(example, label)
    if label == "p=0.5":  # AL = sigmoid(0) = 0.5 exactly: the course predicts 1 only above 0.5
        L = len(params) // 2
        params = {**params, f"W{L}": np.zeros_like(params[f"W{L}"]), f"b{L}": np.zeros_like(params[f"b{L}"])}
    return Case(label, (X, Y, params), m=m, arg_names=("X", "y", "parameters"))


predict = FunctionContract(
    SUITE, "predict", examples=_network_dims, build=_predict_case, pattern="p", labels=("random", "p=0.5"),
    expect=lambda c: {"p": Q(ref.predict(*c.args), exact=True)},
)


def _initialize_case(example, label):
    dims, _ = example
    return Case(label, (list(dims),), arg_names=("layer_dims",))


def _initialize_quantities(params):
    return {k: Q(v, exact=k.startswith("b")) for k, v in params.items()}


def _initialize_expect(case):
    return _initialize_quantities(initialization(case.args[0], lambda fan_in: 0.01, global_draw(case.seed)))


COURSE_INITIALIZATIONS = {
    "randn * 0.01 (the step-by-step assignment)": lambda fan_in: 0.01,
    "randn / sqrt(n[l-1]) (the course's dnn_app_utils)": lambda fan_in: 1 / np.sqrt(fan_in),
}

initialize_parameters_deep = FunctionContract(
    SUITE, "initialize_parameters_deep", examples=_network_dims, build=_initialize_case,
    pattern=lambda c: {f"{k}{l}": f"{k}{l}" for l in range(1, len(c.args[0])) for k in "Wb"},
    expect=_initialize_expect,
    conventions=lambda case: initializer_conventions(case, COURSE_INITIALIZATIONS, _initialize_quantities),
)

L_layer_model.documented_defaults = {3: ("learning_rate", 0.0075), 4: ("num_iterations", 3000), 5: ("print_cost", False)}
two_layer_model.documented_defaults = L_layer_model.documented_defaults
# The graders call both (X, Y, layers_dims, learning_rate, num_iterations): another default of the
# learner's is a warning, not a failure (print_cost only prints).
L_layer_model.passed_by_graders = two_layer_model.passed_by_graders = ("learning_rate", "num_iterations", "print_cost")

CONTRACTS = [
    initialize_parameters_deep,
    linear_forward,
    _activation_contract("sigmoid"),
    _activation_contract("relu"),
    _linear_activation_forward("sigmoid"),
    _linear_activation_forward("relu"),
    L_model_forward,
    compute_cost,
    linear_backward,
    _activation_backward("sigmoid"),
    _activation_backward("relu"),
    _linear_activation_backward("sigmoid"),
    _linear_activation_backward("relu"),
    L_model_backward,
    update_parameters,
    L_layer_model,
    two_layer_model,
    predict,
]
