"""The engine: every contract of every suite through the same fixed stages, one record per check.

Stages, in order (records.STAGES): the call runs at all (smoke); type (costs are scalars, dtype
kept); shape, exactly; forward values against the reference; gradients against autograd, per
layer for network functions; gradients against finite differences of the target's own forward;
inputs unchanged; finite on saturated inputs; the same result twice. A record is written for
each (stage, quantity); a failing one names the first case that fails and the bug class.
"""

import functools
import math
import os
import re
import sys
import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from nnconf.conformance import diagnosis, loader, numpy2, severity
from nnconf.conformance.bug_classes import explain
from nnconf.conformance.cache import Cache, Memo, key_of
from nnconf.conformance.compare import as_array, compare
from nnconf.conformance.contract import MISSING, StructureError, describe, flatten
from nnconf.conformance.conventions import note
from nnconf.conformance.probes import Opaque
from nnconf.conformance.records import STAGE_WORDS, STAGES, Record
from nnconf.conformance.sources import module_name
from nnconf.conformance.strategies import PROFILES, draw_examples
from nnconf.conformance.suites.dependencies import note_likely_causes
from nnconf.conformance.tolerances import tolerance



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


class ContractRun:
    """Runs one contract on its cases and turns the observations into records."""

    require = False  # --require: a case that could not run for want of another function is a fail, not a skip

    def __init__(self, worker, contract, profile, seed, import_line, memo=None):
        self.worker, self.contract = worker, contract
        self.memo = memo or Memo()  # the reference side, from the cache where it was computed before
        self.profile, self.seed, self.import_line = PROFILES[profile], seed, import_line
        self.observations = {}  # (stage, quantity) -> [Observation]
        self.stop = False
        self.notes = []
        self.alias = None  # the name the target used instead of the SPEC's (document 000's)
        self.conventions = {}  # accepted convention -> the first case it was seen on
        self.reached = set()  # (qualified name, file) of every function the checked calls reached

    # -- collecting ------------------------------------------------------------------------

    def observe(self, stage, quantity, obs):
        self.observations.setdefault((stage, quantity), []).append(obs)

    def cases(self):
        return self.memo.get("cases", self.draw_cases)

    def draw_cases(self):
        c = self.contract
        examples = draw_examples(c.examples(), count=self.profile["examples"], seed=self.seed)
        cases = [c.build(example, "random") for example in examples]
        largest = max(examples, key=_volume)  # pinned cases on the roomiest example: both signs, zeros, ...
        cases += [c.build(largest, label) for label in c.labels if label != "random"]
        cases = [case for case in cases if case is not None]
        for case in cases:
            case.seed = self.seed
        return cases

    def run(self):
        for case in self.cases():
            if self.stop:
                break
            self.run_case(case)
        if self.contract.documented_defaults and not self.stop:
            self.check_defaults()
        return self.records()

    def check_defaults(self):
        """The documented default arguments (``optimize(..., num_iterations=100, learning_rate=0.009)``),
        matched by name (``nn_model(X, Y, n_h, learning_rate, num_iterations=10000)`` keeps its
        num_iterations): another default fails where the course's graders rely on it, and is a
        warning (severity's "changed default") where they pass the value, as the checks do
        (``contract.passed_by_graders``); none at all is the older course's convention, noted."""
        from nnconf.conformance import probes

        outcome = self.worker.call(probes.defaults, self.contract.suite, self.contract.name)
        if not outcome.ok:
            return
        params = {name: (has, default) for name, has, default in outcome.value}
        passed = getattr(self.contract, "passed_by_graders", ())
        for _, (name, value) in sorted(self.contract.documented_defaults.items()):
            if name not in params:
                continue
            has, default = params[name]
            if not has:
                self.conventions.setdefault(note("no defaults", f"`{name}`; documented: {name}={value!r}"), "defaults")
                continue
            same = default == value if isinstance(value, bool) or not isinstance(default, (int, float)) \
                else math.isclose(default, value, rel_tol=1e-12)
            case = severity.DEFAULT_PASSED if name in passed else "defaults"
            self.observe("api", f"default {name}", Observation(
                case, "pass" if same else "fail", None if same else "api.signature",
                "" if same else f"`{name}` defaults to {default!r}; the API documents {name}={value!r}, " + (
                    "which the course's graders pass explicitly, and so do these checks" if name in passed
                    else "which callers (and the course's graders) rely on")))

    def run_case(self, case):
        outcome, data = self.contract.run(self.worker, case)
        if not outcome.ok:
            self.failed_call(case, outcome)
            return
        self.observe("smoke", None, Observation(case.label, "pass"))
        if outcome.patched:
            self.observe("side_effect", "numpy", Observation(
                case.label, "fail", "side_effect.mutates_input",
                f"the call replaced numpy.{', numpy.'.join(outcome.patched[:5])}: NumPy is shared by every "
                "function (the harness put it back)", source=case))
        if data.get("used") not in (None, self.contract.name.split(".")[0]):
            self.alias = data["used"]
        if data.get("convention"):
            self.conventions.setdefault(data["convention"], case.label)
        self.reached.update(map(tuple, data.get("reached", ())))
        if outcome.warnings:
            self.notes.append(f"{case.label}: {'; '.join(outcome.warnings)}")
        actual = self.judge_result(case, data)
        if actual is None:
            return
        for job in case.fd:
            self.run_fd(case, job, actual)
        if case.network is not None:
            self.run_directions(case)

    def failed_call(self, case, outcome):
        """The call gave no result: a skip (a precondition, an optional keyword) or a finding.

        A skip is for a harness condition the worker reported (``Outcome.condition``: the harness's
        own exception class raised by its own code, never a class that is only named like one; the
        outcome carries the harness's name only then, see ``worker._name_by_condition``). What the
        worker reports is still the target's process speaking, so a skip never lets a run pass that
        ``--require`` checks: there, a case that could not run for want of another function fails."""
        c = self.contract
        self.reached.update(map(tuple, outcome.reached))
        if (outcome.error_type in ("Precondition", "UnavailableError") or (
                outcome.error_type == "MissingName" and outcome.missing not in (None, c.name.split(".")[0]))) \
                and _plausible_skip(self.worker, c.suite, outcome):
            if self.require:
                self.observe("smoke", None, Observation(case.label, "fail", None, _needs(outcome) + (
                    " [--require: every function must be checked, and this case could not be]")))
            else:
                self.observe("smoke", None, Observation(case.label, "skip", None, _needs(outcome)))
            return
        if outcome.kind == "api.signature" and set(case.kwargs) & set(c.optional_kwargs):
            self.observe("api", ",".join(case.kwargs), Observation(
                case.label, "skip", None, f"does not take the optional keyword(s) {sorted(case.kwargs)}"))
            return
        kind = outcome.kind
        if kind != "api.signature":
            self.worker.broken.add(c.name)
        detail = f"{outcome.error_type}: {outcome.error}" + (f"\n{outcome.traceback}" if outcome.traceback else "")
        self.observe("api" if kind.startswith("api.") else "smoke", None,
                     Observation(case.label, "error", kind, detail, source=case))
        if _misaligned_product(outcome, c.name):
            self.observe("shape", "product", Observation(
                case.label, "fail", "shape.transposed",
                f"{c.name} itself could not form a matrix product on these (pairwise-distinct) shapes: "
                "a factor in the wrong order or a missing/extra .T; square matrices would have hidden it",
                source=case))
        self.stop = kind != "crash.exception"  # a missing name or a hang will not get better

    def judge_result(self, case, data):
        """Judge every expected quantity, the repeat and the side effects; the flattened result,
        or None when its structure is not the contract's."""
        c = self.contract
        expected = self.memo.get(("expect", key_of(case)), lambda: c.expect(case))
        try:
            actual = flatten(c.pattern(case), data["result"])
        except StructureError as exc:
            self.observe("shape", None, Observation(case.label, "fail", "shape.other", str(exc), source=case))
            return None
        if c.has_conventions and not self.matches(case, expected, actual):
            for text, alternative in self.memo.get(("conventions", key_of(case)), lambda: list(c.conventions(case))):
                if self.matches(case, alternative, actual):
                    expected = alternative
                    self.conventions.setdefault(text, case.label)
                    break
        second = None
        if data.get("second") is not None:
            try:
                second = flatten(c.pattern(case), data["second"])
            except StructureError:
                second = {}
        for name, q in expected.items():
            self.judge(case, name, q, actual.get(name))
            if second is not None and name in second:
                self.judge_repeat(case, name, actual.get(name), second.get(name))
        mutated = [p for p in data.get("mutated", []) if not p.startswith(tuple(c.allow_mutation))]
        for path in mutated:
            self.observe("side_effect", path, Observation(
                case.label, "fail", "side_effect.mutates_input", f"`{path}` was changed by the call", source=case))
        if not mutated:
            self.observe("side_effect", None, Observation(case.label, "pass"))
        return actual

    # -- judging ---------------------------------------------------------------------------

    def matches(self, case, expected, actual):
        """Whether every expected quantity is there, of its shape, within its tolerance."""
        for name, q in expected.items():
            a, e = as_array(actual.get(name)), as_array(q.value)
            if a is None or e is None or a.shape != e.shape:
                return False
            tol = {"atol": 0.0, "rtol": 0.0} if q.exact else tolerance(q.tolerance, case.dtype)
            if not compare(a, e, **tol).ok:
                return False
        return True

    def judge(self, case, name, q, value):
        obs = lambda status, diag=None, detail="", **kw: Observation(  # noqa: E731
            case.label, status, diag, detail, layer=q.layer, source=case, **kw)
        if value is MISSING:
            self.observe("shape", name, obs("fail", "shape.other",
                                            f"the result has no `{name}` (a missing or renamed key); the other keys are still compared"))
            return
        if q.cost and not _is_scalar(value):
            self.observe("type", name, obs("fail", "type.not_scalar", f"{name} is {describe(value)}, not a float or 0-d array"))
            value = np.squeeze(as_array(value)) if as_array(value) is not None else value
        elif q.cost:
            self.observe("type", name, obs("pass"))
        expected = q.value
        e_arr, a_arr = as_array(expected), as_array(value)
        if isinstance(value, (np.ndarray, np.generic, complex)) and np.iscomplexobj(value):
            self.observe("type", name, obs("fail", "type.dtype", f"{name} is complex ({np.asarray(value).dtype}) where "
                                                                   "the result is real: a complex value never passes"))
            return
        if isinstance(value, Opaque) or (a_arr is None and e_arr is not None):
            self.observe("shape", name, obs("fail", "shape.other", f"{name} is {describe(value)}, not an array"))
            return
        if q.keep_dtype and case.dtype == np.float32 and isinstance(value, np.ndarray):
            if np.issubdtype(value.dtype, np.floating) and value.dtype != np.float32:
                self.observe("type", name, obs("fail", "type.dtype", f"{name} is {value.dtype} for float32 input"))
            else:
                self.observe("type", name, obs("pass"))
        if not q.cost:
            if e_arr.shape != a_arr.shape:
                bug, words = diagnosis.diagnose_shape(a_arr.shape, e_arr.shape, _input_shapes(case))
                self.observe("shape", name, Observation(
                    case.label, "fail", bug, words, compare(a_arr, e_arr, 0, 0), layer=q.layer, source=case))
                return
            self.observe("shape", name, Observation(case.label, "pass", comparison=compare(a_arr, e_arr, 0, 0), layer=q.layer))
        if q.shape_only:
            return
        tol = {"atol": 0.0, "rtol": 0.0} if q.exact else tolerance(q.tolerance, case.dtype)
        result = compare(np.reshape(a_arr, e_arr.shape), e_arr, **tol)
        stage = q.stage
        reference = "autograd" if stage in ("grad_autograd", "layer") else "pytorch"
        if result.ok:
            self.observe(stage, name, obs("pass", comparison=result, tolerance=tol, reference=reference))
        else:
            base = as_array(case.baseline[name]) if name in case.baseline else 0.0  # an update: judge its step
            bug, words = diagnosis.diagnose_values(
                a_arr.reshape(e_arr.shape) - base, e_arr - base, atol=tol["atol"] or 1e-9, rtol=tol["rtol"] or 1e-9,
                m=case.m, alternatives=case.alternatives.get(name), kink_mask=case.kinks.get(name),
                previous=case.previous.get(name))
            if name in case.baseline and words:
                words = f"the update step: {words}"
            self.observe(stage, name, obs("fail", bug, words or "", comparison=result, tolerance=tol, reference=reference))
        if self.contract.saturated and case.label == "saturated" and np.all(np.isfinite(e_arr)):
            finite = bool(np.all(np.isfinite(a_arr)))
            self.observe("saturation", name, obs(
                "pass" if finite else "fail", None if finite else "value.nonfinite",
                "" if finite else f"{name} has NaN or inf on saturated input"))

    def judge_repeat(self, case, name, first, second):
        a, b = as_array(first), as_array(second)
        same = (a is None and b is None) or (
            a is not None and b is not None and a.shape == b.shape and np.array_equal(a, b, equal_nan=True))
        self.observe("determinism", name, Observation(
            case.label, "pass" if same else "fail", None if same else "value.stale_state",
            "" if same else f"a second identical call returned a different {name}", source=case))

    def run_fd(self, case, job, actual):
        from nnconf.conformance import probes

        if job.forward in self.worker.broken:
            self.observe("grad_fd", None, Observation(
                case.label, "skip", None,
                f"`{job.forward}` itself failed its checks, so its numeric gradient says nothing about {self.contract.name}"))
            return
        outcome = self.worker.call(probes.fd_vjp, self.contract.suite, job.forward, job.args, job.wrt, job.upstream, job.output)
        if not outcome.ok:
            self.observe("grad_fd", None, Observation(
                case.label, "skip", None, f"{job.forward} could not be differentiated numerically: {outcome.error}"))
            return
        tol = tolerance("fd", np.float64)
        for name, expected in job.to_quantities(outcome.value).items():
            a = as_array(actual.get(name))
            if a is None or a.shape != np.shape(expected):
                continue  # the shape stage has said it
            result = compare(a, expected, **tol)
            bug, words = (None, "") if result.ok else diagnosis.diagnose_values(
                a, np.asarray(expected), **tol, m=case.m, alternatives=case.alternatives.get(name))
            self.observe("grad_fd", name, Observation(
                case.label, "pass" if result.ok else "fail", bug,
                "" if result.ok else f"{words or ''} (numeric gradient of `{job.forward}`)",
                comparison=result, tolerance=tol, reference="finite_diff", source=case))

    def run_directions(self, case):
        from nnconf.conformance import probes

        network, data, params = case.network
        broken = [f for f in probes.NETWORK_FORWARDS[network] if f in self.worker.broken]
        if broken:
            self.observe("grad_fd", None, Observation(
                case.label, "skip", None, f"{', '.join(broken)} failed its checks: the network's own loss is not a reference"))
            return
        outcome = self.worker.call(
            probes.fd_directions, network, data, params, self.seed, self.profile["directions"])
        if not outcome.ok:
            self.observe("grad_fd", None, Observation(
                case.label, "error" if outcome.kind == "crash.timeout" else "skip", outcome.kind if outcome.kind == "crash.timeout" else None,
                f"random-direction check could not run: {outcome.error_type}: {outcome.error}"))
            return
        tol = tolerance("direction", np.float64)
        for entry in outcome.value:
            name = "d" + "+".join(entry["keys"])
            num, ana = entry["numeric"], entry["analytic"]
            result = compare(np.array(ana), np.array(num), **tol)
            self.observe("grad_fd", name, Observation(
                case.label, "pass" if result.ok else "fail",
                None if result.ok else _direction_class(num, ana, case.m),
                "" if result.ok else f"directional derivative along a random direction: numeric {num:.8g}, from the gradient {ana:.8g}",
                comparison=result, tolerance=tol, reference="finite_diff", layer=_layer_of(name), source=case))

    # -- records ---------------------------------------------------------------------------

    def repro(self, case):
        lines = [self.import_line(self.contract.name.split(".")[0])]
        for arg_name, value in zip(case.arg_names, list(case.args) + list(case.kwargs.values())):
            lines.append(f"{arg_name} = {_literal(value)}")
        lines.append(self.contract.call_text(case))
        return "\n".join(lines)

    def records(self):
        c = self.contract
        out = []
        keys = sorted(self.observations, key=lambda k: (STAGES.index(k[0]), _quantity_order(k[1])))
        first_layer = _first_divergent_layer(self.observations)
        for stage, quantity in keys:
            observations = self.observations[(stage, quantity)]
            levels = {id(o): severity.level(stage, quantity, o.case, o.diagnosis, o.status) for o in observations}
            bad = [o for o in observations if levels[id(o)][0] in ("fail", "error")] or [
                o for o in observations if levels[id(o)][0] == "warn"]  # a warning only where nothing fails
            specific = [o for o in bad if o.diagnosis not in (None, "value.wrong")]  # the most specific class wins
            chosen = (specific or bad)[0] if bad else max(
                observations, key=lambda o: (o.comparison.max_abs_err or 0) if o.comparison is not None and o.comparison.max_abs_err is not None else -1)
            status, rule = levels[id(chosen)] if bad else (
                "skip" if all(o.status == "skip" for o in observations) else "pass", None)
            comparison = chosen.comparison
            record = Record(
                suite=c.suite, function=c.name,
                check=f"{stage}:{quantity or c.name}@{chosen.case}",
                stage=stage, status=status, quantity=quantity, layer=chosen.layer, case=chosen.case,
                diagnosis=chosen.diagnosis if bad else None,
                diagnosis_text=explain(chosen.diagnosis) if bad else None,
                tolerance=chosen.tolerance, reference=chosen.reference,
                repro=self.repro(chosen.source) if bad and chosen.source is not None else None,
            )
            if comparison is not None:
                record.expected_shape = _list(comparison.expected_shape)
                record.actual_shape = _list(comparison.actual_shape)
                if comparison.shape_ok and comparison.max_abs_err is not None:
                    record.max_abs_err = comparison.max_abs_err
                    record.max_rel_err = comparison.max_rel_err
                    record.worst_index = _list(comparison.worst_index)
                    record.expected_value = comparison.expected_value
                    record.actual_value = comparison.actual_value
            record.message = self.message(record, chosen, len(observations), first_layer)
            if rule is not None:
                record.extra["rule"] = rule.name
                record.message = f"warning ({rule.name}: {rule.why}): {record.message}"
            if self.alias and record.repro:
                top = c.name.split(".")[0]
                record.repro = record.repro.replace(f"import {top}", f"import {self.alias}").replace(
                    f"out = {top}(", f"out = {self.alias}(")
            out.append(record)
        for text, case_label in self.conventions.items():
            out.append(Record(
                suite=c.suite, function=c.name, check=f"convention:{c.name}@{case_label}", stage="value",
                status="note", case=case_label,
                message=f"{c.name}: follows an accepted convention of a course version: {text}; judged by it"))
        return out

    def message(self, record, obs, count, first_layer):
        c = self.contract
        what = record.quantity or "the call"
        if record.status == "pass":
            text = f"{c.name}: {what} passes {record.stage} on {count} case(s)"
            if self.notes and record.stage == "smoke":
                text += f" (noted, not failed: {' | '.join(self.notes[:3])})"
            if self.alias and record.stage == "smoke":
                text += f" (found under the older name `{self.alias}`)"
            return text
        if record.status == "skip":
            return f"{c.name}: {record.stage} skipped: {obs.detail}"
        parts = [f"{c.name}: {what} {STAGE_WORDS.get(record.stage, record.stage)} [stage {record.stage}, case {obs.case}]"]
        if obs.detail:
            parts.append(obs.detail)
        if record.expected_shape is not None or record.actual_shape is not None:
            parts.append(f"expected shape {_shape_text(record.expected_shape)}, got {_shape_text(record.actual_shape)}")
        if record.worst_index is not None and record.max_abs_err is not None:
            parts.append(
                f"worst element {tuple(record.worst_index)}: expected {record.expected_value:.8g}, "
                f"got {record.actual_value:.8g} (max abs err {record.max_abs_err:.3g}, max rel err {record.max_rel_err:.3g})")
        if record.diagnosis:
            parts.append(f"looks like {record.diagnosis}")
        if first_layer is not None and record.quantity == first_layer:
            parts.append("this is the first quantity that diverges, walking backward from the output")
        return "; ".join(parts)


