# Shunde funding workbook — `make report` builds every report, `make test` runs the suite.
# Both create .venv on first use and install the exact versions in requirements.lock.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=

LINT_PATHS := src tests benchmarks scripts notebooks

.PHONY: help setup report test test-fast lint format lab bench clean-outputs

help: ## show this list of targets
	@echo "Usage: make TARGET [ARGS=...]"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (found %d.%d); set PYTHON=/path/to/python3.11" % sys.version_info[:2])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name shunde-workbook --display-name "Python (shunde-workbook)" > /dev/null
	@# byte-compiled once: where PYTHONDONTWRITEBYTECODE is set, every kernel would compile the package again
	@$(BIN)/python -m compileall -q src
	@touch $(STAMP)

setup: $(STAMP) ## create .venv with the exact versions in requirements.lock

report: $(STAMP) ## run every notebook and write outputs/index.html (options: ARGS="--set language=en")
	$(BIN)/shunde-workbook run $(ARGS)

test: $(STAMP) lint ## lint, then the full test suite (notebook executions and the browser test included)
	$(BIN)/python -m pytest $(ARGS)

test-fast: $(STAMP) ## the suite without notebook executions and the browser test (-m "not slow")
	$(BIN)/python -m pytest -m "not slow" $(ARGS)

lint: $(STAMP) ## ruff check and ruff format --check (changes nothing)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

format: $(STAMP) ## ruff: fix what is safe to fix, then format the code and notebooks
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

lab: $(STAMP) ## JupyterLab on notebooks/ with the project's kernel
	$(BIN)/jupyter lab --notebook-dir=notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(ARGS)

bench: $(STAMP) ## time the report suite four ways, a 12-set sweep and a 1,000-set measures-only sweep on two backends (see benchmarks/)
	@$(BIN)/python -m compileall -q src
	$(BIN)/python benchmarks/run_suite.py
	$(BIN)/python benchmarks/sweep_bench.py
	$(BIN)/python benchmarks/measures_bench.py

clean-outputs: ## delete everything in outputs/ except its README
	find outputs -mindepth 1 ! -name README.md -exec rm -rf {} +
