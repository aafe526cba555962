"""Contracts of the ``init`` suite (F21): zeros, randn * scale, Xavier, He; b = 0.

Weights come from NumPy's global state in the order W1, W2, ... (the worker seeds it with the
run's seed before each call), or from the ``rng`` keyword (a ``np.random.Generator``), which is
optional: a target without it is skipped there, not failed.
"""

import numpy as np

from nnconf.conformance.suites._cases import (
    global_draw,
    initialization,
    initializer_conventions,
)
from nnconf.conformance.suites.contract import Case, FunctionContract, Q
from nnconf.conformance.suites.strategies import layer_dims

SUITE = "init"
STDS = {
    "initialize_zeros": lambda fan_in: 0.0,
    "initialize_random": lambda fan_in: 0.01,
    "initialize_xavier": lambda fan_in: np.sqrt(1.0 / fan_in),
    "initialize_he": lambda fan_in: np.sqrt(2.0 / fan_in),
}


def _build(name):
    def build(dims, label):
        kwargs = {}
        if label == "rng":
            if name == "initialize_zeros":
                return None
            kwargs = {"rng": np.random.default_rng(7)}
        if label == "scale=0.5":
            kwargs = {"scale": 0.5}
        return Case(label, (list(dims),), kwargs, arg_names=("layer_dims", *kwargs))
    return build


def _expect(name):
    def expect(case):
        dims = case.args[0]
        std = (lambda fan_in: case.kwargs["scale"]) if "scale" in case.kwargs else STDS[name]
        if name == "initialize_zeros":
            draw = lambda shape: np.zeros(shape)  # noqa: E731
        elif "rng" in case.kwargs:
            draw = np.random.default_rng(7).standard_normal
        else:
            draw = global_draw(case.seed)
        return {k: Q(v) for k, v in initialization(dims, std, draw).items()}
    return expect


def _self_seeded(name):
    """An initializer that seeds itself (``np.random.seed(k)`` inside), drawing as it should."""
    def conventions(case):
        if name == "initialize_zeros" or case.kwargs:
            return ()
        std = {f"{name} ({name.split('_')[1]} scale)": STDS[name]}
        return (item for item in initializer_conventions(case, std, lambda p: {k: Q(v) for k, v in p.items()})
                if "np.random.seed(" in item[0])
    return conventions


def _contract(name, labels):
    contract = FunctionContract(
        SUITE, name, examples=lambda: layer_dims(min_layers=1, max_layers=4), build=_build(name),
        labels=labels, pattern=lambda c: {f"{k}{l}": f"{k}{l}" for l in range(1, len(c.args[0])) for k in "Wb"},
        expect=_expect(name), conventions=_self_seeded(name),
    )
    contract.optional_kwargs = ("rng",)
    return contract


CONTRACTS = [
    _contract("initialize_zeros", ("random",)),
    _contract("initialize_random", ("random", "scale=0.5", "rng")),
    _contract("initialize_xavier", ("random", "rng")),
    _contract("initialize_he", ("random", "rng")),
]
