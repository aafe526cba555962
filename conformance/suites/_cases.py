"""Helpers shared by the suites' contracts: a stable random source per case, and input makers."""

import zlib

import numpy as np

from nnconf.conformance.box.probes.training import graders_call
from nnconf.conformance.judging.conventions import note


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


def run_from_own_start(suite, name, iterations_at, documented_start, seed=None, returns_tuple=True, extras=None):
    """A training function's run, judged from its own start: called first with zero iterations,
    which returns its initial parameters (the global random state is the same before each call,
    and ``seed`` is set before both where the documents seed first), then as the case asks.
    ``iterations_at``: the position (an int) or keyword (a str) of the case's iteration count.
    Both calls go as the course's graders make them (:func:`graders_call`, ``extras`` for the
    arguments a course version added). ``case.start`` holds the start; ``case.only_parameters`` a
    result that is the parameters alone (an older course's convention: a 2021+ notebook fails)."""

    def run(worker, case):
        args, kwargs = list(case.args), dict(case.kwargs)
        if isinstance(iterations_at, str):
            kwargs[iterations_at] = 0
        else:
            args[iterations_at] = 0
        start = call_as_graders(worker, suite, name, tuple(args), kwargs, extras, repeat=False, seed=seed)
        if start.ok:  # only its start is used; the case's own call is repeated
            params = _parameters_of(start.value["result"])
            if params is not None:
                case.start = params
        outcome = call_as_graders(worker, suite, name, case.args, case.kwargs, extras, seed=seed)
        if outcome.ok and returns_tuple and isinstance(outcome.value["result"], dict):
            accepted = older_convention(worker, "only parameters")
            if accepted:
                case.only_parameters = True
                outcome.value["convention"] = accepted
            else:
                case.refused = refusal(worker, f"{name} returns only `parameters`, as the course until 2020 did",
                                       "must return `(parameters, costs)`, which its own test unpacks")
        elif outcome.ok and case.start is not None and not _same(case.start, documented_start(case)):
            outcome.value["convention"] = note("own start")
        return outcome

    return run


# --- calls as the course's graders make them ------------------------------------------------------


def graders_run(suite, name, extras=None, timeout=None):
    """A contract's run that calls ``name`` as the course's graders do (:func:`graders_call`)."""

    def run(worker, case):
        return call_as_graders(worker, suite, name, case.args, case.kwargs, extras, timeout=timeout)

    return run


def call_as_graders(worker, suite, name, args, kwargs, extras=None, repeat=True, seed=None, timeout=30.0):
    """``name(*args, **kwargs)`` in the worker, adapted to the function's own signature by
    :func:`graders_call` (after ``np.random.seed(seed)``, if given); the outcome of the call."""
    from nnconf.conformance.box import shared
    from nnconf.conformance.box.probes.training import call_seeded_with_keywords
    from nnconf.conformance.suites.contract import call_target

    signature = _signature(worker, suite, name)
    if signature is not None:
        args, kwargs = graders_call(signature, args, kwargs, extras)
    if seed is None:
        return call_target(worker, suite, name, args, kwargs, repeat, timeout=timeout)
    outcome = worker.call(call_seeded_with_keywords, suite, name, args, kwargs, seed, repeat, timeout=timeout, share=True)
    if outcome.ok and isinstance(outcome.value, dict):  # as contract.call_target: the arguments the call wrote into
        names = [n for n in outcome.value.get("names") or () if isinstance(n, str)]
        outcome.value["mutated"] = shared.written(outcome.changed, (2,), names) + shared.written(outcome.changed, (3,), names)
    return outcome


def _signature(worker, suite, name):
    """The target's parameters of ``name`` ([[name, has a default, default], ...]), asked once per worker."""
    from nnconf.conformance.box import probes

    known = getattr(worker, "_nnconf_signatures", None)
    if known is None:
        known = {}
        try:
            worker._nnconf_signatures = known
        except AttributeError:  # a worker that takes no attribute: ask each time
            pass
    if (suite, name) not in known:
        outcome = worker.call(probes.defaults, suite, name)
        known[(suite, name)] = outcome.value if outcome.ok and isinstance(outcome.value, list) else None
    return known[(suite, name)]


# --- the course version of the code ---------------------------------------------------------------


def course_version(worker):
    """("2021+", "older" or None, the evidence) of the code under check, as the files beside it tell
    (``loader.Target.course_version`` and ``version_evidence``: ``public_tests.py`` and
    ``test_utils.py`` mean 2021+, ``dnn_utils_v2.py`` and ``testCases_v2``-style helpers older)."""
    target = getattr(worker, "target", None)
    return getattr(target, "course_version", None), getattr(target, "version_evidence", "") or ""


def version_words(worker):
    """What the note of an older course's convention says of the evidence."""
    version, evidence = course_version(worker)
    if version is None:
        return "no evidence of the course version was found beside the code"
    return f"{'older course' if version == 'older' else 'course ' + version}" + (f": {evidence}" if evidence else "")


def older_convention(worker, key):
    """The note of ``key``, a convention of the course before 2021, naming the evidence of the
    code's version; None for a 2021+ notebook, where following it is a bug (its own tests fail)."""
    if course_version(worker)[0] == "2021+":
        return None
    return note(key, version_words(worker))


def refused(case):
    """Raise the StructureError that ``case.refused`` (an older course's convention that the code's
    version does not allow) describes: a contract's pattern calls it, so the result is a failure
    with that message."""
    from nnconf.conformance.suites.contract import StructureError

    if getattr(case, "refused", None):
        raise StructureError(case.refused)


def refusal(worker, what, must):
    """Why an older course's convention is not accepted here: ``what`` the code does, ``must`` what
    a 2021+ notebook must do instead."""
    evidence = course_version(worker)[1]
    return (f"{what}, but this is a 2021+ notebook" + (f" ({evidence})" if evidence else "")
            + f": it {must}; the older course's convention is accepted only where the code's version allows it")


def _parameters_of(result):
    params = result if isinstance(result, dict) else result[0] if isinstance(result, (tuple, list)) and result else None
    if not isinstance(params, dict) or not all(isinstance(v, np.ndarray) for k, v in params.items() if str(k)[:1] in "Wb"):
        return None
    found = {k: np.asarray(v, dtype=np.float64) for k, v in params.items() if str(k)[:1] in "Wb"}
    return found or None


def _same(a, b):
    return a.keys() == b.keys() and all(np.shape(a[k]) == np.shape(b[k]) and np.allclose(a[k], b[k]) for k in a)
