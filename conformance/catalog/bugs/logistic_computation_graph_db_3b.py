"""computation_graph returns dJ/db = 3b (should be 3c: J = 3(a + bc)); dJ/da and dJ/dc are right.
Class example."""
from nnconf.impl.logistic import *
import numpy as np


def computation_graph(a, b, c):
    u = b * c
    v = a + u
    J = 3 * v
    dv = 3
    da = dv
    du = dv
    db = du * b
    dc = du * b
    return J, {"da": da, "db": db, "dc": dc}
