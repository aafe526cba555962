"""Benchmarks of the harness: measured figures, each beside a peer measured in the same run.

    python bench/benchmark.py            (make bench)

1. The random-direction gradient check of a [784, 128, 64, 10] network (the bundled deep suite)
   against ``torch.autograd.gradcheck(fast_mode=True)`` on the same network written in PyTorch.
2. The whole default conformance run of the bundled implementation, every suite, as the CLI
   runs it, with 1 and with 2 job processes; and the same checks through the pytest plugin with
   1 and with 2 xdist workers.
"""

import os
import subprocess
import sys
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from nnconf.conformance import probes  # noqa: E402
from nnconf.impl import deep as impl_deep  # noqa: E402


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def direction_check():
    rng = np.random.default_rng(0)
    dims, m = [784, 128, 64, 10], 64
    params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) * np.sqrt(2 / dims[l - 1])
        params[f"b{l}"] = np.zeros((dims[l], 1))
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((dims[-1], m)) < 0.5).astype(float)
    ours = best_of(lambda: probes.fd_directions(impl_deep, "deep", (X, Y), params, seed=0))

    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    tensors = [torch.from_numpy(params[f"{k}{l}"]).requires_grad_() for l in range(1, 4) for k in "Wb"]

    def cost(*ps):
        A = Xt
        for l in range(3):
            Z = ps[2 * l] @ A + ps[2 * l + 1]
            A = torch.relu(Z) if l < 2 else Z
        return torch.nn.functional.binary_cross_entropy_with_logits(A, Yt, reduction="sum") / m

    peer = best_of(lambda: torch.autograd.gradcheck(cost, tensors, fast_mode=True), repeat=3)
    n = sum(v.size for v in params.values())
    print(f"random-direction check, [784, 128, 64, 10] network ({n} parameters, m = {m}):")
    print(f"  nnconf (7 directions: one per tensor + all at once)   {ours * 1000:8.1f} ms")
    print(f"  torch.autograd.gradcheck(fast_mode=True)              {peer * 1000:8.1f} ms")
    print(f"  ratio nnconf / gradcheck                              {ours / peer:8.3f}")


def timed(command):
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    return time.perf_counter() - start, result


def whole_run():
    cli, result = timed([sys.executable, "-m", "nnconf", "check", "--quiet", "--no-training"])
    print("whole default conformance run of the bundled implementation (every suite):")
    print(f"  CLI, checks only                                      {cli:8.1f} s  [{result.stdout.strip().splitlines()[-1]}]")
    full, result = timed([sys.executable, "-m", "nnconf", "check", "--quiet"])
    print(f"  CLI, checks + training curves + planar sweep          {full:8.1f} s")
    parallel, result = timed([sys.executable, "-m", "nnconf", "check", "--quiet", "-n", "2"])
    print(f"  the same with -n 2                                    {parallel:8.1f} s  (speed-up {full / parallel:.2f}x)")
    one, _ = timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--pyargs", "nnconf.conformance.checks"])
    two, _ = timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--pyargs", "nnconf.conformance.checks"])
    print(f"  pytest plugin, 1 process                              {one:8.1f} s")
    print(f"  pytest plugin, -n 2                                   {two:8.1f} s  (speed-up {one / two:.2f}x)")


if __name__ == "__main__":
    direction_check()
    whole_run()
