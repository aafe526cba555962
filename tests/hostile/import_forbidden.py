"""Attempts: copy the answer instead of computing it: imports (inside the function, by name)
``nnconf.reference.activations``, then ``torch``, then ``nnconf.impl.activations``, and uses the
first that loads. Must: each is refused (ForbiddenImport, the run does not pass --allow-bundled):
the call fails as crash.exception."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "crash.exception"

import importlib


def sigmoid(z):
    errors = []
    for name in ("nnconf.reference.activations", "torch", "nnconf.impl.activations"):
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{name}: {type(exc).__name__}")
            continue
        if name == "torch":
            return module.sigmoid(module.as_tensor(z)).numpy()
        return module.sigmoid(z)
    raise ImportError("; ".join(errors))
