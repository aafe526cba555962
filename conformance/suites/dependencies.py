"""Which functions of a suite call which others in the documents' design.

When a function fails and one it calls fails too, the failure most likely follows from the
callee's: the records say so, so that a learner fixes the callee first.
"""

CALLS = {
    "deep": {
        "linear_activation_forward": ("linear_forward", "sigmoid", "relu"),
        "L_model_forward": ("linear_activation_forward", "linear_forward", "sigmoid", "relu"),
        "linear_activation_backward": ("linear_backward", "sigmoid_backward", "relu_backward"),
        "L_model_backward": ("linear_activation_backward", "linear_backward", "sigmoid_backward", "relu_backward"),
        "L_layer_model": ("L_model_forward", "compute_cost", "L_model_backward", "update_parameters",
                          "initialize_parameters_deep"),
        "predict": ("L_model_forward",),
    },
    "shallow": {
        "nn_model": ("layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost",
                     "backward_propagation", "update_parameters"),
        "predict": ("forward_propagation",),
    },
    "logistic": {
        "optimize": ("propagate",),
        "model": ("initialize_with_zeros", "optimize", "predict", "propagate"),
    },
    "xor": {
        "forward_loss": ("affine", "sigmoid", "binary_cross_entropy"),
        "get_gradients": ("forward_loss", "affine", "sigmoid", "binary_cross_entropy"),
        "optimize": ("get_gradients", "forward_loss"),
    },
    "layers": {
        "SoftmaxWithLoss.forward": ("softmax", "cross_entropy_error"),
        "TwoLayerNet.predict": ("Affine.forward", "Relu.forward"),
        "TwoLayerNet.loss": ("TwoLayerNet.predict", "SoftmaxWithLoss.forward", "Affine.forward", "Relu.forward"),
        "TwoLayerNet.accuracy": ("TwoLayerNet.predict",),
        "TwoLayerNet.gradient": ("Affine.forward", "Affine.backward", "Relu.forward", "Relu.backward",
                                 "SoftmaxWithLoss.forward", "SoftmaxWithLoss.backward"),
        "TwoLayerNet.numerical_gradient": ("numerical_gradient", "TwoLayerNet.loss"),
    },
}


def note_likely_causes(records):
    """Add ``likely_cause`` (and a sentence) to failing records whose callees fail too."""
    failing = {(r["suite"], r["function"]) for r in records if r["status"] in ("fail", "error")}
    for record in records:
        if record["status"] not in ("fail", "error"):
            continue
        callees = CALLS.get(record["suite"], {}).get(record["function"], ())
        causes = [c for c in callees if (record["suite"], c) in failing]
        if causes:
            record["likely_cause"] = causes
            names = ", ".join(f"`{c}`" for c in causes)
            record["message"] += (f" [probably follows from {names}, which fail(s) too and which the documents' "
                                  f"{record['function']} calls: fix that first]")
    return records
