"""The stages of a check, in order: each is one function ``stage(check, call)`` that judges one
case's call and records what it sees with ``check.observe(stage, quantity, Observation)``.

:data:`CASE_STAGES` is the sequence every case of every contract goes through: the call runs at
all (smoke), NumPy is left as it was, the result has the contract's structure, then per quantity
its type, its exact shape, its values against the reference (forward values against PyTorch,
gradients against autograd, per layer for networks), finite on saturated input, the same on a
second identical call; the inputs unchanged; gradients against finite differences of the
target's own forward, elementwise and along random directions. :data:`CONTRACT_STAGES` run once
per contract after its cases (the documented default arguments).

A stage returns :data:`STOP` when the rest of the case has nothing left to judge (the call
raised; the result is not of the contract's structure). A stage that settles a quantity early (a
missing key, a complex value, a wrong shape) adds it to ``call.settled``: the later per-quantity
stages leave it alone. Adding a stage is writing one function here and naming it in the list.

``check`` is the :class:`~nnconf.conformance.run.engine.ContractRun` of one contract: its worker,
contract, reference memo, profile, seed and ``--require`` flag, and where observations go.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from nnconf.conformance.box import probes
from nnconf.conformance.box.probes import Opaque
from nnconf.conformance.judging import diagnosis, severity
from nnconf.conformance.judging.compare import as_array, compare, describe
from nnconf.conformance.judging.conventions import note
from nnconf.conformance.judging.tolerances import tolerance
from nnconf.conformance.run.cache import key_of
from nnconf.conformance.suites.contract import MISSING, StructureError, flatten

STOP = "stop"  # a stage's answer when nothing more of this case can be judged


@dataclass
class Observation:
    """One (stage, quantity) judged on one case."""

    case: str
    status: str  # pass | fail | error | skip
    diagnosis: str | None = None
    detail: str = ""
    comparison: object = None
    tolerance: dict | None = None
    reference: str | None = None
    layer: int | None = None
    source: object = None  # the Case whose inputs reproduce a failure (its repro is written lazily)


@dataclass
class Call:
    """One case's call of the target, and what the stages have made of it so far."""

    case: object
    outcome: object  # the worker's Outcome
    data: dict | None = None  # what the contract's run gave: the result, the repeat's, what was written
    expected: dict = field(default_factory=dict)  # quantity -> Q, from the reference (or an accepted convention)
    actual: dict | None = None  # quantity -> the target's value, flattened from its result
    second: dict | None = None  # the same, from the repeat of the call
    values: dict = field(default_factory=dict)  # quantity -> the value as the type stage left it (a cost squeezed)
    settled: set = field(default_factory=set)  # quantities a stage has judged to the end

    def quantities(self):
        """(name, Q, value) of every expected quantity no stage has settled yet."""
        return [(name, q, self.values.get(name, self.actual.get(name)))
                for name, q in self.expected.items() if name not in self.settled]

    def observation(self, q, status, diag=None, detail="", **more):
        return Observation(self.case.label, status, diag, detail, layer=q.layer, source=self.case, **more)


# -- the stages of one case ------------------------------------------------------------------


def smoke(check, call):
    """The call ran and returned: a pass, and what the call reported beside its result (the name it
    was found under, an accepted convention, the functions it reached, its warnings)."""
    case, outcome, data = call.case, call.outcome, call.data
    if not outcome.ok:
        failed_call(check, case, outcome)
        return STOP
    check.observe("smoke", None, Observation(case.label, "pass"))
    if data.get("used") not in (None, check.contract.name.split(".")[0]):
        check.alias = data["used"]
    if data.get("convention"):
        check.conventions.setdefault(data["convention"], case.label)
    check.reached.update(map(tuple, data.get("reached", ())))
    if outcome.warnings:
        check.notes.append(f"{case.label}: {'; '.join(outcome.warnings)}")
    return None


def numpy_untouched(check, call):
    """NumPy's functions give the values they gave before the call (the harness's canary)."""
    if call.outcome.patched:
        check.observe("side_effect", "numpy", Observation(
            call.case.label, "fail", "side_effect.mutates_input",
            f"the call replaced numpy.{', numpy.'.join(call.outcome.patched[:5])}: NumPy is shared by every "
            "function (the harness put it back)", source=call.case))


