# Shunde funding workbook — `make report` builds every report, `make test` runs the suite.
# Both create .venv on first use and install the exact versions in requirements.lock.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=

.PHONY: setup report test lab bench clean-outputs help

help:
	@echo "make report   set up .venv, run every notebook, write outputs/index.html"
	@echo "make test     set up .venv and run the test suite"
	@echo "make lab      start JupyterLab with the project's kernel"
	@echo "make bench    time the report suite (see benchmarks/)"

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (found %d.%d); set PYTHON=/path/to/python3.11" % sys.version_info[:2])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name shunde-workbook --display-name "Python (shunde-workbook)" > /dev/null
	@touch $(STAMP)

setup: $(STAMP)

report: $(STAMP)
	$(BIN)/shunde-workbook run $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(ARGS)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_suite.py

clean-outputs:
	find outputs -mindepth 1 ! -name README.md -exec rm -rf {} +
