"""The API an implementation offers, generated from the contracts themselves (``nnconf api``).

For each suite: its layout, and for each function its signature (as the bundled implementation
has it), what it computes, a call with the shapes of its arguments and of its result drawn from
the contract's own first case, the cases it is checked on, its documented defaults, the accepted
conventions of course versions that apply to it, and the names it may go by. ``docs/api.md`` is
this text; a test fails when it is stale.
"""

import importlib
import inspect
import re

import numpy as np

from nnconf.conformance.judging.conventions import CONVENTIONS
from nnconf.conformance.reading import loader
from nnconf.conformance.suites import FUNCTIONS, contracts

LAYOUTS = {
    "activations": "Elementwise, any shape: each g(z) and its backward g'(z) times the upstream da. Kinks as "
                   "PyTorch: ReLU'(0) = 0, leaky ReLU'(0) = alpha.",
    "logistic": "Logistic regression, column-major: X (n_x, m), Y (1, m), w (n_x, 1), b a scalar.",
    "shallow": "A two-layer classifier (tanh hidden, sigmoid output), column-major: X (n_x, m), Y (1, m), "
               "W1 (n_h, n_x), b1 (n_h, 1), W2 (1, n_h), b2 (1, 1).",
    "deep": "An L-layer network (ReLU hidden, sigmoid output), column-major: A_prev (n[l-1], m), W (n[l], n[l-1]), "
            "b (n[l], 1), Z (n[l], m). Caches as the course keeps them: linear cache (A_prev, W, b), activation "
            "cache Z, layer cache (linear_cache, activation_cache). The course folds 1/m into dW and db, not dA_prev.",
    "init": "Initializers of an L-layer network: parameters {W1, b1, ...}, W[l] (n[l], n[l-1]) drawn from NumPy's "
            "global random state in the order W1, W2, ... (or from an optional rng=np.random.Generator), b = 0.",
    "xor": "The XOR network: X (2, m), Y (1, m), weights stored (n_in, n_out) and used as W^T X; the 1/m is "
           "folded into dL/dZ2.",
    "layers": "The book's layer classes, row-major: x (N, D), W (D, H), b (H,), logits (N, C); labels t one-hot "
              "(N, C) or integer (N,). Each class has forward and backward; Affine keeps dW and db after backward. "
              "A method's call line lists what the check feeds the object: the constructor's arguments, forward's "
              "inputs, then the method's own.",
}


DOCUMENTS = {"000": "the course's step-by-step assignment", "001": "the course's planar assignment",
             "002": "the course's notes", "003": "the XOR study note", "004": "the book's chapter 5"}


def markdown(suites=None):
    """The API reference of ``suites`` (all by default) as Markdown."""
    lines = ["# The API each suite checks", "",
             "Generated from the contracts (`nnconf api [SUITE]`; `python -m nnconf.conformance.doors.api > docs/api.md`). "
             "Write any subset: a function you do not define is reported as not implemented, not as a failure. "
             "How findings are levelled: [findings.md](findings.md).", ""]
    for suite in suites or loader.SUITES:
        lines += _suite(suite)
    return "\n".join(lines).rstrip() + "\n"


def _suite(suite):
    lines = [f"## {suite}", "", LAYOUTS[suite], ""]
    by_name = {}
    for contract in contracts(suite):
        by_name.setdefault(contract.name, []).append(contract)
    for name in FUNCTIONS[suite]:
        lines += _function(suite, name, by_name[name])
    return lines


def _function(suite, name, variants):
    contract = variants[0]
    lines = [f"### `{_signature(suite, name)}`", ""]
    doc = _doc(suite, name)
    if doc:
        lines += [doc, ""]
    example = _example(contract)
    if example:
        lines += [f"- call: `{example}`"]
    labels = sorted({label for c in variants for label in c.labels}, key=lambda x: (x != "random", x))
    lines += [f"- checked on: {', '.join(labels)}"]
    if contract.documented_defaults:
        defaults = ", ".join(f"{n}={v!r}" for _, (n, v) in sorted(contract.documented_defaults.items()))
        lines += [f"- documented defaults: {defaults}"]
    aliases = loader.ALIASES.get(suite, {}).get(name, ())
    if aliases:
        lines += [f"- also found under: {', '.join(f'`{a}`' for a in aliases)}"]
    if contract.allow_mutation:
        lines += [f"- may update in place: {', '.join(contract.allow_mutation)}"]
    for convention in CONVENTIONS:
        if f"`{name.split('.')[0]}`" in convention.functions or f"`{suite}.{name}`" in convention.functions \
                or (convention.key == "self-seeding initializer" and name.startswith("initialize") and suite != "logistic"):
            lines += [f"- accepted ({convention.key}, a note): {convention.text}"]
    return lines + [""]


def _implementation(suite, name):
    obj = importlib.import_module(f"nnconf.impl.{suite}")
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _signature(suite, name):
    try:
        return f"{name}{inspect.signature(_implementation(suite, name))}".replace("(self, ", "(").replace("(self)", "()")
    except (AttributeError, TypeError, ValueError):
        return name


def _doc(suite, name):
    """The bundled implementation's docstring, without the internal formula numbers."""
    try:
        doc = inspect.getdoc(_implementation(suite, name)) or ""
    except AttributeError:
        return ""
    doc = " ".join(doc.split())
    doc = re.sub(r"\bF\d+(?:[-/]F\d+)*(?: as document \d+ writes it)?(?: (?:forward|backward))?[:,]?\s*", "", doc)
    doc = re.sub(r"\s*\((?:, ?)*\)", "", doc)  # "(F15, F16, F10)" leaves "(, , )"
    doc = re.sub(r"document (\d+)", lambda m: DOCUMENTS.get(m.group(1), "the course"), doc)
    return doc.strip()


def _example(contract):
    """``name(arg (shape), ...) -> result`` from the contract's first case, or None."""
    from nnconf.conformance.suites.strategies import draw_examples

    try:
        example = draw_examples(contract.examples(), count=1, seed=0)[0]
        case = contract.build(example, "random")
        expected = contract.expect(case)
        pattern = contract.pattern(case)
    except Exception:  # noqa: BLE001 - a contract without a plain call (a layer session) has no example
        return None
    values = list(case.args) + list(case.kwargs.values())
    args = ", ".join(f"{n}={_shape(v)}" for n, v in zip(case.arg_names, values))
    return f"{contract.name}({args}) -> {_result(pattern, expected)}"


def _shape(value):
    if isinstance(value, np.ndarray):
        return f"{value.shape}" if value.ndim else "scalar"
    if isinstance(value, (tuple, list)):
        inner = ", ".join(_shape(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shape(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return "a float"
    return repr(value) if isinstance(value, (int, str, bool)) else type(value).__name__


def _result(pattern, expected):
    if isinstance(pattern, str):
        q = expected.get(pattern)
        if q is None:
            return pattern
        value = q.value
        if q.cost:
            return f"{pattern} (a float)"
        return f"{pattern} {np.shape(value)}" if np.ndim(value) else f"{pattern} (scalar)"
    if isinstance(pattern, tuple):
        return "(" + ", ".join(_result(p, expected) for p in pattern) + ")"
    if isinstance(pattern, dict):
        return "{" + ", ".join(f"{k}: {_result(p, expected).split(' ', 1)[-1] if isinstance(p, str) else _result(p, expected)}"
                               for k, p in pattern.items()) + "}"
    return str(pattern)


if __name__ == "__main__":
    print(markdown(), end="")
