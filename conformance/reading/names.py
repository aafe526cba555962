"""The functions each suite checks, by name: what finding a target's suites, printing the first
progress line and the API page need, without importing the contracts (which import the PyTorch
reference and take seconds). A test keeps :data:`FUNCTIONS` equal to the contracts."""

FUNCTIONS = {
    "activations": ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "sigmoid_backward", "tanh_backward",
                    "relu_backward", "leaky_relu_backward", "prelu_backward", "elu_backward"),
    "logistic": ("initialize_with_zeros", "propagate", "propagate_loop", "optimize", "predict", "model",
                 "computation_graph"),
    "shallow": ("layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost", "backward_propagation",
                "update_parameters", "nn_model", "predict"),
    "deep": ("initialize_parameters_deep", "linear_forward", "sigmoid", "relu", "linear_activation_forward",
             "L_model_forward", "compute_cost", "linear_backward", "sigmoid_backward", "relu_backward",
             "linear_activation_backward", "L_model_backward", "update_parameters", "L_layer_model", "two_layer_model",
             "predict"),
    "init": ("initialize_zeros", "initialize_random", "initialize_xavier", "initialize_he"),
    "xor": ("init_parameters", "affine", "sigmoid", "binary_cross_entropy", "forward_loss", "get_gradients", "optimize"),
    "layers": ("Relu.forward", "Relu.backward", "Sigmoid.forward", "Sigmoid.backward", "Affine.forward",
               "Affine.backward", "softmax", "cross_entropy_error", "SoftmaxWithLoss.forward", "SoftmaxWithLoss.backward",
               "numerical_gradient", "TwoLayerNet.__init__", "TwoLayerNet.predict", "TwoLayerNet.loss",
               "TwoLayerNet.accuracy", "TwoLayerNet.gradient", "TwoLayerNet.numerical_gradient"),
}

# Names a learner's code may use instead of the API's, per suite (document 000 writes these).
ALIASES = {
    "deep": {
        "initialize_parameters_deep": ("initialize_parameters",),
        "L_model_forward": ("L_Model_Forward",),
        "L_model_backward": ("L_Model_Backward",),
    },
}


def suite_names():
    """suite -> the top-level names its functions have (``Affine`` for ``Affine.backward``), with
    the documents' aliases of them (``L_Model_Forward``)."""
    names = {}
    for suite, functions in FUNCTIONS.items():
        names[suite] = {f.split(".")[0] for f in functions}
        for aliases in ALIASES.get(suite, {}).values():
            names[suite] |= set(aliases)
    return names
