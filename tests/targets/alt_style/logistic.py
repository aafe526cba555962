"""Logistic regression as a one-neuron network (course week 2), einsum style."""

import numpy as np

from activations import sigmoid


def initialize_with_zeros(dim):
    w = np.zeros((dim, 1))
    b = 0.0
    return w, b


def _bce_from_logits(Z, Y):
    # -(y log s(z) + (1-y) log(1-s(z))) = y*log(1+e^-z) + (1-y)*log(1+e^z), never inf/NaN
    return Y * np.logaddexp(0.0, -Z) + (1 - Y) * np.logaddexp(0.0, Z)


def propagate(w, b, X, Y):
    m = X.shape[1]
    Z = np.einsum("ij,im->jm", w, X) + b          # w^T X + b, shape (1, m)
    A = sigmoid(Z)
    cost = float(np.einsum("im->", _bce_from_logits(Z, Y)) / m)
    dZ = A - Y
    dw = np.einsum("im,jm->ij", X, dZ) / m        # (n_x, 1)
    db = float(np.einsum("im->", dZ) / m)
    grads = {"dw": dw, "db": db}
    return grads, cost


def propagate_loop(w, b, X, Y):
    """Same result as propagate, written as the per-example loop of the lecture (F12)."""
    n_x, m = X.shape
    dw = np.zeros((n_x, 1))
    db = 0.0
    J = 0.0
    for i in range(m):
        z_i = float(b)
        for j in range(n_x):
            z_i += float(w[j, 0]) * float(X[j, i])
        y_i = float(Y[0, i])
        a_i = float(sigmoid(np.float64(z_i)))
        # loss from the logit so that saturated examples stay finite
        J += y_i * np.logaddexp(0.0, -z_i) + (1.0 - y_i) * np.logaddexp(0.0, z_i)
        dz_i = a_i - y_i
        for j in range(n_x):
            dw[j, 0] += float(X[j, i]) * dz_i
        db += dz_i
    J /= m
    dw /= m
    db /= m
    return {"dw": dw, "db": float(db)}, float(J)


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    w = np.array(w, dtype=float, copy=True)
    b = float(b)
    costs = []
    grads = None
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print("Cost after iteration %i: %f" % (i, cost))
    if grads is None:  # zero iterations: parameters unchanged, gradients at them
        grads, _ = propagate(w, b, X, Y)
    params = {"w": w, "b": b}
    return params, grads, costs


def predict(w, b, X):
    w = np.asarray(w).reshape(X.shape[0], 1)
    A = sigmoid(np.einsum("ij,im->jm", w, X) + b)
    return (A > 0.5).astype(float)


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
          print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations,
                                    learning_rate, print_cost)
    w, b = params["w"], params["b"]
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)
    if print_cost:
        print("train accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100))
        print("test accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100))
    return {"costs": costs,
            "Y_prediction_test": Y_prediction_test,
            "Y_prediction_train": Y_prediction_train,
            "w": w,
            "b": b,
            "learning_rate": learning_rate,
            "num_iterations": num_iterations}


def computation_graph(a, b, c):
    """J = 3(a + b c): forward u = bc, v = a + u, J = 3v; backward by the chain rule."""
    scalar = all(np.ndim(x) == 0 for x in (a, b, c))
    u = b * c
    v = a + u
    J = 3 * v
    dJ_dv = 3.0
    dv_du = 1.0
    da = dJ_dv * 1.0 * np.ones_like(np.asarray(a, dtype=float))
    db = dJ_dv * dv_du * c * np.ones_like(np.asarray(b, dtype=float))
    dc = dJ_dv * dv_du * b * np.ones_like(np.asarray(c, dtype=float))
    if scalar:
        return float(J), {"da": float(da), "db": float(db), "dc": float(dc)}
    return J, {"da": da, "db": db, "dc": dc}
