"""propagate_loop divides db and the cost by m after the loop but forgets dw: dw is off by a
factor m. Class example."""
from nnconf.impl.logistic import *
import numpy as np


def propagate_loop(w, b, X, Y):
    n_x, m = X.shape
    J = 0.0
    dw = np.zeros((n_x, 1))
    db = 0.0
    for i in range(m):
        x_i = X[:, i:i + 1]
        a_i = float(stable_sigmoid(np.dot(w.T, x_i) + b)[0, 0])
        y_i = float(Y[0, i])
        J += -(y_i * np.log(a_i) + (1 - y_i) * np.log(1 - a_i))
        dz_i = a_i - y_i
        dw += x_i * dz_i
        db += dz_i
    J = J / m
    db = db / m
    return {"dw": dw, "db": db}, J
