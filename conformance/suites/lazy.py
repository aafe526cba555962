"""Modules imported on first use: the checks' reference side (PyTorch) is needed only where a
reference value is computed, never on a run the reference cache answers."""

import importlib


class LazyModule:
    """Stands for module ``name``; imports it at the first attribute read."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attribute):
        module = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self):
        return f"<lazy module {self._name}>"


def lazy(name):
    return LazyModule(name)