def _plausible_skip(worker, suite, outcome):
    """Whether a harness condition the worker reported fits what the harness reads in the unit's
    files itself: a missing name that they do not define, an unavailable name that an import of
    theirs binds (a precondition is the probes' own: not applicable to the code). Else the
    skip is the target's doing (it can call the harness's own code in its process) and the call is
    its crash."""
    if outcome.error_type == "Precondition":
        return True  # the harness's probes state their own preconditions (a case not applicable to the code)
    scans = [scan for _, scan in _unit_scans(worker.target, suite)]
    if not scans:
        return True  # a package or a kernel's functions: nothing the harness reads to hold it against
    defined = set().union(*(s.defined for s in scans))
    if outcome.error_type == "MissingName":
        return outcome.missing not in defined
    named = re.match(r"`(\w+)`", outcome.error or "")
    return bool(named) and named.group(1) not in defined and any(
        named.group(1) in s.imported or s.star for s in scans)


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


def _volume(example):
    """The product of the sizes in an example (ints, nested in tuples and lists)."""
    if isinstance(example, (tuple, list)):
        return math.prod(_volume(e) for e in example) if example else 1
    return example if isinstance(example, int) else 1


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


def _layer_of(name):
    digits = "".join(ch for ch in (name or "") if ch.isdigit())
    return int(digits) if digits and name.startswith(("dW", "db", "dA", "dB")) else None


