"""Paths stay in the tree (issue 17, items 2, 3 and part of 6): every path the harness reads or
shows to the box resolves inside the target's tree, and the harness never imports the target.

Real file trees are written into ``tmp_path``: a ``pyproject.toml`` naming ``../secret.py`` or
``/etc/passwd``, a ``deep.py`` that links to a file outside, a link inside the tree, a package whose
``__init__.py`` writes a marker and prints a secret when imported, a folder chain 1,100 deep. A
secret string sits in every outside file: it must never reach stdout, stderr, the JSON or the
report. The command-line runs are few and each checks several things at once (2 shared cores).
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nnconf.conformance.reading import discovery, loader

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "tests" / "targets" / "course_style"
DEPTH = 1100


def _secret():
    return f"pathSecret{secrets.token_hex(10)}"


def _outside_module(path, secret):
    """A file outside the tree that would be judged (and its secret shown) if it were read: it claims
    the deep suite and the activations suite, and every function raises the secret."""
    path.write_text(f'SECRET = "{secret}"\n\n'
                    + "".join(f"def {name}(*args):\n    raise RuntimeError(SECRET)\n\n\n"
                              for name in ("sigmoid", "relu", "linear_forward", "linear_backward",
                                           "L_model_forward", "L_model_backward")))
    return path


_CHAINS = []


def _chain(folder, depth):
    """A folder chain ``depth`` deep below ``folder`` (made without recursion), a file at its end;
    removed after the test by :func:`_unchain` (pytest's own clean-up of old folders recurses)."""
    here = folder
    os.makedirs(here, exist_ok=True)
    _CHAINS.append(folder)
    for _ in range(depth):
        here = here / "a"
        os.mkdir(here)
    (here / "deep.py").write_text("def linear_backward(dZ, cache):\n    return None\n")
    return here


def _unchain(top):
    """Remove the folder ``top`` and all below it, deepest first, without recursion."""
    order, stack = [], [str(top)]
    while stack:
        folder = stack.pop()
        order.append(folder)
        stack += [e.path for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)]
    for folder in reversed(order):
        for entry in os.scandir(folder):
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
        os.rmdir(folder)


@pytest.fixture(autouse=True)
def _remove_chains():
    yield
    while _CHAINS:
        folder = _CHAINS.pop()
        if os.path.isdir(folder):
            _unchain(folder)


def _texts(result, json_path, report):
    texts = {"stdout": result.stdout, "stderr": result.stderr}
    if json_path and json_path.is_file():
        texts["json"] = json_path.read_text(encoding="utf-8")
    if report and report.is_dir():
        texts.update({str(p): p.read_text(encoding="utf-8", errors="replace") for p in report.rglob("*") if p.is_file()})
    return texts


def _no_secret(texts, secret):
    for where, text in texts.items():
        assert secret not in text and secret not in "".join(text.split()), f"the secret reached {where}"


def nnconf(*args, cwd, env=None):
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NNCONF_IMPL")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "nnconf", *map(str, args)], cwd=str(cwd), env=environment,
                          capture_output=True, text=True, timeout=300)


def _boxed():
    from nnconf.conformance.box import sandbox

    return shutil.which("bwrap") is not None and sandbox.choose("auto").mode == "bwrap"


# --- pyproject.toml: a path out of the tree is a usage error, and nothing is read --------------------------


@pytest.mark.parametrize("entry", ["../secret.py", "{outside}", "link.py"], ids=["parent", "absolute", "link"])
@pytest.mark.parametrize("table", ["[tool.nnconf]\ndeep", "[tool.nnconf.names]\nlinear_backward"], ids=["suite", "name"])
def test_a_pyproject_path_out_of_the_tree_is_a_usage_error(tmp_path, entry, table):
    secret = _secret()
    outside = _outside_module(tmp_path / "secret.py", secret)
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copyfile(COURSE / "activations.py", tree / "activations.py")
    (tree / "link.py").symlink_to(outside)
    (tree / "pyproject.toml").write_text(f'{table} = "{entry.format(outside=outside)}"\n')
    with pytest.raises(loader.UsageError, match="outside the tree") as caught:
        loader.parse_target([str(tree)])
    assert secret not in str(caught.value)


