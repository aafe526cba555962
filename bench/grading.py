"""Benchmark of grading a class (``nnconf grade``), every figure beside a peer measured in the same run.

    python bench/grading.py [--students 50] [--json bench/grading.json]      (make bench-grade)

A class of course notebooks (W4A1, "Building your Deep Neural Network: Step by Step", as the
2021+ course ships it, with its helper files), one student in five with a known bug patched into
a cell. Measured, with the reference cache warm (as it is after the first submission):

1. ``nnconf grade`` of the whole class, in one process and with ``-n`` 2, against the same
   submissions checked by as many separate ``nnconf check --report DIR --json FILE`` runs, one
   after the other (what a teacher's shell loop does, with the same outputs per student);
2. per submission: ``nnconf grade`` in one process against executing the same notebook with its
   own test cells through nbclient on a fresh kernel, as nbgrader's autograde does;
3. a second ``nnconf grade`` of the unchanged class (nothing to re-check).
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))  # the course notebooks' builder (tests/real_code)

NOTEBOOK = "Building_your_Deep_Neural_Network_Step_by_Step.ipynb"
BUGS = [("linear_backward", "dW = 1 / m * np.dot(dZ, A_prev.T)", "dW = np.dot(dZ, A_prev.T)"),
        ("linear_forward", "Z = np.dot(W, A) + b", "Z = np.dot(W, A)")]


def build_class(folder, students):
    """``folder/helpers`` and ``folder/submissions/<student>/<notebook>`` (flat layout)."""
    from real_code import notebooks

    notebook, _ = notebooks.build_w4a1(os.path.join(folder, "course"), os.path.join(folder, "marker"))
    helpers = os.path.join(folder, "helpers")
    os.makedirs(helpers)
    for name in os.listdir(os.path.dirname(notebook)):
        path = os.path.join(os.path.dirname(notebook), name)
        if os.path.isfile(path) and not name.endswith(".ipynb"):
            shutil.copy(path, helpers)
    submissions = os.path.join(folder, "submissions")
    for i in range(students):
        own = os.path.join(submissions, f"student{i:03d}")
        os.makedirs(own)
        shutil.copy(notebook, os.path.join(own, NOTEBOOK))
        if i % 5 == 4:
            _patch(os.path.join(own, NOTEBOOK), *BUGS[(i // 5) % len(BUGS)])
    return submissions, helpers


def _patch(path, function, old, new):
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    for cell in data["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and f"def {function}(" in source and old in source:
            cell["source"] = source.replace(old, new)
            break
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle)


def timed(argv, env, cwd=None):
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(argv)}: exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def separate_checks(submissions, helpers, env, work):
    """Each student's folder (the notebook and the helper files beside it) checked by its own
    ``nnconf check`` run; the total time."""
    nnconf = os.path.join(os.path.dirname(sys.executable), "nnconf")
    total = 0.0
    for student in sorted(os.listdir(submissions)):
        folder = os.path.join(work, student)
        shutil.copytree(os.path.join(submissions, student), folder)
        for name in os.listdir(helpers):
            shutil.copy(os.path.join(helpers, name), folder)
        total += timed([nnconf, "check", folder, "--quiet", "--report", os.path.join(work, f"{student}-report"),
                        "--json", os.path.join(work, f"{student}.json")], env, cwd=work)
    return total


def grade(submissions, helpers, env, out, jobs):
    nnconf = os.path.join(os.path.dirname(sys.executable), "nnconf")
    return timed([nnconf, "grade", submissions, "--out", out, "--helpers", helpers, "-n", str(jobs), "--quiet"], env)


def execute_notebook(path, helpers, work):
    """The notebook executed with its own test cells on a fresh kernel (nbclient), in a folder
    with the helper files, as nbgrader's autograde does; seconds, kernel start included."""
    import nbclient
    import nbformat

    folder = tempfile.mkdtemp(dir=work)
    for name in os.listdir(helpers):
        shutil.copy(os.path.join(helpers, name), folder)
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": folder}}).execute()
    return time.perf_counter() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--executed", type=int, default=5, help="notebooks executed through nbclient (default 5)")
    parser.add_argument("--json", default=os.path.join(ROOT, "bench", "grading.json"))
    args = parser.parse_args(argv)
    work = tempfile.mkdtemp(prefix="nnconf-bench-grade-")
    env = {**os.environ, "NNCONF_CACHE_DIR": os.path.join(work, "cache"), "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    submissions, helpers = build_class(work, args.students)
    n = args.students
    print(f"a class of {n} W4A1 notebooks ({n // 5} with a known bug), {os.cpu_count()} cores")
    grade(submissions, helpers, env, os.path.join(work, "warm"), 1)  # the reference cache filled once
    separate = separate_checks(submissions, helpers, env, os.path.join(work, "separate"))
    one = grade(submissions, helpers, env, os.path.join(work, "one"), 1)
    two = grade(submissions, helpers, env, os.path.join(work, "two"), 2)
    again = grade(submissions, helpers, env, os.path.join(work, "two"), 2)
    print(f"1. {n} separate `nnconf check` runs {separate:.1f} s; `nnconf grade` in one process {one:.1f} s "
          f"(x{one / separate:.2f} of separate), -n 2 {two:.1f} s (x{two / separate:.2f}; x{two / one:.2f} of one "
          f"process)")
    executed = [execute_notebook(os.path.join(submissions, s, NOTEBOOK), helpers, work)
                for s in sorted(os.listdir(submissions))[: args.executed]]
    per_execution = statistics.median(executed)
    per_check = one / n
    print(f"2. per submission: checked by `nnconf grade` {per_check:.2f} s (one process), executed with its test "
          f"cells by nbclient {per_execution:.2f} s (median of {len(executed)}); ratio {per_check / per_execution:.2f}")
    print(f"3. the unchanged class graded again: {again:.1f} s (x{again / two:.2f} of the first -n 2 run)")
    results = {"machine": {"python": platform.python_version(), "cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d"),
                           "cpu": platform.processor() or platform.machine()},
               "students": n, "separate_checks_s": separate, "grade_one_process_s": one, "grade_n2_s": two,
               "grade_again_s": again, "per_submission_check_s": per_check, "per_submission_execute_s": per_execution,
               "executions_s": executed}
    with open(args.json, "w") as handle:
        json.dump(results, handle, indent=2)
    shutil.rmtree(work, ignore_errors=True)
    print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
