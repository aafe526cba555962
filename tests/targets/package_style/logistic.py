import numpy as np
from .activations import sigmoid


def initialize_with_zeros(dim):
    return np.zeros((dim, 1)), 0.0


def _cost_from_logits(Z, Y):
    # -(y log s(z) + (1-y) log(1-s(z))) = y*softplus(-z) + (1-y)*softplus(z)
    return float(np.mean(Y * np.logaddexp(0, -Z) + (1 - Y) * np.logaddexp(0, Z)))


def propagate(w, b, X, Y):
    m = X.shape[1]
    Z = w.T @ X + b
    A = sigmoid(Z)
    dZ = A - Y
    grads = {"dw": (X @ dZ.T) / m, "db": float(dZ.sum() / m)}
    return grads, _cost_from_logits(Z, Y)


def propagate_loop(w, b, X, Y):
    n, m = X.shape
    dw = np.zeros_like(w, dtype=float)
    db = 0.0
    J = 0.0
    for i in range(m):
        x_i = X[:, i:i + 1]
        z_i = float((w.T @ x_i)[0, 0] + b)
        a_i = float(sigmoid(np.array(z_i)))
        y_i = float(Y[0, i])
        J += y_i * np.logaddexp(0, -z_i) + (1 - y_i) * np.logaddexp(0, z_i)
        dz_i = a_i - y_i
        dw += x_i * dz_i
        db += dz_i
    return {"dw": dw / m, "db": db / m}, float(J / m)


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    grads = None
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost:.6f}")
    if grads is None:
        grads = {"dw": np.zeros_like(w), "db": 0.0}
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    A = sigmoid(w.reshape(-1, 1).T @ X + b)
    return (A > 0.5).astype(float)


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    w, b = params["w"], params["b"]
    return {"costs": costs,
            "Y_prediction_test": predict(w, b, X_test),
            "Y_prediction_train": predict(w, b, X_train),
            "w": w, "b": b,
            "learning_rate": learning_rate, "num_iterations": num_iterations}


def computation_graph(a, b, c):
    J = 3 * (a + b * c)
    return J, {"da": 3, "db": 3 * c, "dc": 3 * b}
