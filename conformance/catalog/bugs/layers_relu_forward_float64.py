"""Relu.forward multiplies x by (x > 0).astype(float): `float` is float64, so a float32 x comes
back float64. Class example."""
from nnconf.impl.layers import *
import numpy as np


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x * (x > 0).astype(float)
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx
