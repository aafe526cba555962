"""The pytest plugin as a project's pytest uses it: real node ids (pasted back, they select the
same test; ``--lf`` and ``--sw`` rerun what they should), the not-implemented skips in one line of
``-ra``, JUnit's ``nnconf.<suite>`` classes, repro files in pytest's own temporary folders and
never written through a link.

Each run is a real ``python -m pytest --pyargs nnconf.conformance.checks`` in a folder of the
test's own (the cache provider on, its cache and pytest's temporary root inside that folder).
"""

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

from nnconf.conformance.doors import pytest_plugin

CHECKS = "nnconf.conformance.checks"
ZEROS_TRANSPOSED = """
def initialize_zeros(layer_dims):
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters['W' + str(l)] = np.zeros((layer_dims[l - 1], layer_dims[l]))  # transposed
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters
"""
XAVIER_RANK1 = """
def initialize_xavier(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters['W' + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(1 / layer_dims[l - 1])
        parameters['b' + str(l)] = np.zeros((layer_dims[l],))  # rank-1
    return parameters
"""


def _target(folder, *bugs):
    """An init suite (the bundled one, allowed in tests) with ``bugs`` in place of its functions."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "init.py").write_text("from nnconf.impl.init import *\nimport numpy as np\n" + "".join(bugs))
    return f"init={folder / 'init.py'}"


def _pytest(*args, cwd, pyargs=True):
    """``python -m pytest [--pyargs] ARGS`` in ``cwd``, pytest's temporary root in the test's own
    folder (beside the project)."""
    root = next(p for p in (cwd, *cwd.parents) if p.name == "project").parent
    (root / "temproot").mkdir(exist_ok=True)
    env = {**os.environ, "PYTEST_DEBUG_TEMPROOT": str(root / "temproot")}  # where tmp_path_factory makes its folders
    env.pop("PYTEST_ADDOPTS", None)
    command = [sys.executable, "-m", "pytest", "-o", "console_output_style=classic", *(["--pyargs"] * pyargs), *args]
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    return result, result.stdout + result.stderr


def _summary(output, word):
    """The node ids of the short test summary's ``word`` lines (FAILED, ...)."""
    return re.findall(rf"^{word} (\S+::test_conforms\[[^\]]+\])", output, re.M)


