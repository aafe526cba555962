"""A worker stays one thread that nothing interrupts (serve._alone, sandbox.SERVING, shared.View),
and a skip the worker reports is held against what the harness knows itself (engine._plausible_skip).

The seccomp programs are run here by a small interpreter of the classic BPF they are made of, on
the system calls that matter; then real runs, boxed and not, show the kernel holding them.
"""

import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from nnconf.conformance.box import probes, sandbox
from nnconf.conformance.box.probes import layers
from nnconf.conformance.box.protocol import Outcome, probe_name
from nnconf.conformance.run import engine

CATALOG = Path(__file__).parent / "hostile"
ALLOW, EPERM, ENOSYS = "allow", "EPERM", "ENOSYS"
AF_UNIX, AF_INET = 1, 2
CLONE_VM, CLONE_VFORK, CLONE_THREAD, CLONE_NEWUSER, SIGCHLD = 0x100, 0x4000, 0x10000, 0x10000000, 17
THREAD = CLONE_VM | CLONE_THREAD | 0x3D0F00  # what glibc's pthread_create passes (CLONE_VM, FS, FILES, SIGHAND, ...)


def run_bpf(program, nr, arch, arg0=0):
    """What the classic BPF ``program`` answers for one system call (seccomp_data: nr, arch, args)."""
    data = struct.pack("=iIQ6Q", nr, arch, 0, arg0, 0, 0, 0, 0, 0)
    steps = [struct.unpack("=HBBI", program[i:i + 8]) for i in range(0, len(program), 8)]
    accumulator, pc = 0, 0
    while True:
        code, jt, jf, k = steps[pc]
        if code == 0x20:  # BPF_LD | BPF_W | BPF_ABS
            (accumulator,) = struct.unpack_from("=I", data, k)
            pc += 1
        elif code in (0x15, 0x35, 0x45):  # JEQ, JGE, JSET (BPF_K)
            holds = {0x15: accumulator == k, 0x35: accumulator >= k, 0x45: bool(accumulator & k)}[code]
            pc += 1 + (jt if holds else jf)
        elif code == 0x06:  # BPF_RET | BPF_K
            return {0x7FFF0000: ALLOW, 0x00050001: EPERM, 0x00050026: ENOSYS}[k]
        else:
            raise AssertionError(f"an instruction the programs do not use: {code:#x}")


@pytest.mark.parametrize("machine", sorted(sandbox.SERVING))
def test_the_serving_filter_refuses_threads_and_handlers_and_allows_processes(machine):
    program = sandbox.serving_program(machine)
    table, arch = sandbox.SERVING[machine], sandbox.SERVING[machine]["arch"]
    clone, sigaction = table["clone"], table["calls"]["rt_sigaction"]
    assert run_bpf(program, clone, arch, THREAD) == EPERM  # a thread
    assert run_bpf(program, clone, arch, CLONE_VM | SIGCHLD) == EPERM  # a child sharing the memory
    assert run_bpf(program, clone, arch, SIGCHLD) == ALLOW  # fork
    assert run_bpf(program, clone, arch, CLONE_VM | CLONE_VFORK | SIGCHLD) == ALLOW  # vfork, posix_spawn
    assert run_bpf(program, sigaction, arch) == EPERM
    assert run_bpf(program, table["clone3"], arch) == ENOSYS  # the C library falls back to clone
    assert run_bpf(program, 0, arch) == ALLOW and run_bpf(program, 1, arch) == ALLOW  # read, write (or io_setup)
    assert run_bpf(program, sigaction, 0x40000003) == EPERM  # another architecture (i386): refused whatever it is
    if table["x32"]:
        assert run_bpf(program, 0x40000000 | 13, arch) == EPERM


@pytest.mark.parametrize("machine", sorted(sandbox.REFUSED))
def test_the_box_filter_still_decides_by_its_table(machine):
    """The box's program, now built by the same function as the worker's."""
    program = sandbox.seccomp_program(machine)
    table, arch = sandbox.REFUSED[machine], sandbox.REFUSED[machine]["arch"]
    assert run_bpf(program, table["socket"], arch, AF_UNIX) == EPERM
    assert run_bpf(program, table["socket"], arch, AF_INET) == ALLOW
    assert run_bpf(program, table["clone"], arch, CLONE_NEWUSER | SIGCHLD) == EPERM
    assert run_bpf(program, table["clone"], arch, THREAD) == ALLOW  # threads: the worker's own filter refuses them
    assert run_bpf(program, table["clone3"], arch) == ENOSYS
    for nr in table["calls"].values():
        assert run_bpf(program, nr, arch) == EPERM
    assert run_bpf(program, 0, arch) == ALLOW


def _modes():
    modes = [pytest.param("none", id="unboxed")]
    boxed = shutil.which("bwrap") is not None
    if boxed:
        try:
            boxed = sandbox.choose("auto").mode == "bwrap"
        except sandbox.SandboxUnavailable:
            boxed = False
    modes.append(pytest.param("bwrap", id="boxed", marks=pytest.mark.skipif(not boxed, reason="needs bubblewrap")))
    return modes


def _check(folder, source, mode, *args):
    (folder / "activations.py").write_text(source)
    result = subprocess.run([sys.executable, "-m", "nnconf", "check", str(folder), "--function", "sigmoid",
                             "--sandbox", mode, "--no-training", "--json", str(folder / "r.json"), "--quiet", *args],
                            cwd=folder, capture_output=True, text=True, timeout=240)
    records = json.loads((folder / "r.json").read_text()) if (folder / "r.json").exists() else []
    return result, [r for r in records if r["function"] == "sigmoid"]


@pytest.mark.parametrize("mode", _modes())
@pytest.mark.parametrize("case", ["thread_undo_mutation", "signal_undo_mutation", "fork_undo_mutation"])
def test_no_code_of_the_target_undoes_a_write_before_the_harness_looks(tmp_path, mode, case):
    """The hostile cases that undo a write from a thread, a timer's handler or a child, unboxed as
    well as boxed (the worker installs its filter itself): the write is seen."""
    result, mine = _check(tmp_path, (CATALOG / f"{case}.py").read_text(), mode, "--strict")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "side_effect.mutates_input" in {r["diagnosis"] for r in mine}, mine


CORRECT_BUT_BUSY = '''
import os
import signal
import threading

import numpy as np


def sigmoid(z):
    try:  # a progress bar's monitor thread: a library that starts one for show goes on without it
        threading.Thread(target=lambda: None, daemon=True).start()
    except RuntimeError:
        pass
    try:
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    except OSError:
        pass
    pid = os.fork()  # a process of its own still runs
    if pid == 0:
        os._exit(7)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 7
    return 1 / (1 + np.exp(-z))
'''


@pytest.mark.parametrize("mode", _modes())
def test_a_correct_function_that_tries_a_thread_still_passes(tmp_path, mode):
    result, mine = _check(tmp_path, CORRECT_BUT_BUSY, mode)
    assert result.returncode == 0, result.stdout + result.stderr
    assert mine and {r["status"] for r in mine} <= {"pass", "skip", "note"}, mine


# --- a precondition is held against what the harness knows --------------------------------------


def _worker(clean=()):
    return SimpleNamespace(broken=set(), clean=set(clean), target=None)


def _precondition(probe, needs):
    return Outcome(False, error_type="Precondition", condition="precondition", needs=needs, asked=probe_name(probe))


def _contract(name, suite="deep"):
    return SimpleNamespace(name=name, suite=suite)


def test_a_precondition_counts_where_the_function_it_waits_for_failed():
    outcome = _precondition(probes.chain_deep_backward, "L_model_forward")
    backward = _contract("L_model_backward")
    assert engine._plausible_skip(_worker(), backward, outcome)  # it failed, was skipped or not checked here
    assert engine._plausible_skip(_worker({"linear_forward"}), backward, outcome)


def test_a_precondition_does_not_count_where_the_function_it_waits_for_passed():
    outcome = _precondition(probes.chain_deep_backward, "L_model_forward")
    assert not engine._plausible_skip(_worker({"L_model_forward"}), _contract("L_model_backward"), outcome)


def test_a_precondition_does_not_count_from_a_probe_that_builds_on_nothing():
    """A plain call never waits for another function: a precondition there is the target's forgery
    (its own code calling the harness's, or a frame written on the socket)."""
    outcome = _precondition(probes.call, "L_model_forward")
    assert not engine._plausible_skip(_worker(), _contract("L_model_backward"), outcome)


def test_a_precondition_does_not_count_for_a_function_that_waits_for_another():
    outcome = _precondition(layers.net_call_probe, "TwoLayerNet.__init__")
    assert not engine._plausible_skip(_worker(), _contract("linear_backward"), outcome)
    net = _contract("TwoLayerNet.gradient", "layers")
    assert engine._plausible_skip(_worker(), net, outcome)
    assert not engine._plausible_skip(_worker({"TwoLayerNet.__init__"}), net, outcome)
    forged = _precondition(layers.net_call_probe, "L_model_forward")
    assert not engine._plausible_skip(_worker(), net, forged)


def test_a_step_the_harness_finds_not_applicable_counts_unless_the_step_before_passed():
    """The harness's own skip, from data (a layer's backward after its forward failed): it holds
    where that forward did not pass its own checks."""
    from nnconf.conformance.box.protocol import NOT_APPLICABLE

    outcome = Outcome(False, error_type="Precondition", condition=NOT_APPLICABLE, needs="Affine.forward")
    assert engine._plausible_skip(_worker(), _contract("Affine.backward", "layers"), outcome)
    assert not engine._plausible_skip(_worker({"Affine.forward"}), _contract("Affine.backward", "layers"), outcome)
    book = Outcome(False, error_type="Precondition", condition=NOT_APPLICABLE)  # the book's chapter-4 net
    assert engine._plausible_skip(_worker(), _contract("TwoLayerNet.gradient", "layers"), book)


def test_the_worker_cannot_say_which_probe_it_ran():
    """``asked`` is the harness's: an answer that carries one is read without it."""
    from nnconf.conformance.box import channel, worker

    data = channel.encode({"ok": False, "error_type": "Precondition", "condition": "precondition",
                           "needs": "L_model_forward", "asked": probe_name(probes.chain_deep_backward)})
    assert worker._read_outcome(data).asked is None


ALIAS_WITHOUT_HELPERS = '''
import numpy as np
from dnn_utils_not_committed import sigmoid, relu


def linear_forward(A, W, b):
    return W @ A + b, (A, W, b)


def L_Model_Forward(X, parameters):
    caches, A, L = [], X, len(parameters) // 2
    for l in range(1, L):
        Z, linear_cache = linear_forward(A, parameters["W" + str(l)], parameters["b" + str(l)])
        A, activation_cache = relu(Z)
        caches.append((linear_cache, activation_cache))
    Z, linear_cache = linear_forward(A, parameters["W" + str(L)], parameters["b" + str(L)])
    AL, activation_cache = sigmoid(Z)
    caches.append((linear_cache, activation_cache))
    return AL, caches
'''


def test_a_function_under_an_older_name_keeps_its_skip_for_a_missing_helper(tmp_path):
    """``L_Model_Forward`` (an older name of the documents) reaches ``relu`` of a helper file that
    was not committed: a skip that says so, as for ``L_model_forward``, never an error."""
    (tmp_path / "deep.py").write_text(ALIAS_WITHOUT_HELPERS)
    result = subprocess.run([sys.executable, "-m", "nnconf", "check", str(tmp_path / "deep.py"), "--function",
                             "L_model_forward", "--no-training", "--json", str(tmp_path / "r.json"), "--quiet"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    mine = [r for r in json.loads((tmp_path / "r.json").read_text()) if r["function"] == "L_model_forward"]
    assert mine and {r["status"] for r in mine} <= {"skip", "note"}, mine
    assert any("`relu` is not available" in r["message"] for r in mine), mine


NOTEBOOK_FORK_UNDO = '''
import mmap
import os

import numpy as np

import nnconf


def sigmoid(z):
    s = 1 / (1 + np.exp(-z))
    base = z.base
    if base is None or isinstance(base, np.ndarray):
        return s
    offset = z.__array_interface__["data"][0] - np.frombuffer(base, dtype=np.uint8).__array_interface__["data"][0]
    data = z.tobytes()
    z[...] = 0  # the caller's z is gone
    if os.fork() == 0:  # a child puts it back through any descriptor of the harness's memory it holds
        for name in os.listdir("/proc/self/fd"):
            try:
                if "nnconf-inputs" in os.readlink(f"/proc/self/fd/{name}"):
                    mmap.mmap(int(name), 0)[offset:offset + len(data)] = data
            except (OSError, ValueError):
                pass
        os._exit(0)
    os.wait()
    return s


result = nnconf.check(sigmoid, suite="activations", show=False)
print("DIAGNOSES", repr(result))
'''


def test_the_notebook_doors_forked_worker_holds_no_descriptor_of_the_inputs(tmp_path):
    """Unboxed, the notebook door forks its worker from the kernel, which holds the harness's
    shared memory: the worker closes every descriptor but its socket, so a child of the target's
    cannot map that memory again and undo a write."""
    (tmp_path / "kernel.py").write_text(NOTEBOOK_FORK_UNDO)
    env = {**os.environ, "NNCONF_SANDBOX": "none"}
    result = subprocess.run([sys.executable, str(tmp_path / "kernel.py")], cwd=tmp_path, capture_output=True,
                            text=True, timeout=240, env=env)
    assert "DIAGNOSES" in result.stdout, result.stdout + result.stderr
    assert "side_effect.mutates_input" in result.stdout, result.stdout + result.stderr
