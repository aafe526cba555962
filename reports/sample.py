"""A realistic sample results document, for developing and testing the report without the
engine: a few suites with failures and diagnoses, a 3-layer network function with per-layer
records and the functions that fail because of it (``likely_cause``), a warning and a note, two
training curves with their records (one with the document's printed points) and a planar block.

    python -m nnconf.reports.sample DIR      # writes DIR/report.html from the sample
"""

import sys

import numpy as np

F64 = {"atol": 1e-9, "rtol": 1e-6}
FD64 = {"atol": 1e-7, "rtol": 1e-5}
XSS = "<img src=x onerror=alert(1)>"


def _rec(suite, function, stage, quantity, *, case="random", status="pass", layer=None,
         abs_err=None, rel_err=None, tol=None, shape=None, actual_shape=None, **extra):
    reference = {"grad_autograd": "autograd", "value": "autograd", "layer": "autograd",
                 "grad_fd": "finite_diff"}.get(stage)
    if tol is None and stage in ("value", "grad_autograd", "layer"):
        tol = F64
    if tol is None and stage == "grad_fd":
        tol = FD64
    r = {"suite": suite, "function": function,
         "check": f"{stage}:{quantity}@{case}" if quantity and case else stage,
         "stage": stage, "quantity": quantity, "layer": layer, "case": case, "status": status,
         "diagnosis": None, "diagnosis_text": None, "max_abs_err": abs_err,
         "max_rel_err": rel_err, "tolerance": tol, "reference": reference,
         "expected_shape": shape, "actual_shape": actual_shape if actual_shape else shape,
         "worst_index": None, "expected_value": None, "actual_value": None,
         "message": f"{function}: {quantity} ({stage}, case {case}) matches the reference.",
         "repro": None, "duration_s": 0.004}
    r.update(extra)
    return r


def _good(suite, function, quantity, shape, seed, fd=True):
    rng = np.random.default_rng(seed)
    out = [_rec(suite, function, "shape", quantity, shape=shape),
           _rec(suite, function, "grad_autograd", quantity, abs_err=float(rng.uniform(1e-17, 1e-15)),
                rel_err=float(rng.uniform(1e-16, 1e-14)))]
    if fd:
        out.append(_rec(suite, function, "grad_fd", quantity, abs_err=float(rng.uniform(1e-11, 1e-9)),
                        rel_err=float(rng.uniform(1e-10, 1e-8))))
    return out