def test_node_ids_round_trip_and_lf_reruns_only_the_failure(tmp_path):
    project = tmp_path / "project"
    target = _target(project / "code", XAVIER_RANK1)
    xml_path = tmp_path / "first.xml"
    first, out = _pytest(CHECKS, "--nnconf-impl", target, "-ra", "-o", "junit_family=xunit1",
                         f"--junitxml={xml_path}", cwd=project)
    assert first.returncode == 1, out[-3000:]
    failed = _summary(out, "FAILED")
    assert failed == [f"{CHECKS}::test_conforms[init.initialize_xavier]"], out[-3000:]
    skipped = re.findall(r"^SKIPPED \[(\d+)\] .*", out, re.M)
    assert len(skipped) == 1 and int(skipped[0]) >= 60, out[-3000:]  # every not-implemented function: one line
    assert "not implemented in init=" in out and "checks.py" in re.search(r"^SKIPPED .*", out, re.M).group(0)

    # the repro: in pytest's own temporary folder of this run, a file of its own
    repro = re.search(r"# the whole repro: (\S+)", out).group(1)
    assert repro.startswith(str(tmp_path / "temproot")) and "/nnconf-repro" in repro and os.path.isfile(repro)
    assert "initialize_xavier(layer_dims)" in open(repro, encoding="utf-8").read()

    # JUnit: class nnconf.<suite>, name <function>, the skips too
    cases = {(c.get("classname"), c.get("name")): c for c in ET.parse(xml_path).getroot().iter("testcase")}
    assert cases[("nnconf.init", "initialize_xavier")].find("failure") is not None
    assert cases[("nnconf.init", "initialize_he")].find("failure") is None
    assert ("nnconf.deep", "linear_backward") in cases and all(c.startswith("nnconf.") for c, _ in cases)

    # --lf: only the failure runs (under xdist too), and JUnit keeps its names there
    xml_path = tmp_path / "again.xml"
    again, out = _pytest(CHECKS, "--nnconf-impl", target, "--lf", "-n", "2", f"--junitxml={xml_path}", cwd=project)
    assert again.returncode == 1, out[-3000:]
    assert re.search(r"\b1 failed\b", out) and "passed" not in out.splitlines()[-1], out[-3000:]
    assert "known failures not in selected tests" not in out and "skipped" not in out.splitlines()[-1]
    assert [(c.get("classname"), c.get("name")) for c in ET.parse(xml_path).getroot().iter("testcase")] == [
        ("nnconf.init", "initialize_xavier")]
    alone, out = _pytest(CHECKS, "--nnconf-impl", target, "--lf", "-v", cwd=project)
    assert "run-last-failure: rerun previous 1 failure" in out and re.search(r"\b1 failed, \d+ deselected\b", out), out

    # the printed node id, pasted back after --pyargs, selects that test alone
    pasted, out = _pytest(failed[0], "--nnconf-impl", target, "-p", "no:cacheprovider", cwd=project)
    assert pasted.returncode == 1 and "collected 1 item" in out and re.search(r"\b1 failed in\b", out), out[-3000:]
    listed, out = _pytest(CHECKS, "--nnconf-impl", target, "--co", "-q", "-k", "init and he", cwd=project)
    ids = [line for line in out.splitlines() if "::test_conforms[" in line]
    assert f"{CHECKS}::test_conforms[init.initialize_he]" in ids, out

    # from a subfolder of the rootdir, pytest shows ids relative to the working folder: still one that works
    (project / "pytest.ini").write_text("[pytest]\n")
    sub = project / "week4"
    sub.mkdir()
    deeper, out = _pytest(CHECKS, "--nnconf-impl", target, "-rf", "-k", "xavier", cwd=sub)
    assert deeper.returncode == 1, out[-3000:]
    failed = _summary(out, "FAILED")
    assert len(failed) == 1 and failed[0].split("::")[0].endswith("checks.py"), out[-3000:]
    for pyargs in (False, True):
        pasted, out = _pytest(failed[0], "--nnconf-impl", target, "-p", "no:cacheprovider", cwd=sub, pyargs=pyargs)
        assert "collected 1 item" in out and re.search(r"\b1 failed in\b", out), out[-3000:]

    # pytest's own retention: at most the last three runs' temporary folders are kept
    runs = list((tmp_path / "temproot").glob("pytest-of-*/pytest-[0-9]*"))
    assert 1 <= len(runs) <= 3, runs


def test_sw_resumes_from_the_last_failure(tmp_path):
    project = tmp_path / "project"
    target = _target(project / "code", ZEROS_TRANSPOSED, XAVIER_RANK1)
    first, out = _pytest(CHECKS, "--nnconf-impl", target, "--sw", "-v", cwd=project)
    assert first.returncode == 2, out[-3000:]  # stepwise: interrupted at the failure
    assert re.search(r"test_conforms\[init\.initialize_zeros\] FAILED", out), out[-3000:]
    assert "initialize_xavier" not in out  # stepwise stopped at the first failure
    _target(project / "code", XAVIER_RANK1)  # the first bug fixed
    second, out = _pytest(CHECKS, "--nnconf-impl", target, "--sw", "-v", cwd=project)
    assert second.returncode == 2, out[-3000:]
    assert re.search(r"skipping \d+ already passed items", out), out[-3000:]
    ran = re.findall(r"test_conforms\[([\w.]+)\] (PASSED|FAILED|SKIPPED)", out)
    assert ran[:3] == [("init.initialize_zeros", "PASSED"), ("init.initialize_random", "PASSED"),
                       ("init.initialize_xavier", "FAILED")], ran
    assert not any(name.startswith("activations.") for name, _ in ran)


def test_a_repro_is_never_written_through_a_link(tmp_path):
    folder = tmp_path / "repros"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    record = {"suite": "init", "function": "initialize_he", "check": "value:W1@random"}
    planted = folder / "init.initialize_he.value_W1_random.py"
    planted.symlink_to(victim)
    path = pytest_plugin._write_repro(str(folder), record, "out = initialize_he([3, 2])")
    assert victim.read_text() == "precious" and os.path.islink(planted)
    assert path == str(folder / "init.initialize_he.value_W1_random-2.py")
    assert open(path, encoding="utf-8").read() == "out = initialize_he([3, 2])\n"
    hostile = {"suite": "init", "function": "../../escape", "check": "x/../../y", "unit": "/etc/passwd"}
    path = pytest_plugin._write_repro(str(folder), hostile, "x")
    assert os.path.dirname(path) == str(folder)  # names from the target stay in the folder
