"""Folders of ``.py`` files as they are found: the book's repository tree, a tree with two equal
candidates, a scratch folder whose packages share the harness's part names, a one-suite folder,
and a learner's one-function-per-file folder."""

import os
import shutil

from real_code.sources import COURSE_STYLE, function, functions, replace_line, write


def _marker_lines(marker_path, what):
    """Top-level statements that leave a marker and fail loudly, if anything ever runs them."""
    return (f"open({marker_path!r}, 'a').write({what!r} + '\\n')\n"
            f"raise RuntimeError({what + ' must never run'!r})\n")


# --- "Deep Learning from Scratch": the book's repository layout -------------------------------------


def build_book_tree(root, marker_path, packages=False):
    """The book's tree (common/, ch04/, ch05/, dataset/) with our correct layered code split over
    common/functions.py, common/gradient.py, common/layers.py and ch05/two_layer_net.py.

    ``packages``: give common/ and dataset/ an ``__init__.py`` (many forks of the repository do; the
    original does not). Returns {name: (relative path, line)} of where each layers name lives."""
    root = str(root)
    if packages:
        write(root, "common/__init__.py", "")
        write(root, "dataset/__init__.py", "")
    functions_py = "# coding: utf-8\nimport numpy as np\n\n\n" + """\
def identity_function(x):
    return x


def step_function(x):
    return np.array(x > 0, dtype=int)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    return (1.0 - sigmoid(x)) * sigmoid(x)


def relu(x):
    return np.maximum(0, x)


def relu_grad(x):
    grad = np.zeros_like(x)
    grad[x >= 0] = 1
    return grad


""" + function("layers", "softmax") + """

def mean_squared_error(y, t):
    return 0.5 * np.sum((y - t) ** 2)


""" + function("layers", "cross_entropy_error") + """

def softmax_loss(X, t):
    y = softmax(X)
    return cross_entropy_error(y, t)
"""
    write(root, "common/functions.py", functions_py)

    gradient_py = "# coding: utf-8\nimport numpy as np\n\n\n" + """\
def _numerical_gradient_1d(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    for idx in range(x.size):
        tmp_val = x[idx]
        x[idx] = float(tmp_val) + h
        fxh1 = f(x)
        x[idx] = tmp_val - h
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = tmp_val
    return grad


def numerical_gradient_2d(f, X):
    if X.ndim == 1:
        return _numerical_gradient_1d(f, X)
    grad = np.zeros_like(X)
    for idx, x in enumerate(X):
        grad[idx] = _numerical_gradient_1d(f, x)
    return grad


""" + function("layers", "numerical_gradient")
    write(root, "common/gradient.py", gradient_py)

    write(root, "common/util.py", """\
        # coding: utf-8
        import numpy as np


        def smooth_curve(x):
            window_len = 11
            s = np.r_[x[window_len - 1:0:-1], x, x[-1:-window_len:-1]]
            w = np.kaiser(window_len, 2)
            y = np.convolve(w / w.sum(), s, mode='valid')
            return y[5:len(y) - 5]


        def shuffle_dataset(x, t):
            permutation = np.random.permutation(x.shape[0])
            x = x[permutation, :] if x.ndim == 2 else x[permutation, :, :, :]
            t = t[permutation]
            return x, t


        def conv_output_size(input_size, filter_size, stride=1, pad=0):
            return (input_size + 2 * pad - filter_size) / stride + 1


        def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
            N, C, H, W = input_data.shape
            out_h = (H + 2 * pad - filter_h) // stride + 1
            out_w = (W + 2 * pad - filter_w) // stride + 1
            img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], 'constant')
            col = np.zeros((N, C, filter_h, filter_w, out_h, out_w))
            for y in range(filter_h):
                y_max = y + stride * out_h
                for x in range(filter_w):
                    x_max = x + stride * out_w
                    col[:, :, y, x, :, :] = img[:, :, y:y_max:stride, x:x_max:stride]
            return col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)


        def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
            N, C, H, W = input_shape
            out_h = (H + 2 * pad - filter_h) // stride + 1
            out_w = (W + 2 * pad - filter_w) // stride + 1
            col = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
            img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1))
            for y in range(filter_h):
                y_max = y + stride * out_h
                for x in range(filter_w):
                    x_max = x + stride * out_w
                    img[:, :, y:y_max:stride, x:x_max:stride] += col[:, :, y, x, :, :]
            return img[:, :, pad:H + pad, pad:W + pad]
        """)

    layers_py = ("# coding: utf-8\nimport numpy as np\nfrom common.functions import *\n"
                 "from common.util import im2col, col2im\n\n\n"
                 + functions("layers", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss") + """

class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask


class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad

    def forward(self, x):
        N, C, H, W = x.shape
        out_h = int(1 + (H - self.pool_h) / self.stride)
        out_w = int(1 + (W - self.pool_w) / self.stride)
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        out = np.max(col, axis=1)
        return out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)
""")
    write(root, "common/layers.py", layers_py)

    write(root, "common/optimizer.py", """\
        # coding: utf-8
        import numpy as np


        class SGD:
            def __init__(self, lr=0.01):
                self.lr = lr

            def update(self, params, grads):
                for key in params.keys():
                    params[key] -= self.lr * grads[key]


        class Momentum:
            def __init__(self, lr=0.01, momentum=0.9):
                self.lr = lr
                self.momentum = momentum
                self.v = None

            def update(self, params, grads):
                if self.v is None:
                    self.v = {key: np.zeros_like(val) for key, val in params.items()}
                for key in params.keys():
                    self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
                    params[key] += self.v[key]
        """)

    # ch04: a *different* TwoLayerNet (sigmoid hidden layer, softmax inside predict) and a row-wise
    # numerical_gradient: neither is the layered code the layers suite checks.
    write(root, "ch04/two_layer_net.py", """\
        # coding: utf-8
        import sys, os
        sys.path.append(os.pardir)
        from common.functions import *
        from common.gradient import numerical_gradient


        class TwoLayerNet:

            def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
                self.params = {}
                self.params['W1'] = weight_init_std * np.random.randn(input_size, hidden_size)
                self.params['b1'] = np.zeros(hidden_size)
                self.params['W2'] = weight_init_std * np.random.randn(hidden_size, output_size)
                self.params['b2'] = np.zeros(output_size)

            def predict(self, x):
                W1, W2 = self.params['W1'], self.params['W2']
                b1, b2 = self.params['b1'], self.params['b2']
                a1 = np.dot(x, W1) + b1
                z1 = sigmoid(a1)
                a2 = np.dot(z1, W2) + b2
                y = softmax(a2)
                return y

            def loss(self, x, t):
                y = self.predict(x)
                return cross_entropy_error(y, t)

            def accuracy(self, x, t):
                y = self.predict(x)
                y = np.argmax(y, axis=1)
                t = np.argmax(t, axis=1)
                accuracy = np.sum(y == t) / float(x.shape[0])
                return accuracy

            def numerical_gradient(self, x, t):
                loss_W = lambda W: self.loss(x, t)
                grads = {}
                grads['W1'] = numerical_gradient(loss_W, self.params['W1'])
                grads['b1'] = numerical_gradient(loss_W, self.params['b1'])
                grads['W2'] = numerical_gradient(loss_W, self.params['W2'])
                grads['b2'] = numerical_gradient(loss_W, self.params['b2'])
                return grads

            def gradient(self, x, t):
                W1, W2 = self.params['W1'], self.params['W2']
                b1, b2 = self.params['b1'], self.params['b2']
                grads = {}
                batch_num = x.shape[0]
                a1 = np.dot(x, W1) + b1
                z1 = sigmoid(a1)
                a2 = np.dot(z1, W2) + b2
                y = softmax(a2)
                dy = (y - t) / batch_num
                grads['W2'] = np.dot(z1.T, dy)
                grads['b2'] = np.sum(dy, axis=0)
                da1 = np.dot(dy, W2.T)
                dz1 = sigmoid_grad(a1) * da1
                grads['W1'] = np.dot(x.T, dz1)
                grads['b1'] = np.sum(dz1, axis=0)
                return grads
        """)
    write(root, "ch04/gradient_2d.py", """\
        # coding: utf-8
        import numpy as np
        import matplotlib.pylab as plt
        from mpl_toolkits.mplot3d import Axes3D


        def _numerical_gradient_no_batch(f, x):
            h = 1e-4
            grad = np.zeros_like(x)
            for idx in range(x.size):
                tmp_val = x[idx]
                x[idx] = float(tmp_val) + h
                fxh1 = f(x)
                x[idx] = tmp_val - h
                fxh2 = f(x)
                grad[idx] = (fxh1 - fxh2) / (2 * h)
                x[idx] = tmp_val
            return grad


        def numerical_gradient(f, X):
            if X.ndim == 1:
                return _numerical_gradient_no_batch(f, X)
            else:
                grad = np.zeros_like(X)
                for idx, x in enumerate(X):
                    grad[idx] = _numerical_gradient_no_batch(f, x)
                return grad


        def function_2(x):
            if x.ndim == 1:
                return np.sum(x ** 2)
            else:
                return np.sum(x ** 2, axis=1)


        def tangent_line(f, x):
            d = numerical_gradient(f, x)
            print(d)
            y = f(x) - d * x
            return lambda t: d * t + y


        if __name__ == '__main__':
            x0 = np.arange(-2, 2.5, 0.25)
            x1 = np.arange(-2, 2.5, 0.25)
            X, Y = np.meshgrid(x0, x1)
            X = X.flatten()
            Y = Y.flatten()
            grad = numerical_gradient(function_2, np.array([X, Y]).T).T
            plt.figure()
            plt.quiver(X, Y, -grad[0], -grad[1], angles="xy", color="#666666")
            plt.show()
        """)
    write(root, "ch04/train_neuralnet.py", (
        "# coding: utf-8\nimport sys, os\nsys.path.append(os.pardir)\nimport numpy as np\n"
        "import matplotlib.pyplot as plt\nfrom dataset.mnist import load_mnist\nfrom two_layer_net import TwoLayerNet\n\n"
        + _marker_lines(marker_path, "ch04/train_neuralnet.py") + """
(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)

network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)

