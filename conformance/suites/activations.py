"""Contracts of the ``activations`` suite (F1-F6): every g(z) and every g'(z) backward."""

import numpy as np

from nnconf.conformance.suites._cases import case_rng, normal, saturated, with_zeros
from nnconf.conformance.suites.contract import FD, Case, Contract, Named, Q
from nnconf.conformance.suites.lazy import lazy
from nnconf.conformance.suites.strategies import array_shapes

ref = lazy("nnconf.reference.activations")

KINKED = {"relu", "leaky_relu", "prelu", "elu"}
DEFAULT_ALPHA = {"leaky_relu": 0.01, "elu": 1.0}
OTHERS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")
LABELS = ("random", "m=1", "z=0", "saturated", "float32")
ALPHA_LABELS = ("alpha=0.3", "alpha=0.3, z=0")  # a non-default alpha must be used, also at the kink


def _inputs(name, shape, label):
    """(z, da, alpha-or-None, dtype) for a case."""
    rng = case_rng("activations", name, shape, label)
    dtype = np.float32 if label == "float32" else np.float64
    if label == "m=1":
        shape = (shape[0], 1)
    z = normal(rng, shape, dtype, scale=2.0)
    flat = z.reshape(-1)
    if flat.size >= 2:  # both sides of every kink, however small the array
        flat[0], flat[-1] = -abs(flat[0]) - 0.1, abs(flat[-1]) + 0.1
    if label.endswith("z=0"):
        z = with_zeros(rng, z)
    if label == "saturated":
        z = saturated(rng, shape, dtype)
    da = normal(rng, shape, dtype)
    alpha = None
    if name == "prelu":  # a learned alpha: scalar, or one per row broadcast over the columns
        alpha = 0.25 if len(shape) < 2 or label == "float32" else rng.uniform(0.05, 0.5, (shape[0],) + (1,) * (len(shape) - 1))
    if label.startswith("alpha="):
        alpha = float(label.split("=")[1].split(",")[0])
    return z, da, alpha, dtype


def _case(act, label, args, alpha, dtype, arg_names):
    case = Case(label, args if alpha is None else args + (alpha,), dtype=dtype, arg_names=arg_names)
    case.alpha = {} if alpha is None else {"alpha": alpha}  # for the reference
    return case


class Forward(Contract):
    suite = "activations"
    saturated = True

    def __init__(self, name):
        self.name = name
        self.act = name
        self.labels = LABELS + (ALPHA_LABELS if name in DEFAULT_ALPHA else ())

    def examples(self):
        return array_shapes(min_dims=1, max_dims=3)

    def build(self, shape, label):
        z, _, alpha, dtype = _inputs(self.act, shape, label)
        return _case(self.act, label, (z,), alpha, dtype, ("z", "alpha"))

    def pattern(self, case):
        return "a"

    def expect(self, case):
        return {"a": Q(ref.forward(self.act, case.args[0], **case.alpha))}


class Backward(Contract):
    suite = "activations"
    saturated = True

    def __init__(self, act):
        self.act = act
        self.name = f"{act}_backward"
        self.labels = LABELS + (ALPHA_LABELS if act in DEFAULT_ALPHA else ())

    def examples(self):
        return array_shapes(min_dims=1, max_dims=3)

    def build(self, shape, label):
        z, da, alpha, dtype = _inputs(self.act, shape, label)
        case = _case(self.act, label, (da, z), alpha, dtype, ("da", "z", "alpha"))
        if self.act in KINKED:
            case.kinks = {"dz": z == 0}
        case.alternatives = {"dz": self._alternatives(da, z, case.alpha)}
        if label in ("random", "m=1", "alpha=0.3"):
            wrt = (0,) if alpha is None or np.ndim(alpha) == 0 else (0, 1)
            fd_args = (z,) if alpha is None else (z, alpha)
            case.fd = [FD(self.act, fd_args, wrt, da, None, Named(("dz", "dalpha")))]
        return case

    def _alternatives(self, da, z, alpha):
        """Hypotheses for the diagnosis: what known wrong formulas give (never a reference)."""
        derivative = lambda name, x, **kw: np.asarray(ref.derivative(name, x, **kw)[0] if name == "prelu" else ref.derivative(name, x, **kw))  # noqa: E731
        a = ref.forward(self.act, z, **alpha)
        alternatives = {
            f"da * {other}'(z) (the derivative of {other})": da * derivative(other, z)
            for other in OTHERS if other != self.act
        }
        alternatives[f"da * {self.act}'(A) (the derivative taken at A = g(Z) instead of Z)"] = da * derivative(self.act, a, **alpha)
        alternatives["da * g(z) (the activation itself in place of its derivative)"] = da * a
        alternatives["da * a (1 - a) (the sigmoid formula applied to this activation's output)"] = da * a * (1 - a)
        alternatives["da * (1 - a^2) (the tanh formula applied to this activation's output)"] = da * (1 - a**2)
        alternatives["da * z (1 - z) (s(1-s) written with Z in place of A)"] = da * z * (1 - z)
        alternatives["da * (1 - z^2) (1 - a^2 written with Z in place of A)"] = da * (1 - z**2)
        if self.act in DEFAULT_ALPHA and alpha:
            ignored = {"alpha": DEFAULT_ALPHA[self.act]}
            alternatives[f"da * {self.act}'(z) with alpha = {ignored['alpha']} (the alpha argument ignored)"] = da * derivative(self.act, z, **ignored)
        return alternatives

    def pattern(self, case):
        return ("dz", "dalpha") if self.act == "prelu" else "dz"

    def expect(self, case):
        da, z = case.args[0], case.args[1]
        if self.act == "prelu":
            dz, dalpha = ref.backward("prelu", da, z, **case.alpha)
            return {
                "dz": Q(dz, stage="grad_autograd"),
                "dalpha": Q(dalpha, stage="grad_autograd", keep_dtype=np.ndim(case.alpha["alpha"]) > 0),
            }
        return {"dz": Q(ref.backward(self.act, da, z, **case.alpha), stage="grad_autograd")}


NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu")
CONTRACTS = [Forward(n) for n in NAMES] + [Backward(n) for n in NAMES]
