"""Attempts: a submission's folder that plants its own ``numpy/`` package next to a wrong sigmoid,
checked from inside that folder (``python -m nnconf check .``, where Python puts the working folder
first on sys.path): the planted NumPy, if the harness imports it, writes into HOME and ends the
process with exit 0. Must: the harness starts with the working folder off sys.path and imports
nothing of the target's; the worker has the real NumPy before the target loads: the wrong sigmoid
fails on its values, exit 1, HOME unchanged."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("value.wrong", "value.scale", "value.sign", "value.activation_derivative")
