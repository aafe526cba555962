"""Contracts of the ``layers`` suite (document 004; F23-F26). Row-major: x (N, D), W (D, H),
b (H,) by design, logits (N, C); labels t one-hot (N, C) or integer (N,). N, D, H pairwise distinct.

The layer classes are checked through a *session* in the worker (:func:`layer_session`):
construct, ``forward``, then ``backward``, reading ``dW``/``db`` afterwards, as a learner's
network uses them (where they are absent, an attribute whose name differs only in case, such as
``self.dw``, is read and noted). The saturated ``SoftmaxWithLoss.forward`` case also calls
forward with each row's label at its minimum, where only a finite loss is required.

Two traces of a stale state are turned into ``value.stale_state``:

- the "forward twice" case runs ``forward(x_earlier)``, ``forward(x)``, ``backward(dout)``;
  a quantity that equals the reference for ``x_earlier`` and not the one for ``x`` was computed
  from the earlier call (e.g. ``x`` kept only on the first forward);
- a step that fails on an attribute still None (or never set) after forward, typically with a
  new, misspelt attribute beside it (document 004's ``self.otut``), is a state that forward
  never stored; so is a wrong result next to such a misspelt pair (``self.maks``).

``TwoLayerNet``'s parameters are set by writing into the existing arrays of ``net.params``
(the book's layers hold references to them), never by replacing them.
"""

import difflib
import re
from dataclasses import dataclass, replace

import numpy as np

from nnconf.conformance.box import shared
from nnconf.conformance.box.probes.layers import (
    layer_session,
    net_call_probe,
    net_form_probe,
    net_init_probe,
    numerical_gradient_probe,
)
from nnconf.conformance.box.protocol import NOT_APPLICABLE
from nnconf.conformance.judging import severity
from nnconf.conformance.judging.compare import as_array, compare
from nnconf.conformance.judging.conventions import note
from nnconf.conformance.judging.tolerances import tolerance
from nnconf.conformance.suites._cases import case_rng, normal, saturated, with_zeros
from nnconf.conformance.suites.contract import (
    Case,
    FunctionContract,
    Q,
    call_target,
    flatten,
)
from nnconf.conformance.suites.lazy import lazy
from nnconf.conformance.suites.strategies import distinct_dims

ref = lazy("nnconf.reference.layers")
reference_torch = lazy("nnconf.reference._torch")
torch = lazy("torch")

SUITE = "layers"
KEYS = ("W1", "b1", "W2", "b2")
LAYER_OF = {"W1": 1, "b1": 1, "W2": 2, "b2": 2}
INIT_SEED = 0  # the global seed set before TwoLayerNet(...) draws W1, then W2


class _Contract(FunctionContract):
    """A FunctionContract whose repro is the few lines kept in ``case.text``."""

    def call_text(self, case):
        return getattr(case, "text", None) or super().call_text(case)


# --- the parent side of a layer session ----------------------------------------------------------


def _run_layer(worker, case):
    """Drive the layer through ``case.session``; turn the step traces into an Outcome."""
    s = case.session
    outcome = worker.call(layer_session, s["cls"], s["ctor"], s["steps"], True, share=True)
    if not outcome.ok:
        return outcome
    changed = outcome.changed  # paths into (cls, ctor, steps, repeat) of the shared arrays the session wrote into
    first, second = outcome.value["first"], outcome.value["second"]
    reached = outcome.value.get("reached") or []
    failed = _failed_step(case, first["steps"], replace(outcome, reached=reached))
    if failed is not None:
        return failed
    result, missing, read = _collect(s, first["steps"])
    if missing:
        return replace(outcome, ok=False, value=None, error_type="MissingName", error=(
            f"after backward the {s['cls']} object has no attribute {', '.join(f'`{m}`' for m in missing)} "
            f"(the API: {s['cls']} keeps {', '.join(s['attrs'])} after backward)"))
    second_result = _collect(s, second["steps"])[0] if second is not None else None
    stale = _stale(case, first["steps"], result, outcome)
    if stale is not None:
        return stale
    nonfinite = _nonfinite_at_saturation(case, first["steps"], second)
    if nonfinite is not None:
        result, second_result = nonfinite
    tested, names = s["tested"], first["steps"][s["tested"]].get("names") or []
    mutated = (shared.written(changed, (2, tested, 1), names)  # the tested step's arguments
               + shared.written(changed, (1,), outcome.value.get("ctor_names") or []))  # the constructor's
    value = {"result": result, "second": second_result, "mutated": mutated, "reached": reached}
    conventions = []
    if read:
        conventions.append(note("attribute names", ", ".join(
            f"read `self.{other}` for `{attr}`" for attr, other in read.items())))
    conventions += [_method_note(s["cls"], method, used) for method, used in (outcome.value.get("methods_read") or {}).items()]
    if conventions:
        value["convention"] = "; ".join(conventions)
    return replace(outcome, value=value)


def _method_note(cls, method, used):
    return note("method names", f"read `{cls}.{used}` for `{cls}.{method}`")


def _collect(s, entries):
    """The result the contract's pattern expects, the attributes that were missing, and
    ``{API attribute: attribute read}`` where one differing only in case stood in (``dw``)."""
    if s["take"] is None:
        return entries[s["tested"]]["result"], [], {}
    result, missing, read = {}, [], {}
    for name, index in s["take"].items():
        entry = entries[index]
        result[name] = entry["result"]
        if not entry.get("present", True):
            attr, near = s["steps"][index][1], entry.get("near") or {}
            if len(near) == 1:  # one attribute of that name in another case: the learner's name for it
                (other, value), = near.items()
                result[name], read[attr] = value, other
            else:
                missing.append(attr)
    return result, missing, read


