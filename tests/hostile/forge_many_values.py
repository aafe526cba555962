"""Attempts: an answer far under the 256 MB an answer may take, but made of tens of thousands of
containers and numbers the harness would build one by one (a 2-million-entry dict took the harness 1.7 GB and
a minute): 80,000 empty tuples, a dict of 80,000 entries, a list of 120,000 one-element lists
(240,000 values each, in about 1 MB); alternating by call.
Must: each answer is refused before its JSON is parsed (the JSON part of an answer is capped in
bytes and in values), in about no time and memory; each call fails (crash.exception: the answer is
garbage), the run ends normally and in time."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = ("crash.exception", "crash.resource")
ARGS = ("--timeout", "20")  # the worker itself takes seconds to write such an answer on a loaded machine
MAX_SECONDS = 90

_CALLS = [0]


def sigmoid(z):
    _CALLS[0] += 1
    kind = (_CALLS[0] - 1) // 2 % 3  # a call and its repeat give the same kind
    if kind == 0:
        return [()] * 80_000
    if kind == 1:
        return {i: 0.5 for i in range(80_000)}
    return [[0.5]] * 120_000
