"""The values the front doors' options may take, and the argparse type that holds an option to
them with a message that gives the range (``nnconf check`` and ``nnconf grade`` share them)."""

import argparse
import math

# The limits of a run: option -> (argparse dest, type, lowest, highest, default, unit, what it bounds).
# The lowest values are the least with which a run can check anything at all (a worker needs about a
# second to start, and some 50 MB beyond the Python and NumPy it holds before the code runs).
LIMITS = {
    "--timeout": ("timeout", float, 1, 3600, 10.0, "s", "seconds per call of the target"),
    "--max-time": ("max_time", float, 2, 7 * 24 * 3600, 1800.0, "s", "seconds for the whole run"),
    "--max-memory": ("max_memory", int, 128, 2**20, 2048, "MB", "memory the target may allocate in each worker"),
    "--max-file": ("max_file", int, 1, 2**20, 100, "MB", "the largest file the target may write"),
    "--max-disk": ("max_disk", int, 1, 2**20, 200, "MB", "all the target may write into its scratch folder, per worker"),
    "--max-processes": ("max_processes", int, 1, 4096, 32, "", "processes and threads the target may run at once"),
}
JOBS, SEED = (1, 64), (0, 2**32 - 1)


def shown(number):
    """A number as the help and the messages say it: 1800, 0.5, 1048576 (never 1.04858e+06)."""
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def ranged(kind, low, high, what, unit=""):
    """An argparse type: a finite number of ``kind`` from ``low`` to ``high``; the message gives the range."""
    said = f" {unit}" if unit and unit != "s" else ("" if not unit else " seconds")

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or not low <= value <= high:
            word = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not allowed: give {word} from {shown(low)} to "
                                             f"{shown(high)}{said} ({what})")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its own messages
    return parse
