import numpy as np


def init_parameters(num_hidden_units=2):
    W1 = np.random.randn(2, num_hidden_units)
    B1 = np.zeros((num_hidden_units, 1))
    W2 = np.random.randn(num_hidden_units, 1)
    B2 = np.zeros((1, 1))
    return W1, B1, W2, B2


def affine(W, X, B):
    return np.dot(W.T, X) + B


def sigmoid(z):
    temp = np.exp(-z)
    return 1 / (1 + temp)


def binary_cross_entropy(Y, YHat):
    N = Y.shape[1]
    pos = np.where(Y == 0, 0.0, Y * np.log(np.where(Y == 0, 1.0, YHat)))
    neg = np.where(Y == 1, 0.0, (1 - Y) * np.log(np.where(Y == 1, 1.0, 1 - YHat)))
    loss = -(1 / N) * np.sum(pos + neg)
    return loss


def forward_loss(X, Y, _params):
    W1, B1, W2, B2 = _params
    Z1 = affine(W1, X, B1)
    H = sigmoid(Z1)
    Z2 = affine(W2, H, B2)
    YHat = sigmoid(Z2)
    loss = binary_cross_entropy(Y, YHat)
    return Z1, H, Z2, YHat, loss


def get_gradients(X, Y, _params):
    W1, B1, W2, B2 = _params
    m = X.shape[1]
    Z1, H, Z2, YHat, loss = forward_loss(X, Y, _params)
    dLdZ2 = (1 / m) * (YHat - Y)
    dLdW2 = np.dot(H, dLdZ2.T)
    dLdB2 = np.sum(dLdZ2, axis=1, keepdims=True)
    dLdH = np.dot(W2, dLdZ2)
    dLdZ1 = dLdH * H * (1 - H)
    dLdW1 = np.dot(X, dLdZ1.T)
    dLdB1 = np.sum(dLdZ1, axis=1, keepdims=True)
    return [dLdW1, dLdB1, dLdW2, dLdB2], loss


def optimize(X, Y, _params, learning_rate=0.01, iteration=200000):
    params = [np.copy(param) for param in _params]
    loss_trace = []
    for epoch in range(iteration):
        dparams, loss = get_gradients(X, Y, params)
        for i in range(len(params)):
            params[i] += - learning_rate * dparams[i]
        if (epoch % 100 == 0):
            loss_trace.append(loss)
    _, _, _, Y_hat_predict, _ = forward_loss(X, Y, params)
    return params, loss_trace, Y_hat_predict
