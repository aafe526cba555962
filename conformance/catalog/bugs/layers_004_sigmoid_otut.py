"""Sigmoid.forward stores its output in self.otut (typo), so backward reads self.out, which is
still None (or whatever an earlier object state held). Document 004's listing."""
from nnconf.impl.layers import *
import numpy as np


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = 1 / (1 + np.exp(-x))
        self.otut = out
        return out

    def backward(self, dout):
        dx = dout * (1.0 - self.out) * self.out
        return dx
