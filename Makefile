# Two commands do everything on a fresh machine (see README):
#   make report   set up, run the conformance check of the bundled implementation, write report/
#   make test     set up, run the test suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup browser sandbox report test bench bench-grade catalog systems

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	$(BIN)/python -m compileall -q impl reference conformance reports nnconf  # bytecode, also where PYTHONDONTWRITEBYTECODE is set
	touch $@

# Debian's chromium for the report's browser test (never `playwright install`).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Debian's bubblewrap: each worker runs the code under check in its box (see README, "Untrusted code").
sandbox:
	@command -v bwrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap; }

report: setup sandbox
	$(BIN)/nnconf check nnconf.impl --report report -n 2

test: setup browser sandbox
	$(BIN)/python -m pytest -n 2

systems: setup
	$(BIN)/python -m nnconf.impl.systems

bench: setup
	$(BIN)/python bench/benchmark.py

bench-grade: setup sandbox
	$(BIN)/python bench/grading.py

catalog: setup sandbox
	$(BIN)/nnconf catalog
