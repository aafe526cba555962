"""Test-wide settings.

Many tests write a target that builds on the bundled implementation (``from nnconf.impl.deep
import *``) and replaces one function; the harness refuses that import unless the run allows it
(``--allow-bundled``). The tests allow it through the environment, which their subprocesses
inherit; the tests of the refusal itself (tests/hostile) take it away again.
"""

import os

os.environ["NNCONF_ALLOW_BUNDLED"] = "1"

# tests/test_conformance.py runs the plugin's checks on the bundled implementation: it is named,
# since the plugin never picks a target by itself (a test that wants none takes this away).
os.environ.setdefault("NNCONF_IMPL", "nnconf.impl")

# One reference cache for the whole session (xdist workers inherit it from the controller), never
# the user's own: the tests start cold and leave nothing behind in ~/.cache or ~/.config.
if "NNCONF_CACHE_DIR" not in os.environ:
    import atexit
    import shutil
    import tempfile

    os.environ["NNCONF_CACHE_DIR"] = tempfile.mkdtemp(prefix="nnconf-test-cache-")
    _OWN_CACHE = os.environ["NNCONF_CACHE_DIR"]
    atexit.register(shutil.rmtree, _OWN_CACHE, True)
    # and the cache's key of the session, not the user's (an unboxed run replaces the key it used)
    os.environ.setdefault("XDG_CONFIG_HOME", os.path.join(_OWN_CACHE, "config"))
