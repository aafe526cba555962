"""Helpers shared by the suites' contracts: a stable random source per case, and input makers."""

import zlib

import numpy as np

from nnconf.conformance.conventions import note


def case_rng(*parts):
    """A generator seeded from the case's description (the same case gets the same numbers)."""
    return np.random.default_rng(zlib.crc32(repr(parts).encode()))


def normal(rng, shape, dtype=np.float64, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(dtype)


def with_zeros(rng, x, fraction=0.3):
    """``x`` with about ``fraction`` of its elements set exactly to 0 (a kink input)."""
    x = x.copy()
    x[rng.random(x.shape) < fraction] = 0
    x.reshape(-1)[0] = 0  # at least one, however small the array
    return x


def saturated(rng, shape, dtype=np.float64, low=20.0, high=50.0):
    """Inputs with |z| in [low, high], both signs, and the extremes +-1000 where there is room."""
    z = rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)
    flat = z.reshape(-1)
    if flat.size >= 2:
        flat[0], flat[-1] = 1000.0, -1000.0
    return z.astype(dtype)


def labels(rng, shape):
    """0/1 labels with both classes present (where there is room)."""
    y = (rng.random(shape) < 0.5).astype(np.float64)
    flat = y.reshape(-1)
    if flat.size >= 2:
        flat[0], flat[1] = 0.0, 1.0
    return y


def initialization(layer_dims, std_of_fan_in, draw):
    """The parameters an initializer must return: W[l] = draw((n[l], n[l-1])) * std(n[l-1]),
    b[l] = 0, drawn in the course's order W1, W2, ... (``draw`` from a RandomState or Generator)."""
    params = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = draw((layer_dims[l], layer_dims[l - 1])) * std_of_fan_in(layer_dims[l - 1])
        params[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return params


def global_draw(seed):
    """Draws of np.random.randn after np.random.seed(seed), as the worker seeds before each call."""
    state = np.random.RandomState(seed)
    return lambda shape: state.randn(*shape)


def probabilities_and_labels(suite, m, example, label):
    """(A, Y) of shape (1, m) for a cost: A in (0.05, 0.95); for "saturated", A equals Y exactly
    (right and certain: the true cost is 0, and 0 log 0 must give 0, not NaN); "m=1": m = 1."""
    m = 1 if label == "m=1" else m
    rng = case_rng(suite, "cost", example, label)
    Y = labels(rng, (1, m))
    A = Y.copy() if label == "saturated" else rng.uniform(0.05, 0.95, (1, m))
    return A, Y, m


SELF_SEEDS = range(100)  # the seeds a self-seeding initializer is looked for under (the course uses 1, 2, 3)


def initializer_conventions(case, scales, expected_of):
    """The accepted initializations of course versions: each scale of ``scales`` ({words:
    std_of_fan_in}), drawn after the run's own seed or after a seed the initializer sets itself
    (``np.random.seed(k)`` inside it, as the course templates do). ``expected_of(params)`` turns
    parameters into the contract's {name: Q}."""
    dims = case.args[0] if isinstance(case.args[0], (list, tuple)) else list(case.args)
    for words, std in scales.items():
        for seed in (case.seed, *[k for k in SELF_SEEDS if k != case.seed]):
            text = note("course initializations", words) if seed == case.seed else note(
                "self-seeding initializer", f"{words}, np.random.seed({seed})")
            yield text, expected_of(initialization(dims, std, global_draw(seed)))


def run_from_own_start(suite, name, iterations_at, documented_start, seed=None, returns_tuple=True):
    """A training function's run, judged from its own start: called first with zero iterations,
    which returns its initial parameters (the global random state is the same before each call,
    and ``seed`` is set before both where the documents seed first), then as the case asks.
    ``case.start`` holds that start; ``case.only_parameters`` a result that is the parameters alone."""
    from nnconf.conformance.contract import call_target

    def call(worker, args, repeat=True):
        return call_target(worker, suite, name, args, {}, repeat, timeout=30.0, seed=seed)

    def run(worker, case):
        zero = list(case.args)
        zero[iterations_at] = 0
        start = call(worker, tuple(zero), repeat=False)  # only its start is used; the case's own call is repeated
        if start.ok:
            params = _parameters_of(start.value["result"])
            if params is not None:
                case.start = params
        outcome = call(worker, case.args)
        if outcome.ok and returns_tuple and isinstance(outcome.value["result"], dict):
            case.only_parameters = True
            outcome.value["convention"] = note("only parameters")
        elif outcome.ok and case.start is not None and not _same(case.start, documented_start(case)):
            outcome.value["convention"] = note("own start")
        return outcome

    return run


def _parameters_of(result):
    params = result if isinstance(result, dict) else result[0] if isinstance(result, (tuple, list)) and result else None
    if not isinstance(params, dict) or not all(isinstance(v, np.ndarray) for k, v in params.items() if str(k)[:1] in "Wb"):
        return None
    found = {k: np.asarray(v, dtype=np.float64) for k, v in params.items() if str(k)[:1] in "Wb"}
    return found or None


def _same(a, b):
    return a.keys() == b.keys() and all(np.shape(a[k]) == np.shape(b[k]) and np.allclose(a[k], b[k]) for k in a)