def _nonfinite_at_saturation(case, entries, second):
    """A call whose result must only be finite (``case.session["finite"]``: the saturated logits with the
    labels at the row minima, where the book's 1e-7 delta makes the value differ but never
    makes it inf): when its result is NaN or inf, that call becomes the one judged (its true
    value, its repro), so the engine's saturation stage reports it. Returns (result, second) or None."""
    for index, (true, text) in case.session.get("finite", {}).items():
        value = as_array(entries[index].get("result"))
        if value is None or np.all(np.isfinite(value)) or not np.all(np.isfinite(true)):
            continue
        name = next(iter(case.expected))
        case.expected = {name: replace(case.expected[name], value=true)}
        case.text = text
        later = second["steps"][index]["result"] if second is not None else None
        return entries[index]["result"], later
    return None


def _failed_step(case, entries, outcome):
    s = case.session
    for index, entry in enumerate(entries):
        if "error" not in entry:
            continue
        etype, text = entry["error"]
        method = s["steps"][index][0]
        if index < s["tested"]:
            return replace(outcome, ok=False, value=None, error_type="Precondition", condition=NOT_APPLICABLE,
                           needs=f"{s['cls']}.{method}", error=(
                f"{s['cls']}.{method} failed before {s['cls']}.{s['steps'][s['tested']][0]} could run "
                f"({etype}: {text}); see {s['cls']}.{method}'s own check"))
        words = _state_words(s["cls"], method, etype, text, entry)
        if words is not None:
            return replace(outcome, ok=False, value=None, error_type=etype, error=words,
                           traceback=entry.get("traceback"), diagnosis="value.stale_state")
        return replace(outcome, ok=False, value=None, error_type=etype, error=text, traceback=entry.get("traceback"))
    return None


def _typo(stale_names, new_names):
    """(new, stale) where a new attribute looks like a misspelling of a stale one."""
    for name in stale_names:
        close = difflib.get_close_matches(name, new_names, n=1, cutoff=0.6)
        if close:
            return close[0], name
    return None


def _state_words(cls, method, etype, text, entry):
    """The stale-state reading of a failed step, or None when it is a plain crash."""
    none_attrs, new_attrs = entry.get("none_attrs", []), entry.get("new_attrs", [])
    missing = re.search(r"'(\w+)' object has no attribute '(\w+)'", text)
    raised = f"(it raised {etype}: {text})"
    if missing and missing.group(1) in (cls, entry.get("type")) and missing.group(2) not in entry.get("attrs", []):
        attr = missing.group(2)
        pair = _typo([attr], new_attrs)
        if pair:
            return f"forward stored `{pair[0]}`, but {method} reads `{attr}`, which was never set: a typo? {raised}"
        return f"{method} reads `{attr}`, which forward never stored {raised}"
    if "NoneType" in text and none_attrs:
        pair = _typo(none_attrs, new_attrs)
        if pair:
            return f"forward stored `{pair[0]}`, but {method} reads `{pair[1]}`, still None: a typo? {raised}"
        stored = ", ".join(f"`{a}`" for a in new_attrs) or "nothing new"
        return (f"{method} used {', '.join(f'`{a}`' for a in none_attrs)}, still None after forward "
                f"(forward set {stored}): the state {method} needs was never stored {raised}")
    return None


def _stale(case, entries, result, outcome):
    """``value.stale_state`` when the result is the earlier forward's (forward twice), or when
    it is wrong next to a misspelt attribute pair (``maks`` set, ``mask`` still None)."""
    s = case.session
    try:
        actual = flatten(s["pattern"], result)
    except Exception:  # noqa: BLE001 - the engine's shape stage reports a wrong structure
        return None
    tol = {name: tolerance(q.tolerance, case.dtype) for name, q in case.expected.items()}
    close = lambda a, e, name: a is not None and compare(a, e, **tol[name]).ok  # noqa: E731
    wrong = [n for n, q in case.expected.items() if not close(as_array(actual.get(n)), q.value, n)]
    if case.previous and wrong:
        earlier = [n for n in wrong if n in case.previous and close(as_array(actual.get(n)), case.previous[n], n)]
        if earlier:
            return _stale_outcome(outcome, (
                f"after forward(x_earlier) then forward(x), {s['cls']}.{s['steps'][s['tested']][0]} gave "
                f"{', '.join(earlier)} for x_earlier, not for x: the layer kept a value from the earlier call "
                "(store what backward needs on every forward, not only the first)"))
    entry = entries[s["tested"]]
    pair = _typo(entry.get("none_attrs", []), entry.get("new_attrs", []))
    if wrong and pair:
        return _stale_outcome(outcome, (
            f"{', '.join(wrong)} wrong, and after {s['steps'][s['tested']][0]} the object has `{pair[0]}` set "
            f"while `{pair[1]}` is still None: forward stored `{pair[0]}` where `{pair[1]}` is read: a typo?"))
    return None


def _stale_outcome(outcome, words):
    return replace(outcome, ok=False, value=None, error_type="StaleState", error=words, diagnosis="value.stale_state")


# --- the layer classes -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layer:
    """How to make inputs for a layer class and what the reference says about them."""

    cls: str
    inputs: object  # (rng, (N, D, H), dtype, label, method) -> (ctor{}, forward{}, backward{})
    forward_ref: object  # (ctor, forward) -> {quantity: value}
    backward_ref: object  # (ctor, forward, backward) -> {quantity: value}
    forward_q: dict  # quantity -> Q keywords
    backward_q: dict
    attrs: tuple = ()  # attributes read after backward (quantity names)
    labels: tuple = ("random", "N=1", "float32", "forward twice")
    saturated: bool = False
    m: bool = False  # the batch size N is the m of the factor-m hypothesis
    kinks: object = None  # (forward) -> {quantity: mask} for backward
    alternatives: object = None  # (forward, backward) -> {quantity: {description: value}}
    finite: object = None  # saturated forward: (forward) -> ({argument: value}, args, true value) of a call kept finite


