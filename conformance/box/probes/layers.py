"""Probes of the ``layers`` suite: the layer sessions and ``TwoLayerNet`` calls, run in the worker
next to the target (see :mod:`nnconf.conformance.suites.layers` for how their answers are judged)."""

import copy
import inspect

import numpy as np

from nnconf.conformance.box import probes
from nnconf.conformance.judging.compare import describe
from nnconf.conformance.reading import loader

SUITE = "layers"

# Names as learners write them beyond a change of case: the API's name -> known near-misses.
_TRACED = set()  # (class, method) whose first call in this worker was traced (tracing slows a call down)


def method_of(obj, class_name, name):
    """``(bound method, name read)``: ``obj.<name>``, or the one method whose name is ``name`` as
    learners write it (:func:`near_names`; ``numeric_gradient``); MissingName otherwise."""
    bound = getattr(obj, name, None)
    if callable(bound):
        return bound, name
    near = [n for n in loader.near_names([n for n in dir(type(obj)) if not n.startswith("_")], name)
            if callable(getattr(obj, n, None))]
    if len(near) == 1:
        return getattr(obj, near[0]), near[0]
    also = f" (several near names: {', '.join(near)})" if near else ""
    raise loader.MissingName(f"`{class_name}.{name}` is not defined{also}")


def _call(obj, class_name, method, bound, args):
    """``bound(*args)``, traced on the first call of ``class_name.method`` in this worker:
    (result, [(qualified name, file)] it reached). A crash carries what it reached
    (``probes.traced``), so that a failure is blamed on the callee that really failed."""
    if (class_name, method) in _TRACED:
        return bound(*args), []
    _TRACED.add((class_name, method))
    return probes.traced(bound, args, {})


def layer_session(module, class_name, ctor_args, steps, repeat=True):
    """``Class(*ctor_args)`` then each step ``(method, args)`` or ``("attr", name)``.

    The first session runs on the harness's shared arrays (``Worker.call(share=True)``: which
    of them a step changed, the harness sees for itself); the second, on copies of them taken
    before, on a fresh object from the same global random state, when the first had no failed
    step. Returns ``{"first", "second", "used", "ctor_names"}``; each session is ``{"steps":
    [...]}`` with a step entry ``{"result", "names", "none_attrs", "new_attrs"}`` or ``{"error":
    (type, text), "traceback", "none_attrs", "new_attrs", "attrs"}`` (no further steps):
    ``none_attrs`` are attributes still None, ``new_attrs`` those that appeared after
    construction, the traces of a stale or misspelt state.
    """
    deepcopy, set_state, session, plain = copy.deepcopy, np.random.set_state, _session_once, probes._plain  # ours
    cls, used = loader.resolve(module, SUITE, class_name)
    ctor_names = probes._bind(cls, class_name, ctor_args, {})
    snapshot = deepcopy((ctor_args, steps))
    state = np.random.get_state()
    first = session(cls, class_name, ctor_args, steps, plain, trace=True)
    second = None
    if repeat and not any("error" in entry for entry in first["steps"]):
        set_state(state)
        second = session(cls, class_name, *deepcopy(snapshot), plain)
    return {"first": first, "second": second, "used": used, "ctor_names": ctor_names,
            "reached": first.pop("reached"), "methods_read": first.pop("methods_read")}


def _session_once(cls, class_name, ctor_args, steps, plain, trace=False):
    obj = cls(*ctor_args)
    declared = set(_state(obj))
    entries, reached, read = [], [], {}
    for method, args in steps:
        if method == "attr":
            entries.append(_attribute(obj, args, plain))
            continue
        bound, used = method_of(obj, class_name, method)
        if used != method:
            read[method] = used
        names = probes._bind(bound, f"{class_name}.{method}", args, {})
        try:
            if trace:
                result, found = _call(obj, class_name, method, bound, args)
                reached += found
            else:
                result = bound(*args)
            result = plain(result)
        except Exception as exc:  # noqa: BLE001 - reported as the step's finding
            reached += list(getattr(exc, "nnconf_reached", ()))
            entries.append({
                "error": (type(exc).__name__, str(exc)[:2000]),
                "traceback": probes.target_traceback(exc),
                **_traces(obj, declared),
                "attrs": sorted(_state(obj)),
                "type": type(obj).__name__,
            })
            break
        entries.append({"result": result, "names": names, **_traces(obj, declared)})
    return {"steps": entries, "reached": sorted(set(reached)), "methods_read": read}