def sample_records():
    R = []
    # activations: sigmoid fine, relu wrong at the kink, tanh with the derivative of sigmoid
    R += [_rec("activations", "sigmoid", "value", "A", shape=[3, 5], abs_err=5.5e-17,
               rel_err=1.1e-16)]
    R += _good("activations", "sigmoid_backward", "dz", [3, 5], 1)
    R += _good("activations", "relu_backward", "dz", [3, 5], 2)
    R.append(_rec("activations", "relu_backward", "grad_autograd", "dz", case="z=0",
                  status="fail", abs_err=1.0, rel_err=1.0, shape=[3, 5], worst_index=[1, 2],
                  expected_value=0.0, actual_value=1.0, diagnosis="value.kink",
                  diagnosis_text=("Differs only where z = 0: ReLU'(0) must be 0 as in PyTorch. "
                                  "Change `z >= 0` to `z > 0` in relu_backward."),
                  message=("relu_backward(da, z) returned dz that differs from autograd only "
                           "where z == 0 (1 element of 15): at [1, 2] expected 0.0, got 1.0."),
                  repro=("import numpy as np\nfrom student import activations\n"
                         "z = np.array([[0.5, -1.0, 2.0], [0.0, 3.0, -0.2]])\n"
                         "da = np.ones_like(z)\nprint(activations.relu_backward(da, z))")))
    R += _good("activations", "tanh_backward", "dz", [3, 5], 3)[:1]
    R.append(_rec("activations", "tanh_backward", "grad_autograd", "dz", status="fail",
                  abs_err=0.61, rel_err=0.83, shape=[3, 5], worst_index=[0, 4],
                  expected_value=0.419974, actual_value=0.235004,
                  diagnosis="value.activation_derivative",
                  message="tanh_backward(da, z): dz matches s(z)(1 - s(z)), the sigmoid "
                          "derivative, not 1 - tanh(z)^2. Worst element [0, 4].",
                  repro="from student.activations import tanh_backward\n"
                        "import numpy as np\nz = np.linspace(-2, 2, 15).reshape(3, 5)\n"
                        "tanh_backward(np.ones_like(z), z)"))
    # deep: linear_backward with the rank-1 db and a missing 1/m
    R.append(_rec("deep", "linear_backward", "shape", "dA_prev", shape=[4, 6]))
    R.append(_rec("deep", "linear_backward", "shape", "dW", shape=[3, 4]))
    R.append(_rec("deep", "linear_backward", "shape", "db", status="fail", shape=[3, 1],
                  actual_shape=[3], diagnosis="shape.rank1",
                  message="linear_backward(dZ, cache): db.shape=(3,), but should be (3, 1) "
                          "[dZ (3, 6), A_prev (4, 6), W (3, 4), b (3, 1)].",
                  repro="import numpy as np\nfrom student.deep import linear_backward\n"
                        "rng = np.random.default_rng(0)\n"
                        "dZ = rng.standard_normal((3, 6))\n"
                        "cache = (rng.standard_normal((4, 6)), rng.standard_normal((3, 4)), "
                        "np.zeros((3, 1)))\n"
                        "dA_prev, dW, db = linear_backward(dZ, cache)\nprint(db.shape)"))
    R.append(_rec("deep", "linear_backward", "grad_autograd", "dW", status="fail",
                  abs_err=2.44, rel_err=5.0, shape=[3, 4], worst_index=[2, 1],
                  expected_value=0.48812, actual_value=2.92872, diagnosis="value.scale_m",
                  message="linear_backward: dW is 6.0 times the reference (m = 6): the 1/m of "
                          "F14 is missing. Worst element [2, 1]: expected 0.48812, got 2.92872.",
                  repro="dA_prev, dW, db = linear_backward(dZ, cache)  # see the shape check"))
    R.append(_rec("deep", "linear_backward", "grad_autograd", "dA_prev", abs_err=2.2e-16,
                  rel_err=4.0e-16, shape=[4, 6]))
    R.append(_rec("deep", "linear_backward", "grad_fd", "dA_prev", abs_err=3.1e-10,
                  rel_err=2.2e-9, shape=[4, 6]))
    R.append(_rec("deep", "linear_backward", "grad_fd", "dW", status="fail", abs_err=2.44,
                  rel_err=5.0, shape=[3, 4], diagnosis="value.scale_m"))
    R += _good("deep", "linear_activation_backward", "dA_prev", [4, 6], 4)
    # deep: L_model_backward, a 3-layer network, per layer
    rng = np.random.default_rng(7)
    for layer in (1, 2, 3):
        for kind in ("dW", "db", "dA"):
            q = f"{kind}{layer}" if kind != "dA" else f"dA{layer - 1}"
            bad = layer == 1 and kind == "dW"
            rel = 0.0625 if bad else float(10 ** rng.uniform(-15, -11))
            R.append(_rec("deep", "L_model_backward", "layer", f'grads["{q}"]', layer=layer,
                          status="fail" if bad else "pass", abs_err=rel * 0.3, rel_err=rel,
                          diagnosis="value.scale" if bad else None,
                          message=(f"L_model_backward: grads[\"{q}\"] differs from autograd by "
                                   "a constant factor 1.0625." if bad else None)))
    R.append(_rec("deep", "L_model_backward", "shape", 'grads["dW1"]', shape=[5, 4]))
    # ... and what fails because of it: the model built from it, and its training loop
    R.append(_rec("deep", "L_layer_model", "value", "W1", status="fail", abs_err=6.25e-4,
                  rel_err=0.0625, shape=[5, 4], diagnosis="value.wrong",
                  likely_cause=["L_model_backward"],
                  message="L_layer_model: W1 has wrong values (against the PyTorch reference) "
                          "[probably follows from `L_model_backward`, which it called and which "
                          "fail(s) on its own checks too: fix that first]"))
    R.append(_rec("deep", "L_layer_model", "value", "b1", abs_err=0.0, rel_err=0.0, shape=[5, 1]))
    R.append(_rec("deep", "training loop (L_layer_model [12288, 20, 7, 5, 1])", "training", None,
                  case=None, status="fail", abs_err=6.4e-3, tol={"atol": 0.0, "rtol": 1e-2},
                  check="training:deep", diagnosis="value.wrong", likely_cause=["L_model_backward"],
                  message="30 iterations in lockstep; largest cost difference 0.0064 [probably "
                          "follows from `L_model_backward`, which it is built from and which "
                          "fail(s) on its own checks too: fix that first]"))
    R.append(_rec("shallow", "training loop (planar 2-layer (001), n_h = 4)", "training", None,
                  case=None, abs_err=1e-9, tol={"atol": 0.0, "rtol": 1e-2}, check="training:shallow",
                  message="10000 iterations in lockstep; largest cost difference 1e-09"))
    R.append(_rec("deep", "compute_cost", "value", "cost", abs_err=0.0, rel_err=0.0, shape=[]))
    R.append(_rec("deep", "compute_cost", "saturation", "cost", case="saturated",
                  status="warn", abs_err=float("nan"), rel_err=float("nan"),
                  diagnosis="value.nonfinite", expected_value=0.0, actual_value=float("nan"),
                  rule="nonfinite at saturation",
                  message="compute_cost(AL, Y) returned nan for AL = 1 on label 1 (true cost "
                          "0): 0 * log(0) must count as 0."))
    R.append(_rec("deep", "initialize_parameters_deep", "value", "parameters", case="seeded",
                  status="note", diagnosis=None, rule="seeds itself",
                  message="initialize_parameters_deep seeds NumPy's generator itself "
                          "(np.random.seed(3)), as the course's version does; judged under that "
                          "accepted convention."))
    # shallow: a cost that is an array; a message with markup; a huge message
    R.append(_rec("shallow", "compute_cost", "type", "cost", status="error",
                  diagnosis="type.not_scalar", diagnosis_text=None,
                  message=f"compute_cost returned ndarray of shape (1, 1) {XSS}",
                  repro="compute_cost(A2, Y)  # <script>alert('x')</script>"))
    R += _good("shallow", "backward_propagation", 'grads["dW1"]', [4, 2], 5)
    R += _good("shallow", "backward_propagation", 'grads["db2"]', [1, 1], 6)
    R.append(_rec("shallow", "forward_propagation", "value", "A2", abs_err=1.1e-16,
                  rel_err=3.3e-16, shape=[1, 400]))
    R.append(_rec("shallow", "update_parameters", "side_effect", "parameters",
                  status="fail", diagnosis="side_effect.mutates_input",
                  message="update_parameters wrote into grads['dW1'] (in place). " + "x" * 20000))
    # layers (row-major): Affine ok, Relu mutates dout, an unknown key and status skip
    R += _good("layers", "Affine.backward", "dx", [5, 3], 8)
    R += _good("layers", "Affine.backward", "dW", [3, 4], 9)
    R.append(_rec("layers", "Relu.backward", "side_effect", "dout", status="fail",
                  diagnosis="side_effect.mutates_input", extra_key={"ignored": True},
                  message="Relu.backward(dout) set dout[mask] = 0 in the caller's array.",
                  repro="relu = Relu(); relu.forward(x); d = np.ones_like(x); relu.backward(d)"))
    R.append(_rec("layers", "numerical_gradient", "determinism", "x", status="skip",
                  message="numerical_gradient is slow; skipped in the fast profile."))
    # xor: not implemented
    R.append(_rec("xor", "forward_loss", "api", "module", status="error",
                  diagnosis="api.missing",
                  message="module xor is not in the target; its checks did not run."))
    return R


