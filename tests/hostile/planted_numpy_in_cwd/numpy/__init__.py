import os
import sys

try:
    with open(os.path.join(os.path.expanduser("~"), "HOSTILE-SUCCEEDED-planted-numpy"), "w") as handle:
        handle.write("a planted numpy was imported\n")
except OSError:
    pass
print("HOSTILE-SUCCEEDED: the planted numpy was imported")
sys.stdout.flush()
os._exit(0)