iters_num = 10000
train_size = x_train.shape[0]
batch_size = 100
learning_rate = 0.1

for i in range(iters_num):
    batch_mask = np.random.choice(train_size, batch_size)
    grad = network.numerical_gradient(x_train[batch_mask], t_train[batch_mask])
    for key in ('W1', 'b1', 'W2', 'b2'):
        network.params[key] -= learning_rate * grad[key]
"""))

    two_layer_net = ("# coding: utf-8\nimport sys, os\nsys.path.append(os.pardir)  # so that the parent's files import\n"
                     "import numpy as np\nfrom common.layers import *\nfrom common.gradient import numerical_gradient\n"
                     "from collections import OrderedDict\n\n\n" + function("layers", "TwoLayerNet"))
    write(root, "ch05/two_layer_net.py", two_layer_net)
    write(root, "ch05/layer_naive.py", """\
        # coding: utf-8


        class MulLayer:
            def __init__(self):
                self.x = None
                self.y = None

            def forward(self, x, y):
                self.x = x
                self.y = y
                return x * y

            def backward(self, dout):
                return dout * self.y, dout * self.x


        class AddLayer:
            def __init__(self):
                pass

            def forward(self, x, y):
                return x + y

            def backward(self, dout):
                return dout * 1, dout * 1
        """)
    write(root, "ch05/train_neuralnet.py", (
        "# coding: utf-8\nimport sys, os\nsys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\n\n"
        "import numpy as np\nfrom dataset.mnist import load_mnist\nfrom two_layer_net import TwoLayerNet\n\n"
        + _marker_lines(marker_path, "ch05/train_neuralnet.py") + """
