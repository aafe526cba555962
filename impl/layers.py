"""Row-major layer classes and the two-layer network of document 004 (F23-F26).

Row-major shapes: x (N, D), W (D, H), b (H,) by design, out (N, H); labels t are one-hot (N, C)
or integer (N,). Each layer's ``forward`` keeps what its ``backward`` needs; ``backward(dout)``
returns the gradient for its input and never writes into ``dout``.
"""

from collections import OrderedDict

import numpy as np

from nnconf.impl._numerics import stable_sigmoid


class Relu:
    """F23/F3: out = max(0, x); backward passes dout where x > 0 (0 at x = 0)."""

    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        return np.where(self.mask, 0, x).astype(np.result_type(x), copy=False)

    def backward(self, dout):
        return np.where(self.mask, 0, dout).astype(np.result_type(dout), copy=False)


class Sigmoid:
    """F23/F1: out = s(x); backward dx = dout * out (1 - out)."""

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = stable_sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class Affine:
    """F23: out = x W + b; backward dx = dout W^T, dW = x^T dout, db = sum(dout, axis=0).

    ``W`` and ``b`` are kept by reference (the network updates them in place). An input of more
    than two dimensions is flattened to (N, D) and dx comes back in the input's shape.
    """

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        dx = dout @ self.W.T
        self.dW = self.x.T @ dout
        self.db = np.sum(dout, axis=0)
        return dx.reshape(self.original_x_shape)


