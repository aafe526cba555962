"""A catalog of buggy implementations, to test the tester.

Each entry of :data:`BUGS` is one file ``bugs/<id>.py``: a complete suite module (``from
impl.<suite> import *`` followed by one redefined function or class holding one realistic bug),
usable as ``--impl SUITE=<path(bug)>``. ``function`` is the API name the harness should fail
(``Class.method`` for a method), ``diagnosis`` the bug class of SPEC Part 3 it should name.

The redefinition does not rebind the names used inside impl's other functions, so only the
function that holds the bug is wrong; every other function of the file is impl's and must pass.

:data:`CORRECT_BUT_NOISY` lists files ``noisy/<id>.py`` that warn, print, or touch NumPy's global
state but return right values: every check of their suite must pass (``diagnosis`` is None).
"""

import os
from dataclasses import dataclass

_HERE = os.path.dirname(os.path.abspath(__file__))


@dataclass(frozen=True)
class Bug:
    id: str
    suite: str
    function: str
    diagnosis: str | None
    origin: str
    description: str


def path(bug):
    """Absolute path of the bug's file (``bugs/`` for bugs, ``noisy/`` for correct-but-noisy files)."""
    folder = "noisy" if bug.diagnosis is None else "bugs"
    return os.path.join(_HERE, folder, f"{bug.id}.py")


D000, D001, D003, D004, CLASS = "document 000", "document 001", "document 003", "document 004", "class example"

