import os
import sys

if "nnconf.conformance.box.serve" not in sys.modules:  # imported by the harness, not by its worker
    try:
        with open(os.path.join(os.path.expanduser("~"), "HOSTILE-SUCCEEDED-package-init"), "w") as handle:
            handle.write("the harness imported mypkg/__init__.py\n")
    except OSError:
        pass
    print("HOSTILE-SUCCEEDED: mypkg/__init__.py ran in the harness")
    sys.stdout.flush()
    os._exit(0)