def structure(check, call):
    """The result has the contract's structure (a tuple of 3, a dict with these keys); the expected
    quantities are the reference's, or those of an accepted convention the result matches."""
    c, case = check.contract, call.case
    call.expected = check.memo.get(("expect", key_of(case)), lambda: c.expect(case))
    try:
        call.actual = flatten(c.pattern(case), call.data["result"])
    except StructureError as exc:
        check.observe("shape", None, Observation(case.label, "fail", "shape.other", str(exc), source=case))
        return STOP
    if c.has_conventions and not matches(case, call.expected, call.actual):
        for text, alternative in check.memo.get(("conventions", key_of(case)), lambda: list(c.conventions(case))):
            if matches(case, alternative, call.actual):
                call.expected = alternative
                check.conventions.setdefault(text, case.label)
                break
    if call.data.get("second") is not None:
        try:
            call.second = flatten(c.pattern(case), call.data["second"])
        except StructureError:
            call.second = {}
    return None


def present(check, call):
    """Every expected quantity is in the result (a dict may lack a key; the others are still judged)."""
    for name, q, value in call.quantities():
        if value is MISSING:
            check.observe("shape", name, call.observation(
                q, "fail", "shape.other", f"the result has no `{name}` (a missing or renamed key); "
                "the other keys are still compared"))
            call.settled.add(name)


def types(check, call):
    """A cost is a float or a 0-d array; nothing is complex; an array is an array; float32 in gives
    float32 out where the contract keeps the dtype."""
    for name, q, value in call.quantities():
        if q.cost and not _is_scalar(value):
            check.observe("type", name, call.observation(
                q, "fail", "type.not_scalar", f"{name} is {describe(value)}, not a float or 0-d array"))
            value = call.values[name] = np.squeeze(as_array(value)) if as_array(value) is not None else value
        elif q.cost:
            check.observe("type", name, call.observation(q, "pass"))
        if isinstance(value, (np.ndarray, np.generic, complex)) and np.iscomplexobj(value):
            check.observe("type", name, call.observation(
                q, "fail", "type.dtype", f"{name} is complex ({np.asarray(value).dtype}) where the result is real: "
                "a complex value never passes"))
            call.settled.add(name)
            continue
        if isinstance(value, Opaque) or (as_array(value) is None and as_array(q.value) is not None):
            check.observe("shape", name, call.observation(q, "fail", "shape.other", f"{name} is {describe(value)}, not an array"))
            call.settled.add(name)
            continue
        if q.keep_dtype and call.case.dtype == np.float32 and isinstance(value, np.ndarray):
            if np.issubdtype(value.dtype, np.floating) and value.dtype != np.float32:
                check.observe("type", name, call.observation(q, "fail", "type.dtype", f"{name} is {value.dtype} for float32 input"))
            else:
                check.observe("type", name, call.observation(q, "pass"))


def shapes(check, call):
    """Each array has exactly the reference's shape (never broadcast: (n,) is not (n, 1))."""
    for name, q, value in call.quantities():
        if not q.cost:
            actual, expected = as_array(value), as_array(q.value)
            comparison = compare(actual, expected, 0, 0)
            if expected.shape != actual.shape:
                bug, words = diagnosis.diagnose_shape(actual.shape, expected.shape, _input_shapes(call.case))
                check.observe("shape", name, call.observation(q, "fail", bug, words, comparison=comparison))
                call.settled.add(name)
                continue
            check.observe("shape", name, Observation(call.case.label, "pass", comparison=comparison, layer=q.layer))
        if q.shape_only:
            call.settled.add(name)


