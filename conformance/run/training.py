"""Training curves: the target's own training loop and the PyTorch reference, in lockstep.

Both start from the same initial parameters and data, take the same plain gradient-descent
steps (the reference's gradients from autograd), and record the cost before each update. One
curve per system the target implements; document 001's printed cost table is overlaid on the
planar run, whose hidden-size sweep (with decision boundaries) is run with the target's own
``nn_model`` and ``predict``.
"""

import math
import warnings

import numpy as np

from nnconf.conformance.box.probes.training import (
    loop_deep,
    loop_logistic,
    loop_shallow,
    loop_two_layer,
    loop_xor,
    planar_sweep,
)
from nnconf.conformance.judging.conventions import note
from nnconf.conformance.judging.records import Record
from nnconf.conformance.run.cache import Memo
from nnconf.conformance.suites._cases import global_draw, initialization
from nnconf.conformance.suites.lazy import lazy
from nnconf.impl import data
from nnconf.impl.systems import DOCUMENT_001_COSTS, HIDDEN_SIZES

ref = lazy("nnconf.reference.training")

CURVE_RTOL = 1e-2  # lockstep costs drift apart in chaotic stretches (planar: ~1e-3 by 7000), as across BLAS builds


# --- the runs -----------------------------------------------------------------------------------


def _planar_setup():
    X, Y = data.load_planar_dataset()
    params = initialization([2, 4, 1], lambda fan_in: 0.01, global_draw(3))  # as document 001
    return X, Y.astype(float), params


def _digits_binary(m=400):
    split = data.load_digits_split(layout="columns")
    return split.x_train[:, :m], (split.t_train[:, :m] >= 5).astype(float)


def _planar_system(profile):
    X, Y, p0 = _planar_setup()
    return ("planar 2-layer classifier, n_h = 4, lr 1.2", loop_shallow, (X, Y, p0, 1.2, 10000),
            lambda: ref.train_shallow(p0, X, Y, 1.2, 10000).costs, DOCUMENT_001_COSTS)


def _deep_system(profile):
    X, Y = _digits_binary()
    params = initialization([64, 20, 7, 5, 1], lambda fan_in: np.sqrt(2 / fan_in), np.random.default_rng(1).standard_normal)
    n = 1000 if profile == "thorough" else 300
    return ("L-layer network on digits >= 5, [64, 20, 7, 5, 1], lr 0.05", loop_deep, (X, Y, params, 0.05, n),
            lambda: ref.train_deep(params, X, Y, 0.05, n).costs, None)


def _logistic_system(profile):
    split = data.load_breast_cancer_split()
    X, Y = split.x_train, split.t_train.astype(float)
    params = {"w": np.zeros((X.shape[0], 1)), "b": 0.0}
    return ("logistic regression on breast cancer, lr 0.5", loop_logistic, (X, Y, params, 0.5, 300),
            lambda: ref.train_logistic(params["w"], params["b"], X, Y, 0.5, 300).costs, None)


def _xor_system(profile):
    X, Y = data.load_xor()
    state = np.random.RandomState(3)
    params = [state.randn(2, 2), np.zeros((2, 1)), state.randn(2, 1), np.zeros((1, 1))]
    return ("XOR network, 2 hidden units, lr 0.5", loop_xor, (X, Y, params, 0.5, 3000),
            lambda: ref.train_xor(params, X, Y, 0.5, 3000).costs, None)


def _two_layer_system(profile, form="ch5"):
    rows = data.load_digits_split(layout="rows", one_hot=True)
    rng = np.random.default_rng(0)
    params = {"W1": 0.01 * rng.standard_normal((64, 50)), "b1": np.zeros(50),
              "W2": 0.01 * rng.standard_normal((50, 10)), "b2": np.zeros(10)}
    batches = [rng.choice(rows.x_train.shape[0], 100) for _ in range(1000 if profile == "thorough" else 300)]
    return ("TwoLayerNet on digits, batches of 100, lr 0.1", loop_two_layer,
            (rows.x_train, rows.t_train, params, 0.1, batches),
            lambda: ref.train_two_layer(params, rows.x_train, rows.t_train, 0.1, len(batches), batch_indices=batches,
                                        form=form).costs,
            None)


# suite -> its system: (label, the target's loop, its arguments, the reference run, document points)
SYSTEMS = {
    "shallow": _planar_system,
    "deep": _deep_system,
    "logistic": _logistic_system,
    "xor": _xor_system,
    "layers": _two_layer_system,
}


# Accepted conventions with a system of their own (conventions.py): a target whose curve misses
# the API's reference but follows one of these, from the same start on the same data, passes and
# its record names the convention (the book's chapter-4 TwoLayerNet trains a sigmoid hidden layer).
CONVENTION_SYSTEMS = {
    "layers": (("book chapter 4", lambda profile: _two_layer_system(profile, "ch4")),),
}


def _reference_system(suite, profile):
    """(label, loop, arguments, reference costs, document points) of ``suite``'s system."""
    label, loop, args, reference, document = SYSTEMS[suite](profile)
    return label, loop, args, [float(c) for c in reference()], document


