"""Blame from the target's real calls.

While a function is checked, the worker records which functions of the target its calls really
reached (``probes.traced``); a record keeps those of the suite's API as ``calls``. When a function
fails and a function it really called fails on its own checks too, the failure most likely follows
from the callee's: the record says so (``likely_cause``), so that a learner fixes the callee first.
A function that fails with no failing callee is a *root*.

Training loops and the course's model functions (``L_layer_model``, ``nn_model``) run thousands of
untraced iterations; for them the blame falls on the step functions they are built from
(:data:`BUILT_FROM`), where those fail on their own checks.
"""

import re

_UNDEFINED = re.compile(r"NameError: name '(\w+)' is not defined")

# suite -> function -> the suite's functions it is built from, as the course and the book build it.
BUILT_FROM = {
    "deep": {
        "L_layer_model": ("initialize_parameters_deep", "L_model_forward", "compute_cost", "L_model_backward",
                          "update_parameters"),
        "two_layer_model": ("initialize_parameters_deep", "linear_activation_forward", "compute_cost",
                            "linear_activation_backward", "update_parameters"),
    },
    "shallow": {"nn_model": ("initialize_parameters", "forward_propagation", "compute_cost", "backward_propagation",
                             "update_parameters")},
    "logistic": {"optimize": ("propagate",), "model": ("initialize_with_zeros", "optimize", "predict")},
    "xor": {"optimize": ("get_gradients",)},
}


# The function of the target a probe builds another's check on (``L_model_backward`` fed by the
# target's own ``L_model_forward``; a method of a net made by the target's ``TwoLayerNet.__init__``):
# the only one a Precondition (a skip) may wait for.
WAITS_FOR = {"L_model_backward": "L_model_forward", "TwoLayerNet.": "TwoLayerNet.__init__"}


def waits_for(name):
    """The function ``name``'s check may wait for (:data:`WAITS_FOR`), or None."""
    return next((v for k, v in WAITS_FOR.items() if name == k or (k.endswith(".") and name.startswith(k))), None)


# What each run needs of the target: no curve (or sweep) where one of these is not implemented.
REQUIRES = {
    "shallow": ("forward_propagation", "compute_cost", "backward_propagation", "update_parameters"),
    "deep": ("L_model_forward", "compute_cost", "L_model_backward", "update_parameters"),
    "logistic": ("propagate",),
    "xor": ("get_gradients",),
    "layers": ("TwoLayerNet.loss", "TwoLayerNet.gradient"),
    "planar sweep": ("nn_model", "predict", "forward_propagation"),
}


def built_from(record):
    """The suite's functions the record's function (or training loop) is built from, when its calls
    were not traced."""
    if record.get("stage") == "training":
        return REQUIRES.get(record["suite"], ())
    return BUILT_FROM.get(record["suite"], {}).get(record["function"], ())


def note_likely_causes(records):
    """Add ``likely_cause`` (and a sentence) to failing records whose real callees fail too, or
    that crashed on a name that is missing because its own code failed (a cell that does not parse)."""
    failing = {(r["suite"], r["function"]) for r in records if r["status"] in ("fail", "error")}
    for record in records:
        if record["status"] not in ("fail", "error") or record.get("isolated"):
            continue  # a failure with working stand-ins for the failing callees is the function's own
        traced = bool(record.get("calls"))
        callees = record.get("calls") or built_from(record)
        callees = [*callees, *undefined_names(record.get("message"))]
        causes = [c for c in callees if (record["suite"], c) in failing and c != record["function"]]
        if causes:
            record["likely_cause"] = causes
            names = ", ".join(f"`{c}`" for c in causes)
            how = "which it called" if traced else "which it is built from"
            record["message"] += (f" [probably follows from {names}, {how} and which fail(s) on its own "
                                  "checks too: fix that first]")
    return records


def undefined_names(message):
    """The names a crash's message found undefined."""
    return _UNDEFINED.findall(message or "")


def causes_of(records):
    """The failing functions a function's failing ``records`` are blamed on; none when one of them
    is its own (no cause, or found with working stand-ins for its callees): then it is a root."""
    if any(not r.get("likely_cause") for r in records):
        return []
    return sorted({c for r in records for c in r["likely_cause"]})


def roots_of(key, causes, seen=None):
    """The root failures behind ``key`` (a tuple ending in the function's name, such as (suite,
    function)): its causes' causes, down to functions that fail with no failing cause of their
    own. ``causes``: key -> the names of the failing functions it is blamed on."""
    seen = set() if seen is None else seen
    seen.add(key)
    direct = [(*key[:-1], c) for c in causes.get(key, ())]
    direct = [c for c in direct if c in causes and c not in seen]
    if not direct:
        return {key}
    return set().union(*(roots_of(c, causes, seen) for c in direct))