def values(check, call):
    """Each value within its tolerance of the reference: PyTorch for forward values, autograd for
    gradients (per layer for networks); a failure gets its diagnosis (scale m, sign, transpose, ...)."""
    case = call.case
    for name, q, value in call.quantities():
        actual, expected = as_array(value), as_array(q.value)
        tol = {"atol": 0.0, "rtol": 0.0} if q.exact else tolerance(q.tolerance, case.dtype)
        result = compare(np.reshape(actual, expected.shape), expected, **tol)
        reference = "autograd" if q.stage in ("grad_autograd", "layer") else "pytorch"
        if result.ok:
            check.observe(q.stage, name, call.observation(q, "pass", comparison=result, tolerance=tol, reference=reference))
            continue
        base = as_array(case.baseline[name]) if name in case.baseline else 0.0  # an update: judge its step
        bug, words = diagnosis.diagnose_values(
            actual.reshape(expected.shape) - base, expected - base, atol=tol["atol"] or 1e-9, rtol=tol["rtol"] or 1e-9,
            m=case.m, alternatives=case.alternatives.get(name), kink_mask=case.kinks.get(name),
            previous=case.previous.get(name))
        if name in case.baseline and words:
            words = f"the update step: {words}"
        check.observe(q.stage, name, call.observation(q, "fail", bug, words or "", comparison=result, tolerance=tol,
                                                      reference=reference))


def saturation(check, call):
    """Finite where the reference is finite, on the saturated case (|z| up to 50 and 1000)."""
    if not (check.contract.saturated and call.case.label == "saturated"):
        return
    for name, q, value in call.quantities():
        if np.all(np.isfinite(as_array(q.value))):
            finite = bool(np.all(np.isfinite(as_array(value))))
            check.observe("saturation", name, call.observation(
                q, "pass" if finite else "fail", None if finite else "value.nonfinite",
                "" if finite else f"{name} has NaN or inf on saturated input"))


def determinism(check, call):
    """A second identical call returns the same values (no state kept between calls)."""
    if call.second is None:
        return
    for name in call.expected:
        if name not in call.second:
            continue
        a, b = as_array(call.actual.get(name)), as_array(call.second.get(name))
        same = (a is None and b is None) or (
            a is not None and b is not None and a.shape == b.shape and np.array_equal(a, b, equal_nan=True))
        check.observe("determinism", name, Observation(
            call.case.label, "pass" if same else "fail", None if same else "value.stale_state",
            "" if same else f"a second identical call returned a different {name}", source=call.case))


def inputs_unchanged(check, call):
    """The call wrote into none of its arguments (read from the harness's own memory)."""
    allowed = tuple(check.contract.allow_mutation)
    mutated = [p for p in call.data.get("mutated", []) if not p.startswith(allowed)]
    for path in mutated:
        check.observe("side_effect", path, Observation(
            call.case.label, "fail", "side_effect.mutates_input", f"`{path}` was changed by the call", source=call.case))
    if not mutated:
        check.observe("side_effect", None, Observation(call.case.label, "pass"))


def finite_differences(check, call):
    """The target's gradients against central differences of its own forward, elementwise."""
    case = call.case
    for job in case.fd:
        if job.forward in check.worker.broken:
            check.observe("grad_fd", None, Observation(
                case.label, "skip", None,
                f"`{job.forward}` itself failed its checks, so its numeric gradient says nothing about {check.contract.name}"))
            continue
        outcome = check.worker.call(probes.fd_vjp, check.contract.suite, job.forward, job.args, job.wrt, job.upstream,
                                    job.output)
        if not outcome.ok:
            check.observe("grad_fd", None, Observation(
                case.label, "skip", None, f"{job.forward} could not be differentiated numerically: {outcome.error}"))
            continue
        tol = tolerance("fd", np.float64)
        for name, expected in job.to_quantities(outcome.value).items():
            a = as_array(call.actual.get(name))
            if a is None or a.shape != np.shape(expected):
                continue  # the shape stage has said it
            result = compare(a, expected, **tol)
            bug, words = (None, "") if result.ok else diagnosis.diagnose_values(
                a, np.asarray(expected), **tol, m=case.m, alternatives=case.alternatives.get(name))
            check.observe("grad_fd", name, Observation(
                case.label, "pass" if result.ok else "fail", bug,
                "" if result.ok else f"{words or ''} (numeric gradient of `{job.forward}`)",
                comparison=result, tolerance=tol, reference="finite_diff", source=case))


