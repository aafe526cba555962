"""``python -m nnconf check|list|report|catalog``: the same command line as the ``nnconf`` script."""

import sys

from nnconf.conformance.cli import main

if __name__ == "__main__":  # also imported by the job processes of --jobs (spawn)
    sys.exit(main())
