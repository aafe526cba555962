"""Plain-words explanations of the bug classes of SPEC Part 3, with what to change: the one table.

The engine writes ``explain(class)`` into each failing record's ``diagnosis_text``; the report
falls back on it for a results document written without texts (or by an older engine).
"""

BUG_CLASSES = {
    "shape.rank1": (
        "The result is a rank-1 array of shape (n,) where a 2-D column (n, 1) or row (1, n) was "
        "expected. NumPy broadcasts rank-1 arrays silently, so the next operation gets wrong "
        "shapes or wrong values.",
        "Keep every array 2-D: pass keepdims=True to np.sum / np.mean, create vectors as "
        "np.zeros((n, 1)), and reshape(n, 1) anything that comes out rank-1.",
    ),
    "shape.transposed": (
        "The result has the expected dimensions with its two axes swapped, e.g. (n[l-1], n[l]) "
        "instead of (n[l], n[l-1]).",
        "Check the order of the factors in the matrix product: dW = (1/m) dZ · A_prev^T, not "
        "A_prev · dZ^T. W[l] is (n[l], n[l-1]) in the column-major suites.",
    ),
    "shape.broadcast": (
        "An axis is missing or extra because of a reduction or broadcasting: db left (n, m) "
        "instead of summed over the examples, summed over the wrong axis, or an (n, 1) and a "
        "(1, n) operand broadcast into an (n, n) result.",
        "Sum over the examples axis (axis=1 column-major, axis=0 for the row-major layers) with "
        "keepdims=True, and check both operands' shapes before an elementwise operation.",
    ),
    "shape.other": (
        "The result's shape differs from the expected one in a way that is not a rank-1, "
        "transpose or broadcasting mistake.",
        "Print the shape of every input and intermediate and compare with the shape rules (F19): "
        "W[l] (n[l], n[l-1]), b[l] (n[l], 1), Z and A (n[l], m), dX shaped like X.",
    ),
    "value.transposed": (
        "The shape is right but the values are the transpose of the expected ones: a square "
        "result whose product had its operands swapped.",
        "Check which factor comes first and which one is transposed; the formula's order "
        "matters even when the shapes happen to fit.",
    ),
    "value.scale_m": (
        "The values are off by a factor m (the number of examples) or 1/m.",
        "The course divides by m in dW and db only (F14): dW = (1/m) dZ · A_prev^T, "
        "db = (1/m) sum(dZ, axis=1, keepdims=True), dA_prev = W^T dZ with no 1/m. Do not divide "
        "twice (once in dZ and again in dW), and do not forget it.",
    ),
    "value.scale": (
        "The values are off by a constant factor other than m (for example 2, 1/2 or 0.01).",
        "Look for a stray constant: a missing or extra factor 2, the leaky-ReLU slope used where "
        "1 belongs, or a learning rate applied twice.",
    ),
    "value.sign": (
        "The values have the right size but the opposite sign.",
        "Check the sign of the loss derivative: dAL = -(Y/AL - (1-Y)/(1-AL)) and dZ = A - Y "
        "(not Y - A); gradient descent subtracts: w := w - alpha * dw.",
    ),
    "value.activation_derivative": (
        "The derivative is the one of another activation, or it was evaluated at the activation "
        "output A where the pre-activation Z was needed (or the other way round).",
        "Use the derivative of the activation the forward pass applied, at the right argument: "
        "sigmoid'(z) = s(1 - s), tanh'(z) = 1 - tanh(z)^2 = 1 - A^2, ReLU'(z) = 1 where z > 0. "
        "Take Z from the activation cache.",
    ),
    "value.kink": (
        "The values agree everywhere except exactly at a non-differentiable point (z = 0 for "
        "ReLU, leaky ReLU, PReLU, ELU).",
        "Follow PyTorch's convention at the kink: ReLU'(0) = 0 (test z > 0, not z >= 0), leaky "
        "ReLU'(0) = alpha.",
    ),
    "value.stale_state": (
        "A layer object used a value stored by an earlier call: backward read the input, mask or "
        "output of a previous forward, or one forward never stored (an attribute typo such as "
        "self.otut); or a function's result depends on an earlier call.",
        "Overwrite every cached attribute (self.x, self.mask, self.out) on each forward call, and "
        "read it only in the matching backward.",
    ),
    "value.nonfinite": (
        "The result contains NaN or inf although every input was finite.",
        "Compute sigmoid and softmax stably (subtract the maximum before exp), compute costs "
        "with 0 * log 0 = 0 (np.where or scipy's xlogy) instead of clamping, and never divide by "
        "a quantity that can be 0.",
    ),
    "value.wrong": (
        "The values differ from the reference and no more specific bug class matched.",
        "Compare the function line by line with its formula (docs/api.md, or nnconf api SUITE); run the repro "
        "snippet and print intermediate values next to the expected ones.",
    ),
    "side_effect.mutates_input": (
        "The function changed one of its input arrays in place (e.g. dout[mask] = 0, "
        "A -= ..., or np.multiply(..., out=arg)).",
        "Work on a copy (x = x.copy()) or build new arrays (np.where, a * b) instead of "
        "assigning into an argument.",
    ),
    "type.not_scalar": (
        "A cost came back as an array of shape (1,) or (1, 1), or as a list, instead of a Python "
        "float or a 0-d array.",
        "Return float(np.squeeze(cost)) (or cost.item()).",
    ),
    "type.dtype": (
        "The result's dtype differs from the floating dtype of the inputs (float32 in, float64 "
        "out), or is an integer type.",
        "Avoid constants and constructors that promote (np.array(..., dtype=float), "
        "np.float64(1)); use np.ones_like / z.dtype and return arrays in the input's dtype.",
    ),
    "crash.exception": (
        "The function raised an exception (or called sys.exit / os._exit) on a valid input.",
        "Run the repro snippet to see the traceback; the message names the exception and its "
        "text.",
    ),
    "crash.syntax": (
        "The code that defines the function is not valid Python (a notebook cell or a file with a "
        "syntax error), so nothing of it could be loaded or checked.",
        "Go to the file, cell, line and column given and fix the syntax (a `def` line missing its `:`, "
        "an unclosed bracket, a wrong indentation), then run the cell again.",
    ),
    "crash.timeout": (
        "The function did not return within the time limit: an endless loop, or a per-element "
        "Python loop far too slow for the input.",
        "Check the loop bounds and the stopping condition; vectorize per-example loops.",
    ),
    "crash.resource": (
        "The function went past a bound of the run: more memory than a worker may use (--max-memory), "
        "a file larger than allowed (--max-file), more than its scratch folder holds (--max-disk), or "
        "more processes at once than allowed (--max-processes).",
        "Look for an allocation that grows with the wrong dimension (an (m, m) matrix where (n, m) was "
        "meant), output written in a loop, or processes started by the function; checked functions "
        "need none of these.",
    ),
    "api.missing": (
        "The function or class is not defined in the module under test, so its checks did not "
        "run.",
        "Define it under its name in docs/api.md (or an accepted alias); nnconf list TARGET shows what was found.",
    ),
    "api.numpy2_removed": (
        "The code uses a NumPy name that NumPy 1.24 or 2.x removed (np.float_, np.complex_, the aliases of "
        "Python's types np.float, np.int and np.object, np.NaN, np.Inf, np.product, ...). It was right for NumPy 1.x; on NumPy 2 it "
        "stops with an AttributeError. nnconf judges the function with NumPy 1.x's aliases put back, so the "
        "bugs behind the crash still show.",
        "Write today's name: np.float64 for np.float_, float / int / object / complex / str for np.float, "
        "np.int, np.object, np.complex, np.str, np.nan for np.NaN, np.inf for np.Inf and np.infty, "
        "np.prod for np.product, np.all / np.any for np.alltrue / np.sometrue (the message names each one).",
    ),
    "api.signature": (
        "The function exists but cannot be called with the documented arguments, or returns a "
        "different structure (e.g. a tuple of the wrong length).",
        "Match the signature and the return value of docs/api.md (nnconf api SUITE), e.g. "
        "linear_backward(dZ, cache) -> (dA_prev, dW, db).",
    ),
}


def explain(bug_class):
    """The plain-words explanation and fix of a bug class, or None for an unknown class.

    >>> explain("value.sign").startswith("The values have the right size")
    True
    """
    entry = BUG_CLASSES.get(bug_class)
    if entry is None:
        return None
    what, fix = entry
    return f"{what} What to change: {fix}"
