"""A notebook's plotting and file libraries load on first use, not when its definitions run
(reading/sources.py, LazyImport): matplotlib.pyplot alone took 0.7 s of every worker's start."""

import json
import subprocess
import sys
import textwrap

PROGRAM = textwrap.dedent("""
    import json, sys, types
    from nnconf.conformance.reading import sources
    module = types.ModuleType("submission")
    sources.run_definitions(module, sys.argv[1])
    before = "matplotlib.pyplot" in sys.modules
    shown = repr(module.plt)
    figure = module.uses_plot()
    after = "matplotlib.pyplot" in sys.modules
    missing = module.uses_missing
    try:
        missing()
        raised = None
    except Exception as exc:
        raised = type(exc).__name__
    print(json.dumps({"before": before, "after": after, "shown": shown, "figure": figure,
                      "image": type(module.Image).__name__, "raised": raised,
                      "notes": module.__nnconf_notes__}))
""")

SOURCE = textwrap.dedent("""
    import numpy as np
    import matplotlib.pyplot as plt
    from PIL import Image
    import h5py_that_is_not_installed as h5


    def uses_plot():
        return plt.figure.__name__


    def uses_missing():
        return h5.File
""")


def test_plotting_libraries_load_on_first_use_and_missing_ones_still_fail(tmp_path):
    path = tmp_path / "submission.py"
    path.write_text(SOURCE)
    done = subprocess.run([sys.executable, "-c", PROGRAM, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["before"] is False and seen["after"] is True  # loaded when a function used it, not before
    assert seen["shown"] == "<lazy import matplotlib.pyplot>" and seen["figure"] == "figure"
    assert seen["image"] == "LazyImport"
    assert seen["raised"] == "UnavailableError"  # a library that is not installed is a failed import, as before
    assert any("h5py_that_is_not_installed" in note for note in seen["notes"])


def test_a_star_import_and_other_modules_run_as_written(tmp_path):
    from nnconf.conformance.reading import sources

    import ast

    tree = ast.parse("try:\n    from matplotlib.pyplot import *\nexcept Exception:\n    pass\n"
                     "try:\n    import numpy as np\nexcept Exception:\n    pass\n")
    out = sources._lazy_imports(tree)
    assert [type(s.body[0]).__name__ for s in out.body] == ["ImportFrom", "Import"]
