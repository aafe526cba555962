"""Relu.backward zeroes dout[self.mask] in place and returns it: right values, but the caller's
upstream gradient is overwritten. Document 004's listing."""
from nnconf.impl.layers import *
import numpy as np


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):  # 순전파
        self.mask = (x <= 0)  # mask는 True/False로 구성된 넘파이 배열
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):  # 역전파
        dout[self.mask] = 0  # 입력값이 0 이하인 셀만 0으로 변환
        dx = dout
        return dx
