"""What a check of one function needs: its cases, its expected outputs, and how to read its result.

A :class:`Contract` names a function of a suite and says, for a :class:`Case` (one set of inputs),
what the target must return (:class:`Q`, one per output quantity, from the PyTorch reference),
how to pull those quantities out of the target's result (:func:`flatten` against a pattern), and
which finite-difference jobs (:class:`FD`) check the target's backward against its own forward.
The engine (``engine.py``) runs every contract through the same fixed stages.
"""

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from nnconf.conformance.box import probes, shared
from nnconf.conformance.judging.compare import describe


@dataclass
class Q:
    """One expected output quantity."""

    value: object
    stage: str = "value"  # value | grad_autograd | layer
    layer: int | None = None
    exact: bool = False  # compare exactly (labels, predictions, sizes)
    cost: bool = False  # must be a Python float or a 0-d array
    keep_dtype: bool = True  # float32 in -> float32 out
    shape_only: bool = False  # only the shape is fixed (random draws with rng=...)
    tolerance: str = "value"  # key of the tolerance table


@dataclass
class FD:
    """Central differences of the target's ``forward`` (elementwise), mapped to quantities."""

    forward: str
    args: tuple
    wrt: tuple
    upstream: object
    output: int | None
    to_quantities: Callable  # list of numeric grads -> {quantity: expected value}


@dataclass(frozen=True)
class Named:
    """An FD job's ``to_quantities`` that names the numeric gradients in order (picklable, so a
    case can be cached)."""

    names: tuple

    def __call__(self, grads):
        return dict(zip(self.names, grads))


@dataclass
class Case:
    label: str  # random | m=1 | n=1 | z=0 | saturated | float32 | ...
    args: tuple
    kwargs: dict = field(default_factory=dict)
    dtype: type = np.float64
    m: int | None = None  # number of examples, for the factor-m hypothesis
    kinks: dict = field(default_factory=dict)  # quantity -> bool mask of inputs on a kink
    alternatives: dict = field(default_factory=dict)  # quantity -> {description: wrong-formula value}
    arg_names: tuple = ()
    fd: list = field(default_factory=list)  # FD jobs
    network: tuple | None = None  # (network key, data, params) for the random-direction check
    baseline: dict = field(default_factory=dict)  # quantity -> input it updates: diagnose the step
    previous: dict = field(default_factory=dict)  # quantity -> right result of an earlier call (stale state)
    seed: int = 0  # the run's seed: the worker seeds NumPy's global state with it before each call
    start: dict | None = None  # a training function's own initial parameters, where it showed them
    only_parameters: bool = False  # a training function that returned parameters without costs


class StructureError(ValueError):
    """The result is not shaped like the contract (a 2-tuple for a 3-tuple, a list for a dict)."""


class Contract:
    """Base contract: a plain function called through ``probes.call``.

    Subclasses (one per function, in ``conformance/suites``) define ``examples`` (a hypothesis
    strategy of shape parameters), ``build(example, label)`` -> Case or None, ``pattern(case)``
    (the result's structure, names at the leaves), and ``expect(case)`` -> {name: Q}.
    """

    suite = ""
    name = ""
    labels = ("random",)  # "random" and the pinned cases, built on the roomiest drawn example
    saturated = False  # a "saturated" case exists; its outputs must be finite
    repeat = True  # call twice to check determinism
    timeout = None

    allow_mutation = ()  # argument names the SPEC lets the function update in place
    optional_kwargs = ()  # keywords the SPEC makes optional: a target without them is skipped there

    has_conventions = False

    def conventions(self, case):
        """Accepted conventions of course versions and the book, as (note, {name: Q}) pairs: when
        the result misses the expected values but matches one of these entirely, the function is
        judged by it and the run notes the convention."""
        return ()

    def examples(self):
        raise NotImplementedError

    def build(self, example, label):
        raise NotImplementedError

    def pattern(self, case):
        return "out"

    def expect(self, case):
        raise NotImplementedError

    older_signatures = ()  # (note, case -> args) of signatures a course version used
    documented_defaults = {}  # position -> (name, default value) the API documents

    def run(self, worker, case):
        """Run the target on ``case``; returns (outcome, {"result", "second", "mutated"}). A function
        that cannot be called as the API says is called as an older course version did, and noted."""
        outcome = call_target(worker, self.suite, self.name, case.args, case.kwargs, self.repeat, timeout=self.timeout)
        for note, older_args in self.older_signatures if not outcome.ok and outcome.kind == "api.signature" else ():
            older = call_target(worker, self.suite, self.name, older_args(case), case.kwargs, self.repeat,
                                timeout=self.timeout)
            if older.ok or older.kind != "api.signature":
                outcome = older
                if older.ok:
                    older.value["convention"] = note
                break
        return outcome, (outcome.value if outcome.ok else None)

    def call_text(self, case):
        """How the repro calls the function."""
        args = ", ".join(list(case.arg_names[: len(case.args)]) + [f"{k}={k}" for k in case.kwargs])
        return f"out = {self.name}({args})"


def call_target(worker, suite, name, args, kwargs=None, repeat=True, timeout=None, seed=None):
    """``probes.call`` (after ``np.random.seed(seed)``, if given) with the arguments in the
    harness's shared memory; the outcome's value gets ``mutated``: the arguments the call wrote
    into, as the harness saw them (``dZ``, ``cache[0]``, ``parameters["W1"]``)."""
    if seed is None:
        outcome = worker.call(probes.call, suite, name, args, kwargs or {}, repeat, timeout=timeout, share=True)
    else:
        outcome = worker.call(probes.call_seeded, suite, name, args, seed, timeout=timeout, share=True)
    if outcome.ok and isinstance(outcome.value, dict):
        names = [n for n in outcome.value.get("names") or () if isinstance(n, str)]
        outcome.value["mutated"] = shared.written(outcome.changed, (2,), names) + shared.written(outcome.changed, (3,), names)
    return outcome


MISSING = object()  # a leaf whose dict key the result lacks


def flatten(pattern, value, path="out"):
    """Walk ``value`` along ``pattern`` (a name, a tuple/list of patterns, or a dict of patterns).

    Returns {name: leaf value}; a key missing from a dict gives :data:`MISSING` leaves, so that the
    keys that are there are still compared (no stage masks another). Raises StructureError naming
    where the structure differs otherwise (a tuple of another length, a list for a dict).
    """
    if isinstance(pattern, str):
        return {pattern: value}
    if isinstance(pattern, tuple) and value is None:
        return {name: MISSING for p in pattern for name in flatten(p, None, path)}
    if isinstance(pattern, dict) and value is None:
        return {name: MISSING for p in pattern.values() for name in flatten(p, None, path)}
    if isinstance(pattern, tuple):
        if not isinstance(value, (tuple, list)) or len(value) != len(pattern):
            raise StructureError(f"{path} should be a tuple of {len(pattern)}, got {describe(value)}")
        leaves = {}
        for i, (p, v) in enumerate(zip(pattern, value)):
            leaves.update(flatten(p, v, f"{path}[{i}]"))
        return leaves
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            raise StructureError(f"{path} should be a dict with keys {sorted(pattern)}, got {describe(value)}")
        leaves = {}
        for k, p in pattern.items():
            if k in value:
                leaves.update(flatten(p, value[k], f'{path}["{k}"]'))
            else:
                leaves.update({name: MISSING for name in flatten(p, None, f'{path}["{k}"]')})
        return leaves
    raise TypeError(f"bad pattern {pattern!r}")


class FunctionContract(Contract):
    """A contract made of functions, so that each check of a suite reads as one declaration:
    ``FunctionContract(suite, name, examples=..., build=..., pattern=..., expect=...)``."""

    def __init__(self, suite, name, *, examples, build, expect, pattern="out", labels=("random",),
                 saturated=False, allow_mutation=(), repeat=True, timeout=None, run=None, conventions=None):
        self.suite, self.name = suite, name
        self._examples, self._build, self._expect, self._pattern = examples, build, expect, pattern
        self.labels, self.saturated, self.allow_mutation = labels, saturated, allow_mutation
        self.repeat, self.timeout, self._run = repeat, timeout, run
        self._conventions = conventions
        self.has_conventions = conventions is not None

    def conventions(self, case):
        return self._conventions(case) if self._conventions else ()

    def examples(self):
        return self._examples()

    def build(self, example, label):
        return self._build(example, label)

    def pattern(self, case):
        return self._pattern(case) if callable(self._pattern) else self._pattern

    def expect(self, case):
        return self._expect(case)

    def run(self, worker, case):
        if self._run is None:
            return super().run(worker, case)
        outcome = self._run(worker, case)
        return outcome, (outcome.value if outcome.ok else None)
