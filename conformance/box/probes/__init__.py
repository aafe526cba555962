"""Probes: harness functions that run inside the worker, next to the code under test.

Each is called as ``probe(module, *args)`` with the target's suite module (see ``worker``) and
returns plain data (arrays, numbers, dicts) for the parent to judge. Probes resolve names with
``loader.resolve`` (so a missing name is ``api.missing``) and bind arguments before calling (so
a wrong signature is ``api.signature``, not a crash inside the target).
"""

import copy
import inspect
import os
import sys
import traceback

import numpy as np

from nnconf.conformance.box.channel import Described
from nnconf.conformance.judging.tolerances import FD_STEP
from nnconf.conformance.reading import loader


def call(module, suite, name, args, kwargs=None, repeat=True):
    """Call ``name(*args, **kwargs)``; report the result, the parameter names the arguments bound
    to, and (with ``repeat``) the result of a second call on fresh copies from the same global
    random state: both raw, for the harness to compare. The arguments are the harness's shared
    memory (``Worker.call(share=True)``): which of them the call changed, the harness sees for
    itself, at the checkpoint this probe stops at as soon as the function returns (before the
    repeat or anything else of the target's could undo a write)."""
    plain, deepcopy, set_state = _plain, copy.deepcopy, np.random.set_state  # ours, before the target runs
    checkpoint, pristine, update = _checkpoint, _PRISTINE, dict.update
    kwargs = kwargs or {}
    fn, used = loader.resolve(module, suite, name)
    names = _bind(fn, name, args, kwargs)
    snapshot = deepcopy((args, kwargs))
    state = np.random.get_state()
    if name in _TRACED:  # its calls are known from its first call in this worker (tracing slows it down)
        result, reached = fn(*args, **kwargs), []
    else:
        _TRACED.add(name)
        result, reached = traced(fn, args, kwargs)
    checkpoint()
    for namespace, items in pristine:  # the worker's own modules (and builtins) as before the target ran
        update(namespace, items)
    result = plain(result)
    second = None
    if repeat:
        set_state(state)
        args2, kwargs2 = deepcopy(snapshot)
        second = plain(fn(*args2, **kwargs2))
    return {"result": result, "second": second, "names": names, "used": used, "reached": reached}


_TRACED = set()  # names whose first call in this worker was traced


def _no_checkpoint():
    """In-process (the tests), there is no harness to stop for; the worker sets its own (``serve``)."""


_checkpoint = _no_checkpoint
_PRISTINE = ()  # the worker's namespaces as before the target loaded: (namespace, items), set by the worker


def traced(fn, args, kwargs, _setprofile=sys.setprofile, _set=set):
    """``fn(*args, **kwargs)`` and the functions it really reached: [(qualified name, file)]
    (``Affine.backward``), so that a failure is blamed on a callee only if it was called.

    A profile function (``sys.setprofile``) sees each new frame; it has no per-frame hook the
    target could set on the harness's frames (a trace function's ``frame.f_trace`` would run the
    target's code on the harness's lines, after its function returned). The worker's audit hook
    lets only this function set one (its code, with ``_setprofile`` and ``_set`` the real ones:
    a copy built with other globals or defaults is refused), and it sets only its own profiler
    or none (never a function it was handed, or one it read back)."""
    codes = _set()

    def profiler(frame, event, arg, _add=codes.add):
        if event == "call":
            _add(frame.f_code)

    _setprofile(profiler)
    try:
        result = fn(*args, **kwargs)
    except BaseException as exc:
        _setprofile(None)
        exc.nnconf_reached = _names_of(codes)  # a crash is blamed from its real calls too
        raise
    finally:
        _setprofile(None)
    return result, _names_of(codes)


def _names_of(codes):
    return sorted({(getattr(c, "co_qualname", c.co_name), c.co_filename) for c in codes})


def fd_vjp(module, suite, name, args, wrt, upstream, output=None, kwargs=None):
    """Central differences of the target's own forward: d/d args[i] of sum(upstream * out),
    elementwise, for each i in ``wrt`` (h = FD_STEP, float64)."""
    kwargs = kwargs or {}
    fn, _ = loader.resolve(module, suite, name)
    args = [np.array(a, dtype=np.float64) if i in wrt else a for i, a in enumerate(args)]
    upstream = np.asarray(upstream, dtype=np.float64)

    def objective():
        out = fn(*copy.deepcopy(args), **kwargs)  # a forward that writes into its input must not skew the rest
        out = out[output] if output is not None else out
        return float(np.sum(upstream * np.asarray(out, dtype=np.float64)))

    grads = []
    for i in wrt:
        x = args[i]
        grad = np.zeros_like(x)
        for idx in np.ndindex(*x.shape):
            original = x[idx]
            x[idx] = original + FD_STEP
            plus = objective()
            x[idx] = original - FD_STEP
            minus = objective()
            x[idx] = original
            grad[idx] = (plus - minus) / (2 * FD_STEP)
        grads.append(grad)
    return grads