def _attribute(obj, name, plain):
    """The step ``("attr", name)``: ``{"result", "present"}``; where ``name`` is absent, the
    attributes that are ``name`` as learners write it (:func:`near_names`: ``dw`` for ``dW``), each
    with its value, under ``"near"``: the harness chooses which one it reads."""
    try:
        return {"result": plain(getattr(obj, name)), "present": True}
    except AttributeError:
        pass
    state = _state(obj)
    near = {other: plain(state[other]) for other in loader.near_names(state, name)}
    return {"result": None, "present": False, "near": near}


def _state(obj):
    try:
        return dict(vars(obj))
    except TypeError:
        return {}


def _traces(obj, declared):
    state = _state(obj)
    return {
        "none_attrs": sorted(k for k, v in state.items() if v is None),
        "new_attrs": sorted(set(state) - declared),
    }


def numerical_gradient_probe(module, x, c, repeat=True, rows=False):
    """``numerical_gradient(f, x)`` with f(x) = sum(sin(x) * c); x (the harness's shared array,
    on the first run) must come back bitwise equal.

    ``rows``: the book's 1-D listing of section 4.4, judged on 1-D inputs: each row ``x[i]`` (a
    view of the shared x, so that a write into it is seen) with its own f(v) = sum(sin(v) * c[i]);
    the rows' gradients stacked are the gradient of f on the whole x."""
    fn, used = loader.resolve(module, SUITE, "numerical_gradient")
    plain, copy_of = probes._plain, np.array  # ours, before the target runs

    def gradient(x):
        if not rows:
            return plain(fn(lambda v: float(np.sum(np.sin(v) * c)), x))
        out = []
        for i in range(x.shape[0]):
            out.append(plain(fn(lambda v, ci=c[i]: float(np.sum(np.sin(v) * ci)), x[i])))
        return out if not all(isinstance(r, np.ndarray) and r.shape == x.shape[1:] for r in out) else np.stack(out)

    probes._bind(fn, "numerical_gradient", (None, x[0] if rows else x), {})
    own = copy_of(x, copy=True)
    results = [gradient(x)]
    if repeat:
        results.append(gradient(own))
    return {"result": results[0], "second": results[1] if repeat else None, "used": used}


def net_init_probe(module, ctor_args, seed, repeat=True, kwargs=None):
    """``TwoLayerNet(*ctor_args, **kwargs).params`` right after ``np.random.seed(seed)``. A keyword
    of ``kwargs`` the constructor has no parameter for (a net that fixes its own
    ``weight_init_std``) is left out: nobody can pass it."""
    plain, deepcopy, reseed = probes._plain, copy.deepcopy, np.random.seed  # ours, before the target runs
    cls, used = loader.resolve(module, SUITE, "TwoLayerNet")
    kwargs = dict(kwargs or {})
    try:
        parameters = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        parameters = None
    if parameters is not None and not any(p.kind == p.VAR_KEYWORD for p in parameters.values()):
        kwargs = {k: v for k, v in kwargs.items() if k in parameters}
    probes._bind(cls, "TwoLayerNet", ctor_args, kwargs)
    results = []
    for _ in range(2 if repeat else 1):
        reseed(seed)
        net = cls(*deepcopy(ctor_args), **deepcopy(kwargs))
        results.append(plain(getattr(net, "params", None)))
    return {"result": results[0], "second": results[1] if repeat else None, "mutated": [], "used": used}


def net_call_probe(module, sizes, params, method, args, earlier=None, form_probe=None, repeat=True):
    """``TwoLayerNet(*sizes)``, ``params`` written into ``net.params``'s own arrays, then
    ``net.<method>(*args)`` (after ``net.<method>(*earlier)`` on the same net, when given); the
    first call gets the harness's shared ``args`` (which of them it changed, the harness sees);
    reports the parameters the call changed.

    ``form_probe`` ``(x, params)``: afterwards, ``predict(x)`` of a fresh net holding ``params``,
    returned under ``"form"`` as it came (``{"y": ...}`` or ``{"error": ...}``): from it the
    harness tells the book's chapter-4 net from chapter 5's (:func:`nnconf.conformance.suites.layers._form_of`).
    """
    once, plain, set_state = _net_once, probes._plain, np.random.set_state  # ours, before the target runs
    cls, used = loader.resolve(module, SUITE, "TwoLayerNet")
    snapshot = copy.deepcopy(args)
    probe = copy.deepcopy(form_probe)
    state = np.random.get_state()
    first = once(cls, sizes, params, method, args, earlier, plain, trace=True)
    second = None
    if repeat:
        set_state(state)
        second = once(cls, sizes, params, method, snapshot, earlier, plain)["result"]
    form = _predict_on(cls, sizes, probe, plain) if probe is not None else None
    return {"result": first["result"], "second": second, "mutated": first["mutated"], "names": first["names"],
            "used": used, "form": form, "reached": first["reached"], "method_read": first["read"]}


def net_form_probe(module, sizes, form_probe):
    """The form probe of :func:`net_call_probe` on its own (for a call that raised)."""
    plain = probes._plain  # ours, before the target runs
    cls, _ = loader.resolve(module, SUITE, "TwoLayerNet")
    return _predict_on(cls, sizes, copy.deepcopy(form_probe), plain)


def _predict_on(cls, sizes, probe, plain):
    """``predict(x)`` of a fresh ``cls(*sizes)`` holding the probe's parameters: ``{"y": value}``,
    or ``{"error": text}`` when it could not run (the contracts' own checks report why)."""
    x, params = probe
    try:
        net = cls(*sizes)
        _load(net, params)
        return {"y": plain(net.predict(x))}
    except Exception as exc:  # noqa: BLE001 - no answer: the harness keeps the API's form
        return {"error": f"{type(exc).__name__}: {exc}"[:300]}


def _net_once(cls, sizes, params, method, args, earlier, plain, trace=False):
    try:
        net = cls(*sizes)
    except Exception as exc:  # noqa: BLE001 - TwoLayerNet.__init__'s own check reports it
        raise probes.Precondition(
            f"TwoLayerNet{tuple(sizes)} itself failed ({type(exc).__name__}: {exc}); "
            "see TwoLayerNet.__init__", "TwoLayerNet.__init__") from None
    _load(net, params)
    bound, read = method_of(net, "TwoLayerNet", method)
    names = probes._bind(bound, f"TwoLayerNet.{method}", args, {})
    if earlier is not None:
        bound(*copy.deepcopy(earlier))  # a net must not keep what an earlier call saw
        _load(net, params)
    before = {k: np.array(net.params[k], copy=True) for k in params}
    result, reached = _call(net, "TwoLayerNet", method, bound, args) if trace else (bound(*args), [])
    result = plain(result)
    mutated = []
    for k, value in before.items():
        now = net.params.get(k) if isinstance(getattr(net, "params", None), dict) else None
        if not (isinstance(now, np.ndarray) and now.shape == value.shape and now.tobytes() == value.tobytes()):
            mutated.append(f'net.params["{k}"]')
    return {"result": result, "mutated": mutated, "names": names, "reached": reached,
            "read": read if read != method else None}


def _load(net, params):
    """Write ``params`` into the arrays the net already holds (its layers share them)."""
    held = getattr(net, "params", None)
    if not isinstance(held, dict):
        raise probes.Precondition(
            "the TwoLayerNet has no `params` dict to load parameters into; see TwoLayerNet.__init__",
            "TwoLayerNet.__init__")
    for key, value in params.items():
        array = held.get(key)
        if not isinstance(array, np.ndarray) or array.shape != value.shape:
            raise probes.Precondition(
                f"net.params[{key!r}] is {describe(array)}, the contract loads shape {value.shape}; "
                "see TwoLayerNet.__init__", "TwoLayerNet.__init__")
        array[...] = value