def _dims():
    return distinct_dims(count=3)


def _relu_inputs(rng, dims, dtype, label, method):
    N, D, _ = dims
    x = normal(rng, (N, D), dtype, scale=2.0)
    if label == "x=0":
        x = with_zeros(rng, x)
    return {}, {"x": x}, {"dout": normal(rng, (N, D), dtype)}


def _sigmoid_inputs(rng, dims, dtype, label, method):
    N, D, _ = dims
    x = saturated(rng, (N, D), dtype) if label == "saturated" else normal(rng, (N, D), dtype, scale=2.0)
    return {}, {"x": x}, {"dout": normal(rng, (N, D), dtype)}


def _affine_inputs(rng, dims, dtype, label, method):
    N, D, H = dims
    W = normal(rng, (D, H), dtype, scale=0.7)
    b = normal(rng, (H,), dtype, scale=0.3)
    x = normal(rng, (N, D), dtype)
    return {"W": W, "b": b}, {"x": x}, {"dout": normal(rng, (N, H), dtype)}


def _class_labels(rng, N, C):
    """Integer labels (N,) with as many distinct classes as there is room for."""
    labels = rng.integers(0, C, N)
    labels[: min(N, C)] = rng.permutation(C)[: min(N, C)]
    return labels


def _softmax_loss_inputs(rng, dims, dtype, label, method):
    """Logits (N, C) of moderate size (the true class keeps a probability >= ~0.01, so the
    book's 1e-7 delta stays within tolerance); saturated: |x| in [20, 50] and +-1000, with the
    labels at the row maxima for forward (a right, certain prediction: the loss is ~0)."""
    N, C, _ = dims
    if label == "saturated":
        x = saturated(rng, (N, C), dtype)
        labels = np.argmax(x, axis=1) if method == "forward" else _class_labels(rng, N, C)
    else:
        x = rng.uniform(-1.5, 1.5, (N, C)).astype(dtype)
        labels = _class_labels(rng, N, C)
    t = labels.astype(np.int64) if label == "labels" else np.eye(C, dtype=dtype)[labels]
    return {}, {"x": x, "t": t}, {"dout": 2.5 if label == "dout=2.5" else 1}  # SPEC: dout * (y - t) / batch


def _wrong_certain_labels(fwd):
    """The saturated logits with each row's label at its minimum: a certain, wrong prediction.
    The true loss is large but finite (a row with +-1000 costs over 1000); the label's
    probability underflows to 0, so -log y_t without the book's 1e-7 delta is inf, and the
    book's log(y + 1e-7) gives a finite (smaller) loss, which passes: only finiteness is judged."""
    x, t = fwd["x"], fwd["t"]
    labels = np.argmin(x, axis=1)
    wrong = labels.astype(np.int64) if np.ndim(t) == 1 else np.eye(x.shape[1], dtype=t.dtype)[labels]
    return {"t_wrong": wrong}, (x, wrong), ref.softmax_with_loss_forward(x, wrong)


def _sigmoid_alternatives(fwd, bwd):
    x, dout = fwd["x"], bwd["dout"]
    y = ref.sigmoid_forward(x)
    s_of_y = ref.sigmoid_forward(y)
    return {"dx": {
        "dout * s(y)(1 - s(y)) (the derivative taken at the output y instead of x)": dout * s_of_y * (1 - s_of_y),
        "dout * x (1 - x) (y (1 - y) written with x in place of y)": dout * x * (1.0 - x),
        "dout * (1 - y^2) (tanh's 1 - a^2 applied to the sigmoid's output)": dout * (1.0 - y**2),
        "dout * (1 - tanh(x)^2) (the derivative of tanh)": dout * (1.0 - np.tanh(np.asarray(x, np.float64)) ** 2),
    }}


GRAD = {"stage": "grad_autograd"}
LOSS = {"cost": True, "tolerance": "book_delta", "keep_dtype": False}

LAYERS = {
    "Relu": _Layer(
        "Relu", _relu_inputs,
        lambda c, f: {"out": ref.relu_forward(f["x"])},
        lambda c, f, b: {"dx": ref.relu_backward(b["dout"], f["x"])},
        {"out": {}}, {"dx": GRAD},
        labels=("random", "N=1", "x=0", "float32", "forward twice"),
        kinks=lambda f: {"dx": f["x"] == 0},
    ),
    "Sigmoid": _Layer(
        "Sigmoid", _sigmoid_inputs,
        lambda c, f: {"out": ref.sigmoid_forward(f["x"])},
        lambda c, f, b: {"dx": ref.sigmoid_backward(b["dout"], f["x"])},
        {"out": {}}, {"dx": GRAD},
        labels=("random", "N=1", "saturated", "float32", "forward twice"), saturated=True,
        alternatives=_sigmoid_alternatives,
    ),
    "Affine": _Layer(
        "Affine", _affine_inputs,
        lambda c, f: {"out": ref.affine_forward(f["x"], c["W"], c["b"])},
        lambda c, f, b: dict(zip(("dx", "dW", "db"), ref.affine_backward(b["dout"], f["x"], c["W"], c["b"]))),
        {"out": {}}, {"dx": GRAD, "dW": GRAD, "db": GRAD},
        attrs=("dW", "db"), m=True,
    ),
    "SoftmaxWithLoss": _Layer(
        "SoftmaxWithLoss", _softmax_loss_inputs,
        lambda c, f: {"loss": ref.softmax_with_loss_forward(f["x"], f["t"])},
        lambda c, f, b: {"dx": ref.softmax_with_loss_backward(f["x"], f["t"], float(b["dout"]))},
        {"loss": LOSS}, {"dx": GRAD},
        labels=("random", "labels", "N=1", "saturated", "float32", "forward twice", "dout=2.5"), saturated=True, m=True,
        finite=_wrong_certain_labels,
    ),
}


