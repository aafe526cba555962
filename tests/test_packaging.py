"""The distribution installs one top-level package, ``nnconf``: never ``impl``, ``reference``,
``reports`` or ``conformance``, which would collide with a user's own folders."""

import os
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_wheel_holds_only_the_nnconf_package(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), ROOT],
        capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-3000:]
    assert "deprecat" not in (build.stdout + build.stderr).lower(), build.stderr[-3000:]
    wheel = next(tmp_path.glob("nnconf-*.whl"))
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
