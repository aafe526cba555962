"""Row-major layers of "Deep Learning from Scratch" ch. 5 (document 004).

x is (N, D), W is (D, H), b is (H,). No layer writes into the arrays it is given.
"""
from collections import OrderedDict

import numpy as np

from activations import sigmoid as _sigmoid


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        x = np.asarray(x)
        self.mask = x <= 0
        return np.where(self.mask, np.zeros((), dtype=x.dtype), x)

    def backward(self, dout):
        dout = np.asarray(dout)
        return np.where(self.mask, np.zeros((), dtype=dout.dtype), dout)


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = _sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class Affine:
    def __init__(self, W, b):
        self.W = W          # references, not copies: updating params updates the layer
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        x = np.asarray(x)
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1) if x.ndim > 1 else x
        return self.x @ self.W + self.b

    def backward(self, dout):
        if self.x.ndim == 1:
            dx = self.W @ dout
            self.dW = np.einsum("d,h->dh", self.x, dout)
            self.db = np.array(dout, copy=True)
            return dx
        dx = np.einsum("nh,dh->nd", dout, self.W)
        self.dW = np.einsum("nd,nh->dh", self.x, dout)
        self.db = np.einsum("nh->h", dout)
        return dx.reshape(self.original_x_shape)


def softmax(x):
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    shifted = x - x.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(x):
    x = np.asarray(x, dtype=np.float64)
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _as_batch(y, t):
    y = np.asarray(y)
    t = np.asarray(t)
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = t.reshape(1, -1) if t.size == y.size else t.reshape(1)
    return y, t


def _xent_from_logprob(logp, t):
    """-(1/N) sum t log p for one-hot / soft t; -(1/N) sum log p[label] for integer labels."""
    N = logp.shape[0]
    if t.size == logp.size:
        t = t.reshape(logp.shape).astype(np.float64)
        picked = np.where(t != 0, t * np.where(t != 0, logp, 0.0), 0.0)
        return float(-picked.sum() / N)
    labels = t.reshape(N).astype(np.intp)
    return float(-logp[np.arange(N), labels].sum() / N)


def cross_entropy_error(y, t):
    y, t = _as_batch(y, t)
    y = y.astype(np.float64)
    with np.errstate(divide="ignore"):
        if t.size == y.size:
            mask = np.asarray(t).reshape(y.shape) != 0
            logp = np.log(y, out=np.zeros_like(y), where=mask)
        else:
            logp = np.log(y)
    return _xent_from_logprob(logp, t)


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = np.asarray(t)
        self.y = softmax(x)
        xb, tb = _as_batch(x, self.t)
        self.loss = _xent_from_logprob(_log_softmax(xb), tb)   # from logits: always finite
        return self.loss

    def backward(self, dout=1):
        y, t = self.y, self.t
        batch_size = 1 if y.ndim == 1 else y.shape[0]
        if t.size == y.size:
            dx = y - t.reshape(y.shape).astype(y.dtype)
        else:
            dx = y.copy()
            if y.ndim == 1:
                dx[int(np.asarray(t).reshape(-1)[0])] -= 1
            else:
                dx[np.arange(batch_size), t.reshape(batch_size).astype(np.intp)] -= 1
        dx = dx / batch_size
        return dx * np.asarray(dout, dtype=dx.dtype)


def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        saved = x[idx].copy()
        x[idx] = saved + h
        f_plus = f(x)
        x[idx] = saved - h
        f_minus = f(x)
        x[idx] = saved                      # the saved value itself: bitwise restore
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, rng=None):
        draw = np.random.randn if rng is None else (lambda *s: rng.standard_normal(s))
        self.params = {
            "W1": weight_init_std * draw(input_size, hidden_size),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * draw(hidden_size, output_size),
            "b2": np.zeros(output_size),
        }
        self.layers = OrderedDict(
            Affine1=Affine(self.params["W1"], self.params["b1"]),
            Relu1=Relu(),
            Affine2=Affine(self.params["W2"], self.params["b2"]),
        )
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.lastLayer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        guess = np.argmax(self.predict(x), axis=1)
        t = np.asarray(t)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return float(np.mean(guess == t))

    def numerical_gradient(self, x, t):
        loss_W = lambda W: self.loss(x, t)
        return {key: numerical_gradient(loss_W, self.params[key])
                for key in ("W1", "b1", "W2", "b2")}

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.lastLayer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        return {"W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
                "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db}
