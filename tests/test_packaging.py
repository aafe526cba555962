"""The distribution installs one top-level package, ``nnconf``: never ``impl``, ``reference``,
``reports`` or ``conformance``, which would collide with a user's own folders. Its wheel installs with
``pip`` into an environment of its own, outside the repository, with no other package than those its
metadata names, and checks code there; bubblewrap is optional (without it the run says so, and what to do).

The wheel is built from a copy of the source tree, never in it: setuptools' ``build/`` folder in a
checkout keeps the modules of earlier layouts and puts them into wheels built there.

The environment the wheel goes into is a fresh ``python -m venv`` holding only the distributions the
wheel's ``Requires-Dist`` names, and theirs in turn, linked from this environment (PyTorch is not
downloaded or copied again, so the test takes seconds, and needs no network): pip then installs the
wheel with ``--no-index`` and resolves its requirements against exactly those. A dependency the code
imports but the metadata does not name (what ``--system-site-packages`` or a ``.pth`` to this
environment would hide) is missing there, and the check fails.
"""

import ast
import collections
import csv
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOT_BUILT = {".git", ".venv", "build", "dist", "report", "tests", "bench", "docs", "__pycache__", ".pytest_cache",
             ".hypothesis"}  # what the wheel is not built from
# Modules the package imports that no requirement of it needs to bring: IPython (the notebook door
# runs in an IPython kernel; reading notebooks falls back to a regex without it).
OPTIONAL = {"IPython"}
# A correct target the activations suite claims by its file's name, two functions (a short check);
# a notebook with magics, read without IPython in the new environment.
ACTIVATIONS = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source} for source in (
        "import numpy as np\n%matplotlib inline",
        "%%time\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))",
        "def relu(z):\n    return np.maximum(0, z)")]}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel of the working tree, built from a clean copy of it (``pip wheel``, setuptools of this
    environment)."""
    source, out = tmp_path_factory.mktemp("source") / "nnconf", tmp_path_factory.mktemp("wheel")
    shutil.copytree(ROOT, source, symlinks=True, ignore=lambda folder, names: [
        n for n in names if n in NOT_BUILT or n.endswith((".egg-info", ".pyc"))])
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(source)],
        capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-3000:]
    assert "deprecat" not in (build.stdout + build.stderr).lower(), build.stderr[-3000:]
    return next(out.glob("nnconf-*.whl"))


def test_the_wheel_holds_only_the_nnconf_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"nnconf"}
    for part in ("impl/deep.py", "reference/deep.py", "conformance/reading/loader.py", "reports/page.py",
                 "conformance/catalog/bugs/deep_linear_backward_db_rank1.py", "__main__.py", "reports/style.css",
                 "reports/templates/report.html.j2"):
        assert f"nnconf/{part}" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "nnconf = nnconf.conformance.doors.cli:main" in text and "nnconf.conformance.doors.pytest_plugin" in text
    for name in names:  # each file from the source tree: no module of an earlier layout
        parts = name.split("/")
        if parts[0] == "nnconf":  # nnconf/impl/deep.py is impl/deep.py; nnconf/__main__.py is nnconf/__main__.py
            inside = parts[1:] if parts[1] in ("impl", "reference", "conformance", "reports") else parts
            assert os.path.isfile(os.path.join(ROOT, *inside)), f"{name} is in the wheel, not in the source tree"


def test_the_wheel_installs_alone_and_checks_code_from_anywhere(wheel, tmp_path):
    """``pip install nnconf-*.whl`` into a fresh environment: one top-level package, every module it
    imports there; then ``nnconf check`` from a folder of the user's, outside the repository."""
    python, site = install(wheel, tmp_path / "venv")
    work = tmp_path / "mine"  # the user's folder: the target, and where the command runs
    work.mkdir()
    seen = subprocess.run([python, "-c", "import nnconf; print(nnconf.__file__)"], cwd=work, capture_output=True,
                          text=True)
    assert seen.stdout.split() == [os.path.join(site, "nnconf", "__init__.py")], seen.stderr  # not the repository's
    # every module the package imports anywhere (in a function too: rich only on a terminal) is there,
    # but for those its metadata makes optional
    imported = sorted(imported_modules(os.path.join(site, "nnconf")) - set(sys.stdlib_module_names) - {"nnconf"})
    missing = subprocess.run([python, "-c", "import importlib.util, sys\n"
                              "print(' '.join(n for n in sys.argv[1:] if importlib.util.find_spec(n) is None))",
                              *imported], cwd=work, capture_output=True, text=True)
    assert missing.returncode == 0, missing.stderr
    undeclared = set(missing.stdout.split()) - OPTIONAL - optional_requirements(wheel)
    assert not undeclared, f"imported by nnconf, not installed by its requirements: {sorted(undeclared)}"

    # --sandbox none; and the default mode without bubblewrap on PATH, which must say NOT SANDBOXED and
    # how to box the code. Its box is the first run's (sandbox.choose gives the same unboxed mode, with
    # another reason), so it asks for a function the target does not define: its exit status and words,
    # without PyTorch's seconds. Both at once, each with its own HOME, cache and cache key (an unboxed
    # run replaces its key).
    (work / "activations.ipynb").write_text(json.dumps(ACTIVATIONS))
    bin_folder = os.path.dirname(python)
    runs = {name: check(os.path.join(bin_folder, "nnconf"), work, tmp_path / name, path, *options)
            for name, path, options in (("none", os.environ["PATH"], ["--sandbox", "none"]),
                                        ("no_bwrap", bin_folder, ["--function", "tanh"]))}
    for name, run in runs.items():
        stdout, stderr = run.communicate(timeout=600)
        assert run.returncode == 0, f"{name}: exit {run.returncode}\n{stdout}\n{stderr}"
        records = json.loads((tmp_path / name / "records.json").read_text())
        assert {r["sandbox"] for r in records} == {"none"}, stdout
        assert os.listdir(work) == ["activations.ipynb"]  # nothing written into the user's folder
        if name == "none":
            assert {r["function"] for r in records if r["status"] == "pass"} == {"sigmoid", "relu"}, stdout
        else:
            assert {(r["function"], r["status"]) for r in records} == {("tanh", "skip")}, stdout
            said = " ".join(stderr.split())
            assert "NOT SANDBOXED: bubblewrap (`bwrap`) is not installed" in said, stderr
            assert "Install bubblewrap to box it (`apt-get install bubblewrap`" in said, stderr
            assert "NOT SANDBOXED" in stdout, stdout  # and again in the summary


