"""Working stand-ins for the course's step functions: a caller judged on its own.

When a function fails and a function it really called fails its own checks too (or does not
parse), the caller's failure may follow from the callee's, or hide a bug of its own behind it (a
crash inside the learner's ``linear_backward`` hides a wrong activation in ``L_model_backward``).
The engine then checks the caller once more in a worker where the failing callees are replaced by
these stand-ins, in every namespace of the target that holds them: what still fails is the caller's
own bug; what passes confirms the blame.

A stand-in is plain NumPy as the course writes it, with the API's signature (and the optional
arguments of the course versions it must accept). It is not a reference: every value is still
judged against autograd; tests/test_standins.py checks each stand-in with the harness itself.
"""

DEEP = {
    "linear_forward": '''
def linear_forward(A, W, b):
    return W @ A + b, (A, W, b)
''',
    "sigmoid": '''
def sigmoid(Z):
    return 1 / (1 + np.exp(-Z)), Z
''',
    "relu": '''
def relu(Z):
    return np.maximum(0, Z), Z
''',
    "linear_activation_forward": '''
def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = (sigmoid if activation == "sigmoid" else relu)(Z)
    return A, (linear_cache, activation_cache)
''',
    "L_model_forward": '''
def L_model_forward(X, parameters):
    caches, A, L = [], X, len(parameters) // 2
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)],
                                             "sigmoid" if l == L else "relu")
        caches.append(cache)
    return A, caches
''',
    "compute_cost": '''
def compute_cost(AL, Y, parameters=None):
    m = Y.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        losses = -(np.where(Y > 0, Y * np.log(AL), 0) + np.where(Y < 1, (1 - Y) * np.log(1 - AL), 0))
    return float(np.sum(losses) / m)
''',
    "linear_backward": '''
def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, np.sum(dZ, axis=1, keepdims=True) / m
''',
    "sigmoid_backward": '''
def sigmoid_backward(dA, cache):
    s = 1 / (1 + np.exp(-cache))
    return dA * s * (1 - s)
''',
    "relu_backward": '''
def relu_backward(dA, cache):
    return np.where(cache > 0, dA, 0).astype(np.result_type(dA, cache))
''',
    "linear_activation_backward": '''
def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    dZ = (sigmoid_backward if activation == "sigmoid" else relu_backward)(dA, activation_cache)
    return linear_backward(dZ, linear_cache)
''',
    "L_model_backward": '''
def L_model_backward(AL, Y, caches):
    grads, L = {}, len(caches)
    Y = Y.reshape(AL.shape)
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    for l in reversed(range(L)):
        dA, grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = linear_activation_backward(
            dA, caches[l], "sigmoid" if l == L - 1 else "relu")
        grads["dA" + str(l)] = dA
    return grads
''',
    "update_parameters": '''
def update_parameters(parameters, grads, learning_rate):
    parameters = {k: v.copy() for k, v in parameters.items()}
    for l in range(1, len(parameters) // 2 + 1):
        parameters["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return parameters
''',
}

SHALLOW = {
    "forward_propagation": '''
def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = 1 / (1 + np.exp(-Z2))
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
''',
    "compute_cost": DEEP["compute_cost"].replace("AL", "A2"),
    "backward_propagation": '''
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    dZ2 = cache["A2"] - Y
    dZ1 = parameters["W2"].T @ dZ2 * (1 - cache["A1"] ** 2)
    return {"dW1": dZ1 @ X.T / m, "db1": np.sum(dZ1, axis=1, keepdims=True) / m,
            "dW2": dZ2 @ cache["A1"].T / m, "db2": np.sum(dZ2, axis=1, keepdims=True) / m}
''',
    "update_parameters": DEEP["update_parameters"].replace("learning_rate):", "learning_rate=1.2):"),
}

LOGISTIC = {
    "propagate": '''
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = 1 / (1 + np.exp(-(w.T @ X + b)))
    with np.errstate(divide="ignore", invalid="ignore"):
        losses = -(np.where(Y > 0, Y * np.log(A), 0) + np.where(Y < 1, (1 - Y) * np.log(1 - A), 0))
    return {"dw": X @ (A - Y).T / m, "db": float(np.sum(A - Y) / m)}, float(np.sum(losses) / m)
''',
}

STANDINS = {"deep": DEEP, "shallow": SHALLOW, "logistic": LOGISTIC}


def standins(suite, names):
    """The stand-ins to put in for ``names`` of ``suite``: (names, {name: source} of the whole
    suite's stand-ins, so that a working ``linear_activation_backward`` calls the stand-in
    ``linear_backward``, not the learner's); None when one of ``names`` has no stand-in."""
    table = STANDINS.get(suite, {})
    if not names or any(n not in table for n in names):
        return None
    return tuple(sorted(names)), dict(table)