def test_a_pyproject_naming_etc_passwd_is_refused(tmp_path):
    (tmp_path / "activations.py").write_text((COURSE / "activations.py").read_text())
    (tmp_path / "pyproject.toml").write_text('[tool.nnconf.names]\nsigmoid = "/etc/passwd"\n')
    with pytest.raises(loader.UsageError, match="outside the tree"):
        loader.parse_target([str(tmp_path)])


def test_a_pyproject_that_links_out_of_the_tree_is_not_read(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copyfile(COURSE / "activations.py", tree / "activations.py")
    (tmp_path / "elsewhere.toml").write_text('[tool.nnconf]\nactivations = "activations.py"\n')
    (tree / "pyproject.toml").symlink_to(tmp_path / "elsewhere.toml")
    with pytest.raises(loader.UsageError, match="links outside the tree"):
        loader.parse_target([str(tree)])


def test_a_pyproject_path_inside_the_tree_still_works(tmp_path):
    (tmp_path / "code").mkdir()
    shutil.copyfile(COURSE / "activations.py", tmp_path / "code" / "mine.py")
    (tmp_path / "pyproject.toml").write_text('[tool.nnconf]\nactivations = "code/../code/mine.py"\n')
    target = loader.parse_target([str(tmp_path)])
    assert target.sources["activations"].primary == str(tmp_path / "code" / "mine.py")


def test_the_command_line_refuses_the_pyproject_and_shows_no_secret(tmp_path):
    secret = _secret()
    _outside_module(tmp_path / "secret.py", secret)
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copyfile(COURSE / "activations.py", tree / "activations.py")
    (tree / "pyproject.toml").write_text('[tool.nnconf]\ndeep = "../secret.py"\n')
    result = nnconf("check", tree, "--json", tmp_path / "out.json", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "outside the tree" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    _no_secret(_texts(result, tmp_path / "out.json", None), secret)


# --- symlinks in the tree: out of it never followed; inside it, taken ----------------------------------------


def _linked_tree(tmp_path, secret):
    """A tree whose deep.py (and a folder) link outside, whose activations.py links to a file of the
    tree in a hidden folder, with a folder chain 1,100 deep."""
    (tmp_path / "home" / ".ssh").mkdir(parents=True)
    outside = _outside_module(tmp_path / "home" / ".ssh" / "notes.py", secret)
    tree = tmp_path / "tree"
    (tree / ".store").mkdir(parents=True)
    shutil.copyfile(COURSE / "activations.py", tree / ".store" / "act.py")
    (tree / "activations.py").symlink_to(Path(".store") / "act.py")
    (tree / "deep.py").symlink_to(outside)
    (tree / "keys").symlink_to(outside.parent, target_is_directory=True)
    _chain(tree / "chain", DEPTH)
    return tree, outside


def test_a_link_out_of_the_tree_is_named_and_never_read(tmp_path):
    secret = _secret()
    tree, outside = _linked_tree(tmp_path, secret)
    target = loader.parse_target([str(tree)])
    assert target.suites() == ("activations",)
    assert target.sources["activations"].primary == str(tree / "activations.py")
    assert target.unreadable[str(tree / "deep.py")] == discovery.OUTSIDE
    assert target.unreadable[str(tree / "keys")] == discovery.OUTSIDE
    assert any("levels deep" in why for why in target.unreadable.values())
    shown = target.files()
    assert not any(discovery.inside(p, outside.parent) for p in shown), shown
    assert all(discovery.inside(p, tree) for p in shown), shown
    lines = "\n".join(target.describe())
    assert "deep.py: links outside the tree" in lines and secret not in lines


def test_a_tree_of_only_a_link_out_says_so(tmp_path):
    secret = _secret()
    outside = _outside_module(tmp_path / "secret.py", secret)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "deep.py").symlink_to(outside)
    with pytest.raises(loader.UsageError) as caught:
        loader.parse_target([str(tree)])
    assert "deep.py: links outside the tree" in str(caught.value) and secret not in str(caught.value)


def test_a_file_target_that_links_out_of_its_folder_is_refused(tmp_path):
    secret = _secret()
    outside = _outside_module(tmp_path / "secret.py", secret)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "deep.py").symlink_to(outside)
    for words in ([str(tree / "deep.py")], [f"deep={tree / 'deep.py'}"]):
        with pytest.raises(loader.UsageError, match="leads out of its folder") as caught:
            loader.parse_target(words)
        assert secret not in str(caught.value)


