"""The version of nnconf: one place, read by the package, the command line and the gradebook."""

__version__ = "0.2.0"