def directions(check, call):
    """A network's whole gradient along random directions against the numeric derivative of its
    own loss (the cheap check of a large network, as gradcheck's fast mode)."""
    case = call.case
    if case.network is None:
        return
    network, data, params = case.network
    broken = [f for f in probes.NETWORK_FORWARDS[network] if f in check.worker.broken]
    if broken:
        check.observe("grad_fd", None, Observation(
            case.label, "skip", None, f"{', '.join(broken)} failed its checks: the network's own loss is not a reference"))
        return
    outcome = check.worker.call(probes.fd_directions, network, data, params, check.seed, check.profile["directions"])
    if not outcome.ok:
        timeout = outcome.kind == "crash.timeout"
        check.observe("grad_fd", None, Observation(
            case.label, "error" if timeout else "skip", outcome.kind if timeout else None,
            f"random-direction check could not run: {outcome.error_type}: {outcome.error}"))
        return
    tol = tolerance("direction", np.float64)
    for entry in outcome.value:
        name = "d" + "+".join(entry["keys"])
        num, ana = entry["numeric"], entry["analytic"]
        result = compare(np.array(ana), np.array(num), **tol)
        check.observe("grad_fd", name, Observation(
            case.label, "pass" if result.ok else "fail",
            None if result.ok else _direction_class(num, ana, case.m),
            "" if result.ok else f"directional derivative along a random direction: numeric {num:.8g}, from the gradient {ana:.8g}",
            comparison=result, tolerance=tol, reference="finite_diff", layer=layer_of(name), source=case))


CASE_STAGES = (smoke, numpy_untouched, structure, present, types, shapes, values, saturation, determinism,
               inputs_unchanged, finite_differences, directions)


# -- the stages of a contract, after its cases -------------------------------------------------


def defaults(check):
    """The documented default arguments (``optimize(..., num_iterations=100, learning_rate=0.009)``),
    matched by name (``nn_model(X, Y, n_h, learning_rate, num_iterations=10000)`` keeps its
    num_iterations): another default fails where the course's graders rely on it, and is a
    warning (severity's "changed default") where they pass the value, as the checks do
    (``contract.passed_by_graders``); none at all is the older course's convention, noted."""
    c = check.contract
    if not c.documented_defaults:
        return
    outcome = check.worker.call(probes.defaults, c.suite, c.name)
    if not outcome.ok:
        return
    params = {name: (has, default) for name, has, default in outcome.value}
    passed = getattr(c, "passed_by_graders", ())
    for _, (name, value) in sorted(c.documented_defaults.items()):
        if name not in params:
            continue
        has, default = params[name]
        if not has:
            check.conventions.setdefault(note("no defaults", f"`{name}`; documented: {name}={value!r}"), "defaults")
            continue
        same = default == value if isinstance(value, bool) or not isinstance(default, (int, float)) \
            else math.isclose(default, value, rel_tol=1e-12)
        case = severity.DEFAULT_PASSED if name in passed else "defaults"
        check.observe("api", f"default {name}", Observation(
            case, "pass" if same else "fail", None if same else "api.signature",
            "" if same else f"`{name}` defaults to {default!r}; the API documents {name}={value!r}, " + (
                "which the course's graders pass explicitly, and so do these checks" if name in passed
                else "which callers (and the course's graders) rely on")))


CONTRACT_STAGES = (defaults,)


# -- what the stages share -------------------------------------------------------------------