def _call_words(values):
    return ", ".join(values)


def _layer_build(spec, method):
    def build(example, label):
        N, D, H = example
        dims = (1 if label == "N=1" else N, D, H)
        dtype = np.float32 if label == "float32" else np.float64
        rng = case_rng(SUITE, spec.cls, example, label)
        ctor, fwd, bwd = spec.inputs(rng, dims, dtype, label, method)
        args = dict(ctor)
        lines = [f"layer = {spec.cls}({_call_words(ctor)})"]
        steps = []
        earlier = None
        if label == "forward twice":
            _, earlier, _ = spec.inputs(case_rng(SUITE, spec.cls, example, "earlier"), dims, dtype, "random", method)
            steps.append(("forward", tuple(earlier.values())))
            args.update({f"{k}_earlier": v for k, v in earlier.items()})
            lines.append(f"layer.forward({_call_words(f'{k}_earlier' for k in earlier)})")
        args.update(fwd)
        steps.append(("forward", tuple(fwd.values())))
        take = None
        if method == "forward":
            lines.append(f"out = layer.forward({_call_words(fwd)})")
            reference = spec.forward_ref(ctor, fwd)
            previous = spec.forward_ref(ctor, earlier) if earlier else None
            keywords = spec.forward_q
        else:
            lines.append(f"layer.forward({_call_words(fwd)})")
            args.update(bwd)
            steps.append(("backward", tuple(bwd.values())))
            reference = spec.backward_ref(ctor, fwd, bwd)
            previous = spec.backward_ref(ctor, earlier, bwd) if earlier else None
            keywords = spec.backward_q
            if spec.attrs:
                take = {"dx": len(steps) - 1}
                for attr in spec.attrs:
                    steps.append(("attr", attr))
                    take[attr] = len(steps) - 1
                lines.append(f"dx = layer.backward({_call_words(bwd)})")
                lines.append(f"out = (dx, {', '.join(f'layer.{a}' for a in spec.attrs)})")
            else:
                lines.append(f"out = layer.backward({_call_words(bwd)})")
        tested = len(steps) - 1 - (len(spec.attrs) if take else 0)
        finite = {}
        if method == "forward" and label == "saturated" and spec.finite:
            extra, call, true = spec.finite(fwd)
            args.update(extra)
            steps.append(("forward", call))
            repro = f"out = layer.forward(x, {', '.join(extra)})  # labels at the row minima: the true loss is {true:.6g}"
            finite[len(steps) - 1] = (true, "\n".join(lines[:-1] + [repro]))
        pattern = {name: name for name in take} if take else next(iter(reference))
        case = Case(label, tuple(args.values()), dtype=dtype, m=dims[0] if spec.m else None, arg_names=tuple(args))
        case.session = {"cls": spec.cls, "ctor": tuple(ctor.values()), "steps": steps, "tested": tested,
                        "take": take, "pattern": pattern, "attrs": spec.attrs, "finite": finite}
        case.expected = {name: Q(value, **keywords[name]) for name, value in reference.items()}
        case.previous = previous or {}
        case.text = "\n".join(lines)
        if method == "backward" and spec.kinks:
            case.kinks = spec.kinks(fwd)
        if method == "backward" and spec.alternatives:
            case.alternatives = spec.alternatives(fwd, bwd)
        return case
    return build


def _layer_contract(spec, method):
    return _Contract(
        SUITE, f"{spec.cls}.{method}", examples=_dims, build=_layer_build(spec, method), labels=spec.labels,
        saturated=spec.saturated, pattern=lambda c: c.session["pattern"], expect=lambda c: c.expected, run=_run_layer,
    )


# --- functions ---------------------------------------------------------------------------------


def _probabilities(rng, shape, dtype):
    """Rows of a softmax of logits in [-1.5, 1.5] (every probability >= ~0.008)."""
    return ref.softmax(rng.uniform(-1.5, 1.5, shape)).astype(dtype)


def _softmax_case(example, label):
    N, D, _ = example
    dtype = np.float32 if label == "float32" else np.float64
    rng = case_rng(SUITE, "softmax", example, label)
    shape = (D,) if label == "1-D" else (N, D)
    x = saturated(rng, shape, dtype) if label == "saturated" else normal(rng, shape, dtype, scale=2.0)
    return Case(label, (x,), dtype=dtype, arg_names=("x",))


softmax = _Contract(
    SUITE, "softmax", examples=_dims, build=_softmax_case, labels=("random", "1-D", "saturated", "float32"),
    saturated=True, pattern="y", expect=lambda c: {"y": Q(ref.softmax(c.args[0]))},
)


