"""Relu builds its mask as x < 0: the forward output is still right (0 stays 0), but backward
passes dout where x == 0 instead of 0 (PyTorch: 0). Class example."""
from nnconf.impl.layers import *
import numpy as np


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x < 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx
