"""Probes of the ``layers`` suite: the layer sessions and ``TwoLayerNet`` calls, run in the worker
next to the target (see :mod:`nnconf.conformance.suites.layers` for how their answers are judged)."""

import copy

import numpy as np

from nnconf.conformance import loader, probes
from nnconf.conformance.contract import describe
from nnconf.conformance.serve import _target_traceback

SUITE = "layers"

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
    first = session(cls, class_name, ctor_args, steps, plain)
    second = None
    if repeat and not any("error" in entry for entry in first["steps"]):
        set_state(state)
        second = session(cls, class_name, *deepcopy(snapshot), plain)
    return {"first": first, "second": second, "used": used, "ctor_names": ctor_names}


def _session_once(cls, class_name, ctor_args, steps, plain):
    obj = cls(*ctor_args)
    declared = set(_state(obj))
    entries = []
    for method, args in steps:
        if method == "attr":
            entries.append(_attribute(obj, args, plain))
            continue
        bound = getattr(obj, method, None)
        if bound is None:
            raise loader.MissingName(f"`{class_name}.{method}` is not defined")
        names = probes._bind(bound, f"{class_name}.{method}", args, {})
        try:
            result = plain(bound(*args))
        except Exception as exc:  # noqa: BLE001 - reported as the step's finding
            entries.append({
                "error": (type(exc).__name__, str(exc)[:2000]),
                "traceback": _target_traceback(exc),
                **_traces(obj, declared),
                "attrs": sorted(_state(obj)),
                "type": type(obj).__name__,
            })
            break
        entries.append({"result": result, "names": names, **_traces(obj, declared)})
    return {"steps": entries}


def _attribute(obj, name, plain):
    """The step ``("attr", name)``: ``{"result", "present"}``; where ``name`` is absent, the
    attributes that differ from it only in case (``dw`` for ``dW``), each with its value, under
    ``"near"``: the harness chooses which one it reads."""
    try:
        return {"result": plain(getattr(obj, name)), "present": True}
    except AttributeError:
        pass
    near = {}
    for other in sorted(_state(obj)):
        if other != name and other.lower() == name.lower():
            near[other] = plain(_state(obj)[other])
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


def numerical_gradient_probe(module, x, c, repeat=True):
    """``numerical_gradient(f, x)`` with f(x) = sum(sin(x) * c); x (the harness's shared array,
    on the first run) must come back bitwise equal."""
    fn, used = loader.resolve(module, SUITE, "numerical_gradient")

    def f(v):
        return float(np.sum(np.sin(v) * c))

    plain = probes._plain  # ours, before the target runs
    probes._bind(fn, "numerical_gradient", (f, x), {})
    own = np.array(x, copy=True)
    results = [plain(fn(f, x))]
    if repeat:
        results.append(plain(fn(f, own)))
    return {"result": results[0], "second": results[1] if repeat else None, "used": used}


def net_init_probe(module, ctor_args, seed, repeat=True):
    """``TwoLayerNet(*ctor_args).params`` right after ``np.random.seed(seed)``."""
    plain, deepcopy, reseed = probes._plain, copy.deepcopy, np.random.seed  # ours, before the target runs
    cls, used = loader.resolve(module, SUITE, "TwoLayerNet")
    probes._bind(cls, "TwoLayerNet", ctor_args, {})
    results = []
    for _ in range(2 if repeat else 1):
        reseed(seed)
        net = cls(*deepcopy(ctor_args))
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
    first = once(cls, sizes, params, method, args, earlier, plain)
    second = None
    if repeat:
        set_state(state)
        second = once(cls, sizes, params, method, snapshot, earlier, plain)["result"]
    form = _predict_on(cls, sizes, probe, plain) if probe is not None else None
    return {"result": first["result"], "second": second, "mutated": first["mutated"], "names": first["names"],
            "used": used, "form": form}


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


def _net_once(cls, sizes, params, method, args, earlier, plain):
    try:
        net = cls(*sizes)
    except Exception as exc:  # noqa: BLE001 - TwoLayerNet.__init__'s own check reports it
        raise probes.Precondition(
            f"TwoLayerNet{tuple(sizes)} itself failed ({type(exc).__name__}: {exc}); "
            "see TwoLayerNet.__init__") from None
    _load(net, params)
    bound = getattr(net, method, None)
    if bound is None:
        raise loader.MissingName(f"`TwoLayerNet.{method}` is not defined")
    names = probes._bind(bound, f"TwoLayerNet.{method}", args, {})
    if earlier is not None:
        bound(*copy.deepcopy(earlier))  # a net must not keep what an earlier call saw
        _load(net, params)
    before = {k: np.array(net.params[k], copy=True) for k in params}
    result = plain(bound(*args))
    mutated = []
    for k, value in before.items():
        now = net.params.get(k) if isinstance(getattr(net, "params", None), dict) else None
        if not (isinstance(now, np.ndarray) and now.shape == value.shape and now.tobytes() == value.tobytes()):
            mutated.append(f'net.params["{k}"]')
    return {"result": result, "mutated": mutated, "names": names}


def _load(net, params):
    """Write ``params`` into the arrays the net already holds (its layers share them)."""
    held = getattr(net, "params", None)
    if not isinstance(held, dict):
        raise probes.Precondition(
            "the TwoLayerNet has no `params` dict to load parameters into; see TwoLayerNet.__init__")
    for key, value in params.items():
        array = held.get(key)
        if not isinstance(array, np.ndarray) or array.shape != value.shape:
            raise probes.Precondition(
                f"net.params[{key!r}] is {describe(array)}, the contract loads shape {value.shape}; "
                "see TwoLayerNet.__init__")
        array[...] = value