def _cross_entropy_case(example, label):
    """y: probabilities (N, C); t one-hot or integer labels; 1-D: one example (C,);
    saturated: exact 0s and 1s in y (rows equal to t, and zeros off the label), true cost finite.

    ``case.form``: "mean" (the API: the batch mean) or "sum" (the book's single-example listing
    of section 4.2.2, on a batch: the sum of the examples' losses), set by the run
    (:func:`_run_cross_entropy`) before the expected value is asked for; ``case.mean`` is the
    reference's value, kept with the case (a warm run needs no PyTorch to tell the forms)."""
    N, C, _ = example
    dtype = np.float32 if label == "float32" else np.float64
    rng = case_rng(SUITE, "cross_entropy_error", example, label)
    labels = _class_labels(rng, N, C)
    if label == "1-D":
        y = _probabilities(rng, (C,), dtype)
        t = np.eye(C, dtype=dtype)[labels[0]]
        return _cross_entropy_form(Case(label, (y, t), dtype=dtype, m=1, arg_names=("y", "t")))
    y = _probabilities(rng, (N, C), dtype)
    t = np.eye(C, dtype=dtype)[labels]
    if label == "saturated":
        y = np.where(rng.random((N, C)) < 0.5, 0.0, y).astype(dtype)
        y[np.arange(N), labels] = np.maximum(y[np.arange(N), labels], 0.05)
        y[::2] = t[::2]
        y = (y / y.sum(axis=1, keepdims=True)).astype(dtype)
    if label == "labels":
        t = labels.astype(np.int64)
    return _cross_entropy_form(Case(label, (y, t), dtype=dtype, m=N, arg_names=("y", "t")))


def _cross_entropy_form(case):
    case.form = "mean"
    case.mean = ref.cross_entropy_error(*case.args)
    return case


def _cross_entropy_expect(case):
    y = case.args[0]
    scale = np.shape(y)[0] if case.form == "sum" and np.ndim(y) == 2 else 1
    return {"loss": Q(case.mean * scale, **LOSS)}


def _other_targets(case):
    """The case's targets in the other encoding: integer labels for one-hot t, one-hot for labels."""
    y, t = case.args
    if np.ndim(t) == np.ndim(y):
        return np.argmax(t, axis=-1).astype(np.int64)
    return np.eye(np.shape(y)[-1], dtype=y.dtype)[t]


def _close(result, value, dtype):
    a = as_array(result)
    return a is not None and a.size == 1 and compare(a.reshape(()), np.asarray(value, np.float64),
                                                      **tolerance("book_delta", dtype)).ok


def _run_cross_entropy(worker, case):
    """The call, and the book's narrower listings told by their values (never by their text):

    - a loss that is the *sum* of the examples' losses on a one-hot batch and cannot take integer
      labels is the single-example listing of section 4.2.2 (``-np.sum(t * np.log(y + delta))``):
      judged as that sum on batches (``case.form``), noted; integer labels do not apply to it. A
      loss that takes labels and still sums is a batch loss without its 1/batch: it fails;
    - a crash on one-hot t where the same data as integer labels gives the right loss is the
      labels-only listing of section 4.2.4: the crash is a warning (severity's "integer labels
      only", read from the case label), the labels case judges its values."""
    outcome = call_target(worker, SUITE, "cross_entropy_error", case.args)
    y, t = case.args
    one_hot, batch = np.ndim(t) == np.ndim(y), np.ndim(y) == 2 and np.shape(y)[0] > 1
    if outcome.ok:
        result = outcome.value.get("result")
        if one_hot and batch and _close(result, case.mean * np.shape(y)[0], case.dtype) \
                and not _close(result, case.mean, case.dtype):
            labels = call_target(worker, SUITE, "cross_entropy_error", (y, _other_targets(case)), repeat=False)
            if not labels.ok and labels.kind == "crash.exception":
                case.form = "sum"
                outcome.value["convention"] = note("book single example", (
                    f"on a one-hot batch it returned the sum of the examples' losses; with integer labels it "
                    f"raised {labels.error_type}"))
        return outcome
    if outcome.kind != "crash.exception":
        return outcome
    other = call_target(worker, SUITE, "cross_entropy_error", (y, _other_targets(case)), repeat=False)
    if not other.ok:
        return outcome
    answer = other.value.get("result")
    if one_hot and _close(answer, case.mean, case.dtype):
        case.label += severity.ONE_HOT_T
        return replace(outcome, error=(
            f"{outcome.error} (on one-hot t; with the same targets as integer labels it returns the right loss: "
            "it takes integer labels only, as the book's section 4.2.4 listing 'when t is a label')"))
    if not one_hot and batch and _close(answer, case.mean * np.shape(y)[0], case.dtype):
        return replace(outcome, error_type="Precondition", condition=NOT_APPLICABLE, needs=None, traceback=None,
                       diagnosis=None, error=f"not applicable: {note('book single example')} takes one-hot t only, "
                                             f"and this case passes integer labels ({outcome.error_type}: {outcome.error})")
    return outcome


cross_entropy_error = _Contract(
    SUITE, "cross_entropy_error", examples=_dims, build=_cross_entropy_case,
    labels=("random", "labels", "1-D", "saturated", "float32"), saturated=True, pattern="loss",
    expect=_cross_entropy_expect, run=_run_cross_entropy,
)


def _numerical_gradient_case(example, label):
    """x with values where x + h - h != x (3e-9, 0.1 + 0.2, ...), so only a restore of the saved
    value gives x back bitwise; f(x) = sum(sin(x) * c), whose gradient autograd gives."""
    N, D, _ = example
    rng = case_rng(SUITE, "numerical_gradient", example, label)
    shape = (D,) if label == "1-D" else (N, D)
    x = normal(rng, shape)
    flat = x.reshape(-1)
    awkward = np.array([3e-9, 0.1 + 0.2, -7e-10, 0.7 + 0.1, 1e-17, 2.675])
    flat[: min(flat.size, awkward.size)] = awkward[: flat.size]
    c = normal(rng, shape) + 0.5
    case = Case(label, (x, c), arg_names=("x", "c"))
    case.text = "f = lambda x: float(np.sum(np.sin(x) * c))\nout = numerical_gradient(f, x)"
    return case