def install(wheel, venv):
    """A fresh environment at ``venv`` with the wheel's requirements linked in and the wheel installed by
    pip, away from the machine's indexes; its Python and site-packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert {"numpy", "torch", "hypothesis"} <= link_requirements(wheel, site)
    before = set(os.listdir(site))
    alone = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}  # no index, no wheel folder of the
    alone["PIP_CONFIG_FILE"] = os.devnull  # machine's pip configuration: only what is installed can satisfy the wheel
    done = subprocess.run([sys.executable, "-m", "pip", "--python", python, "install", "--no-index",
                           "--disable-pip-version-check", "--no-cache-dir", "-q", str(wheel)],
                          capture_output=True, text=True, timeout=600, cwd=venv, env=alone)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    new = set(os.listdir(site)) - before
    assert {n for n in new if not n.endswith(".dist-info")} == {"nnconf"}, new  # one top-level package
    with open(os.path.join(site, next(n for n in new if n.endswith(".dist-info")), "RECORD"), encoding="utf-8") as handle:
        top = {line.split(",")[0].split("/")[0] for line in handle if not line.startswith("../")}
    assert {t for t in top if not t.endswith(".dist-info")} == {"nnconf"}
    return python, site


def check(script, work, home, path, *options):
    """``nnconf check activations.ipynb OPTIONS`` started in ``work``, with HOME (and its cache and
    configuration) at ``home``, PATH ``path``, and no variable of nnconf's or Python's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NNCONF_", "PYTHON", "XDG_"))}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / "cache"), XDG_CONFIG_HOME=str(home / "config"), PATH=path)
    return subprocess.Popen([script, "check", "activations.ipynb", *options, "--json", str(home / "records.json")],
                            cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def imported_modules(folder):
    """The top-level names of the modules the .py files under ``folder`` import (absolute imports,
    wherever they stand)."""
    names = set()
    for top, _, files in os.walk(folder):
        for file in files:
            if file.endswith(".py"):
                with open(os.path.join(top, file), encoding="utf-8") as handle:
                    tree = ast.parse(handle.read())
                for node in ast.walk(tree):
                    if isinstance(node, ast.Import):
                        names |= {alias.name.split(".")[0] for alias in node.names}
                    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                        names.add(node.module.split(".")[0])
    return names


def optional_requirements(wheel):
    """The modules of the wheel's requirements that do not apply here: an extra's (``cluster``), or
    another Python's (``tomli``)."""
    names = set()
    for requirement in map(Requirement, _requires(wheel)):
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            names.add(canonicalize_name(requirement.name).replace("-", "_"))  # tomli, distributed
    return names


def _requires(wheel):
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return [line.split(":", 1)[1].strip() for line in archive.read(metadata).decode().splitlines()
                if line.startswith("Requires-Dist:")]


def link_requirements(wheel, site):
    """Link into ``site`` the distributions of this environment that the wheel requires, and theirs
    (markers evaluated here, extras followed): each top-level file or folder a distribution alone
    owns as one link, the files of a folder several share (``__pycache__``) one by one. Their names."""
    here = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    installed = {canonicalize_name(d.metadata["Name"]): d for d in importlib.metadata.distributions(path=here)}
    files = {name: _installed_files(dist) for name, dist in installed.items()}
    owners = collections.defaultdict(set)
    for name, paths in files.items():
        for path in paths:
            owners[path.split("/")[0]].add(name)
    queue, seen, linked = [(Requirement(r), ("",)) for r in _requires(wheel)], set(), set()
    while queue:
        requirement, extras = queue.pop()
        if requirement.marker is not None and not any(requirement.marker.evaluate({"extra": e}) for e in extras):
            continue
        name = canonicalize_name(requirement.name)
        dist = installed.get(name)
        assert dist is not None, f"{requirement} is required but not installed in this environment"
        assert requirement.specifier.contains(dist.version, prereleases=True), f"{requirement}: {dist.version} here"
        if (name, frozenset(requirement.extras)) not in seen:
            seen.add((name, frozenset(requirement.extras)))
            queue += [(Requirement(r), ("", *requirement.extras)) for r in dist.requires or ()]
        if name in linked:
            continue
        linked.add(name)
        assert files[name], f"{name} lists no files (no RECORD): cannot be linked"
        home = str(dist.locate_file(""))
        for path in files[name]:
            top = path.split("/")[0]
            whole = owners[top] == {name}
            target = os.path.join(site, top if whole else path)
            if not os.path.lexists(target):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.symlink(os.path.join(home, top if whole else path), target)
    return linked


def _installed_files(dist):
    """The files ``dist``'s RECORD lists inside site-packages (its scripts, outside, left out); read
    as text: importlib's ``files`` takes seconds for PyTorch's 15,000."""
    rows = csv.reader((dist.read_text("RECORD") or "").splitlines())
    return [row[0] for row in rows if row and row[0] and not row[0].startswith("../")]
