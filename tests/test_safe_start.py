"""The harness never imports a submission's files, run from inside the submission's folder.

A submission plants what Python or pytest would load from the working folder: a ``numpy/`` package,
a ``conftest.py`` and a ``pytest.ini`` that loads it as a plugin. ``python -m nnconf check .`` and the
README's pytest recipe, run there, must never run any of them in the harness (each writes a marker).
"""

import os
import shutil
import subprocess
import sys

COURSE = os.path.join(os.path.dirname(__file__), "targets", "course_style")
README = os.path.join(os.path.dirname(os.path.dirname(__file__)), "README.md")


def _submission(tmp_path):
    folder = tmp_path / "submission"
    (folder / "numpy").mkdir(parents=True)
    shutil.copy(os.path.join(COURSE, "activations.py"), folder / "activations.py")
    (folder / "numpy" / "__init__.py").write_text(
        f"open({str(folder / 'PLANTED_NUMPY_RAN')!r}, 'w').write('x')\nraise SystemExit('planted numpy')\n")
    (folder / "conftest.py").write_text(f"open({str(folder / 'CONFTEST_RAN')!r}, 'w').write('x')\n")
    (folder / "pytest.ini").write_text("[pytest]\naddopts = -p conftest\n")
    return folder


def _ran(folder):
    return sorted(p.name for p in folder.glob("*_RAN"))


def test_python_m_nnconf_inside_a_submission_never_imports_its_files(tmp_path):
    folder = _submission(tmp_path)
    result = subprocess.run([sys.executable, "-m", "nnconf", "check", ".", "--suite", "activations", "--no-training",
                             "--quiet"], cwd=folder, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _ran(folder) == [], result.stdout + result.stderr


def test_the_readme_pytest_recipe_inside_a_submission_never_loads_its_files(tmp_path):
    folder = _submission(tmp_path)
    recipe = "python -P -m pytest -c /dev/null --noconftest -p no:cacheprovider --pyargs nnconf.conformance.checks"
    assert recipe in open(README, encoding="utf-8").read()  # the command the README gives is the one tested
    words = recipe.split()[1:]
    result = subprocess.run([sys.executable, *words, "--nnconf-impl", ".", "-q", "-k", "activations and relu"],
                            cwd=folder, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed" in result.stdout
    assert _ran(folder) == [], result.stdout + result.stderr