def _numerical_gradient_expect(case):
    x, c = case.args
    grad = reference_torch.vjp(lambda v: (torch.sin(v) * torch.from_numpy(c)).sum(), [x])[0]
    # central differences with h = 1e-4 are off by ~h^2/6 |f'''|: the finite-difference tolerance
    return {"grad": Q(grad, tolerance="fd", keep_dtype=False)}


numerical_gradient = _Contract(
    SUITE, "numerical_gradient", examples=_dims, build=_numerical_gradient_case, labels=("random", "1-D"),
    pattern="grad", expect=_numerical_gradient_expect,
    run=lambda worker, case: _run_numerical_gradient(worker, case),
)


# --- TwoLayerNet ---------------------------------------------------------------------------------
#
# Two forms of the net are accepted (``reference.layers``, ``form``): chapter 5's, the API
# (Affine -> Relu -> Affine, ``predict`` returns the scores), and the book's chapter 4 (a sigmoid
# hidden layer, ``predict`` returns softmax probabilities; conventions.py, "book chapter 4").
# Every call of a net is followed in the worker by ``predict`` of a fresh net on a probe (the
# probe's parameters written into it); the harness reads the form from the values that came
# back (:func:`_form_of`), never from anything the code says about itself, and sets
# ``case.form`` before the engine asks for the expected values of that form.


def _net_dims(max_value=7):
    """(N, D, H, C), pairwise distinct."""
    return lambda: distinct_dims(count=4, max_value=max_value)


def _net_params(rng, D, H, C, out_scale=1.0):
    return {
        "W1": normal(rng, (D, H), scale=1 / np.sqrt(D)),
        "b1": normal(rng, (H,), scale=0.1),
        "W2": normal(rng, (H, C), scale=out_scale / np.sqrt(H)),
        "b2": normal(rng, (C,), scale=0.1),
    }


def _net_data(example, label):
    """x (N, D), t (one-hot (N, C) or integer labels), params with moderate logits."""
    N, D, H, C = example
    rng = case_rng(SUITE, "TwoLayerNet", example, label)
    x = normal(rng, (N, D))
    params = _net_params(rng, D, H, C)
    # Half the labels at the net's own argmax (right), the others drawn among the classes each
    # form of the net gives at least 5%: an accuracy between 0 and 1, and the book's 1e-7 delta
    # inside the log moves the loss and its own numeric gradient by at most 1e-7 / 0.05 relative.
    least = np.minimum(*(ref.softmax(ref.two_layer_scores(x, params, form)) for form in ref.FORMS))
    labels = np.array([rng.choice(np.flatnonzero(p >= 0.05)) if np.any(p >= 0.05) else np.argmax(p) for p in least])
    labels[::2] = np.argmax(least, axis=1)[::2]
    t = labels.astype(np.int64) if label == "labels" else np.eye(C)[labels]
    return x, t, params, (D, H, C)


def _confident_network(example, form="ch5"):
    """((x, t, sizes), params) for the random-direction check of the net's gradient against its
    own loss: rows the net of ``form`` classifies right with probability ~1. The book's loss adds
    1e-7 inside the log, which its gradient (y - t) / N ignores; the gap, about 1e-7 (1 - y_t) / y_t
    per row, stays far below the check's tolerance only where y_t is near 1. (A sigmoid hidden
    layer gives activations in (0, 1): chapter 4's net needs a larger W2 for such rows.)"""
    N, D, H, C = example
    rng = case_rng(SUITE, "TwoLayerNet confident", example) if form == "ch5" else \
        case_rng(SUITE, "TwoLayerNet confident", example, form)
    params = _net_params(rng, D, H, C, out_scale=5.0 if form == "ch5" else 40.0)
    pool = normal(rng, (64 * N, D))
    probabilities = ref.softmax(ref.two_layer_scores(pool, params, form))
    x = pool[np.argsort(-probabilities.max(axis=1), kind="stable")[:N]]
    t = np.eye(C)[np.argmax(ref.two_layer_scores(x, params, form), axis=1)]
    return (x, t, (D, H, C)), params


def _form_probe(sizes):
    """(x, params) on which the forms' ``predict`` differ plainly: pre-activations of both signs,
    of size ~2, and scores of size ~2."""
    D, H, C = sizes
    rng = case_rng(SUITE, "TwoLayerNet form", sizes)
    x = normal(rng, (4, D))
    params = {"W1": normal(rng, (D, H), scale=2 / np.sqrt(D)), "b1": normal(rng, (H,), scale=0.5),
              "W2": normal(rng, (H, C), scale=2 / np.sqrt(H)), "b2": normal(rng, (C,), scale=0.5)}
    return x, params


def _form_candidates(x, params):
    """What ``predict`` returns on the probe, for each net the harness can name."""
    return {
        "ch5": ref.two_layer_predict(x, params, "ch5"),  # relu hidden layer, scores
        "ch4": ref.two_layer_predict(x, params, "ch4"),  # sigmoid hidden layer, softmax
        "ch4, sigmoid output": ref.sigmoid_forward(ref.two_layer_scores(x, params, "ch4")),
        "ch4, scores": ref.two_layer_scores(x, params, "ch4"),
    }


