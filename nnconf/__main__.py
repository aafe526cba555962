"""python -m nnconf check|list|api|report|catalog|grade: the same command line as the nnconf script.

``python -m`` puts the working folder first on ``sys.path``; run inside a submission's folder, its
planted ``numpy/`` would then be imported into the harness. The folder is taken off the path before
anything else is imported (as ``python -P`` does; ``python -P -m nnconf`` also keeps a folder named
``nnconf/`` there from shadowing the harness itself, which nothing inside the package can prevent).
"""

import os
import sys

if not sys.flags.safe_path and sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from nnconf.conformance.doors.cli import main  # noqa: E402 - after the working folder left the path

if __name__ == "__main__":  # also imported by the job processes of --jobs (spawn)
    sys.exit(main())