def test_suite_path_may_name_any_file_and_its_folder_is_the_tree(tmp_path):
    """The user names the file: it is read wherever it is; the box sees its folder, not a folder above."""
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    shutil.copyfile(COURSE / "activations.py", tmp_path / "a" / "act.py")
    shutil.copyfile(COURSE / "deep.py", tmp_path / "b" / "mine.py")
    (tmp_path / "pyproject.toml").write_text('[tool.nnconf.names]\nsigmoid = "/etc/passwd"\n')  # above both: unread
    target = loader.parse_target([f"activations={tmp_path / 'a' / 'act.py'}", f"deep={tmp_path / 'b' / 'mine.py'}"])
    assert set(target.suites()) == {"activations", "deep"}
    shown = set(target.files())
    assert str(tmp_path) not in shown
    assert {str(tmp_path / "a"), str(tmp_path / "b")} <= shown


def test_the_run_checks_the_tree_and_never_shows_what_lies_outside(tmp_path):
    secret = _secret()
    tree, _ = _linked_tree(tmp_path, secret)
    json_path, report = tmp_path / "out.json", tmp_path / "report"
    result = nnconf("check", tree, "--function", "sigmoid", "--json", json_path, "--report", report,
                    "--no-training", "--timeout", "10", cwd=tmp_path)
    shown = f"exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert result.returncode == 0, shown
    assert "Traceback" not in result.stderr, shown
    assert "deep.py: links outside the tree" in result.stdout, shown
    assert "levels deep" in result.stdout, shown
    records = json.loads(json_path.read_text())
    assert {r["status"] for r in records if r["suite"] == "activations"} == {"pass"}, records
    assert {r["status"] for r in records if r["suite"] != "activations"} <= {"skip"}, records
    _no_secret(_texts(result, json_path, report), secret)


# --- a deep folder chain: a note, not a RecursionError ---------------------------------------------------------


def test_a_folder_chain_1100_deep_is_walked_without_recursion(tmp_path):
    shutil.copyfile(COURSE / "activations.py", tmp_path / "activations.py")
    _chain(tmp_path / "chain", DEPTH)
    files, skipped = discovery.walk(str(tmp_path))
    assert files == [str(tmp_path / "activations.py")]
    assert len(skipped) == 1 and "levels deep" in next(iter(skipped.values()))
    limit = discovery.MAX_DEPTH
    _chain(tmp_path / "short", limit - 1)  # the end of a chain within the limit is read
    assert str(tmp_path / "short" / os.path.join(*["a"] * (limit - 1)) / "deep.py") in discovery.python_files(str(tmp_path))