PROBE = "on a probe, predict returned"
FORM_EVIDENCE = (  # (candidate, evidence) in the order they are tried, after chapter 5's own
    ("ch4", f"{PROBE} softmax(sigmoid(x W1 + b1) W2 + b2), rows that sum to 1"),
    ("rows sum to 1", f"{PROBE} rows that sum to 1 (probabilities, as chapter 4's softmax predict), "
                      "though not softmax(sigmoid(x W1 + b1) W2 + b2)"),
    ("ch4, sigmoid output", f"{PROBE} sigmoid(sigmoid(x W1 + b1) W2 + b2): a sigmoid hidden layer, "
                            "and a sigmoid at the output where chapter 4 has softmax"),
    ("ch4, scores", f"{PROBE} sigmoid(x W1 + b1) W2 + b2: a sigmoid hidden layer, "
                    "and the scores where chapter 4 returns their softmax"),
)


def _form_of(answer, candidates):
    """``("ch5" | "ch4", evidence)``: the form of the checked net, read from what its ``predict``
    returned on the probe (``answer``, ``{"y": ...}`` or ``{"error": ...}``). Chapter 5's values,
    or no usable answer, keep the API's form; chapter 4's values, rows that sum to 1, or a
    sigmoid hidden layer under another output make it chapter 4's."""
    y = as_array(answer.get("y")) if isinstance(answer, dict) else None
    if y is None or y.shape != np.shape(candidates["ch5"]) or not np.all(np.isfinite(y)):
        return "ch5", None
    tol = tolerance("value")
    same = {key: compare(y, value, **tol).ok for key, value in candidates.items()}
    same["rows sum to 1"] = bool(np.all(y >= 0) and np.all(np.abs(y.sum(axis=1) - 1) <= 1e-6))
    if same["ch5"]:
        return "ch5", None
    for key, evidence in FORM_EVIDENCE:
        if same[key]:
            return "ch4", evidence
    return "ch5", None


def _judge_as(case, form):
    """Hold ``case`` to the net of ``form``: the expected values, the earlier call's result (stale
    state) and the confident network of the random-direction check."""
    case.form = form
    if form in getattr(case, "previous_forms", {}):
        case.previous = case.previous_forms[form]
    if form in getattr(case, "networks", {}):
        case.network = case.networks[form]


def _net_case(method, with_t=True):
    def build(example, label):
        x, t, params, sizes = _net_data(example, label)
        args = (x, t) if with_t else (x,)
        names = ("x", "t") if with_t else ("x",)
        case = Case(label, args + (params,), m=x.shape[0], arg_names=names + ("params",))
        earlier = None
        if label == "second call":  # the same net called before on other data of the same shape
            x0, t0, _, _ = _net_data(example, "earlier data")
            earlier = (x0, t0) if with_t else (x0,)
            if method == "gradient":
                case.previous_forms = {
                    form: {f"d{k}": v for k, v in ref.two_layer_gradient(x0, t0, params, form).items()}
                    for form in ref.FORMS}
        case.net = (sizes, params, method, args, earlier)
        case.form_probe = _form_probe(sizes)
        case.form_candidates = _form_candidates(*case.form_probe)
        case.text = (f"net = TwoLayerNet{sizes}\nfor key, value in params.items():\n    net.params[key][...] = value\n"
                     f"out = net.{method}({', '.join(names)})")
        if method == "gradient" and label == "random":
            case.networks = {form: ("layers",) + _confident_network(example, form) for form in ref.FORMS}
        _judge_as(case, "ch5")
        return case
    return build


def _run_numerical_gradient(worker, case):
    """x must come back bitwise equal: the harness compares its shared copy after the call.

    A call that raises on a 2-D x is tried row by row on 1-D vectors (each row with its own f):
    where that runs, it is the book's 1-D listing of section 4.4, judged on those rows against
    the same reference, and noted; its values still fail where they are wrong."""
    outcome = worker.call(numerical_gradient_probe, *case.args, share=True)
    if not outcome.ok and outcome.kind == "crash.exception" and np.ndim(case.args[0]) == 2:
        rows = worker.call(numerical_gradient_probe, *case.args, True, True, share=True)
        if rows.ok:
            rows.value["convention"] = note("book 1-D numerical_gradient", (
                f"on a 2-D x it raised {outcome.error_type}; judged on each row of x"))
            case.text = ("grad = [numerical_gradient(lambda v: float(np.sum(np.sin(v) * c[i])), x[i])\n"
                         "        for i in range(x.shape[0])]  # the book's 1-D listing, row by row\nout = np.stack(grad)")
            outcome = rows
    if outcome.ok:
        outcome.value["mutated"] = ["x"] if any(p[0] == 0 for p in outcome.changed) else []
    return outcome


def _run_net(worker, case):
    """The net's call; the inputs it wrote into, as the harness saw them, beside its own
    parameters; the form of the net (``case.form``), read from its predict on the probe.

    The book's chapter-4 net takes one-hot targets only (its gradient is (y - t) / batch): a
    crash on integer labels is not applicable to it (a skip that says so), where chapter 5's
    net is held to labels as a warning (severity: "one-hot targets only")."""
    outcome = worker.call(net_call_probe, *case.net, case.form_probe, share=True)
    if not outcome.ok and case.label == "labels" and outcome.kind == "crash.exception":
        answer = worker.call(net_form_probe, case.net[0], case.form_probe)
        if answer.ok and _form_of(answer.value, case.form_candidates)[0] == "ch4":
            return replace(outcome, error_type="Precondition", condition=NOT_APPLICABLE, needs=None, traceback=None,
                           diagnosis=None, error=f"not applicable: {note('book chapter 4')} takes one-hot targets "
                                                 f"only, and this case passes integer labels "
                                                 f"({outcome.error_type}: {outcome.error})")
    if outcome.ok:
        names = outcome.value.get("names") or []
        outcome.value["mutated"] = shared.written(outcome.changed, (3,), names) + list(outcome.value.get("mutated") or [])
        form, evidence = _form_of(outcome.value.get("form"), case.form_candidates)
        _judge_as(case, form)
        conventions = [note("book chapter 4", evidence)] if form == "ch4" else []
        if outcome.value.get("method_read"):
            conventions.append(_method_note("TwoLayerNet", case.net[2], outcome.value["method_read"]))
        if conventions:
            outcome.value["convention"] = "; ".join(conventions)
    return outcome


