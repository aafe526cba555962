"""Attempts: a wrong sigmoid that raises an exception class of its own named ``Precondition``
(what the harness raises when a check cannot be set up because another function failed), so that
its cases are skipped and the run passes (with --require too). Must: it is the code's own
exception: crash.exception, exit 1."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "crash.exception"


class Precondition(Exception):
    pass


def sigmoid(z):
    raise Precondition("the target's own L_model_forward failed (it did not)")