BUGS = [
    # ---------------------------------------------------------------- deep (document 000)
    Bug("deep_000_linear_forward_dot_A_W", "deep", "linear_forward", "crash.exception", D000,
        "Z = np.dot(A, W) + b: with distinct n[l-1], n[l], m the product (n[l-1], m)(n[l], n[l-1]) "
        "cannot be formed, ValueError."),
    Bug("deep_000_linear_activation_forward_relu_z", "deep", "linear_activation_forward", "crash.exception", D000,
        "relu(z) with an undefined lower-case z: NameError on the 'relu' branch."),
    Bug("deep_000_linear_activation_forward_no_return", "deep", "linear_activation_forward", "shape.other", D000,
        "No return statement: returns None instead of (A, cache)."),
    Bug("deep_000_L_model_forward_inear_typo", "deep", "L_model_forward", "crash.exception", D000,
        "inear_activation_forward for the output layer: NameError."),
    Bug("deep_000_L_model_forward_last_layer_A_prev", "deep", "L_model_forward", "crash.exception", D000,
        "Output layer fed A_prev = A[L-2] instead of A[L-1]: W[L] (n[L], n[L-1]) times (n[L-2], m) "
        "cannot multiply when the sizes are distinct (one layer: A_prev unbound), so it raises."),
    Bug("deep_000_relu_backward_kink", "deep", "relu_backward", "value.kink", D000,
        "dZ[Z < 0] = 0 keeps dA at Z == 0 (PyTorch gives 0)."),
    Bug("deep_000_linear_activation_backward_4tuple", "deep", "linear_activation_backward", "crash.exception", D000,
        "A_prev, W, b, Z = cache on the 2-tuple ((A_prev, W, b), Z): ValueError."),
    Bug("deep_000_compute_cost_plain_log", "deep", "compute_cost", "value.nonfinite", D000,
        "Plain np.log: AL = 1 on label 1 gives 0 * log(0) = NaN where the true cost is 0."),
    Bug("deep_000_L_model_backward_dA_key", "deep", "L_model_backward", "crash.exception", D000,
        "grads['dA' + str(l+1)] = dA_prev (should be str(l)): the next hidden layer's dA key is missing, "
        "KeyError with 3 or more layers."),
    # ---------------------------------------------------------------- deep (class examples)
    Bug("deep_linear_backward_db_rank1", "deep", "linear_backward", "shape.rank1", CLASS,
        "db = np.sum(dZ, axis=1) / m without keepdims: (n,) instead of (n, 1)."),
    Bug("deep_linear_backward_dW_transposed", "deep", "linear_backward", "shape.transposed", CLASS,
        "dW = np.dot(A_prev, dZ.T) / m (logistic's dw = X dZ^T copied): (n[l-1], n[l])."),
    Bug("deep_linear_backward_dA_prev_over_m", "deep", "linear_backward", "value.scale_m", CLASS,
        "dA_prev = np.dot(W.T, dZ) / m: the 1/m folded into dA_prev too."),
    Bug("deep_linear_backward_dW_no_m", "deep", "linear_backward", "value.scale_m", CLASS,
        "dW = np.dot(dZ, A_prev.T) without 1/m."),
    Bug("deep_relu_backward_in_place", "deep", "relu_backward", "side_effect.mutates_input", CLASS,
        "dA[Z <= 0] = 0; return dA: right values, the caller's dA overwritten."),
    Bug("deep_relu_backward_float64", "deep", "relu_backward", "type.dtype", CLASS,
        "dA * (Z > 0).astype(float): float32 in, float64 out."),
    Bug("deep_sigmoid_backward_relu_copy", "deep", "sigmoid_backward", "value.activation_derivative", CLASS,
        "Body copied from relu_backward: ReLU's derivative on a sigmoid layer."),
    Bug("deep_L_model_backward_sigmoid_hidden", "deep", "L_model_backward", "value.activation_derivative", CLASS,
        "'sigmoid' passed for the hidden layers: sigmoid derivative on ReLU layers (layers 1..L-1 wrong)."),
    Bug("deep_L_model_backward_dAL_sign", "deep", "L_model_backward", "value.sign", CLASS,
        "dAL = Y/AL - (1-Y)/(1-AL) without the leading minus: every gradient negated."),
    Bug("deep_compute_cost_not_squeezed", "deep", "compute_cost", "type.not_scalar", CLASS,
        "np.sum(..., axis=1, keepdims=True) and no np.squeeze: a (1, 1) array."),
    Bug("deep_update_parameters_ascent", "deep", "update_parameters", "value.sign", CLASS,
        "+= learning_rate * dW: the update step has the wrong sign."),
    Bug("deep_linear_activation_backward_sigmoid_for_relu", "deep", "linear_activation_backward",
        "value.activation_derivative", CLASS, "sigmoid_backward called in the relu branch."),
    Bug("deep_linear_backward_dW_transposed_values", "deep", "linear_backward", "value.transposed", CLASS,
        "dW transposed whenever that keeps the shape: only a square W shows it, as values."),
    # ---------------------------------------------------------------- activations
    Bug("activations_tanh_backward_z_squared", "activations", "tanh_backward", "value.activation_derivative", CLASS,
        "da * (1 - z**2): the formula 1 - A^2 applied to z."),
    Bug("activations_relu_backward_ge", "activations", "relu_backward", "value.kink", CLASS,
        "np.where(z >= 0, da, 0): da at z == 0 (PyTorch gives 0)."),
    Bug("activations_leaky_relu_backward_kink", "activations", "leaky_relu_backward", "value.kink", CLASS,
        "np.where(z < 0, alpha * da, da): da at z == 0 (PyTorch gives alpha * da)."),
    Bug("activations_leaky_relu_backward_float64", "activations", "leaky_relu_backward", "type.dtype", CLASS,
        "da * np.where(z > 0, 1.0, alpha): the float64 factor upcasts a float32 da."),
    Bug("activations_prelu_backward_dalpha_not_summed", "activations", "prelu_backward", "shape.broadcast", CLASS,
        "dalpha left elementwise in z's shape, not summed to alpha's shape."),
    Bug("activations_sigmoid_backward_no_da", "activations", "sigmoid_backward", "value.wrong", CLASS,
        "Returns s(z)(1 - s(z)) without multiplying by da."),
    Bug("activations_tanh_exp_overflow", "activations", "tanh", "value.nonfinite", CLASS,
        "(e^z - e^-z) / (e^z + e^-z): inf / inf = NaN for |z| ~ 1000."),
    Bug("activations_relu_in_place", "activations", "relu", "side_effect.mutates_input", CLASS,
        "z[z < 0] = 0; return z: right values, the caller's z overwritten."),
    Bug("activations_elu_sys_exit", "activations", "elu", "crash.exception", CLASS,
        "Debugging leftover print then sys.exit() (SystemExit) on every call."),
    Bug("activations_sigmoid_generator", "activations", "sigmoid", "shape.other", CLASS,
        "Returns a generator expression instead of an array: not an array (like None)."),
    # ---------------------------------------------------------------- logistic
    Bug("logistic_initialize_with_zeros_rank1", "logistic", "initialize_with_zeros", "shape.rank1", CLASS,
        "w = np.zeros(dim): (dim,) instead of (dim, 1)."),
    Bug("logistic_propagate_db_no_m", "logistic", "propagate", "value.scale_m", CLASS,
        "db = np.sum(dZ) without 1/m."),
    Bug("logistic_propagate_sign", "logistic", "propagate", "value.sign", CLASS,
        "dZ = Y - A: dw and db negated."),
    Bug("logistic_propagate_loop_dw_no_m", "logistic", "propagate_loop", "value.scale_m", CLASS,
        "db and the cost divided by m after the loop, dw forgotten."),
    Bug("logistic_optimize_grads_outside_loop", "logistic", "optimize", "value.wrong", CLASS,
        "propagate called once before the loop: every step uses the first gradients."),
    Bug("logistic_optimize_in_place", "logistic", "optimize", "side_effect.mutates_input", CLASS,
        "w -= learning_rate * dw writes into the caller's w."),
    Bug("logistic_optimize_zero_iterations", "logistic", "optimize", "crash.exception", CLASS,
        "grads built from loop variables after the loop: UnboundLocalError with num_iterations = 0."),
    Bug("logistic_computation_graph_db_3b", "logistic", "computation_graph", "value.wrong", CLASS,
        "dJ/db = 3b instead of 3c (da, dc right)."),
    Bug("logistic_predict_os_exit", "logistic", "predict", "crash.exception", CLASS,
        "os._exit(3) after printing: the process dies without raising."),
    # ---------------------------------------------------------------- shallow
    Bug("shallow_backward_dW1_no_m", "shallow", "backward_propagation", "value.scale_m", CLASS,
        "dW1 = np.dot(dZ1, X.T) without 1/m (dW1 only)."),
    Bug("shallow_backward_dZ2_times_2", "shallow", "backward_propagation", "value.scale", CLASS,
        "dZ2 = 2 (A2 - Y): every gradient off by 2."),
    Bug("shallow_backward_dZ1_sigmoid_derivative", "shallow", "backward_propagation", "value.activation_derivative",
        CLASS, "dZ1 = W2^T dZ2 * A1 (1 - A1): the sigmoid derivative on the tanh layer (dW1, db1 wrong)."),
    Bug("shallow_backward_db1_axis0", "shallow", "backward_propagation", "shape.broadcast", CLASS,
        "db1 = np.sum(dZ1, axis=0, keepdims=True) / m: (1, m) instead of (n_h, 1)."),
    Bug("shallow_layer_sizes_n_x_from_m", "shallow", "layer_sizes", "value.wrong", CLASS,
        "n_x = X.shape[1] (the number of examples) instead of X.shape[0]."),
    Bug("shallow_compute_cost_rank1", "shallow", "compute_cost", "type.not_scalar", CLASS,
        "np.sum(logprobs, axis=1) / m and no squeeze: an array of shape (1,)."),
    Bug("shallow_001_compute_cost_plain_log", "shallow", "compute_cost", "value.nonfinite", D001,
        "Plain np.log: A2 = 1 on label 1 gives 0 * log(0) = NaN where the true cost is 0."),
    Bug("shallow_update_parameters_no_return", "shallow", "update_parameters", "shape.other", CLASS,
        "In-place -= updates and no return statement: returns None."),
    # ---------------------------------------------------------------- init
    Bug("init_he_xavier_scale", "init", "initialize_he", "value.scale", CLASS,
        "std sqrt(1 / n[l-1]) (Xavier's) instead of sqrt(2 / n[l-1]): every W off by 1/sqrt(2)."),
    Bug("init_xavier_b_rank1", "init", "initialize_xavier", "shape.rank1", CLASS,
        "b = np.zeros(layer_dims[l]): (n,) instead of (n, 1)."),
    Bug("init_zeros_W_transposed", "init", "initialize_zeros", "shape.transposed", CLASS,
        "W = np.zeros((n[l-1], n[l])): the transposed shape."),
    Bug("init_random_uniform", "init", "initialize_random", "value.wrong", CLASS,
        "np.random.rand (uniform) instead of np.random.randn (normal)."),
    Bug("init_he_randn_tuple", "init", "initialize_he", "crash.exception", CLASS,
        "np.random.randn((n, n_prev)) with a tuple: TypeError."),
    # ---------------------------------------------------------------- xor
    Bug("xor_affine_endless_loop", "xor", "affine", "crash.timeout", CLASS,
        "while i < m over the examples without i += 1: never returns."),
    Bug("xor_get_gradients_dLdZ2_no_m", "xor", "get_gradients", "value.scale_m", CLASS,
        "dLdZ2 = YHat - Y without document 003's 1/m: all four gradients off by m."),
    Bug("xor_get_gradients_dW1_transposed", "xor", "get_gradients", "value.transposed", CLASS,
        "dLdW1 = dLdZ1 X^T although W1 is (2, h): with the document's h = 2 the values are the transpose "
        "(shape.transposed for h != 2)."),
    Bug("xor_get_gradients_dB1_rank1", "xor", "get_gradients", "shape.rank1", CLASS,
        "dLdB1 = np.sum(dLdZ1, axis=1) without keepdims: (h,) instead of (h, 1)."),
    Bug("xor_get_gradients_sigmoid_of_H", "xor", "get_gradients", "value.activation_derivative", CLASS,
        "dLdZ1 = dLdH * s(H)(1 - s(H)): the derivative taken at A = H instead of Z1 (dW1, dB1 wrong)."),
    Bug("xor_sigmoid_seterr_raise", "xor", "sigmoid", "crash.exception", CLASS,
        "np.seterr(all='raise') then the naive 1/(1 + e^-z): FloatingPointError for |z| ~ 1000."),
    Bug("xor_003_binary_cross_entropy_plain_log", "xor", "binary_cross_entropy", "value.nonfinite", D003,
        "Plain np.log: YHat = 1 on label 1 gives 0 * log(0) = NaN where the true loss is 0."),
    # ---------------------------------------------------------------- layers
    Bug("layers_004_sigmoid_otut", "layers", "Sigmoid.backward", "value.stale_state", D004,
        "forward stores self.otut (typo): backward reads self.out, never set by forward (None)."),
    Bug("layers_004_relu_backward_mutates_dout", "layers", "Relu.backward", "side_effect.mutates_input", D004,
        "dout[self.mask] = 0; dx = dout: the caller's dout overwritten."),
    Bug("layers_relu_mask_lt", "layers", "Relu.backward", "value.kink", CLASS,
        "mask = (x < 0): forward right, backward passes dout at x == 0 (PyTorch gives 0)."),
    Bug("layers_relu_forward_float64", "layers", "Relu.forward", "type.dtype", CLASS,
        "x * (x > 0).astype(float): float32 in, float64 out."),
    Bug("layers_affine_stale_x", "layers", "Affine.backward", "value.stale_state", CLASS,
        "forward keeps x only on its first call: dW from an earlier input."),
    Bug("layers_affine_db_keepdims", "layers", "Affine.backward", "shape.broadcast", CLASS,
        "db = np.sum(dout, axis=0, keepdims=True): (1, H) instead of (H,)."),
    Bug("layers_affine_dW_transposed", "layers", "Affine.backward", "shape.transposed", CLASS,
        "dW = np.dot(dout.T, x): (H, D) instead of (D, H)."),
    Bug("layers_softmax_no_max", "layers", "softmax", "value.nonfinite", CLASS,
        "No max subtraction: inf / inf = NaN for scores ~ 1000."),
    Bug("layers_softmaxwithloss_no_batch_division", "layers", "SoftmaxWithLoss.backward", "value.scale_m", CLASS,
        "dx = y - t without / batch_size: off by a factor N."),
    Bug("layers_cross_entropy_one_hot_only", "layers", "cross_entropy_error", "crash.exception", CLASS,
        "t * np.log(y + 1e-7) with integer labels (N,) against (N, C): broadcast ValueError (N != C)."),
    Bug("layers_twolayernet_gradient_swapped", "layers", "TwoLayerNet.gradient", "shape.other", CLASS,
        "Affine2's gradients filed under W1/b1 and Affine1's under W2/b2: the other layer's shapes."),
    Bug("layers_numerical_gradient_not_restored", "layers", "numerical_gradient", "side_effect.mutates_input", CLASS,
        "x[idx] = tmp_val never restored: x left perturbed by -h."),
]

CORRECT_BUT_NOISY = [
    Bug("activations_sigmoid_overflow_warning", "activations", "sigmoid", None, CLASS,
        "1 / (1 + np.exp(-z)): overflow RuntimeWarning for z ~ -1000, right value 0."),
    Bug("activations_elu_overflow_warning", "activations", "elu", None, CLASS,
        "np.where(z > 0, z, alpha * (np.exp(z) - 1)): overflow in the discarded branch, right value."),
    Bug("activations_relu_global_state", "activations", "relu", None, CLASS,
        "np.random.seed(1) and np.seterr(all='raise') left in relu; right values."),
    Bug("deep_linear_forward_prints_10mb", "deep", "linear_forward", None, CLASS,
        "Prints about 10 MB per call; right (Z, cache)."),
    Bug("deep_000_initialize_parameters_seed", "deep", "initialize_parameters_deep", None, D000,
        "np.random.seed(1) inside the initializer, as the course templates do: an accepted convention "
        "(a note), judged by the reference drawn after the same seed."),
    Bug("xor_003_sigmoid_overflow_warning", "xor", "sigmoid", None, D003,
        "Document 003's temp = np.exp(-z); 1 / (1 + temp): overflow RuntimeWarning, right value."),
]
