"""Test-wide settings.

Many tests write a target that builds on the bundled implementation (``from nnconf.impl.deep
import *``) and replaces one function; the harness refuses that import unless the run allows it
(``--allow-bundled``). The tests allow it through the environment, which their subprocesses
inherit; the tests of the refusal itself (tests/hostile) take it away again.
"""

import os

import pytest

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



CHROMIUM = "/usr/bin/chromium"  # Debian's (make browser); never `playwright install`
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium for the pages' tests (the report, its layout, the class page)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: the pages' browser tests need Debian's chromium. Run `make browser` "
                    "(or `apt-get install -y chromium`); never `playwright install`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