def run_curve(worker, suite, profile, memo=None):
    """The curve of ``suite``'s system and its record: the target's loop in ``worker``, the
    reference (from ``memo``, a cache.Memo, where it was computed before), both from the same start."""
    memo = memo or Memo()
    label, loop, args, reference_costs, document = memo.get(("system", suite, profile),
                                                            lambda: _reference_system(suite, profile))
    memo.save()
    outcome = worker.call(loop, *args, timeout=120.0)
    curve = {"system": suite, "label": label, "iterations": list(range(len(reference_costs))),
             "target": [], "reference": reference_costs, "document": document}
    record = Record(suite=suite, function=f"training loop ({label})", check=f"training:{suite}", stage="training",
                    status="error", reference="autograd")
    if not outcome.ok and outcome.error_type == "UnavailableError":  # a helper it needs could not be loaded
        record.status = "skip"
        record.message = f"the target's training loop could not run: {outcome.error}"
        curve.update(status="skip", message=record.message)
        return curve, record
    if not outcome.ok:
        record.diagnosis = outcome.kind
        record.message = f"the target's training loop failed: {outcome.error_type}: {outcome.error}"
        curve.update(status="error", message=record.message)
        return curve, record
    target = _costs(outcome.value)
    if target is None:
        record.diagnosis = "crash.exception"  # the loop is the harness's probe: only a subverted worker answers so
        record.message = (f"the target's training loop did not give a list of costs (one number per iteration): "
                          f"{type(outcome.value).__name__}")
        curve.update(status="error", message=record.message)
        return curve, record
    nonfinite = [i for i, c in enumerate(target) if not math.isfinite(c)]
    if nonfinite:  # a NaN curve is not "a wrong value": its cost is not a number from that iteration on
        first = nonfinite[0]
        record.status, record.diagnosis = "fail", "value.nonfinite"
        record.worst_index, record.actual_value = [first], target[first]
        record.expected_value = reference_costs[first] if first < len(reference_costs) else None
        record.message = (f"the cost is {target[first]} from iteration {first} on ({len(nonfinite)} of {len(target)} "
                          f"iterations not finite); the reference's cost there is "
                          f"{record.expected_value if record.expected_value is not None else 'not defined'}")
        curve.update(target=target, reference=reference_costs, status=record.status, message=record.message)
        return curve, record
    worst, ok = _lockstep(target, reference_costs)
    convention = None
    for key, system in CONVENTION_SYSTEMS.get(suite, ()) if not ok else ():
        costs = memo.get(("system", suite, profile, key), lambda: [float(c) for c in system(profile)[3]()])
        memo.save()
        if _lockstep(target, costs)[1]:
            (worst, ok), convention, reference_costs = _lockstep(target, costs), key, costs
            break
    record.status, record.diagnosis = ("pass", None) if ok else ("fail", "value.wrong")
    record.max_abs_err, record.tolerance = worst, {"atol": 0.0, "rtol": CURVE_RTOL}
    record.message = f"{len(target)} iterations in lockstep; largest cost difference {worst:.3g}"
    if convention is not None:
        record.message += f"; against the reference of an accepted convention: {note(convention)}"
        record.extra["convention"] = convention
    curve.update(target=target, reference=reference_costs, status=record.status, message=record.message)
    return curve, record


def _costs(value):
    """The costs a training loop gave as floats (NaN and infinities kept), or None when it gave
    something else than a list of numbers (an answer is data the target chose)."""
    if not isinstance(value, list | tuple | np.ndarray) or isinstance(value, np.ndarray) and value.ndim != 1:
        return None
    try:
        return [float(c) for c in value]
    except (TypeError, ValueError, OverflowError):
        return None


def _lockstep(target, reference):
    """(largest cost difference, whether every cost is within CURVE_RTOL of the reference's)."""
    diff = np.abs(np.array(target) - np.array(reference)) if len(target) == len(reference) else None
    worst = float(np.nanmax(diff)) if diff is not None else float("inf")
    return worst, diff is not None and bool(np.all(diff <= CURVE_RTOL * np.maximum(1.0, np.abs(reference))))


def _planar_inputs(grid_size):
    """The planar data, the grid for the decision boundaries, and the logistic-regression baseline."""
    from sklearn.linear_model import LogisticRegressionCV

    X, Y, _ = _planar_setup()
    xs = np.linspace(X[0].min() - 1, X[0].max() + 1, grid_size)
    ys = np.linspace(X[1].min() - 1, X[1].max() + 1, grid_size)
    gx, gy = np.meshgrid(xs, ys)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        baseline = LogisticRegressionCV().fit(X.T, Y.ravel())
    return X, Y, xs, ys, np.vstack([gx.ravel(), gy.ravel()]), float(np.mean(baseline.predict(X.T) == Y.ravel()))


def run_planar(worker, profile, sizes=HIDDEN_SIZES, memo=None, grid_size=60):
    """The planar block of the results (document 001's sweep) for the hidden ``sizes`` (a run
    splits the sweep into one task per size; :func:`merge_planar` joins them), or None when the
    target's sweep cannot run."""
    memo = memo or Memo()
    X, Y, xs, ys, grid, baseline = memo.get(("planar", grid_size), lambda: _planar_inputs(grid_size))
    memo.save()
    outcome = worker.call(planar_sweep, X, Y, list(sizes), 5000, grid, timeout=180.0)
    if not outcome.ok:
        return None
    return {
        "X": X.tolist(), "Y": Y.tolist(),
        "sweep": [{"n_h": e["n_h"], "accuracy": e["accuracy"],
                   "grid": {"x": xs.tolist(), "y": ys.tolist(), "p": e["p"].reshape(grid_size, grid_size).tolist()}}
                  for e in outcome.value],
        "logistic_baseline_accuracy": baseline,
    }


def merge_planar(blocks):
    """One planar block from the sweep's parts (in order of the hidden size), or None."""
    blocks = [b for b in blocks if b]
    if not blocks:
        return None
    return {**blocks[0], "sweep": sorted((e for b in blocks for e in b["sweep"]), key=lambda e: e["n_h"])}