def softmax(x):
    """F24: y_k = e^(a_k - max a) / sum_i e^(a_i - max a), over the last axis (1-D or (N, C))."""
    shifted = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def log_softmax(x):
    """log y_k = (a_k - max a) - log sum_i e^(a_i - max a): finite for any finite logits."""
    shifted = x - np.max(x, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _as_batch(y, t):
    """The book's convention: a single example (1-D y) is a batch of one."""
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = np.reshape(t, (1, -1)) if np.size(t) == y.size else np.reshape(t, (1,))
    return y, np.asarray(t)


def _mean_target_log(log_y, t):
    """-(1/N) sum_n sum_k t_nk log y_nk, for one-hot (N, C) or integer (N,) labels t."""
    batch = log_y.shape[0]
    if t.size == log_y.size:
        picked = t * np.where(t != 0, log_y, 0)  # 0 log 0 = 0, without computing 0 * -inf
    else:
        picked = log_y[np.arange(batch), t.astype(int)]
    return float(-np.sum(picked) / batch) + 0.0  # + 0.0: no "-0.0"


def cross_entropy_error(y, t):
    """F24: E = -(1/N) sum t log y over a batch of probabilities y (N, C); t one-hot or labels."""
    y, t = _as_batch(np.asarray(y), t)
    with np.errstate(divide="ignore"):
        return _mean_target_log(np.log(y), t)


class SoftmaxWithLoss:
    """F24: loss = cross-entropy of softmax(x) against t (from the logits, so never NaN);
    backward(dout=1) = dout * (y - t) / N.
    """

    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None
        self.input_shape = None

    def forward(self, x, t):
        self.input_shape = np.shape(x)
        x, t = _as_batch(np.asarray(x), t)
        self.t = t
        self.y = softmax(x)
        self.loss = _mean_target_log(log_softmax(x), t)
        return self.loss

    def backward(self, dout=1):
        batch = self.y.shape[0]
        if self.t.size == self.y.size:
            diff = self.y - self.t
        else:
            diff = self.y.copy()
            diff[np.arange(batch), self.t.astype(int)] -= 1
        return (dout * diff / batch).astype(self.y.dtype, copy=False).reshape(self.input_shape)


def numerical_gradient(f, x, h=1e-4):
    """F25: central difference (f(x + h e_i) - f(x - h e_i)) / 2h for every element of ``x``.

    ``x`` is perturbed in place (``f`` reads it) and each element is restored to its saved
    original value, so ``x`` comes back bitwise unchanged.
    """
    grad = np.zeros_like(x, dtype=np.result_type(x, np.float32))
    for idx in np.ndindex(*x.shape):
        original = x[idx].copy()
        x[idx] = original + h
        f_plus = f(x)
        x[idx] = original - h
        f_minus = f(x)
        x[idx] = original
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def _two_layer_params(input_size, hidden_size, output_size, weight_init_std, rng):
    """F21 as the book draws it: W1, then W2, weight_init_std * N(0, 1) (from ``rng`` if given,
    else NumPy's global state); the biases zero."""
    draw = rng.standard_normal if rng is not None else (lambda shape: np.random.randn(*shape))
    return {
        "W1": weight_init_std * draw((input_size, hidden_size)),
        "b1": np.zeros(hidden_size),
        "W2": weight_init_std * draw((hidden_size, output_size)),
        "b2": np.zeros(output_size),
    }


class _NetworkChecks:
    """What both chapters' networks compute alike from their ``predict``, ``loss`` and ``params``."""

    def accuracy(self, x, t):
        """F26: fraction of rows whose argmax output equals the label (t one-hot or integer)."""
        y = np.argmax(self.predict(x), axis=1)
        labels = np.argmax(t, axis=1) if np.ndim(t) != 1 else t
        return float(np.sum(y == labels) / x.shape[0])

    def numerical_gradient(self, x, t):
        """F25: {"W1", "b1", "W2", "b2"} by central differences of the loss."""
        loss_of_params = lambda _: self.loss(x, t)  # noqa: E731 (the book's form)
        return {key: numerical_gradient(loss_of_params, self.params[key]) for key in self.params}


class TwoLayerNet(_NetworkChecks):
    """F23-F26: Affine -> Relu -> Affine -> SoftmaxWithLoss, row-major.

    params: W1 (input_size, hidden_size), b1 (hidden_size,), W2 (hidden_size, output_size),
    b2 (output_size,). The layers hold references to these arrays.
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, rng=None):
        self.params = _two_layer_params(input_size, hidden_size, output_size, weight_init_std, rng)
        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        """Scores (N, output_size) before the softmax."""
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        """F24: the mean cross-entropy of softmax(predict(x)) against t."""
        return self.lastLayer.forward(self.predict(x), t)

    def gradient(self, x, t):
        """F23/F24 by backpropagation: {"W1", "b1", "W2", "b2"}."""
        self.loss(x, t)
        dout = self.lastLayer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        return {
            "W1": self.layers["Affine1"].dW,
            "b1": self.layers["Affine1"].db,
            "W2": self.layers["Affine2"].dW,
            "b2": self.layers["Affine2"].db,
        }


class TwoLayerNetCh4(_NetworkChecks):
    """The book's chapter-4 two-layer network (ch04/two_layer_net.py): a sigmoid hidden layer and
    a softmax ``predict``, with its own backpropagation, row-major.

    params: W1 (input_size, hidden_size), b1 (hidden_size,), W2 (hidden_size, output_size),
    b2 (output_size,), drawn as :class:`TwoLayerNet` draws them (W1, then W2).

    Forward (F1, F23, F24): a1 = x W1 + b1, z1 = s(a1), a2 = z1 W2 + b2, y = softmax(a2).
    ``loss`` = -(1/N) sum t log y, computed from a2 with log-softmax (finite for any finite a2).
    Backward (``gradient``): dy = (y - t) / N (softmax with cross-entropy), dW2 = z1^T dy,
    db2 = sum(dy, axis=0), dz1 = dy W2^T, da1 = dz1 * s(a1)(1 - s(a1)), dW1 = x^T da1,
    db1 = sum(da1, axis=0). The harness accepts this form beside chapter 5's (see
    conformance/judging/conventions.py, "book chapter 4").
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, rng=None):
        self.params = _two_layer_params(input_size, hidden_size, output_size, weight_init_std, rng)

    def _forward(self, x):
        """(z1, a2): the hidden activations s(x W1 + b1) (N, H) and the scores (N, C)."""
        p = self.params
        z1 = stable_sigmoid(x @ p["W1"] + p["b1"])
        return z1, z1 @ p["W2"] + p["b2"]

    def predict(self, x):
        """y = softmax(a2): probabilities (N, output_size), each row summing to 1."""
        return softmax(self._forward(x)[1])

    def loss(self, x, t):
        """F24: -(1/N) sum t log predict(x), from the scores (t one-hot or integer labels)."""
        scores, t = _as_batch(self._forward(x)[1], t)
        return _mean_target_log(log_softmax(scores), t)

    def gradient(self, x, t):
        """The backward pass of the class docstring: {"W1", "b1", "W2", "b2"}."""
        p = self.params
        z1, scores = self._forward(x)
        y = softmax(scores)
        batch = x.shape[0]
        one_hot = t if np.size(t) == y.size else np.eye(y.shape[1])[np.asarray(t).astype(int)]
        dy = (y - one_hot) / batch
        da1 = (dy @ p["W2"].T) * z1 * (1.0 - z1)
        return {"W1": x.T @ da1, "b1": np.sum(da1, axis=0), "W2": z1.T @ dy, "b2": np.sum(dy, axis=0)}
