"""Attempts: poison the terminal, the JSON and the report with text: lone surrogates, ANSI escape
sequences (clear screen, a fake "all passed" line, OSC 8 hyperlinks, a terminal title), NUL bytes,
a carriage return, a bidi override and undecodable bytes, in the exception message, printed
output and a warning. Must: all of it shows as escaped text: valid UTF-8, no raw control
characters in the terminal, the JSON or the report; the call fails as crash.exception."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "crash.exception"

import warnings


def _odd():
    return ("\udcff\ud800 lone surrogates; \x1b[2J\x1b[H\x1b[32mall 1000 checks passed\x1b[0m; "
            "\x1b]8;;http://example.invalid\x07link\x1b]8;;\x07; \x1b]0;title\x07; NUL\x00byte; "
            "carriage\rreturn; \u202egnp.exe; " + b"\xff\xfe undecodable".decode("utf-8", "surrogateescape"))


def sigmoid(z):
    odd = _odd()
    print(odd)
    warnings.warn(odd)
    raise ValueError(odd)
