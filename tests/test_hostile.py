"""The hostile catalog (tests/hostile/): each module attacks the harness from the code under check.

Every module is run through the command line as a learner's file of its suite, in a fresh folder
inside a fake HOME (outside /tmp, where a real HOME would be: visible, read-only, in the box), with
secrets in that HOME and in the environment, a TCP and an abstract-socket listener open, and the
test process a child subreaper. Whatever the module attempts, the run must end in time with the
exit code and diagnosis the module declares, write a valid JSON and report, leak no secret, change
nothing outside its outputs, reach no listener and leave no process or control group behind.

The modules are hostile: their constants are read with ``ast``, never by importing them.
"""

import ast
import ctypes
import glob
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pytest

import nnconf
import nnconf.conformance

CATALOG = Path(__file__).parent / "hostile"
# a case is a module (the learner's file of its suite) or a folder (the learner's work folder: its
# files, and ``case.py`` with the constants, which is not copied)
CASES = sorted([p.stem for p in CATALOG.glob("*.py") if not p.name.startswith("_")]
               + [p.name for p in CATALOG.iterdir() if p.is_dir() and (p / "case.py").is_file()])
SUCCEEDED = "HOSTILE-SUCCEEDED"  # a module that finds its attack worked says so in whatever it can
PACKAGES = sorted({os.path.dirname(nnconf.__file__), os.path.dirname(nnconf.conformance.__file__)})
SUBPROCESS_TIMEOUT = 240
PR_SET_CHILD_SUBREAPER = 36
KNOWN = ("SUITE", "FUNCTION", "DIAGNOSIS", "EXIT", "ARGS", "RECORD", "STATUS", "CLEAN", "NEEDS_BWRAP", "MAX_SECONDS", "XFAIL",
         "XFAIL_MATCH", "TARGET", "LINKS", "IMPORTABLE", "STDERR")


def constants(path):
    """The module's upper-case constants, read from its syntax (the module itself never runs here)."""
    found = {}
    for node in ast.parse(Path(path).read_text(encoding="utf-8"), filename=str(path)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in KNOWN:
                found[name] = ast.literal_eval(node.value)
    missing = {"SUITE", "FUNCTION"} - set(found)
    assert not missing, f"{path.name} lacks {sorted(missing)}"
    found.setdefault("EXIT", 1)
    found.setdefault("DIAGNOSIS", None)
    found.setdefault("ARGS", [])
    found.setdefault("RECORD", found["FUNCTION"])
    found.setdefault("STATUS", ("fail", "error"))
    found.setdefault("CLEAN", ())
    found.setdefault("NEEDS_BWRAP", False)
    found.setdefault("MAX_SECONDS", 60)
    found.setdefault("TARGET", ".")  # a folder case: what the command names, from inside the work folder
    found.setdefault("LINKS", {})  # a folder case: links made in the work folder, name -> where they point
    found.setdefault("IMPORTABLE", False)  # a folder case: the work folder on PYTHONPATH (a package named by name)
    found.setdefault("STDERR", None)  # text the run must say on stderr (a usage error, exit 2, writes no results)
    if isinstance(found["DIAGNOSIS"], str):
        found["DIAGNOSIS"] = (found["DIAGNOSIS"],)
    for key in ("RECORD", "STATUS"):
        if isinstance(found[key], str):
            found[key] = (found[key],)
    return found


def _boxed():
    from nnconf.conformance.box import sandbox

    try:
        return shutil.which("bwrap") is not None and sandbox.choose("auto").mode == "bwrap"
    except sandbox.SandboxUnavailable:  # installed but failing: the runs stop with its message
        return False


def _case_file(name):
    """The module of a case, or the ``case.py`` of a folder case."""
    return CATALOG / name / "case.py" if (CATALOG / name).is_dir() else CATALOG / f"{name}.py"


def _params():
    params = []
    for name in CASES:
        found = constants(_case_file(name))
        marks = []
        if found["NEEDS_BWRAP"]:
            marks.append(pytest.mark.skipif(not _boxed(), reason="needs bubblewrap's box, which cannot run here "
                                                                 "(the run says NOT SANDBOXED; tests/test_bounds.py checks that)"))
        if found.get("XFAIL"):
            marks.append(pytest.mark.xfail(strict=True, raises=AssertionError, reason=found["XFAIL"]))
        params.append(pytest.param(name, marks=marks, id=name))
    return params


# --- the world around a run -----------------------------------------------------------------


def _base():
    """Where the fake HOME goes: outside /tmp (the box hides /tmp; a real HOME is never there)."""
    for candidate in (os.environ.get("NNCONF_HOSTILE_ROOT"), "/var/tmp", tempfile.gettempdir()):
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK | os.X_OK):
            return candidate
    return None


