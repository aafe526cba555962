"""TwoLayerNet.gradient files Affine2's gradients under "W1"/"b1" and Affine1's under "W2"/"b2":
each gradient has the other layer's shape. Class example."""
from nnconf.impl.layers import *
from nnconf.impl.layers import TwoLayerNet as _BookTwoLayerNet
import numpy as np


class TwoLayerNet(_BookTwoLayerNet):
    def gradient(self, x, t):
        # 순전파
        self.loss(x, t)
        # 역전파
        dout = 1
        dout = self.lastLayer.backward(dout)
        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)
        # 결과 저장
        grads = {}
        grads['W1'] = self.layers['Affine2'].dW
        grads['b1'] = self.layers['Affine2'].db
        grads['W2'] = self.layers['Affine1'].dW
        grads['b2'] = self.layers['Affine1'].db
        return grads