# データの読み込み
(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)

network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)

iters_num = 10000
train_size = x_train.shape[0]
batch_size = 100
learning_rate = 0.1

train_loss_list = []
train_acc_list = []
test_acc_list = []

iter_per_epoch = max(train_size / batch_size, 1)

for i in range(iters_num):
    batch_mask = np.random.choice(train_size, batch_size)
    x_batch = x_train[batch_mask]
    t_batch = t_train[batch_mask]
    grad = network.gradient(x_batch, t_batch)
    for key in ('W1', 'b1', 'W2', 'b2'):
        network.params[key] -= learning_rate * grad[key]
    loss = network.loss(x_batch, t_batch)
    train_loss_list.append(loss)
    if i % iter_per_epoch == 0:
        train_acc = network.accuracy(x_train, t_train)
        test_acc = network.accuracy(x_test, t_test)
        print(train_acc, test_acc)
"""))
    write(root, "ch05/gradient_check.py", (
        "# coding: utf-8\nimport sys, os\nsys.path.append(os.pardir)\nimport numpy as np\n"
        "from dataset.mnist import load_mnist\nfrom two_layer_net import TwoLayerNet\n\n"
        + _marker_lines(marker_path, "ch05/gradient_check.py") + """
(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)

network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)

x_batch = x_train[:3]
t_batch = t_train[:3]

