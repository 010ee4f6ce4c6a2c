# Two commands: `make demo` sets up and runs the main job; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test test-all bench clean dashboard

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

# The main job: the baseline scenario, then a comparison of intervention portfolios, with charts.
demo: setup
	$(BIN)/spridning run scenarios/baseline.yaml --out results/baseline
	$(BIN)/spridning compare scenarios/portfolio_*.yaml --baseline scenarios/baseline.yaml --out results/comparison
	@echo "Report (one self-contained file, open it in a browser or send it): $$(pwd)/results/comparison/report.html"
	@echo "Memo tables: $$(pwd)/results/comparison/comparison.md   Baseline's report: $$(pwd)/results/baseline/report.html"

test: setup
	$(BIN)/python -m pytest -q

# The suite under python3 and, where it is installed, again under Python 3.12 (Mesa 3.5).
test-all: test
	@if PY312=$$(./.ci/find-python312); then \
		$(MAKE) --no-print-directory test PYTHON="$$PY312" VENV=.venv312; \
	else echo "python3.12 not found: skipped the Python 3.12 run"; fi

# The live dashboard on http://127.0.0.1:8765/ (Ctrl-C stops it).
dashboard: setup
	$(BIN)/spridning dashboard

bench: setup
	$(BIN)/python benchmarks/bench_targets.py
	$(BIN)/python benchmarks/bench_sweep.py

clean:
	rm -rf $(VENV) .venv312 .pytest_cache
