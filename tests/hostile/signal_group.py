"""Attempts: kill its whole process group (``os.killpg(os.getpgrp(), SIGKILL)``), after stopping
the group of its parent with SIGSTOP; when the harness shares either group, it dies or hangs with
the worker. Must: the harness is in neither group: the worker dies alone, the call fails as
crash.exception, the run ends normally."""
SUITE = "activations"
FUNCTION = "sigmoid"
DIAGNOSIS = "crash.exception"
NEEDS_BWRAP = True

import os
import signal


def sigmoid(z):
    try:
        os.killpg(os.getpgid(os.getppid()), signal.SIGSTOP)
    except OSError:
        pass
    os.killpg(os.getpgrp(), signal.SIGKILL)
    return z