grad_numerical = network.numerical_gradient(x_batch, t_batch)
grad_backprop = network.gradient(x_batch, t_batch)

for key in grad_numerical.keys():
    diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
    print(key + ":" + str(diff))
"""))
    write(root, "dataset/mnist.py", (
        "# coding: utf-8\ntry:\n    import urllib.request\nexcept ImportError:\n    raise ImportError('You should use Python 3.x')\n"
        "import os.path\nimport gzip\nimport pickle\nimport os\nimport numpy as np\n\n"
        "url_base = 'http://yann.lecun.com/exdb/mnist/'\n"
        "key_file = {\n    'train_img':'train-images-idx3-ubyte.gz',\n    'train_label':'train-labels-idx1-ubyte.gz',\n"
        "    'test_img':'t10k-images-idx3-ubyte.gz',\n    'test_label':'t10k-labels-idx1-ubyte.gz'\n}\n\n"
        "dataset_dir = os.path.dirname(os.path.abspath(__file__))\nsave_file = dataset_dir + \"/mnist.pkl\"\n\n"
        "train_num = 60000\ntest_num = 10000\nimg_dim = (1, 28, 28)\nimg_size = 784\n\n"
        + _marker_lines(marker_path, "dataset/mnist.py") + """

def _download(file_name):
    file_path = dataset_dir + "/" + file_name
    if os.path.exists(file_path):
        return
    print("Downloading " + file_name + " ... ")
    urllib.request.urlretrieve(url_base + file_name, file_path)
    print("Done")


def download_mnist():
    for v in key_file.values():
        _download(v)


def init_mnist():
    download_mnist()
    raise RuntimeError("dataset/mnist.py: init_mnist must never run")


def load_mnist(normalize=True, flatten=True, one_hot_label=False):
    if not os.path.exists(save_file):
        init_mnist()
    with open(save_file, 'rb') as f:
        dataset = pickle.load(f)
    return (dataset['train_img'], dataset['train_label']), (dataset['test_img'], dataset['test_label'])


if __name__ == '__main__':
    init_mnist()
