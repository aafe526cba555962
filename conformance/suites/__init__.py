"""The contracts of every suite, one module per suite (``CONTRACTS`` in each).

:data:`FUNCTIONS` indexes them by name without importing them (the contracts import the PyTorch
reference, which takes seconds): finding a target's suites and printing the first progress line
need only the names. A test keeps the index equal to the contracts.
"""

import importlib

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


def contracts(suite):
    """The list of contracts of ``suite``."""
    return importlib.import_module(f"nnconf.conformance.suites.{suite}").CONTRACTS


def suite_names():
    """suite -> the top-level names its functions have (``Affine`` for ``Affine.backward``), with
    the documents' aliases of them (``L_Model_Forward``)."""
    from nnconf.conformance.loader import ALIASES

    names = {}
    for suite, functions in FUNCTIONS.items():
        names[suite] = {f.split(".")[0] for f in functions}
        for aliases in ALIASES.get(suite, {}).values():
            names[suite] |= set(aliases)
    return names
