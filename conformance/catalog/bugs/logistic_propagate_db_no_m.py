"""propagate sums db = np.sum(dZ) and forgets the 1/m: db is off by a factor m. Class example."""
from nnconf.impl.logistic import *
import numpy as np


def propagate(w, b, X, Y):
    m = X.shape[1]
    A = forward(w, b, X)  # sigmoid(w^T X + b)
    cost = float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))
    dZ = A - Y
    dw = 1 / m * np.dot(X, dZ.T)
    db = np.sum(dZ)
    grads = {"dw": dw, "db": db}
    return grads, cost