"""))
    where = {}
    for relative in ("common/functions.py", "common/gradient.py", "common/layers.py", "ch05/two_layer_net.py"):
        with open(os.path.join(root, relative), encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                for prefix in ("def ", "class "):
                    if line.startswith(prefix):
                        name = line[len(prefix):].split("(")[0].split(":")[0].strip()
                        where.setdefault(name, (relative, number))
    return where


# --- two equal candidates ------------------------------------------------------------------------------


def build_two_candidates(root):
    """nn_layers.py (every layers name but TwoLayerNet) and the same TwoLayerNet in a/net.py and
    b/net.py, both importing nn_layers: nothing tells which one is the learner's."""
    root = str(root)
    write(root, "nn_layers.py", "import numpy as np\n\n\n" + functions(
        "layers", "softmax", "cross_entropy_error", "numerical_gradient", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss"))
    net = ("import numpy as np\nfrom collections import OrderedDict\nfrom nn_layers import *\n\n\n"
           + function("layers", "TwoLayerNet"))
    write(root, "a/net.py", net)
    write(root, "b/net.py", net)
    write(root, "a/notes.md", "first attempt\n")
    write(root, "b/notes.md", "second attempt\n")


# --- a scratch folder holding packages named like the harness's parts --------------------------------


def build_collision(root):
    """``impl/`` (a package: correct activations and init, deep with linear_backward's db rank-1),
    ``reports/`` and ``reference/`` packages of the user's own. Returns the line of ``def
    linear_backward`` in impl/deep.py."""
    root = str(root)
    write(root, "impl/__init__.py", '"""My implementations of the course exercises."""\n')
    shutil.copy(os.path.join(COURSE_STYLE, "activations.py"), os.path.join(root, "impl", "activations.py"))
    shutil.copy(os.path.join(COURSE_STYLE, "init.py"), os.path.join(root, "impl", "init.py"))
    with open(os.path.join(COURSE_STYLE, "deep.py"), encoding="utf-8") as handle:
        deep = handle.read()
    buggy = replace_line(function("deep", "linear_backward"),
                         "db = 1 / m * np.sum(dZ, axis=1, keepdims=True)", "db = np.sum(dZ, axis=1) / m")
    buggy = "\n".join(line for line in buggy.splitlines() if "assert (db.shape" not in line) + "\n"
    deep = deep.replace(function("deep", "linear_backward"), buggy)
    assert "np.sum(dZ, axis=1) / m" in deep
    write(root, "impl/deep.py", deep)
    write(root, "reports/__init__.py", '"""Weekly progress reports (not code)."""\nwrite_report = None\nload_results = None\n')
    write(root, "reports/week1.md", "# Week 1\n")
    write(root, "reference/__init__.py", '"""Reference answers of the exercises."""\nANSWERS = {}\n')
    return next(n for n, line in enumerate(deep.splitlines(), start=1) if line.startswith("def linear_backward("))


# --- one suite only ----------------------------------------------------------------------------------------


def build_activations_only(root):
    root = str(root)
    os.makedirs(root, exist_ok=True)
    shutil.copy(os.path.join(COURSE_STYLE, "activations.py"), os.path.join(root, "activations.py"))


# --- one function per file ---------------------------------------------------------------------------------


def build_one_function_per_file(root, marker_path):
    """linear_forward.py and linear_backward.py, each with one function and a test call below it
    that fails if it is ever run. Returns {name: line of its def}."""
    root = str(root)
    lines = {}
    for name, test in (("linear_forward", "Z, cache = linear_forward(None, None)\nprint(Z)\n"),
                       ("linear_backward", "dA_prev, dW, db = linear_backward(None, None)\nprint(dW)\n")):
        text = ("import numpy as np\n\n\n" + function("deep", name) + "\n\n# quick test\n"
                + _marker_lines(marker_path, f"{name}.py") + "A = np.random.randn(3, 2)\n" + test)
        write(root, f"{name}.py", text)
        lines[name] = text.splitlines().index(next(line for line in text.splitlines() if line.startswith(f"def {name}("))) + 1
    return lines
