"""propagate takes dZ = Y - A instead of A - Y: dw and db are negated (the gradient of -J).
Class example."""
from nnconf.impl.logistic import *
import numpy as np


def propagate(w, b, X, Y):
    m = X.shape[1]
    A = forward(w, b, X)  # sigmoid(w^T X + b)
    cost = float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))
    dZ = Y - A
    dw = 1 / m * np.dot(X, dZ.T)
    db = 1 / m * np.sum(dZ)
    grads = {"dw": dw, "db": db}
    return grads, cost
