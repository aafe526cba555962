import sys

from conformance.cli import main

if __name__ == "__main__":  # also imported by the job processes of --jobs (spawn)
    sys.exit(main())