def test_the_walk_keeps_its_order_and_its_bound(tmp_path, monkeypatch):
    for name in ("b.py", "a/z.py", "a/b/y.py", "c.py", "__pycache__/x.py", ".hidden/x.py", "venv/x.py", "n.ipynb"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    (tmp_path / "same.py").symlink_to("c.py")  # a link inside the tree: taken
    (tmp_path / "loop").symlink_to(".", target_is_directory=True)  # a folder link: never followed
    expected = [str(tmp_path / n) for n in ("b.py", "c.py", "n.ipynb", "same.py", "a/z.py", "a/b/y.py")]
    assert discovery.python_files(str(tmp_path)) == expected
    monkeypatch.setattr(discovery, "MAX_FILES", 3)
    with pytest.raises(discovery.DetectionError, match="more than 3"):
        discovery.python_files(str(tmp_path))


def test_a_wide_tree_is_cut_and_named_not_walked_to_its_end(tmp_path, monkeypatch):
    for i in range(40):
        (tmp_path / f"f{i:02}").mkdir()
        (tmp_path / f"f{i:02}" / "link.py").symlink_to("/etc/passwd")
    monkeypatch.setattr(discovery, "MAX_FOLDERS", 30)
    files, skipped = discovery.walk(str(tmp_path))
    assert files == [] and len(skipped) == discovery.MAX_NOTES + 1
    assert list(skipped.values())[-1].startswith("and 10 more places not read")  # 29 links, 1 cut: 20 named


# --- a package target: the harness never imports it ------------------------------------------------------------


def _hostile_package(tmp_path, secret):
    """mypkg/: correct activations; an __init__.py that, imported, writes a marker into the tree and,
    where it sees the harness's environment, prints the secret and tries to forge the verdict."""
    base = tmp_path / "site"
    package = base / "mypkg"
    package.mkdir(parents=True)
    shutil.copyfile(COURSE / "activations.py", package / "activations.py")
    marker = package / "IMPORTED"
    (package / "__init__.py").write_text(
        "import os, sys\n"
        f"try:\n    open({str(marker)!r}, 'a').write('imported by pid %d\\n' % os.getpid())\nexcept OSError:\n    pass\n"
        "if os.environ.get('NNCONF_PATHS_HARNESS'):\n"
        f"    print({secret!r})\n"
        "    sys.modules.pop('nnconf.conformance.run.engine', None)\n")
    (base / "elsewhere").mkdir()
    _outside_module(base / "elsewhere" / "deep.py", secret)
    (package / "deep.py").symlink_to(base / "elsewhere" / "deep.py")  # a suite module linking out: not the package's
    return base, package, marker


def test_a_package_target_is_found_without_importing_it(tmp_path, monkeypatch, capsys):
    secret = _secret()
    base, package, marker = _hostile_package(tmp_path, secret)
    monkeypatch.syspath_prepend(str(base))
    monkeypatch.setenv("NNCONF_PATHS_HARNESS", "1")
    target = loader.parse_target(["mypkg"])
    assert target.kind == "package" and target.package_suites == ("activations",)
    assert target.package_folders == (str(package),)
    assert "mypkg" not in sys.modules and not marker.exists()
    assert secret not in capsys.readouterr().out
    (package / "nn").mkdir()
    (package / "nn" / "__init__.py").write_text((package / "__init__.py").read_text())
    shutil.copyfile(COURSE / "deep.py", package / "nn" / "deep.py")
    (package / "nn" / "init").mkdir()
    shutil.copyfile(COURSE / "init.py", package / "nn" / "init" / "__init__.py")
    target = loader.parse_target(["mypkg.nn"])
    assert target.package_suites == ("deep", "init")
    assert "mypkg" not in sys.modules and "mypkg.nn" not in sys.modules and not marker.exists()


def test_a_package_folder_that_links_out_is_no_package(tmp_path, monkeypatch):
    secret = _secret()
    base, package, _ = _hostile_package(tmp_path, secret)
    (package / "nn").symlink_to(base / "elsewhere", target_is_directory=True)
    (tmp_path / "out").mkdir()
    _outside_module(tmp_path / "out" / "deep.py", secret)
    (base / "linked").symlink_to(tmp_path / "out", target_is_directory=True)  # a top-level package linking out
    monkeypatch.syspath_prepend(str(base))
    for name in ("mypkg.nn", "linked"):
        with pytest.raises(loader.UsageError, match="no package of that name"):
            loader.parse_target([name])


def test_the_bundled_package_is_found_as_before():
    target = loader.parse_target(["nnconf.impl"])
    assert target.package_suites == loader.SUITES and target.bundled()
    assert [os.path.realpath(f) for f in target.package_folders] == [str(ROOT / "impl")]


@pytest.mark.skipif(not _boxed(), reason="needs bubblewrap's box (the worker may write the tree without it)")
def test_a_package_target_runs_only_in_the_worker(tmp_path):
    secret = _secret()
    base, package, marker = _hostile_package(tmp_path, secret)
    json_path = tmp_path / "out.json"
    result = nnconf("check", "mypkg", "--function", "sigmoid", "--json", json_path, "--no-training",
                    "--timeout", "10", cwd=tmp_path, env={"PYTHONPATH": str(base), "NNCONF_PATHS_HARNESS": "1"})
    shown = f"exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert result.returncode == 0, shown
    assert not marker.exists(), marker.read_text() + shown  # the box's tree is read-only: only the harness could
    records = json.loads(json_path.read_text())
    assert {r["status"] for r in records if r["suite"] == "activations"} == {"pass"}, records
    assert {r["status"] for r in records if r["suite"] != "activations"} <= {"skip"}, records
    assert "package mypkg: activations" in result.stdout, shown
    _no_secret(_texts(result, json_path, None), secret)
