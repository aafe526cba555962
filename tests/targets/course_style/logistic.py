import numpy as np
import copy
from activations import sigmoid


def _xlogy(x, y):
    # x * log(y) with 0 * log(0) = 0
    safe_y = np.where(x == 0, 1.0, y)
    return np.where(x == 0, 0.0, x * np.log(safe_y))


def initialize_with_zeros(dim):
    w = np.zeros((dim, 1))
    b = 0.0
    assert(w.shape == (dim, 1))
    assert(isinstance(b, float) or isinstance(b, int))
    return w, b


def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -1 / m * np.sum(_xlogy(Y, A) + _xlogy(1 - Y, 1 - A))
    dw = 1 / m * np.dot(X, (A - Y).T)
    db = 1 / m * np.sum(A - Y)
    assert(dw.shape == w.shape)
    cost = np.squeeze(np.array(cost))
    grads = {"dw": dw, "db": db}
    return grads, cost


def propagate_loop(w, b, X, Y):
    n_x, m = X.shape
    J = 0.0
    dw = np.zeros((n_x, 1))
    db = 0.0
    for i in range(m):
        z_i = 0.0
        for k in range(n_x):
            z_i += w[k, 0] * X[k, i]
        z_i += b
        a_i = sigmoid(z_i)
        y_i = Y[0, i]
        J += -(_xlogy(y_i, a_i) + _xlogy(1 - y_i, 1 - a_i))
        dz_i = a_i - y_i
        for k in range(n_x):
            dw[k, 0] += X[k, i] * dz_i
        db += dz_i
    J = J / m
    dw = dw / m
    db = db / m
    grads = {"dw": dw, "db": float(db)}
    return grads, float(J)


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    w = copy.deepcopy(w)
    b = copy.deepcopy(b)
    costs = []
    grads = {"dw": np.zeros_like(w), "db": 0.0}
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        dw = grads["dw"]
        db = grads["db"]
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print("Cost after iteration %i: %f" % (i, cost))
    params = {"w": w, "b": b}
    return params, grads, costs


def predict(w, b, X):
    m = X.shape[1]
    Y_prediction = np.zeros((1, m))
    w = w.reshape(X.shape[0], 1)
    A = sigmoid(np.dot(w.T, X) + b)
    for i in range(A.shape[1]):
        if A[0, i] > 0.5:
            Y_prediction[0, i] = 1
        else:
            Y_prediction[0, i] = 0
    return Y_prediction


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    w = params["w"]
    b = params["b"]
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)
    if print_cost:
        print("train accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100))
        print("test accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100))
    d = {"costs": costs,
         "Y_prediction_test": Y_prediction_test,
         "Y_prediction_train": Y_prediction_train,
         "w": w,
         "b": b,
         "learning_rate": learning_rate,
         "num_iterations": num_iterations}
    return d


def computation_graph(a, b, c):
    u = b * c
    v = a + u
    J = 3 * v
    dv = 3
    da = dv
    du = dv
    db = du * c
    dc = du * b
    return J, {"da": da, "db": db, "dc": dc}