def snapshot(folder, skip=()):
    """{relative path: sha256 (or the link's target)} of every file under ``folder``, without
    __pycache__ (the harness itself may refresh it) and without the paths in ``skip``."""
    found = {}
    folder = Path(folder)
    if not folder.exists():
        return found
    for where, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__" and Path(where, d) not in skip]
        for name in files:
            path = Path(where, name)
            if path in skip:
                continue
            key = str(path.relative_to(folder))
            if path.is_symlink():
                found[key] = "link:" + os.readlink(path)
            else:
                try:
                    found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError as exc:
                    found[key] = f"unreadable: {exc}"
    return found


def changes(before, after):
    return sorted({k for k in set(before) | set(after) if before.get(k) != after.get(k)})


def _stat(pid):
    """(state, ppid, command) of a process, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rest = text[text.rindex(")") + 2:].split()
    return rest[0], int(rest[1]), text[text.index("(") + 1:text.rindex(")")]


def children(of):
    """PIDs whose parent is ``of`` and that are not zombies (a zombie is reaped, not counted)."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = _stat(int(entry))
        if stat is None or stat[1] != of:
            continue
        if stat[0] == "Z":
            try:
                os.waitpid(int(entry), os.WNOHANG)
            except ChildProcessError:
                pass
            continue
        found.add(int(entry))
    return found


def cgroups_of(pid):
    """Control-group folders the harness (process ``pid``) made for its workers."""
    found = []
    for root in ("/sys/fs/cgroup", "/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory"):
        found += glob.glob(f"{root}/**/nnconf-{pid}-*", recursive=True) if os.path.isdir(root) else []
    return sorted(set(found))


def _site_names():
    """Names in the folders of sys.path (a .pth file dropped there would run in every Python)."""
    names = set()
    for folder in sys.path:
        if folder and os.path.isdir(folder):
            names.update(os.path.join(folder, n) for n in os.listdir(folder))
    return names


class Listeners:
    """A TCP listener on 127.0.0.1 and an abstract unix socket: nothing of the target may arrive."""

    def __init__(self, token):
        self.tcp = socket.socket()
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(8)
        self.tcp.setblocking(False)
        self.unix = socket.socket(socket.AF_UNIX)
        self.unix_name = f"nnconf-hostile-{token}"
        self.unix.bind("\0" + self.unix_name)
        self.unix.listen(8)
        self.unix.setblocking(False)
        self.port = self.tcp.getsockname()[1]

    def arrived(self):
        got = []
        for listener in (self.tcp, self.unix):
            try:
                connection, _ = listener.accept()
            except (BlockingIOError, OSError):
                continue
            connection.settimeout(0.5)
            try:
                got.append(connection.recv(200))
            except OSError:
                got.append(b"<connected>")
            connection.close()
        return got

    def close(self):
        self.tcp.close()
        self.unix.close()


@pytest.fixture(scope="module", autouse=True)
def _subreaper():
    """Orphans of a run (a double-forked daemon) become this process's children, to be seen."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        pytest.skip("this system does not let a process become a child subreaper")
    yield


@pytest.mark.parametrize("name", _params())
def test_hostile(name):
    case = constants(_case_file(name))
    source = CATALOG / name if (CATALOG / name).is_dir() else CATALOG / f"{name}.py"
    try:
        try:
            run_case(source, case)
        except PackageChanged as exc:
            # someone editing the harness while the case ran (this tree is shared) looks the same as an
            # attack that got through: run once more; an attack changes the package again
            warnings.warn(f"{name}: run again: {exc}")
            run_case(source, case)
    except AssertionError as exc:
        # a known weakness must show as the weakness XFAIL names, not as some other failure
        if case.get("XFAIL") and case.get("XFAIL_MATCH") and case["XFAIL_MATCH"] not in str(exc):
            raise RuntimeError(f"failed, but not with {case['XFAIL_MATCH']!r} as XFAIL says: {exc}") from exc
        raise


def _judged_as_declared(case, expected_exit, process, json_path, report, shown):
    """The run's JSON (an array of records, the attacked function judged as declared) and report."""
    assert json_path.is_file(), "the harness wrote no JSON" + shown
    records = json.loads(json_path.read_text(encoding="utf-8"))
    assert isinstance(records, list) and records and all(isinstance(r, dict) and "status" in r for r in records)
    mine = [r for r in records if r.get("suite") == case["SUITE"]]
    if 1 in expected_exit and process.returncode == 1:
        bad = [r for r in mine if r["function"] in case["RECORD"] and r["status"] in case["STATUS"]]
        assert bad, f"no failing record for {case['RECORD']}: " + json.dumps(mine, indent=1)[:3000] + shown
        assert case["DIAGNOSIS"] is None or any(r.get("diagnosis") in case["DIAGNOSIS"] for r in bad), (
            f"diagnoses {sorted({str(r.get('diagnosis')) for r in bad})}, expected one of {case['DIAGNOSIS']}: "
            + "\n".join(r["message"][:400] for r in bad[:4]))
    for function in case["CLEAN"]:  # correct functions checked in the same run: nothing may be blamed on them
        blamed = [r for r in mine if r["function"] == function and r["status"] in ("fail", "error", "warn")]
        assert not blamed, f"{function} is blamed: " + "\n".join(r["message"][:400] for r in blamed[:4])
        assert any(r["function"] == function and r["status"] == "pass" for r in mine), f"{function} was not checked"
    if process.returncode == 0:
        assert not [r for r in records if r["status"] in ("fail", "error")]
        assert any(r["function"] == case["FUNCTION"] and r["status"] == "pass" for r in mine), json.dumps(mine)[:2000]

    # the report
    html = report / "report.html"
    assert html.is_file() and html.stat().st_size > 0, shown
    for path in (html, json_path):
        data = path.read_bytes()
        data.decode("utf-8")
        assert b"\x1b" not in data and b"\x00" not in data, f"raw control characters in {path.name}"
    json.loads((report / "results.json").read_text(encoding="utf-8"))