class Precondition(Exception):
    """A check could not be set up because another function of the target failed (a skip):
    ``needs`` names that function (``L_model_forward``), whose own checks the harness holds the
    skip against (``engine._plausible_skip``)."""

    def __init__(self, message, needs):
        super().__init__(message)
        self.needs = needs


# --- networks: a loss of the target's own forward, and the target's own gradient -------------


def _deep_network(module, data):
    X, Y = data
    forward, _ = loader.resolve(module, "deep", "L_model_forward")
    backward, _ = loader.resolve(module, "deep", "L_model_backward")

    cost = cost_function(module, "deep")

    def loss(params):
        AL, _ = forward(X, params)
        return cost(AL, Y)

    def grads(params):
        AL, caches = forward(X, params)
        g = backward(AL, Y, caches)
        return {key: g["d" + key] for key in params}

    return loss, grads


def cost_function(module, suite):
    """The target's ``compute_cost`` as ``cost(A, Y, parameters=None)``, whichever course version's
    signature it has (2017-2020: ``compute_cost(A2, Y, parameters)``, which may read parameters["W1"]:
    the caller passes the network's parameters)."""
    fn, _ = loader.resolve(module, suite, "compute_cost")
    try:
        inspect.signature(fn).bind(None, None)
    except TypeError:
        return lambda A, Y, parameters=None: fn(A, Y, {} if parameters is None else parameters)
    except ValueError:  # no signature to read (a builtin): call it as the API says
        pass
    return lambda A, Y, parameters=None: fn(A, Y)


def _shallow_network(module, data):
    X, Y = data
    cost = cost_function(module, "shallow")

    def loss(params):
        return cost(module.forward_propagation(X, params)[0], Y, params)

    def grads(params):
        _, cache = module.forward_propagation(X, params)
        g = module.backward_propagation(params, cache, X, Y)
        return {key: g["d" + key] for key in params}

    return loss, grads


def _logistic_network(module, data, name="propagate"):
    X, Y = data
    propagate, _ = loader.resolve(module, "logistic", name)
    loss = lambda p: propagate(p["w"], p["b"], X, Y)[1]  # noqa: E731
    grads = lambda p: {k: propagate(p["w"], p["b"], X, Y)[0]["d" + k] for k in ("w", "b")}  # noqa: E731
    return loss, grads


def _xor_network(module, data):
    X, Y = data
    keys = ("W1", "B1", "W2", "B2")
    loss = lambda p: module.forward_loss(X, Y, [p[k] for k in keys])[4]  # noqa: E731
    grads = lambda p: dict(zip(keys, module.get_gradients(X, Y, [p[k] for k in keys])[0]))  # noqa: E731
    return loss, grads


def _two_layer_network(module, data):
    x, t, sizes = data
    net = module.TwoLayerNet(*sizes)

    def load(params):
        for key, value in params.items():
            net.params[key][...] = value  # the book's layers hold references to these arrays

    def loss(params):
        load(params)
        return net.loss(x, t)

    def grads(params):
        load(params)
        return dict(net.gradient(x, t))

    return loss, grads


# The functions whose output a network's random-direction check differentiates (besides the
# gradient function under check): when one of them failed its own checks, the check is skipped.
NETWORK_FORWARDS = {
    "deep": ("L_model_forward", "compute_cost"),
    "shallow": ("forward_propagation", "compute_cost"),
    "logistic": (),
    "logistic_loop": (),
    "xor": ("forward_loss",),
    "layers": ("TwoLayerNet.predict", "TwoLayerNet.loss"),
}

NETWORKS = {
    "deep": _deep_network,
    "shallow": _shallow_network,
    "logistic": _logistic_network,
    "logistic_loop": lambda module, data: _logistic_network(module, data, "propagate_loop"),
    "xor": _xor_network,
    "layers": _two_layer_network,
}


def fd_directions(module, network, data, params, seed, directions=1):
    """Random-direction check (PyTorch's fast gradcheck, by hand): for each parameter tensor, the
    directional derivative (J(p + h v) - J(p - h v)) / 2h of the target's own loss along a random
    v against <grad, v> from the target's own gradient. Two forward passes per direction,
    whatever the parameter count; a wrong gradient of any tensor shows in its own direction."""
    loss, grads = NETWORKS[network](module, data)
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    analytic = {k: np.asarray(v, dtype=np.float64) for k, v in grads(copy.deepcopy(params)).items()}
    rng = np.random.default_rng(seed)
    groups = [[k] for k in params]
    out = []
    for keys in groups:
        for _ in range(directions):
            v = {k: rng.standard_normal(params[k].shape) for k in keys}
            shifted = lambda s: {k: params[k] + s * v[k] if k in v else params[k] for k in params}  # noqa: E731
            numeric = (float(loss(shifted(FD_STEP))) - float(loss(shifted(-FD_STEP)))) / (2 * FD_STEP)
            predicted = sum(float(np.sum(analytic[k].reshape(params[k].shape) * v[k])) for k in keys)
            out.append({"keys": keys, "numeric": numeric, "analytic": predicted})
    return out