def failed_call(check, case, outcome):
    """The call gave no result: a skip (a precondition, an optional keyword) or a finding.

    A skip is for a harness condition the worker reported (``Outcome.condition``: the harness's
    own exception class raised by its own code, never a class that is only named like one; the
    outcome carries the harness's name only then, see ``worker._name_by_condition``). What the
    worker reports is still the target's process speaking, so a skip never lets a run pass that
    ``--require`` checks: there, a case that could not run for want of another function fails."""
    c = check.contract
    check.reached.update(map(tuple, outcome.reached))
    if (outcome.error_type in ("Precondition", "UnavailableError") or (
            outcome.error_type == "MissingName" and outcome.missing not in (None, c.name.split(".")[0]))) \
            and check.plausible_skip(outcome):
        if check.require:
            check.observe("smoke", None, Observation(case.label, "fail", None, _needs(outcome) + (
                " [--require: every function must be checked, and this case could not be]")))
        else:
            check.observe("smoke", None, Observation(case.label, "skip", None, _needs(outcome)))
        return
    if outcome.kind == "api.signature" and set(case.kwargs) & set(c.optional_kwargs):
        check.observe("api", ",".join(case.kwargs), Observation(
            case.label, "skip", None, f"does not take the optional keyword(s) {sorted(case.kwargs)}"))
        return
    kind = outcome.kind
    if kind != "api.signature":
        check.worker.broken.add(c.name)
    detail = f"{outcome.error_type}: {outcome.error}" + (f"\n{outcome.traceback}" if outcome.traceback else "")
    check.observe("api" if kind.startswith("api.") else "smoke", None,
                  Observation(case.label, "error", kind, detail, source=case))
    if _misaligned_product(outcome, c.name):
        check.observe("shape", "product", Observation(
            case.label, "fail", "shape.transposed",
            f"{c.name} itself could not form a matrix product on these (pairwise-distinct) shapes: "
            "a factor in the wrong order or a missing/extra .T; square matrices would have hidden it",
            source=case))
    check.stop = kind != "crash.exception"  # a missing name or a hang will not get better


def matches(case, expected, actual):
    """Whether every expected quantity is there, of its shape, within its tolerance."""
    for name, q in expected.items():
        a, e = as_array(actual.get(name)), as_array(q.value)
        if a is None or e is None or a.shape != e.shape:
            return False
        tol = {"atol": 0.0, "rtol": 0.0} if q.exact else tolerance(q.tolerance, case.dtype)
        if not compare(a, e, **tol).ok:
            return False
    return True


def _needs(outcome):
    """Why a case could not run for want of another name of the target."""
    if outcome.error_type == "MissingName":
        return f"needs `{outcome.missing}`, which is not implemented"
    if outcome.error_type == "UnavailableError":
        return f"could not run: {outcome.error}"
    return outcome.error


_MISALIGNED = ("not aligned", "mismatch in its core dimension", "shapes cannot be multiplied")


def _misaligned_product(outcome, function):
    """The function under check raised, in its own code, numpy's error for a product of shapes
    that do not line up (np.dot: "not aligned", @/np.matmul: "mismatch in its core dimension")."""
    return (
        outcome.error_type == "ValueError"
        and any(text in (outcome.error or "") for text in _MISALIGNED)
        and outcome.raised_in == function.split(".")[-1]
    )


def _input_shapes(case):
    """The shapes of every array among the case's arguments (nested in tuples, lists, dicts)."""
    found, stack = [], list(case.args) + list(case.kwargs.values())
    while stack:
        item = stack.pop()
        if isinstance(item, np.ndarray) and item.ndim >= 2:
            found.append(item.shape)
        elif isinstance(item, (tuple, list)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return found


def _direction_class(numeric, analytic, m):
    if numeric == 0 or not math.isfinite(analytic):
        return "value.nonfinite" if not math.isfinite(analytic) else "value.wrong"
    ratio = analytic / numeric
    near = lambda x, y: abs(x - y) <= 1e-4 * max(abs(y), 1)  # noqa: E731
    if m and m > 1 and any(near(abs(ratio), f) for f in (m, 1 / m)):
        return "value.scale_m"
    if near(ratio, -1):
        return "value.sign"
    return "value.wrong"


def _is_scalar(value):
    if isinstance(value, (float, np.floating)) and not isinstance(value, bool):
        return True
    return isinstance(value, np.ndarray) and value.ndim == 0


def layer_of(name):
    """The layer a per-layer quantity belongs to (``dW2``: 2), or None."""
    digits = "".join(ch for ch in (name or "") if ch.isdigit())
    return int(digits) if digits and name.startswith(("dW", "db", "dA", "dB")) else None