class PackageChanged(AssertionError):
    """A file of the harness's packages differs after the run."""


def _hostile_files():
    """Files in the harness's package folders (their __pycache__ included) named like an attack's."""
    return sorted(str(p) for folder in PACKAGES for p in Path(folder).rglob("*") if "hostile" in p.name.lower())


def run_case(module, case):
    base = _base()
    root = Path(tempfile.mkdtemp(prefix="nnconf-hostile-", dir=base))
    token = secrets.token_hex(12)
    env_secret = f"awsSecret{token}"  # no hyphen or space: a wrapped line cannot split it
    home_secret = f"sshKey{token[::-1]}"
    home, work, tmp = root / "home", root / "home" / "work", root / "tmp"
    json_path, report = work / "out.json", work / "report"
    listeners = Listeners(token)
    process, leftovers, known_children = None, set(), set()
    try:
        # a HOME like a learner's: keys, a shell profile, a config folder; the work folder inside it
        (home / ".ssh").mkdir(parents=True)
        (home / ".ssh" / "id_rsa").write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{home_secret}\n"
                                              "-----END OPENSSH PRIVATE KEY-----\n")
        (home / ".aws").mkdir()
        (home / ".aws" / "credentials").write_text(f"[default]\naws_secret_access_key = {home_secret}\n")
        (home / ".bashrc").write_text("# the learner's own profile\n")
        (home / ".config").mkdir()
        work.mkdir()
        tmp.mkdir()
        if module.is_dir():  # the learner's work folder as the case has it, links made here
            shutil.copytree(module, work, symlinks=True, dirs_exist_ok=True,
                            ignore=lambda folder, names: ["case.py", "__pycache__"] if Path(folder) == module else [])
            for name, points_to in case["LINKS"].items():
                (work / name).symlink_to(points_to)
            planted = {work / n for n in os.listdir(work)}
            named = case["TARGET"]
        else:
            target = work / f"{case['SUITE']}.py"
            shutil.copyfile(module, target)
            planted, named = {target}, f"{case['SUITE']}={target}"
        (work / "listener.txt").write_text(f"{listeners.port}\n{listeners.unix_name}\n")

        env = {k: v for k, v in os.environ.items() if k != "NNCONF_ALLOW_BUNDLED"}
        # the harness's own caches (its reference values, matplotlib's fonts) go where they are told, so that
        # the fake HOME shows only what the target does
        env.update(XDG_CACHE_HOME=str(root / "cache"), XDG_CONFIG_HOME=str(root / "config"),
                   MPLCONFIGDIR=str(root / "matplotlib"), NNCONF_CACHE_DIR=str(root / "cache" / "nnconf"))
        env.update(HOME=str(home), TMPDIR=str(tmp), AWS_SECRET_ACCESS_KEY=env_secret,
                   NNCONF_HOSTILE_SECRET=env_secret, NNCONF_HARNESS_MARK="1")
        if case["IMPORTABLE"]:
            env["PYTHONPATH"] = str(work)
        command = [sys.executable, "-m", "nnconf", "check", named, "--function",
                   case["FUNCTION"], "--json", str(json_path), "--report", str(report), "--no-training",
                   "--timeout", "5", "--max-time", "120", "--max-memory", "1024", "--quiet", *case["ARGS"]]

        outputs = {json_path, report}
        before = {"home": snapshot(home, skip=outputs), "tmp": snapshot(tmp),
                  **{f"package {p}": snapshot(p) for p in PACKAGES}}
        site_before = _site_names()
        known_children = children(os.getpid())

        started = time.monotonic()
        process = subprocess.Popen(command, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=True)
        try:
            stdout, stderr = process.communicate(timeout=SUBPROCESS_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"the run did not end within {SUBPROCESS_TIMEOUT} s")
        took = time.monotonic() - started
        shown = (f"\n--- exit {process.returncode} after {took:.1f} s\n--- stdout\n{stdout.decode(errors='replace')[-3000:]}"
                 f"\n--- stderr\n{stderr.decode(errors='replace')[-3000:]}")

        # the outputs as the run left them; a process left behind must not change them later
        outputs_at_end = snapshot(work, skip=planted | {work / "listener.txt"})

        # no process of the run outlives it (orphans come to this subreaper)
        deadline = time.monotonic() + 3.0
        leftovers = children(os.getpid()) - known_children
        while leftovers and time.monotonic() < deadline:
            time.sleep(0.1)
            leftovers = children(os.getpid()) - known_children
        described = {pid: _stat(pid) for pid in leftovers}
        assert not leftovers, f"processes outlived the run: {described}" + shown
        assert not cgroups_of(process.pid), f"control groups outlived the run: {cgroups_of(process.pid)}" + shown

        # it ended, in time, as declared
        assert took < case["MAX_SECONDS"], f"the run took {took:.1f} s" + shown
        expected_exit = case["EXIT"] if isinstance(case["EXIT"], (tuple, list)) else (case["EXIT"],)
        assert process.returncode in expected_exit, shown
        for stream in (stdout, stderr):
            stream.decode("utf-8")  # valid text
            assert b"\x1b" not in stream and b"\x00" not in stream, "raw control characters reached the terminal" + shown

        # the harness itself did not crash (an uncaught exception also exits 1)
        assert b"Traceback (most recent call last)" not in stderr, "the harness crashed" + shown
        if case["STDERR"] is not None:  # a usage error: said, and nothing checked or written
            assert case["STDERR"] in stderr.decode(errors="replace"), shown
            assert not json_path.exists() and not report.exists(), "a run stopped for a usage error wrote results"
        else:
            _judged_as_declared(case, expected_exit, process, json_path, report, shown)

        # no secret anywhere it could travel; no attack that says it worked
        texts = {"stdout": stdout, "stderr": stderr}
        texts.update({str(p): p.read_bytes() for p in [json_path, *report.rglob("*")] if p.is_file()})
        for where, data in texts.items():
            squeezed = re.sub(rb"\s+", b"", data)
            for secret in (env_secret, home_secret):
                assert secret.encode() not in data and secret.encode() not in squeezed, f"a secret reached {where}"
            assert SUCCEEDED.encode() not in data, f"the target says an attack worked, in {where}: " + data.decode(
                errors="replace")[data.find(SUCCEEDED.encode()) - 300:][:900]

        # nothing changed outside the run's outputs; nothing arrived at the listeners
        after = {"home": snapshot(home, skip=outputs), "tmp": snapshot(tmp),
                 **{f"package {p}": snapshot(p) for p in PACKAGES}}
        for key in before:
            if changes(before[key], after[key]):
                error = PackageChanged if key.startswith("package") else AssertionError
                raise error(f"{key} changed: {changes(before[key], after[key])}")
        assert not _hostile_files(), f"files dropped into the harness: {_hostile_files()}"
        assert not glob.glob(str(tmp / "*")), f"left in TMPDIR: {os.listdir(tmp)}"
        dropped = [p for p in _site_names() - site_before if "hostile" in os.path.basename(p)]
        assert not dropped, f"files dropped on sys.path: {dropped}"
        assert not changes(outputs_at_end, snapshot(work, skip=planted | {work / "listener.txt"})), \
            "the outputs changed after the run ended"
        arrived = listeners.arrived()
        assert not arrived, f"the target reached a listener: {arrived}"
    finally:
        listeners.close()
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for pid in children(os.getpid()) - known_children if process is not None else ():
            try:  # leftovers of this run only, by PID
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (OSError, ChildProcessError):
                pass
        shutil.rmtree(root, ignore_errors=True)