# --- helpers -----------------------------------------------------------------------------------


def _bind(fn, name, args, kwargs):
    """Check that ``fn`` accepts the SPEC's arguments; return the parameter names used."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return [f"arg{i}" for i in range(len(args))]
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as exc:
        raise loader.SignatureError(
            f"{name}{signature} cannot be called with {len(args)} positional argument(s)"
            f"{' and ' + ', '.join(kwargs) if kwargs else ''}: {exc}"
        ) from None
    names = list(bound.arguments)
    return names + [f"arg{i}" for i in range(len(names), len(args))]


def _plain(value):
    """A copy of ``value`` made only of builtin and NumPy types, so that it can travel back to the
    parent (which cannot import the target's own classes); odd objects become a description.
    (It recurses through its own closure, not its module: probes hold it in a local before the
    target runs, and what a target puts into the module meanwhile is not used.)"""
    array, generic, ndarray = _ARRAY, _GENERIC, _NDARRAY

    def plain(value):
        if isinstance(value, ndarray):
            return array(value)  # a subclass becomes a plain ndarray
        if isinstance(value, (list, tuple)):
            items = [plain(v) for v in value]
            return tuple(items) if isinstance(value, tuple) else items
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if value is None or type(value) in (bool, int, float, complex, str) or isinstance(value, generic):
            return value
        for builtin in (bool, int, float, complex, str):  # a learner's subclass of a number
            if isinstance(value, builtin):
                return builtin(value)
        return Opaque(type(value).__name__, _safe_repr(value))

    return plain(value)


_ARRAY, _GENERIC, _NDARRAY = np.array, np.generic, np.ndarray  # NumPy's own, whatever the target puts into NumPy's namespace


def _safe_repr(value):
    try:
        return repr(value)[:200]
    except Exception:  # noqa: BLE001 - a broken __repr__ is the target's, not ours
        return "<unprintable>"


Opaque = Described  # stands for a returned object that is neither an array, a number nor a container


def defaults(module, suite, name):
    """[name, has a default, the default (a number, bool, str or None; else its repr)] for each
    parameter of the target's function, in order."""
    fn, _ = loader.resolve(module, suite, name)
    out = []
    for p in inspect.signature(fn).parameters.values():
        has = p.default is not inspect.Parameter.empty
        value = p.default if isinstance(p.default, (bool, int, float, str, type(None))) else repr(p.default)
        out.append([p.name, has, value if has else None])
    return out


def inventory(module, suite, names):
    """Which of ``names`` (``Class.method`` too) the target implements, why not where it does not,
    where each is defined ((file, line)), and the notes of loading its files."""
    implemented, reasons, sources = {}, {}, {}
    for name in names:
        implemented[name], reasons[name] = loader.implemented(module, suite, name)
        if implemented[name]:
            sources[name.split(".")[0]] = _where(loader.resolve(module, suite, name)[0])
    return {"implemented": implemented, "reasons": reasons, "sources": sources,
            "notes": list(getattr(module, "__nnconf_notes__", []))}


def _where(obj):
    """(file, first line) of a function or class of the target, or None."""
    code = getattr(obj, "__code__", None)
    if code is None and isinstance(obj, type):
        codes = [f.__code__ for f in vars(obj).values() if hasattr(f, "__code__")]
        code = min(codes, key=lambda c: c.co_firstlineno, default=None)
    if code is None:
        return None
    return (code.co_filename, code.co_firstlineno)


def chain_deep_backward(module, X, Y, params):
    """L_model_backward fed with what the target's own L_model_forward returned."""
    forward, _ = loader.resolve(module, "deep", "L_model_forward")
    try:
        AL, caches = forward(X, copy.deepcopy(params))
    except Exception as exc:  # noqa: BLE001 - the forward's own check reports it
        raise Precondition(f"the target's own L_model_forward failed ({type(exc).__name__}: {exc})",
                           "L_model_forward") from None
    return call(module, "deep", "L_model_backward", (AL, Y, caches), {}, True)


def call_seeded(module, suite, name, args, seed):
    """``call`` after ``np.random.seed(seed)`` (document 001 seeds with 3 before initializing)."""
    np.random.seed(seed)
    return call(module, suite, name, args, {}, True)


# the harness's own files: conformance/ (this file is conformance/box/probes/__init__.py)
_HARNESS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) + os.sep
_CATALOG = os.path.join(_HARNESS, "catalog") + os.sep


def target_frames(exc):
    """The traceback's frames in the code under test (the harness's own frames left out)."""
    return [
        f for f in traceback.extract_tb(exc.__traceback__)
        if not f.filename.startswith(_HARNESS) or f.filename.startswith(_CATALOG)
    ]


def innermost_target_function(exc):
    frames = target_frames(exc)
    return frames[-1].name if frames else None


def target_traceback(exc, limit=6):
    frames = target_frames(exc)
    return "".join(traceback.format_list(frames[-limit:])) or None