def _quantity_order(quantity):
    if quantity is None:
        return (-1, "")
    layer = _layer_of(quantity)
    return (0 if layer is None else 1, -(layer or 0), quantity)


def _first_divergent_layer(observations):
    """The first failing per-layer quantity walking backward from the output (highest layer first)."""
    failing = [
        (obs.layer, key[1]) for key, group in observations.items() if key[0] == "layer"
        for obs in group if obs.status == "fail" and obs.layer is not None
    ]
    if not failing:
        return None
    kind_order = {"W": 0, "b": 1, "A": 2}
    return sorted(failing, key=lambda x: (-x[0], kind_order.get(x[1][1:2], 3), x[1]))[0][1]


def _shape_text(shape):
    return "n/a" if shape is None else str(tuple(shape))


def _list(value):
    return None if value is None else [int(v) for v in value]


def _literal(value):
    """Python source that rebuilds ``value`` exactly (arrays up to 200 elements)."""
    if isinstance(value, np.ndarray):
        if value.size > 200:
            return f"np.zeros({value.shape})  # {value.size} values elided: see the JSON record's case"
        body = np.array2string(value, separator=", ", threshold=10**6, floatmode="unique", max_line_width=120)
        return f"np.array({body}, dtype=np.{value.dtype})"
    if isinstance(value, tuple):
        return "(" + ", ".join(_literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def import_line(target, suite, name):
    """The lines a repro snippet starts with: numpy, and ``name`` from the target's own file."""
    if target.kind == "package":
        return f"import numpy as np\nfrom {target.package}.{suite} import {name}"
    if target.kind == "objects":
        return f"# in the notebook that defines {name}\nimport numpy as np"
    source = target.sources[suite]
    path = source.names.get(name, source.primary)
    if path.endswith(".ipynb"):
        return (f"# run in {os.path.basename(path)}, after the cell that defines {name}"
                f" (or import it from where it is defined)\nimport numpy as np")
    module, base = module_name(path)
    return f"import sys; sys.path.insert(0, {base!r})\nimport numpy as np\nfrom {module} import {name}"


# --- the whole run ------------------------------------------------------------------------------


def run(target, suites=None, profile="fast", seed=0, timeout=10.0, progress=None, training=True,
        functions=None, jobs=1, require=False, limits=None, cache=None, early=None):
    """Check ``target`` (a loader.Target) on ``suites``, unit by unit; returns the results document.

    Each unit (a file that holds a suite on its own: see loader.Target.units) is checked as
    :func:`run_unit` checks it, and every record names its unit (``unit``). A function that two
    units reach in the same file and line (a helper both import) is checked under the first and
    named under the others, never reported twice.
    """
    units = target.units()
    start = time.perf_counter()
    documents, checked = [], {}
    for i, unit in enumerate(units):
        if progress is not None and hasattr(progress, "unit") and len(units) > 1:
            progress.unit(unit.label())
        own = suites if len(units) == 1 else [s for s in (suites or loader.SUITES) if s in unit.suites()]
        document = run_unit(unit, own, profile, seed, timeout, progress, training, functions, jobs, require,
                            limits, cache, early if i == 0 else None)
        name = unit.unit or target.spec
        kept, shared = [], set()
        for record in document["records"]:
            source = record.get("source")
            first = checked.setdefault((record["suite"], record["function"], source), name) if source else name
            if first == name:
                kept.append({**record, "unit": name})
            else:
                shared.add(f"{record['suite']}.{record['function']} (the same code, checked under {first})")
        document["records"], document["meta"]["shared"] = kept, sorted(shared)
        document["curves"] = [{**c, "unit": name} if isinstance(c, dict) else c for c in document["curves"]]
        documents.append((unit, document))
    return _merged(target, documents, time.perf_counter() - start, suites, require, functions)


def _merged(target, documents, duration, suites, require, functions):
    """One results document from the units' documents."""
    if len(documents) == 1 and not target.parts:
        document = documents[0][1]
        document["meta"]["units"] = [_unit_meta(*documents[0])]
        return document
    records = _without_missing_elsewhere([r for _, d in documents for r in d["records"]])
    wanted = [s for s in (suites or loader.SUITES) if functions is None or contract_names(s, functions)]
    for suite in wanted:
        if suite not in target.suites():
            records += [{**not_implemented(suite, name, require, f"{target.spec} does not implement the {suite} suite")
                        .to_json(), "unit": None} for name in contract_names(suite, functions)]
    meta = {**documents[0][1]["meta"], "requested": wanted, "target": target.spec, "sources": target.describe(),
            "suites": [s for s in loader.SUITES if any(s in d["meta"]["suites"] for _, d in documents)],
            "duration_s": round(duration, 3), "units": [_unit_meta(u, d) for u, d in documents]}
    return {"meta": meta, "records": records, "curves": [c for _, d in documents for c in d["curves"]],
            "planar": next((d["planar"] for _, d in documents if d["planar"]), documents[0][1]["planar"])}


def _without_missing_elsewhere(records):
    """The records less the "not implemented" ones of a function that another unit implements (a
    learner's one-function-per-file folder: each file is a unit, none lacks what another holds)."""
    present = {(r["suite"], r["function"]) for r in records if r.get("diagnosis") != "api.missing"}
    return [r for r in records if not (r.get("diagnosis") == "api.missing" and r["status"] in ("skip", "fail")
                                       and r["stage"] == "api" and (r["suite"], r["function"]) in present)]


def _unit_meta(unit, document):
    return {"unit": unit.unit or unit.spec, "copy_of": unit.copy_of, "suites": document["meta"]["suites"],
            "course_version": unit.course_version, "version_evidence": unit.version_evidence,
            "shared": document["meta"].get("shared", [])}


def run_unit(target, suites=None, profile="fast", seed=0, timeout=10.0, progress=None, training=True,
             functions=None, jobs=1, require=False, limits=None, cache=None, early=None):
    """Check one unit ``target`` (a loader.Target without parts) on ``suites``; returns its results document.

    The work is a list of tasks (the checks of a suite, a training curve, the planar sweep), each
    with its own isolated worker; ``jobs`` > 1 runs them in that many processes at once. A suite
    or function the target does not implement is a ``skip`` (``api.missing``, "not implemented"),
    a ``fail`` with ``require``. ``limits`` (a worker.Limits) bounds each worker's memory and files
    and the whole run's time.
    """
    import datetime
    import platform

    start = time.perf_counter()
    wanted = list(loader.SUITES if suites is None else suites)
    if functions is not None:  # the suites holding those functions; no curves for a choice of functions
        wanted, training = [s for s in wanted if contract_names(s, functions)], False
    suites = [s for s in wanted if s in target.suites()]
    from nnconf.conformance.worker import Limits, box_of

    limits = limits or Limits()
    box = box_of(target, limits)
    tasks = plan(suites, training)
    cache = cache or Cache.default()
    results = _run_tasks(target, tasks, profile, seed, timeout, functions, jobs, progress, require, limits, cache, early)
    from nnconf.conformance.training import merge_planar

    records, curves, planar = [], [], []
    for suite in wanted:
        if suite not in suites:
            records += [not_implemented(suite, name, require, f"{target.spec} does not implement the {suite} suite").to_json()
                        for name in contract_names(suite, functions)]
    for task_records, task_curves, task_planar in results:
        records += task_records
        curves += task_curves
        planar.append(task_planar)
    note_likely_causes(records)
    for record in records:
        record["sandbox"] = box.mode
    return {
        "meta": {
            "sandbox": box.mode,
            "sandbox_warning": box.warning,
            "target": target.spec,
            "target_kind": target.kind,
            "sources": target.describe(),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "versions": _versions(platform.python_version()),
            "seed": seed,
            "profile": profile,
            "suites": list(suites),
            "requested": wanted,
            "duration_s": round(time.perf_counter() - start, 3),
            "jobs": jobs,
        },
        "records": records,
        "curves": curves,
        "planar": merge_planar(planar),
    }


class Task(NamedTuple):
    """A unit of work with its own worker: ``kind`` "checks", "curve" or "planar sweep", of
    ``suite``; ``part`` the hidden size of a planar sweep task."""

    kind: str
    suite: str
    part: object = None


def plan(suites, training):
    """The tasks of a run, longest first (so that parallel jobs finish together): the planar
    curve (10,000 lockstep iterations), the planar sweep split into one task per hidden size, the
    other curves, the checks."""
    if not training:
        return [Task("checks", s) for s in suites]
    from nnconf.conformance.training import HIDDEN_SIZES, SYSTEMS

    tasks = []
    if training:
        tasks += [Task("curve", s) for s in SYSTEMS if s in suites and s == "shallow"]
    if training and "shallow" in suites:
        tasks += [Task("planar sweep", "shallow", n_h) for n_h in sorted(HIDDEN_SIZES, reverse=True)]
    if training:
        tasks += [Task("curve", s) for s in SYSTEMS if s in suites and s != "shallow"]
    return tasks + [Task("checks", s) for s in suites]


def _run_tasks(target, tasks, profile, seed, timeout, functions, jobs, progress, require, limits, cache, early=None):
    """Each task's (records, curves, planar), in the order of ``tasks``. ``early``: a worker the
    caller started already for the first task's suite (it loaded while the caller went on)."""
    arguments = [(target, task, profile, seed, timeout, functions, require, limits, cache) for task in tasks]
    if jobs <= 1:
        from nnconf.conformance.worker import Worker

        # each task's worker is started while the task before it runs: its start-up (a fresh
        # Python in its box) overlaps with the work instead of adding to it
        workers = [Worker(target, task[1], seed=seed, timeout=timeout, limits=limits) for task in tasks]
        if early is not None and tasks and tasks[0] == Task("checks", early.suite):
            workers[0], early = early, None
        results = []
        for i, (task, args) in enumerate(zip(tasks, arguments)):
            if i + 1 < len(workers):
                workers[i + 1].start()
            results.append(run_task(*args, progress=progress, worker=workers[i]))  # the checks report as they go
        if early is not None:
            early.close()
            if progress and task[0] != "checks" and results[-1][0]:
                progress(task[1], task[0], results[-1][0])
        return results
    import concurrent.futures
    import multiprocessing

    # fork where PyTorch is not loaded (a warm run never loads it): the job processes start at once,
    # with everything imported; spawn where it is (it must not be forked after it started threads)
    context = multiprocessing.get_context("spawn" if "torch" in sys.modules else "fork")
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
        futures = {pool.submit(run_task, *args): task for task, args in zip(tasks, arguments)}
        for future in concurrent.futures.as_completed(futures):
            if progress:
                _progress_of_task(progress, futures[future], future.result()[0])
        return [future.result() for future in futures]


def _progress_of_task(progress, task, records):
    kind, suite = task.kind, task.suite
    if kind != "checks":
        if records:
            progress(suite, kind, records)
        return
    by_function = {}
    for record in records:
        by_function.setdefault(record["function"], []).append(record)
    for function, found in by_function.items():
        progress(suite, function, found)


def run_task(target, task, profile, seed, timeout, functions, require=False, limits=None, cache=None, progress=None,
             worker=None):
    """One unit of work in its own worker process for the target (``worker``, or a new one; closed
    at the end): (records, curves, planar)."""
    from nnconf.conformance import probes, training
    from nnconf.conformance.suites import contracts
    from nnconf.conformance.worker import Limits, Worker

    kind, suite, part = task

    with worker or Worker(target, suite, seed=seed, timeout=timeout, limits=limits or Limits()) as worker:
        if kind == "checks":
            chosen = [c for c in contracts(suite) if functions is None or c.name in functions]
            records = run_suite(worker, target, suite, chosen, profile, seed, progress, require, cache)
            return [r.to_json() for r in records], [], None
        needs = training.REQUIRES[suite if kind == "curve" else "planar sweep"]
        inventory = worker.call(probes.inventory, suite, needs)
        if not inventory.ok:
            return [], [], None  # the suite's checks report why its code does not load
        absent = [name for name in needs if not inventory.value["implemented"][name]]
        if absent and part not in (None, max(training.HIDDEN_SIZES)):
            return [], [], None  # the sweep's first part says it once
        if absent:
            return [Record(suite=suite, function=f"training ({kind})", check=f"training:{kind}", stage="training",
                           status="skip", message=f"{kind} not run: needs {', '.join(absent)}, not implemented").to_json()], [], None
        try:
            cache = cache or Cache.default()
            if kind == "curve":
                curve, record = training.run_curve(worker, suite, profile, cache.named(suite, "training curve", profile, 0))
                return [record.to_json()], [curve], None
            return [], [], training.run_planar(worker, profile, (part,), cache.named(suite, "planar sweep", profile, 0))
        except Exception as exc:  # noqa: BLE001 - the other tasks' results must survive
            return [Record(suite=suite, function=f"training ({kind})", check=f"harness:{kind}", stage="training",
                           status="error", message=f"internal error of the harness in the {kind}: {exc!r}").to_json()], [], None


def run_suite(worker, target, suite, contracts, profile, seed, progress=None, require=False, cache=None):
    """Records of one suite: each contract of a function the target implements, and one
    not-implemented record for each function it lacks."""
    from nnconf.conformance import probes

    cache = cache or Cache.default()
    from nnconf.conformance.suites import FUNCTIONS

    names = list(dict.fromkeys(c.name for c in contracts))
    # every API name's source, not only the checked ones': a call into linear_backward is known as such
    # also where linear_activation_backward is checked alone (the pytest plugin, --function)
    outcome = worker.call(probes.inventory, suite, list(dict.fromkeys([*names, *FUNCTIONS[suite]])))
    if not outcome.ok:
        return [Record(
            suite=suite, function="*", check=f"api:{suite}", stage="api", status="error", diagnosis=outcome.kind,
            diagnosis_text=explain(outcome.kind),
            message=f"the {suite} code of {target.spec} could not be loaded: {outcome.error_type}: {outcome.error}"
                    + (f"\n{outcome.traceback}" if outcome.traceback else ""),
        )]
    inventory = outcome.value
    records, absent = [], set()
    line = functools.partial(import_line, target, suite)
    written = _written_definitions(target, suite)
    broken = _unparsed_definitions(target, suite)
    read_as, known_calls = {}, {}
    removed = {}  # name -> the warning of its NumPy names removed in NumPy 2 (read from the files)
    for record in numpy2.unit_records(target, suite, [n for n in names if inventory["implemented"][n]]):
        removed.setdefault(record.function, record)
    for contract in contracts:
        name = contract.name
        top = name.split(".")[0]
        if top in broken and name not in absent:
            absent.add(name)
            found = [does_not_parse(suite, name, broken[top])]
            records += found
            if progress:
                progress(suite, name, [r.to_json() for r in found])
        if inventory["implemented"][name] and top not in read_as:
            read_as[top] = _name_read(target, suite, top, written)
            if read_as[top]:
                records.append(Record(
                    suite=suite, function=name, check=f"name:{top}", stage="api", status="note",
                    message=f"{name}: read as {read_as[top]}, a name as learners write it or an older name of the "
                            f"documents; judged under it (the API's name is `{top}`)"))
        if not inventory["implemented"][name]:
            if name not in absent:
                absent.add(name)
                found = [not_implemented(suite, name, require, inventory["reasons"][name])
                         if name not in written else vanished(suite, name, written[name])]
                records += found
                if progress:
                    progress(suite, name, [r.to_json() for r in found])
            continue
        started = time.perf_counter()
        run = ContractRun(worker, contract, profile, seed, line, cache.memo(contract, profile, seed))
        run.require = require
        try:
            found = run.run()
            run.memo.save()
        except Exception as exc:  # noqa: BLE001 - a harness bug must not lose the other results
            import traceback

            found = [Record(
                suite=suite, function=contract.name, check=f"harness:{contract.name}", stage="smoke",
                status="error", diagnosis=None,
                message=f"internal error of the harness while checking {contract.name}: {exc!r}\n{traceback.format_exc(limit=4)}",
            )]
        if name in removed:
            found.append(removed.pop(name))
        elapsed = round(time.perf_counter() - started, 4)
        source = _source_text(target, inventory["sources"].get(name.split(".")[0]))
        calls = _api_calls(suite, run.reached, name, inventory["sources"])
        calls = known_calls[name] = sorted(set(calls) | set(known_calls.get(name, ())))  # traced once per worker
        for record in found:
            record.duration_s = elapsed
            record.extra["source"] = source
            if calls:
                record.extra["calls"] = calls
        if any(r.status in ("fail", "error") for r in found):
            worker.broken.add(contract.name)  # its numeric gradient must not judge later functions
            callees = [c for c in dict.fromkeys([*calls, *_undefined_names(found)])
                       if c != name and (c in worker.broken or c in broken)]
            for record in on_its_own(worker, contract, callees, profile, seed, line, cache):
                record.extra["source"] = source
                found.append(record)
        records += found
        if progress:
            progress(suite, contract.name, [r.to_json() for r in found])
    if inventory["notes"] and records:
        records[0].extra["load_notes"] = inventory["notes"][:20]
    return records


STANDIN_FILE = "<nnconf stand-in>"  # the file name the stand-ins are compiled under (loader.put_standins)


def on_its_own(worker, contract, callees, profile, seed, line, cache):
    """``contract``'s function judged once more with working stand-ins (suites.standins) for the
    ``callees`` that fail on their own: its own failures (``isolated`` names the stand-ins), or one
    record saying it passes that way and its failures follow from theirs. Nothing where a callee
    has no stand-in."""
    from nnconf.conformance.suites.standins import standins
    from nnconf.conformance.worker import Worker

    chosen = standins(contract.suite, callees)
    if chosen is None:
        return []
    names, _ = chosen
    if names not in worker.isolation:
        worker.isolation[names] = Worker(worker.target, worker.suite, seed=worker.seed, timeout=worker.timeout,
                                         limits=worker.limits, standins=chosen)
    run = ContractRun(worker.isolation[names], contract, profile, seed, line, cache.memo(contract, profile, seed))
    try:
        found = run.run()
    except Exception:  # noqa: BLE001 - the function's own records stand; this pass only adds to them
        return []
    words = ", ".join(f"`{n}`" for n in names)
    bad = [r for r in found if r.status in ("fail", "error")]
    if any(STANDIN_FILE in r.message or any(f"{n}()" in r.message for n in names) for r in bad):
        return []  # the stand-in could not stand in (a call it does not take): nothing learned
    if not bad:
        return [Record(suite=contract.suite, function=contract.name, check=f"isolated:{contract.name}", stage="smoke",
                       status="pass", message=f"{contract.name}: passes its checks with a working {words} in place of "
                                          f"yours: its failures follow from {words}")]
    for record in bad:
        record.check = f"isolated:{record.check}"
        record.message = f"with a working {words} in place of yours, {record.message}"
        record.extra["isolated"] = list(names)
    return bad


def _undefined_names(records):
    """The names a crash found undefined (``NameError: name 'linear_backward' is not defined``)."""
    from nnconf.conformance.suites.dependencies import undefined_names

    return [n for r in records if r.status in ("fail", "error") for n in undefined_names(r.message)]


def _api_calls(suite, reached, name, sources):
    """The suite's API functions (other than ``name``) that the checked calls really reached, in
    the files the suite's names were loaded from (not a same-named function elsewhere, nor a
    function's own comprehensions and inner functions)."""
    from nnconf.conformance.suites import FUNCTIONS

    files = {top: where[0] for top, where in sources.items() if where}
    return sorted({qualname for qualname, filename in reached
                   if qualname != name and qualname in FUNCTIONS[suite] and files.get(qualname.split(".")[0]) == filename})


def not_implemented(suite, name, require, reason=""):
    """The record of a function the target does not define: a skip, or a fail with ``--require``."""
    detail = reason if reason and "not implemented" not in reason else reason.partition("; ")[2] if reason else ""
    return Record(
        suite=suite, function=name, check=f"api:{name}", stage="api", status="fail" if require else "skip",
        diagnosis="api.missing", diagnosis_text=explain("api.missing"),
        message=f"{name}: not implemented" + (f" ({detail})" if detail else "")
                + (" [--require: every function must be implemented]" if require else ""),
    )


def _unit_scans(target, suite):
    """[(path, sources.Scan)] of the files the suite of a path target is read from, as the harness
    reads them itself (never from the worker, which runs the target's code); none for a package or
    a kernel's functions."""
    from nnconf.conformance import sources

    if target.kind != "path" or suite not in target.sources:
        return []
    return [(path, sources.scan(path)) for path in target.sources[suite].files()]


def _written_definitions(target, suite):
    """{name: "file:line"} of the functions and classes the suite's files define at top level."""
    written = {}
    for path, scan in _unit_scans(target, suite):
        for name in scan.public:
            written.setdefault(name, f"{target.relative(path)}:{scan.defined.get(name)}")
    return written


def _name_read(target, suite, top, written):
    """The name (and where) the unit's files define for the API's ``top`` when they do not define
    ``top`` itself: an older name of the documents or a name as learners write it (read from the
    files, never from the worker); None when ``top`` is defined as it is, or imported."""
    if target.kind != "path" or suite not in target.sources or top in written:
        return None
    if top in target.sources[suite].names or any(top in scan.imported for _, scan in _unit_scans(target, suite)):
        return None
    known = [a for a in loader.ALIASES.get(suite, {}).get(top, ()) if a in written]
    found = known or [n for n in written if loader.is_variant(n, top)]
    return f"`{found[0]}` ({written[found[0]]})" if len(found) == 1 else None


def _unparsed_definitions(target, suite):
    """{name: (where, syntax error)} of the functions and classes that code of the suite's files
    which does not parse would define."""
    broken = {}
    for path, scan in _unit_scans(target, suite):
        for piece in scan.broken:
            for name in piece.names:
                broken.setdefault(name, (f"{target.relative(path)}, {piece.where}", piece.message))
    return broken


def does_not_parse(suite, name, found):
    """The record of a function whose code is not valid Python: an error, never a skip."""
    where, message = found
    return Record(
        suite=suite, function=name, check=f"api:{name}", stage="api", status="error", diagnosis="crash.syntax",
        diagnosis_text=explain("crash.syntax"), extra={"source": where},
        message=f"{name}: its code does not parse ({where}: SyntaxError: {message}); none of its checks ran, and "
                "every function that calls it is not checked either",
    )


def vanished(suite, name, where):
    """The record of a function the files define but the loaded code does not have: something
    that ran at import removed or hid it. An error, never a skip (a skip would pass the run)."""
    return Record(
        suite=suite, function=name, check=f"api:{name}", stage="api", status="error", diagnosis="api.missing",
        diagnosis_text=explain("api.missing"),
        message=f"{name}: {where} defines it, but the loaded code does not have it (something that runs at import - "
                "a decorator, a default argument, a class body - removed or hid it)",
    )


def contract_names(suite, functions=None):
    """The distinct function names the contracts of ``suite`` check (in order)."""
    from nnconf.conformance.suites import FUNCTIONS

    return [name for name in FUNCTIONS[suite] if functions is None or name in functions]


def _source_text(target, where):
    """``path:line`` (``notebook.ipynb, cell 12, line 3``) relative to the working folder."""
    if not where:
        return None
    filename, line = where
    path, _, cell = filename.partition("#cell")
    path = target.relative(path) if target.kind == "path" else path
    return f"{path}, cell {cell}, line {line}" if cell else f"{path}:{line}"


def _versions(python):
    import importlib.metadata

    versions = {"python": python, "numpy": np.__version__}
    for name in ("torch", "nnconf", "hypothesis"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions
