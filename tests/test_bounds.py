"""What a target may use is bounded, and its text is made safe: memory and file size per worker
(``crash.resource`` when hit), the whole run's time (``--max-time``), a private scratch folder as
working directory, HOME and TMPDIR (removed afterwards), an environment without the caller's
secrets, and messages that are valid UTF-8 without control characters."""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

HOSTILE = '''
from nnconf.impl.xor import *
import os
import time
import numpy as np


def affine(W, X, B):
    hoard = np.ones(3 * 2**30 // 8)  # 3 GB, past the default bound of 2 GB
    return W.T @ X + B


def sigmoid(z):
    with open("big.bin", "wb") as handle:  # relative: lands in the worker's scratch folder
        for _ in range(300):
            handle.write(b"x" * 2**20)  # 300 MB, past the default bound of 100 MB
    return 1 / (1 + np.exp(-z))


def binary_cross_entropy(Y, YHat):
    raise ValueError("bad \\udcff surrogate and \\x1b[2J escape; secret " + os.environ.get("NNCONF_TEST_SECRET", "absent")
                     + "; home " + os.environ["HOME"] + "; cwd " + os.getcwd())


def forward_loss(X, Y, params):
    time.sleep(2.5)
    return 0
'''


def run(tmp_path, *args):
    target = tmp_path / "xor.py"
    target.write_text(textwrap.dedent(HOSTILE))
    (tmp_path / "tmp").mkdir(exist_ok=True)  # the run's own TMPDIR: where its workers' scratch folders go
    env = dict(os.environ, NNCONF_TEST_SECRET="hunter2", TMPDIR=str(tmp_path / "tmp"))
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "nnconf", "check", f"xor={target}", "--no-training",
                             "--json", str(tmp_path / "r.json"), *args],
                            cwd=tmp_path, env=env, capture_output=True, timeout=300)
    return result, json.loads((tmp_path / "r.json").read_text(encoding="utf-8")), time.monotonic() - started


def test_bounds_hold_and_text_is_safe(tmp_path):
    result, records, _ = run(tmp_path, "--function", "affine", "--function", "sigmoid",
                             "--function", "binary_cross_entropy")
    assert result.returncode == 1
    errors = {r["function"]: r for r in records if r["status"] == "error"}
    assert errors["affine"]["diagnosis"] == "crash.resource" and "MemoryError" in errors["affine"]["message"]
    assert errors["sigmoid"]["diagnosis"] == "crash.resource" and "too large" in errors["sigmoid"]["message"]
    message = errors["binary_cross_entropy"]["message"]
    assert "\ufffd" in message and "\\x1b[2J" in message and "\x1b" not in message
    assert "secret absent" in message and "hunter2" not in (tmp_path / "r.json").read_text(encoding="utf-8")
    home = message.split("; home ")[1].split(";")[0]  # HOME and cwd: the worker's own scratch folder
    assert home == "/tmp" if errors["binary_cross_entropy"]["sandbox"] == "bwrap" else "nnconf-worker-" in home
    assert b"\x1b" not in result.stdout and "hunter2".encode() not in result.stdout
    assert not (tmp_path / "big.bin").exists()
    assert not glob.glob(str(tmp_path / "tmp" / "nnconf-worker-*"))  # every scratch folder removed


def test_the_whole_run_has_a_time_limit(tmp_path):
    result, records, took = run(tmp_path, "--function", "forward_loss", "--function", "get_gradients",
                                "--function", "optimize", "--timeout", "5", "--max-time", "4")
    assert result.returncode == 1
    assert took < 60
    assert any("--max-time" in r["message"] and r["diagnosis"] == "crash.timeout" for r in records)


def test_no_process_outlives_the_run_and_a_partial_answer_does_not_hang_it(tmp_path):
    marker = f"nnconf-left-behind-{os.getpid()}"
    target = tmp_path / "activations.py"
    target.write_text(textwrap.dedent(f'''
        from nnconf.impl.activations import *
        import os
        import subprocess
        import time
        import numpy as np


        def sigmoid(z):
            subprocess.Popen(["sh", "-c", "sleep 300 # {marker}"])  # a child left behind
            return 1 / (1 + np.exp(-z))


        def tanh(z):
            for fd in range(3, 64):  # a partial answer written straight into the harness's pipe
                try:
                    os.write(fd, (1000).to_bytes(4, "big") + b"abc")
                except OSError:
                    pass
            time.sleep(60)
            return np.tanh(z)
    '''))
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "nnconf", "check", f"activations={target}", "--suite", "activations",
                             "--function", "sigmoid", "--function", "tanh", "--no-training", "--timeout", "3",
                             "--json", str(tmp_path / "r.json")], cwd=tmp_path, capture_output=True, timeout=240)
    assert result.returncode == 1 and time.monotonic() - started < 200
    records = json.loads((tmp_path / "r.json").read_text())
    assert any(r["function"] == "tanh" and r["status"] == "error" for r in records)
    left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    assert not left, f"processes outlived the run: {left}"


def test_a_target_reaches_no_network(tmp_path):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    target = tmp_path / "init.py"
    target.write_text(textwrap.dedent(f'''
        from nnconf.impl.init import *
        import socket


        def initialize_zeros(layer_dims):
            socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"secret")
            return {{}}
    '''))
    result = subprocess.run([sys.executable, "-m", "nnconf", "check", f"init={target}", "--function", "initialize_zeros",
                             "--json", str(tmp_path / "r.json")], cwd=tmp_path, capture_output=True, timeout=240)
    assert result.returncode == 1
    records = json.loads((tmp_path / "r.json").read_text())
    # its own network namespace: no route out (bare namespace), or a loopback of its own (bubblewrap)
    assert any(r["status"] == "error" and ("unreachable" in r["message"].lower() or "refused" in r["message"].lower())
               for r in records), records[:3]
    try:
        connection, _ = listener.accept()
        raise AssertionError(f"the target connected: {connection.recv(16)!r}")
    except socket.timeout:
        pass
    finally:
        listener.close()


def test_a_target_cannot_signal_the_harness(tmp_path):
    target = tmp_path / "shallow.py"
    target.write_text(textwrap.dedent('''
        from nnconf.impl.shallow import *
        import os
        import signal


        def layer_sizes(X, Y):
            os.kill(os.getppid(), signal.SIGKILL)  # the parent it sees is none of the harness's
            return X.shape[0], 4, Y.shape[0]
    '''))
    result = subprocess.run([sys.executable, "-m", "nnconf", "check", f"shallow={target}", "--function", "layer_sizes",
                             "--json", str(tmp_path / "r.json")], cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    records = json.loads((tmp_path / "r.json").read_text())
    assert records and "layer_sizes" in {r["function"] for r in records}


def test_an_answer_forged_by_the_target_runs_no_code_in_the_harness(tmp_path):
    """The target writes a pickle that would run a command when unpickled straight into the
    worker's answer pipe: the harness reads answers as data only, so it is a dead worker."""
    marker = tmp_path / "forged"
    target = tmp_path / "init.py"
    target.write_text(textwrap.dedent(f'''
        from nnconf.impl.init import *
        import os
        import pickle


        class Forged:
            def __reduce__(self):
                # runs wherever it is unpickled; only the harness has NNCONF_HARNESS_MARK in its environment
                return (os.system, ('test -n "$NNCONF_HARNESS_MARK" && touch {marker}',))


        def initialize_zeros(layer_dims):
            payload = pickle.dumps(Forged())
            frame = len(payload).to_bytes(4, "big") + payload
            for fd in range(3, 64):
                try:
                    os.write(fd, frame)
                except OSError:
                    pass
            return {{}}
    '''))
    result = subprocess.run([sys.executable, "-m", "nnconf", "check", f"init={target}", "--function", "initialize_zeros",
                             "--json", str(tmp_path / "r.json")], cwd=tmp_path, capture_output=True, text=True, timeout=240,
                            env=dict(os.environ, NNCONF_HARNESS_MARK="1"))
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert not marker.exists(), "the forged answer ran code in the harness"
    records = json.loads((tmp_path / "r.json").read_text())
    assert any(r["status"] == "error" for r in records)


def test_the_answer_channel_carries_data_and_nothing_else():
    import numpy as np
    import pickle

    from nnconf.conformance.box import channel

    value = {"result": (np.arange(6.0).reshape(2, 3), np.float32(1.5), 2, 0.25, float("nan"), "text", None, True,
                        [np.array([1, 2], dtype=np.int64)], 1 + 2j, np.array([1j])),
             3: {"nested": (channel.Described("Thing", "repr"),)}, "objects": np.array([object()], dtype=object)}
    back = channel.decode(channel.encode(value))
    result = back["result"]
    assert np.array_equal(result[0], value["result"][0]) and result[1] == np.float32(1.5) and result[1].dtype == np.float32
    assert result[2:4] == (2, 0.25) and np.isnan(result[4]) and result[5:8] == ("text", None, True)
    assert np.array_equal(result[8][0], [1, 2]) and result[9] == 1 + 2j and result[10].dtype == np.complex128
    assert back[3]["nested"][0].type_name == "Thing" and isinstance(back["objects"], channel.Described)
    for garbage in (pickle.dumps({"ok": True}), b"\x00\x00\x00\x02{}", b"\x00\x00\x00\x0b{\"x\": [1]}"):
        try:
            channel.decode(garbage)
        except (ValueError, UnicodeDecodeError, IndexError, KeyError, TypeError) as exc:
            assert not isinstance(exc, pickle.UnpicklingError)
        else:
            raise AssertionError(f"{garbage!r} was read as an answer")


def test_a_complex_result_fails(tmp_path):
    from nnconf.conformance.run import engine

    from nnconf.conformance.reading import loader
    (tmp_path / "activations.py").write_text("from nnconf.impl.activations import *\nimport numpy as np\n\n\n"
                                             "def relu(z):\n    return np.maximum(z, 0) + 0j\n")
    records = engine.run(loader.parse_target([str(tmp_path)]), ["activations"], training=False, functions={"relu"})["records"]
    assert any(r["status"] == "fail" and r["diagnosis"] == "type.dtype" and "complex" in r["message"] for r in records)


def test_a_target_that_imports_the_harness_reference_fails(tmp_path):
    """For a teacher, code that calls the harness's own reference is a copied answer."""
    from nnconf.conformance.run import engine

    from nnconf.conformance.reading import loader
    (tmp_path / "deep.py").write_text("from nnconf.impl.deep import *\nfrom nnconf.reference.deep import linear_backward"
                                      " as _answer\nimport torch\n\n\ndef linear_backward(dZ, cache):\n"
                                      "    return _answer(dZ, cache)\n")
    records = engine.run(loader.parse_target([str(tmp_path)]), ["deep"], training=False,
                         functions={"linear_backward", "linear_forward"})["records"]
    copied = [r for r in records if r["function"] == "linear_backward" and r["status"] == "error"]
    assert copied and "harness's reference" in copied[0]["message"] and "ForbiddenImport" in copied[0]["message"]
    assert all(r["status"] == "pass" for r in records if r["function"] == "linear_forward")
    notes = [n for r in records for n in r.get("load_notes", ())]
    assert any("torch" in n for n in notes)


def test_an_unsandboxed_run_says_so_in_terminal_json_and_report(tmp_path):
    """Without bubblewrap the run goes on, and every place its results go says it was not boxed."""
    result = subprocess.run([sys.executable, "-m", "nnconf", "check", "nnconf.impl", "--sandbox", "none", "--function", "relu",
                             "--json", str(tmp_path / "r.json"), "--report", str(tmp_path / "report"), "--quiet"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    assert "NOT SANDBOXED" in result.stderr and "NOT SANDBOXED" in result.stdout  # at the start and in the summary
    records = json.loads((tmp_path / "r.json").read_text())
    assert records and {r["sandbox"] for r in records} == {"none"}
    assert "NOT SANDBOXED" in (tmp_path / "report" / "report.html").read_text(encoding="utf-8")


def test_sandbox_bwrap_without_bubblewrap_is_a_usage_error(tmp_path):
    """--sandbox bwrap where bubblewrap cannot run: exit 2 with what to do, before anything runs."""
    env = {**os.environ, "PATH": os.path.dirname(sys.executable)}  # no bwrap on this PATH
    result = subprocess.run([sys.executable, "-m", "nnconf", "check", "nnconf.impl", "--sandbox", "bwrap", "--function", "relu"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 2
    assert "bubblewrap" in result.stderr and "apt-get install bubblewrap" in result.stderr


def test_a_write_into_an_argument_is_seen_even_when_the_worker_is_told_otherwise(tmp_path):
    """The inputs live in memory the harness owns: patching the worker's own copies and probes in
    place does not hide a write into dZ."""
    (tmp_path / "deep.py").write_text(textwrap.dedent('''
        import copy
        import sys
        import numpy as np



        def linear_backward(dZ, cache):
            copy.deepcopy = lambda value, memo=None: value  # the worker's snapshots would see the write
            probes = sys.modules.get("nnconf.conformance.box.probes")
            if probes is not None:
                probes.call = lambda *args, **kwargs: None  # the table the worker runs from was taken before
            A_prev, W, b = cache
            m = A_prev.shape[1]
            dW = dZ @ A_prev.T / m
            db = np.sum(dZ, axis=1, keepdims=True) / m
            dA_prev = W.T @ dZ
            dZ *= 0  # overwrites its input
            return dA_prev, dW, db
    '''))
    from nnconf.conformance.run import engine

    from nnconf.conformance.reading import loader
    records = engine.run(loader.parse_target([str(tmp_path)]), ["deep"], training=False,
                         functions={"linear_backward"})["records"]
    written = [r for r in records if r["diagnosis"] == "side_effect.mutates_input" and r["status"] in ("fail", "warn")]
    assert written and "dZ" in written[0]["message"], [(r["check"], r["status"], r["message"][:80]) for r in records]


def test_a_hidden_numpy_patch_is_seen_from_the_values(tmp_path):
    """The worker's canary is replaced by one that answers NumPy's untouched values; the worker's
    own namespace is put back before it answers, so the patch is still seen."""
    (tmp_path / "activations.py").write_text(textwrap.dedent('''
        import sys
        import numpy as np


        def relu(z):
            worker = sys.modules.get("nnconf.conformance.box.serve")
            if worker is None:
                worker = sys.modules.get("__main__")  # the worker runs as python -m
            if hasattr(worker, "numpy_canary"):
                clean = worker.numpy_canary()
                worker.numpy_canary = lambda: clean  # the canary would now answer NumPy's untouched values
            np.exp = lambda x: x
            return np.maximum(0, z)
    '''))
    from nnconf.conformance.run import engine

    from nnconf.conformance.reading import loader
    records = engine.run(loader.parse_target([f"activations={tmp_path / 'activations.py'}"]), ["activations"],
                         training=False, functions={"relu"})["records"]
    patched = [r for r in records if r["quantity"] == "numpy" and r["status"] == "fail"]
    assert patched and "numpy.exp" in patched[0]["message"]


def test_a_function_hidden_at_import_is_an_error_not_a_skip(tmp_path):
    """Code that runs at import (a decorator) makes a defined function vanish from the loaded
    module: the files say it is there, so it is an error (a skip would let a wrong target pass)."""
    (tmp_path / "activations.py").write_text(textwrap.dedent('''
        import numpy as np


        def _vanish(fn):
            return None


        @_vanish
        def sigmoid(z):
            return z


        def relu(z):
            return np.maximum(0, z)
    '''))
    result = subprocess.run([sys.executable, "-m", "nnconf", "check", f"activations={tmp_path / 'activations.py'}",
                             "--function", "sigmoid", "--function", "relu", "--json", str(tmp_path / "r.json"), "--quiet"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert result.returncode == 1, result.stdout
    records = json.loads((tmp_path / "r.json").read_text())
    vanished = [r for r in records if r["function"] == "sigmoid" and r["status"] == "error"]
    assert vanished and "activations.py:" in vanished[0]["message"] and "import" in vanished[0]["message"]


# --- the box itself (conformance/box/sandbox.py) ------------------------------------------------------

CATALOG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hostile")


def _boxed():
    import shutil

    from nnconf.conformance.box import sandbox

    try:
        return shutil.which("bwrap") is not None and sandbox.choose("auto").mode == "bwrap"
    except sandbox.SandboxUnavailable:
        return False


def _check_hostile(case, folder, env=None, *args):
    """tests/hostile/<case>.py run as a learner's activations.py in ``folder``: (result, records)."""
    target = folder / "activations.py"
    target.write_bytes(open(os.path.join(CATALOG, f"{case}.py"), "rb").read())
    result = subprocess.run([sys.executable, "-m", "nnconf", "check", f"activations={target}", "--function", "sigmoid",
                             "--no-training", "--json", str(folder / "r.json"), "--quiet", *args],
                            cwd=folder, capture_output=True, text=True, timeout=240, env=env)
    records = json.loads((folder / "r.json").read_text()) if (folder / "r.json").exists() else []
    return result, [r for r in records if r["suite"] == "activations" and r["function"] == "sigmoid"]


@pytest.mark.skipif(not _boxed(), reason="needs bubblewrap's box")
def test_the_box_reaches_no_unix_socket_of_the_host(tmp_path):
    """Sockets the test opens where services keep theirs (/run, /var/tmp): the boxed target finds
    and connects to none (/run and /var are empty in the box, seccomp refuses socket(AF_UNIX))."""
    import secrets
    import socket

    token = secrets.token_hex(8)
    listeners = []
    for folder in ("/run", "/var/tmp"):
        if os.path.isdir(folder) and os.access(folder, os.W_OK):
            listener = socket.socket(socket.AF_UNIX)
            listener.bind(os.path.join(folder, f"nnconf-test-{token}.sock"))
            listener.listen(4)
            listener.setblocking(False)
            listeners.append(listener)
    assert listeners, "no folder to open a socket in"
    (tmp_path / "sockets.txt").write_text("".join(f"{l.getsockname()}\n" for l in listeners))
    try:
        result, mine = _check_hostile("box_host_sockets", tmp_path)
        for listener in listeners:
            try:
                connection, _ = listener.accept()
                raise AssertionError(f"the target connected to {listener.getsockname()}: {connection.recv(64)!r}")
            except BlockingIOError:
                pass
    finally:
        for listener in listeners:
            os.unlink(listener.getsockname())
            listener.close()
    assert result.returncode == 1, result.stdout + result.stderr
    assert mine and mine[0]["diagnosis"] == "crash.exception" and mine[0]["sandbox"] == "bwrap", mine
    assert "HOSTILE-SUCCEEDED" not in result.stdout + result.stderr + json.dumps(mine)
    assert f"nnconf-test-{token}.sock" in mine[0]["message"]  # it did try them


@pytest.mark.skipif(not _boxed(), reason="needs bubblewrap's box")
def test_a_home_under_tmp_is_boxed_and_masked(tmp_path):
    """HOME inside /tmp (where bubblewrap puts the worker's own tmpfs): the run is boxed all the
    same, and the keys in that HOME stay out of reach."""
    home = tmp_path / "nnconf-hostile-home"  # secret_home.py looks for keys in such a folder
    (home / ".ssh").mkdir(parents=True)
    secret = "sshKeyUnderTmp" + os.urandom(6).hex()
    (home / ".ssh" / "id_rsa").write_text(secret)
    work = home / "work"
    work.mkdir()
    cache = os.path.join(os.path.expanduser("~"), ".cache", "nnconf")  # warm, and outside the HOME under test
    env = {**os.environ, "HOME": str(home), "NNCONF_CACHE_DIR": os.environ.get("NNCONF_CACHE_DIR", cache)}
    env.pop("NNCONF_SANDBOX", None)
    result, mine = _check_hostile("secret_home", work, env)
    assert "NOT SANDBOXED" not in result.stdout + result.stderr, result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    assert mine and {r["sandbox"] for r in mine} == {"bwrap"} and mine[0]["status"] in ("fail", "error"), mine
    assert secret not in result.stdout + result.stderr + (work / "r.json").read_text()


def test_a_bubblewrap_that_fails_stops_the_run_with_its_reason(tmp_path):
    """bubblewrap installed but unable to box (here a stand-in that fails as bwrap does without
    user namespaces): exit 2 with bwrap's own words, never an unboxed run or "install bubblewrap"."""
    said = "bwrap: No permissions to creating new namespace, likely because the kernel does not allow it"
    (tmp_path / "bin").mkdir()
    fake = tmp_path / "bin" / "bwrap"
    fake.write_text(f"#!/bin/sh\necho '{said}' >&2\nexit 1\n")
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.path.dirname(sys.executable)}:/usr/bin:/bin"}
    env.pop("NNCONF_SANDBOX", None)
    for mode in ((), ("--sandbox", "auto"), ("--sandbox", "bwrap")):
        result = subprocess.run([sys.executable, "-m", "nnconf", "check", "nnconf.impl", "--function", "relu", *mode,
                                 "--json", str(tmp_path / "r.json")],
                                cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
        assert result.returncode == 2, (mode, result.stdout, result.stderr)
        assert said in result.stderr and "--sandbox none" in result.stderr, result.stderr
        assert "NOT SANDBOXED" not in result.stdout + result.stderr and "apt-get install" not in result.stderr
        assert not (tmp_path / "r.json").exists()  # nothing ran


def test_the_seccomp_program_is_well_formed():
    """One program per known architecture: whole BPF instructions, every jump inside it, ending in
    allow, refuse (EPERM) and absent (ENOSYS); an unknown architecture gets none (the box holds
    without it: namespaces, read-only mounts, no capability)."""
    import struct

    from nnconf.conformance.box import sandbox

    assert sandbox.seccomp_program("riscv64") is None
    for machine in sandbox.REFUSED:
        program = sandbox.seccomp_program(machine)
        assert len(program) % 8 == 0 and len(program) // 8 < 256
        steps = [struct.unpack("=HBBI", program[i:i + 8]) for i in range(0, len(program), 8)]
        assert steps[-3:] == [(0x06, 0, 0, 0x7FFF0000), (0x06, 0, 0, 0x00050001), (0x06, 0, 0, 0x00050026)]
        assert all(i + 1 + max(jt, jf) < len(steps) for i, (code, jt, jf, _) in enumerate(steps) if code & 0x07 == 0x05)


@pytest.mark.skipif(not _boxed(), reason="needs bubblewrap's box")
def test_a_tree_that_is_home_itself_keeps_its_keys_hidden(tmp_path):
    """``nnconf check ~/activations.py``: the tree bound back into the box is HOME itself, and the
    credential folders in it (~/.ssh, ~/.aws) are hidden again (sandbox.SECRET_NAMES)."""
    base = os.environ.get("NNCONF_HOSTILE_ROOT", "/var/tmp")  # outside /tmp, where a real HOME would be
    home = Path(tempfile.mkdtemp(prefix="nnconf-hostile-", dir=base))
    try:
        secret = "sshKeyInTree" + os.urandom(6).hex()
        (home / ".ssh").mkdir()
        (home / ".ssh" / "id_rsa").write_text(secret)
        (home / ".aws").mkdir()
        (home / ".aws" / "credentials").write_text(secret)
        env = {**os.environ, "HOME": str(home)}
        env.pop("NNCONF_SANDBOX", None)
        result, mine = _check_hostile("secret_home", home, env)
        assert result.returncode == 1, result.stdout + result.stderr
        assert mine and {r["sandbox"] for r in mine} == {"bwrap"}, mine
        assert secret not in result.stdout + result.stderr + (home / "r.json").read_text()
    finally:
        shutil.rmtree(home, ignore_errors=True)
