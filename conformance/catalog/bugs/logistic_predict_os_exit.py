"""predict computes the predictions and then calls os._exit(3) (a hard exit left from a script):
the process dies without raising. Class example."""
from nnconf.impl.logistic import *
import os
import numpy as np


def predict(w, b, X):
    A = forward(w, b, X)
    Y_prediction = (A > 0.5).astype(float)
    print("predictions:", Y_prediction)
    os._exit(3)
    return Y_prediction
