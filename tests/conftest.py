"""Test-wide settings.

Many tests write a target that builds on the bundled implementation (``from nnconf.impl.deep
import *``) and replaces one function; the harness refuses that import unless the run allows it
(``--allow-bundled``). The tests allow it through the environment, which their subprocesses
inherit; the tests of the refusal itself (tests/hostile) take it away again.
"""

import os

os.environ["NNCONF_ALLOW_BUNDLED"] = "1"
