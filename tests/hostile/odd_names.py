"""Attempts: poison the terminal, the JSON and the report through names rather than messages: an
exception class and a warning category named with ANSI escape sequences, a C1 CSI (U+009B, an
escape on many terminals), a BEL and a right-to-left override, raised with an empty message, and
printed output made of C1 controls only. Must: every name shows escaped (no raw ESC, NUL in the
terminal, the JSON or the report); the call fails as crash.exception."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "crash.exception"

import warnings

_NAME = "Fine\x1b[2J\x1b[H\x1b[32mall checks passed\x1b[0m\x9b2J\x07\u202egnp"


def sigmoid(z):
    print("\x9b2J\x9b1;1H\x85\x8d")
    warnings.warn("see the category", type(_NAME, (UserWarning,), {}))
    raise type(_NAME, (Exception,), {})()
