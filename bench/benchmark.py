"""Benchmarks: every figure beside a peer measured in the same run, written to a JSON file.

    python bench/benchmark.py [--json bench/results.json] [--quick]      (make bench)

1. The edit-check loop: the default checks-only run of the bundled implementation, cold (an
   empty reference cache) and warm; a warm re-check of one function and of one suite (and
   whether it imported PyTorch).
2. Parallelism: the whole default run (training curves and planar sweep included), warm, in one
   process against ``-n 2`` and ``-n`` all cores; the pytest plugin in one process against ``-n 2``
   and ``-n`` all cores; each task of the run timed alone, and the speed-up that its longest task
   leaves to ``-n 2 ... 16`` (the figure to hold a many-core machine's run against).
3. The bundled implementation's training step (forward, cost, backward, update) of a
   [784, 128, 64, 10] network against the same step in PyTorch eager, float32 and float64,
   m = 64, 256, 1024, one thread each; beside it, the same step in the fewest NumPy operations, and
   NumPy's BLAS against PyTorch's on the step's products alone; and the share of the same run's
   GEMM throughput the step reaches at m = 1024.
4. The random-direction gradient check of that network against
   ``torch.autograd.gradcheck(fast_mode=True)`` on the same network written in PyTorch.

The machine is shared and noisy: BLAS and PyTorch are pinned to one thread for the ratios, each
figure is the median of several repeats, and each ratio is taken within one run.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"  # before NumPy and PyTorch load their BLAS

import numpy as np  # noqa: E402
import torch  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from nnconf.conformance.box import probes  # noqa: E402
from nnconf.impl import deep as impl_deep  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIMS = [784, 128, 64, 10]
torch.set_num_threads(1)
threadpool_limits(1)


def network(m, dtype, seed=0):
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(DIMS)):
        params[f"W{l}"] = (rng.standard_normal((DIMS[l], DIMS[l - 1])) * np.sqrt(2 / DIMS[l - 1])).astype(dtype)
        params[f"b{l}"] = np.zeros((DIMS[l], 1), dtype=dtype)
    X = rng.standard_normal((DIMS[0], m)).astype(dtype)
    Y = (rng.random((DIMS[-1], m)) < 0.5).astype(dtype)
    return X, Y, params


# --- 3. the training step ------------------------------------------------------------------------


def ours_step(X, Y, params, lr=0.01):
    def step():
        AL, caches = impl_deep.L_model_forward(X, params)
        impl_deep.compute_cost(AL, Y)
        grads = impl_deep.L_model_backward(AL, Y, caches, input_gradient=False)
        return impl_deep.update_parameters(params, grads, lr)
    return step


def minimal_step(X, Y, params, lr=0.01):
    """The same step in the fewest NumPy operations, free of the course's API (1/m folded into
    dZ[L] once, biases added in place, no caches, no grads dict): how close NumPy itself gets."""
    L, m = len(DIMS) - 1, X.shape[1]
    W = [params[f"W{l}"].copy() for l in range(1, L + 1)]
    b = [params[f"b{l}"].copy() for l in range(1, L + 1)]

    def step():
        A = [X]
        for l in range(L):
            Z = W[l] @ A[-1]
            Z += b[l]
            A.append(np.maximum(Z, 0) if l < L - 1 else 1 / (1 + np.exp(-Z)))
        with np.errstate(divide="ignore", invalid="ignore"):
            cost = -np.sum(Y * np.log(A[-1]) + (1 - Y) * np.log(1 - A[-1])) / m
        dZ = (A[-1] - Y) / m
        for l in reversed(range(L)):
            dW, db = dZ @ A[l].T, dZ.sum(axis=1, keepdims=True)
            if l > 0:
                dZ = (W[l].T @ dZ) * (A[l] > 0)
            W[l] -= lr * dW
            b[l] -= lr * db
        return cost
    return step


def torch_step(X, Y, params, lr=0.01):
    """The same step in PyTorch eager: autograd for the gradients, an in-place update."""
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    L = len(DIMS) - 1
    W = [torch.from_numpy(params[f"W{l}"].copy()).requires_grad_() for l in range(1, L + 1)]
    b = [torch.from_numpy(params[f"b{l}"].copy()).requires_grad_() for l in range(1, L + 1)]
    m = X.shape[1]

    def step():
        A = Xt
        for l in range(L - 1):
            A = torch.relu(W[l] @ A + b[l])
        AL = torch.sigmoid(W[L - 1] @ A + b[L - 1])
        cost = torch.nn.functional.binary_cross_entropy(AL, Yt, reduction="sum") / m
        cost.backward()
        cost = cost.detach()
        with torch.no_grad():
            for p in W + b:
                p -= lr * p.grad
                p.grad = None
        return cost.item()
    return step


def step_flops(m):
    """Multiply-adds x 2 of the step's products that any implementation needs: the forward, every
    dW, and dA of every layer but the input."""
    forward = sum(DIMS[l] * DIMS[l - 1] * m for l in range(1, len(DIMS)))
    backward_da = sum(DIMS[l] * DIMS[l - 1] * m for l in range(2, len(DIMS)))
    return 2 * (2 * forward + backward_da)


def step_products(m, dtype, seed=1):
    """The step's own products as (left, right) pairs: forward W A, every dW = dZ A^T, and
    dA = W^T dZ of every layer but the input."""
    rng = np.random.default_rng(seed)
    products = []
    for l in range(1, len(DIMS)):
        W = rng.standard_normal((DIMS[l], DIMS[l - 1])).astype(dtype)
        A = rng.standard_normal((DIMS[l - 1], m)).astype(dtype)
        dZ = rng.standard_normal((DIMS[l], m)).astype(dtype)
        products += [(W, A), (dZ, A.T)] + ([(W.T, dZ)] if l > 1 else [])
    return products


def run_products(products):
    def run():
        for a, b in products:
            a @ b
    return run


def alternating(fns, repeat, number=1):
    """({name: median time of one call}, {name: median of its time over the first's}) of the
    functions of ``fns`` (a dict; the first is the peer the others are held against), after one
    warm-up call each, timed in turn, round by round, so that a neighbour's load on this shared
    machine weighs on all of them alike."""
    for fn in fns.values():
        fn()
    rounds = []
    for _ in range(repeat):
        times = {}
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(number):
                fn()
            times[name] = (time.perf_counter() - start) / number
        rounds.append(times)
    first = next(iter(fns))
    return ({name: statistics.median(r[name] for r in rounds) for name in fns},
            {name: statistics.median(r[name] / r[first] for r in rounds) for name in fns})


def blas_ratio(m, dtype, repeat):
    """NumPy's BLAS time over PyTorch's on the step's own products, timed in alternation: the
    share of the step's ratio that is the libraries' GEMM, not the implementation."""
    products = step_products(m, dtype)
    tensors = [(torch.from_numpy(np.ascontiguousarray(a)), torch.from_numpy(np.ascontiguousarray(b))) for a, b in products]
    _, ratios = alternating({"pytorch": run_products(tensors), "numpy": run_products(products)}, 3 * repeat,
                            max(2, 4096 // m))
    return ratios["numpy"]


def gemm_fraction(step, m, dtype, repeat):
    """The step's share of this run's GEMM throughput: the time of its products alone over the
    step's time, timed in alternation (so that both see the machine alike); and the GEMM rate."""
    times, ratios = alternating({"step": step, "gemm": run_products(step_products(m, dtype))}, 3 * repeat,
                                max(2, 4096 // m))
    return ratios["gemm"], step_flops(m) / times["gemm"]


def training_step(repeat):
    rows = []
    for dtype in (np.float32, np.float64):
        for m in (64, 256, 1024):
            X, Y, params = network(m, dtype)
            number = max(2, 4096 // m)
            times, ratios = alternating({"pytorch": torch_step(X, Y, params), "nnconf": ours_step(X, Y, params),
                                         "minimal": minimal_step(X, Y, params)}, 3 * repeat, number)
            ours = times["nnconf"]
            row = {"dtype": np.dtype(dtype).name, "m": m, "nnconf_ms": ours * 1e3, "pytorch_ms": times["pytorch"] * 1e3,
                   "ratio": ratios["nnconf"], "minimal_numpy_ratio": ratios["minimal"],
                   "blas_ratio": blas_ratio(m, dtype, repeat)}
            if m == 1024:
                row["gemm_fraction"], rate = gemm_fraction(ours_step(X, Y, params), m, dtype, repeat)
                row["gemm_gflops"] = rate / 1e9
                row["step_gflops"] = step_flops(m) / ours / 1e9
            rows.append(row)
            extra = f"  {row['gemm_fraction']:.0%} of GEMM ({row['gemm_gflops']:.1f} GFLOP/s)" if m == 1024 else ""
            print(f"  {row['dtype']:8} m = {m:5}: nnconf {row['nnconf_ms']:7.2f} ms   PyTorch {row['pytorch_ms']:7.2f} ms"
                  f"   ratio {row['ratio']:.2f} (the minimal NumPy step {row['minimal_numpy_ratio']:.2f}; their GEMMs alone: "
                  f"NumPy/PyTorch {row['blas_ratio']:.2f}){extra}")
    return rows


# --- 4. the gradient check -----------------------------------------------------------------------


def direction_check(repeat):
    X, Y, params = network(64, np.float64)
    Xt, Yt, m = torch.from_numpy(X), torch.from_numpy(Y), X.shape[1]
    tensors = [torch.from_numpy(params[f"{k}{l}"]).requires_grad_() for l in range(1, 4) for k in "Wb"]

    def cost(*ps):
        A = Xt
        for l in range(3):
            Z = ps[2 * l] @ A + ps[2 * l + 1]
            A = torch.relu(Z) if l < 2 else Z
        return torch.nn.functional.binary_cross_entropy_with_logits(A, Yt, reduction="sum") / m

    times, ratios = alternating({"gradcheck": lambda: torch.autograd.gradcheck(cost, tensors, fast_mode=True),
                                 "nnconf": lambda: probes.fd_directions(impl_deep, "deep", (X, Y), params, seed=0)},
                                3 * repeat, 3)
    ours, peer, ratio = times["nnconf"], times["gradcheck"], ratios["nnconf"]
    print(f"  nnconf {ours * 1e3:.1f} ms   gradcheck(fast_mode=True) {peer * 1e3:.1f} ms   ratio {ratio:.2f}")
    return {"nnconf_ms": ours * 1e3, "gradcheck_ms": peer * 1e3, "ratio": ratio}


# --- 1 and 2. runs of the CLI and the pytest plugin ----------------------------------------------


def timed(command, env):
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr[-2000:]}")
    return time.perf_counter() - start, result


def median_run(command, env, repeat):
    """The median wall time of ``repeat`` runs of ``command``, and the last run's result."""
    runs = [timed(command, env) for _ in range(repeat)]
    return statistics.median(seconds for seconds, _ in runs), runs[-1][1]


CHECK = [sys.executable, "-m", "nnconf", "check", "nnconf.impl", "--quiet"]
PROBE = ("import sys, time\nstart = time.perf_counter()\nfrom nnconf.conformance.doors import cli\n"
         "code = cli.main(sys.argv[1:])\nprint('TORCH', 'torch' in sys.modules, round(time.perf_counter() - start, 3))\n")


def edit_check_loop(env, repeat):
    cold = timed(CHECK + ["--no-training"], env)[0]
    warm, _ = median_run(CHECK + ["--no-training"], env, repeat)
    figures = {"cold_checks_s": cold, "warm_checks_s": warm}
    for name, args in (("function", ["--function", "linear_backward"]), ("suite", ["--suite", "deep"])):
        wall, result = median_run([sys.executable, "-c", PROBE, "check", "nnconf.impl", "--quiet", "--no-training", *args], env, repeat)
        torch_loaded = "TORCH True" in result.stdout
        figures[f"warm_{name}_s"], figures[f"warm_{name}_imports_torch"] = wall, torch_loaded
    print(f"  checks only: cold {cold:.2f} s, warm {warm:.2f} s (x{cold / warm:.1f})")
    print(f"  warm re-check of linear_backward {figures['warm_function_s']:.2f} s, of the deep suite "
          f"{figures['warm_suite_s']:.2f} s; PyTorch imported: {figures['warm_function_imports_torch']}, "
          f"{figures['warm_suite_imports_torch']}")
    return figures


def parallelism(env, repeat):
    cores = os.cpu_count() or 1
    figures = {"cores": cores}
    plugin = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--pyargs", "nnconf.conformance.checks"]
    for label, what, command, one in (("whole_run", "whole run (checks, curves, sweep)", CHECK, ["-n", "1"]),
                                      ("pytest", "pytest plugin", plugin, [])):
        commands = {1: command + one, **{n: command + ["-n", str(n)] for n in sorted({2, cores})}}
        # each command's warm-up run fills the reference cache, the curves' and the sweep's too
        times, ratios = alternating({n: lambda c=c: timed(c, env) for n, c in commands.items()}, repeat)
        speedups = {n: 1 / ratio for n, ratio in ratios.items()}
        for n in commands:
            figures[f"{label}_n{n}_s"], figures[f"{label}_n{n}_speedup"] = times[n], speedups[n]
        print(f"  {what}: " + ", ".join(f"{'one process' if n == 1 else f'-n {n}'} {times[n]:.2f} s (x{speedups[n]:.2f})"
                                        for n in commands))
    figures["critical_path"] = critical_path(env)
    return figures


TASKS = """
import json, sys, time
from nnconf.conformance.run import engine
from nnconf.conformance.reading import loader
from nnconf.conformance.run.cache import Cache
from nnconf.conformance.box.worker import Limits
target = loader.parse_target(["nnconf.impl"])
best = {}
for _ in range(int(sys.argv[1])):
    for task in engine.plan(list(target.suites()), True):
        start = time.perf_counter()
        engine.run_task(target, task, "fast", 0, 10.0, None, False, Limits(), Cache.default())
        best[task] = min(best.get(task, float("inf")), time.perf_counter() - start)
print(json.dumps([[task.kind, task.suite, task.part, seconds] for task, seconds in best.items()]))
"""


def critical_path(env, repeat=3):
    """Each task of the whole run (a suite's checks, a curve, a part of the planar sweep) timed
    alone, warm, the best of ``repeat``: their sum is the one-process work, the longest bounds
    any ``-n N``. The bound of ``-n N``'s speed-up, max(sum / N, longest), is what a machine with
    N idle cores can reach at most (the run's start-up and report aside)."""
    _, result = timed([sys.executable, "-c", TASKS, str(repeat)], env)
    tasks = json.loads(result.stdout.strip().splitlines()[-1])
    total, longest = sum(t[3] for t in tasks), max(tasks, key=lambda t: t[3])
    bounds = {n: total / max(total / n, longest[3]) for n in (2, 4, 8, 16)}
    print(f"  tasks of the whole run, each alone: {total:.2f} s in all, the longest {longest[3]:.2f} s "
          f"({longest[0]} {longest[1]} {longest[2] or ''}); so at most " +
          ", ".join(f"x{b:.1f} at -n {n}" for n, b in bounds.items()))
    return {"tasks": [{"kind": k, "suite": s, "part": p, "s": t} for k, s, p, t in tasks], "total_s": total,
            "longest_s": longest[3], "speedup_bound": {str(n): b for n, b in bounds.items()}}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=os.path.join(ROOT, "bench", "results.json"), help="where to write the figures")
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run, not figures to quote)")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else 7
    cache = tempfile.mkdtemp(prefix="nnconf-bench-cache-")
    env = {**os.environ, "NNCONF_CACHE_DIR": cache}
    results = {"machine": {"python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
                           "cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                           "date": time.strftime("%Y-%m-%d")}}
    print("1. edit-check loop (reference cache cold, then warm)")
    results["edit_check"] = edit_check_loop(env, repeat)
    print("2. parallelism (warm)")
    results["parallelism"] = parallelism(env, repeat)
    print("3. training step of a [784, 128, 64, 10] network against PyTorch eager, one thread")
    results["training_step"] = training_step(repeat)
    print("4. random-direction gradient check of that network (m = 64, float64)")
    results["gradient_check"] = direction_check(repeat)
    with open(args.json, "w") as handle:
        json.dump(results, handle, indent=2)
    print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
