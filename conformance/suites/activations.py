"""Contracts of the ``activations`` suite (F1-F6): every g(z) and every g'(z) backward."""

import numpy as np

from conformance.contract import FD, Case, Contract, Q
from conformance.strategies import array_shapes
from conformance.suites._cases import case_rng, normal, saturated, with_zeros
from reference import activations as ref

KINKED = {"relu", "leaky_relu", "prelu", "elu"}
PARAMETERS = {"leaky_relu": {"alpha": 0.01}, "elu": {"alpha": 1.0}}
OTHERS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")


def _inputs(name, shape, label):
    """(z, da, alpha-or-None, dtype) for a case."""
    rng = case_rng("activations", name, shape, label)
    dtype = np.float32 if label == "float32" else np.float64
    if label == "m=1":
        shape = (shape[0], 1)
    z = normal(rng, shape, dtype, scale=2.0)
    if label == "z=0":
        z = with_zeros(rng, z)
    if label == "saturated":
        z = saturated(rng, shape, dtype)
    da = normal(rng, shape, dtype)
    alpha = None
    if name == "prelu":  # a learned alpha: scalar, or one per row broadcast over the columns
        alpha = 0.25 if len(shape) < 2 or label == "float32" else rng.uniform(0.05, 0.5, (shape[0],) + (1,) * (len(shape) - 1))
    return z, da, alpha, dtype


class Forward(Contract):
    suite = "activations"
    labels = ("random", "m=1", "z=0", "saturated", "float32")
    saturated = True

    def __init__(self, name):
        self.name = name
        self.act = name

    def examples(self):
        return array_shapes(min_dims=1, max_dims=3)

    def build(self, shape, label):
        z, _, alpha, dtype = _inputs(self.act, shape, label)
        args = (z,) if alpha is None else (z, alpha)
        return Case(label, args, dtype=dtype, arg_names=("z", "alpha"))

    def pattern(self, case):
        return "a"

    def expect(self, case):
        kw = {"alpha": case.args[1]} if self.act == "prelu" else {}
        return {"a": Q(ref.forward(self.act, case.args[0], **kw))}


class Backward(Contract):
    suite = "activations"
    labels = ("random", "m=1", "z=0", "saturated", "float32")
    saturated = True

    def __init__(self, act):
        self.act = act
        self.name = f"{act}_backward"

    def examples(self):
        return array_shapes(min_dims=1, max_dims=3)

    def build(self, shape, label):
        z, da, alpha, dtype = _inputs(self.act, shape, label)
        args = (da, z) if alpha is None else (da, z, alpha)
        case = Case(label, args, dtype=dtype, arg_names=("da", "z", "alpha"), m=None)
        if self.act in KINKED:
            case.kinks = {"dz": z == 0}
        case.alternatives = {"dz": self._alternatives(da, z, alpha)}
        if label in ("random", "m=1"):
            wrt = (0,) if alpha is None or np.ndim(alpha) == 0 else (0, 1)
            fd_args = (z,) if alpha is None else (z, alpha)
            case.fd = [FD(self.act, fd_args, wrt, da, None, lambda grads: dict(zip(("dz", "dalpha"), grads)))]
        return case

    def _alternatives(self, da, z, alpha):
        kw = {"alpha": alpha} if self.act == "prelu" else {}
        a = ref.forward(self.act, z, **kw)
        alternatives = {
            f"da * {other}'(z) (the derivative of {other})": da * ref.derivative(other, z)
            for other in OTHERS if other != self.act
        }
        derivative_at_a = ref.derivative(self.act, a, **kw)
        if self.act == "prelu":
            derivative_at_a = derivative_at_a[0]
        alternatives[f"da * {self.act}'(A) (the derivative taken at A = g(Z) instead of Z)"] = da * derivative_at_a
        if self.act == "sigmoid":
            alternatives["da * z (1 - z) (s(1-s) written with Z in place of A)"] = da * z * (1 - z)
        if self.act == "tanh":
            alternatives["da * (1 - z^2) (1 - a^2 written with Z in place of A)"] = da * (1 - z**2)
        return alternatives

    def pattern(self, case):
        return ("dz", "dalpha") if self.act == "prelu" else "dz"

    def expect(self, case):
        da, z = case.args[0], case.args[1]
        if self.act == "prelu":
            dz, dalpha = ref.backward("prelu", da, z, alpha=case.args[2])
            return {
                "dz": Q(dz, stage="grad_autograd"),
                "dalpha": Q(dalpha, stage="grad_autograd", keep_dtype=np.ndim(case.args[2]) > 0),
            }
        return {"dz": Q(ref.backward(self.act, da, z, **PARAMETERS.get(self.act, {})), stage="grad_autograd")}


NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu")
CONTRACTS = [Forward(n) for n in NAMES] + [Backward(n) for n in NAMES]