def _grads_expect(tolerance_key):
    def expect(case):
        x, t = case.net[3][:2]
        grads = ref.two_layer_gradient(x, t, case.net[1], case.form)
        return {f"d{k}": Q(grads[k], stage="layer", layer=LAYER_OF[k], keep_dtype=False, tolerance=tolerance_key)
                for k in KEYS}
    return expect


GRADS_PATTERN = {k: f"d{k}" for k in KEYS}


def _net_contract(method, expect, *, pattern, labels=("random", "labels"), with_t=True, examples=None, timeout=None):
    return _Contract(
        SUITE, f"TwoLayerNet.{method}", examples=examples or _net_dims(), build=_net_case(method, with_t),
        labels=labels, pattern=pattern, expect=expect, run=_run_net, timeout=timeout,
    )


def _init_case(example, label):
    """``TwoLayerNet(D, H, C, weight_init_std=...)``: the documented 0.01 passed explicitly on the
    random cases, as a caller that means it does (a changed default is its own finding: the
    documented defaults, a warning), and 0.5 on the pinned case."""
    N, D, H, C = example
    std = DOCUMENTED_STD if label == "random" else 0.5
    case = Case(label, (D, H, C), {"weight_init_std": std},
                arg_names=("input_size", "hidden_size", "output_size", "weight_init_std"))
    case.text = f"np.random.seed({INIT_SEED})\nout = TwoLayerNet({', '.join(case.arg_names[:3])}, weight_init_std={std}).params"
    return case


def _init_expect(case):
    D, H, C = case.args[:3]
    std = case.kwargs["weight_init_std"]
    state = np.random.RandomState(INIT_SEED)
    W1 = std * state.randn(D, H)  # the book's order: W1, then W2, from the global random state
    W2 = std * state.randn(H, C)
    exact = {"exact": True, "keep_dtype": False}
    return {"W1": Q(W1, keep_dtype=False), "b1": Q(np.zeros(H), **exact),
            "W2": Q(W2, keep_dtype=False), "b2": Q(np.zeros(C), **exact)}


DOCUMENTED_STD = 0.01  # TwoLayerNet(input_size, hidden_size, output_size, weight_init_std=0.01)

TwoLayerNet_init = _Contract(
    SUITE, "TwoLayerNet.__init__", examples=_net_dims(), build=_init_case, labels=("random", "weight_init_std=0.5"),
    pattern={k: k for k in KEYS}, expect=_init_expect,
    run=lambda worker, case: worker.call(net_init_probe, case.args, INIT_SEED, True, case.kwargs),
)
# the engine's check of documented defaults: another weight_init_std is a warning ("changed default"),
# since the checks pass the value they mean (though the book's own train_neuralnet.py relies on the default)
TwoLayerNet_init.documented_defaults = {3: ("weight_init_std", DOCUMENTED_STD)}
TwoLayerNet_init.passed_by_graders = ("weight_init_std",)

TwoLayerNet_predict = _net_contract(
    "predict", lambda c: {"y": Q(ref.two_layer_predict(c.net[3][0], c.net[1], c.form), keep_dtype=False)},
    pattern="y", labels=("random",), with_t=False,
)

TwoLayerNet_loss = _net_contract(
    "loss", lambda c: {"loss": Q(ref.two_layer_loss(*c.net[3], c.net[1], c.form), **LOSS)}, pattern="loss",
)

TwoLayerNet_accuracy = _net_contract(
    "accuracy",
    lambda c: {"accuracy": Q(ref.two_layer_accuracy(*c.net[3], c.net[1], c.form), cost=True, exact=True,
                             keep_dtype=False)},
    pattern="accuracy",
)

TwoLayerNet_gradient = _net_contract(
    "gradient", _grads_expect("value"), pattern=GRADS_PATTERN, labels=("random", "labels", "second call"),
)

# h = 1e-4 central differences of the loss (with the book's 1e-7 delta): the book_delta tolerance
TwoLayerNet_numerical_gradient = _net_contract(
    "numerical_gradient", _grads_expect("book_delta"), pattern=GRADS_PATTERN, examples=_net_dims(max_value=5),
    timeout=30.0,
)


CONTRACTS = [
    _layer_contract(LAYERS["Relu"], "forward"),
    _layer_contract(LAYERS["Relu"], "backward"),
    _layer_contract(LAYERS["Sigmoid"], "forward"),
    _layer_contract(LAYERS["Sigmoid"], "backward"),
    _layer_contract(LAYERS["Affine"], "forward"),
    _layer_contract(LAYERS["Affine"], "backward"),
    softmax,
    cross_entropy_error,
    _layer_contract(LAYERS["SoftmaxWithLoss"], "forward"),
    _layer_contract(LAYERS["SoftmaxWithLoss"], "backward"),
    numerical_gradient,
    TwoLayerNet_init,
    TwoLayerNet_predict,
    TwoLayerNet_loss,
    TwoLayerNet_accuracy,
    TwoLayerNet_gradient,
    TwoLayerNet_numerical_gradient,
]