def _planar_data(m=200, seed=1):
    """A small flower-like two-class set in the layout of document 001: X (2, m), Y (1, m)."""
    rng = np.random.default_rng(seed)
    N, X, Y = m // 2, np.zeros((m, 2)), np.zeros((m, 1))
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + rng.standard_normal(N) * 0.2
        r = 4 * np.sin(4 * t) + rng.standard_normal(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


def _grid(X, Y, smoothing, n=40):
    """A probability grid over the data: a Gaussian-kernel vote of the labels, a stand-in for
    a trained network's A2 (wider kernel, smoother boundary, as with a smaller n_h)."""
    x = np.linspace(X[0].min() - 1, X[0].max() + 1, n)
    y = np.linspace(X[1].min() - 1, X[1].max() + 1, n)
    xx, yy = np.meshgrid(x, y)
    d2 = (xx.ravel()[:, None] - X[0]) ** 2 + (yy.ravel()[:, None] - X[1]) ** 2
    w = np.exp(-d2 / (2 * smoothing ** 2)) + 1e-12
    p = (w @ Y.ravel()) / w.sum(axis=1)
    return {"x": x.tolist(), "y": y.tolist(), "p": p.reshape(n, n).tolist()}


def sample_results():
    """The sample document (JSON-ready Python objects, NaN included)."""
    X, Y = _planar_data()
    it = np.arange(10000)
    target = 0.22 + 0.47 * np.exp(-it / 250.0) + 0.01 * np.exp(-it / 4000.0)
    reference = target + 1e-9 * np.sin(it / 50.0)
    printed = [[k, round(float(target[k]) + 2e-7, 6)] for k in range(0, 10000, 1000)]
    deep_it = np.arange(0, 3000, 100)
    deep_ref = 0.69 * np.exp(-deep_it / 500.0) + 0.002
    deep_target = deep_ref * (1 + 0.15 * deep_it / 3000.0)
    return {
        "meta": {"target": "student_submission", "target_kind": "folder",
                 "date": "2026-11-22T23:59:00+00:00",
                 "versions": {"python": "3.11.7", "numpy": "2.4.6", "torch": "2.13.0",
                              "nnconf": "0.1.0"},
                 "seed": 0, "profile": "fast",
                 "suites": ["activations", "logistic", "shallow", "deep", "xor", "layers"],
                 "duration_s": 12.3, "unknown_meta_key": 1},
        "records": sample_records(),
        "curves": [
            {"system": "shallow", "label": "planar 2-layer (001), n_h = 4",
             "iterations": it.tolist(), "target": target.tolist(),
             "reference": reference.tolist(), "document": printed, "status": "pass",
             "message": "target and reference agree to 1e-9 over 10000 iterations."},
            {"system": "deep", "label": "L_layer_model [12288, 20, 7, 5, 1]",
             "iterations": deep_it.tolist(), "target": deep_target.tolist(),
             "reference": deep_ref.tolist(), "document": None, "status": "fail",
             "message": "the target's cost drifts from the reference from iteration 100 on "
                        "(dW1 off by a constant factor)."},
        ],
        "planar": {
            "X": X.tolist(), "Y": Y.tolist(),
            "sweep": [
                {"n_h": 1, "accuracy": 0.675, "grid": _grid(X, Y, 4.0)},
                {"n_h": 4, "accuracy": 0.905, "grid": _grid(X, Y, 0.9)},
            ],
            "logistic_baseline_accuracy": 0.47,
        },
    }


if __name__ == "__main__":
    from . import write_report
    print(write_report(sample_results(), sys.argv[1] if len(sys.argv) > 1 else "report-sample"))
