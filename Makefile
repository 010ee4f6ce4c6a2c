# Two commands: `make demo` sets up and runs the main job; `make test` sets up and runs the tests.
# Developing (README "Developing"): `make test-all` (every tier, both Pythons: what CI runs), `make golden`,
# `make docs`, `make lock`, `make bench`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The lock of exact versions (with hashes) for the running interpreter's minor version: they resolve differently
# (Mesa 3.3 and ema_workbench 2.5 on 3.11; Mesa 3.5, ema_workbench 3 and newer numpy on 3.12).
PYVER := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
LOCK := requirements/py$(PYVER).lock
# `make test` runs the fast tier; `make test MARK=` (as `make test-all` does) runs every test.
MARK ?= not slow
PYTEST_ARGS ?=

.PHONY: setup demo test test-all golden docs posterior lock bench clean dashboard

$(BIN)/.installed: pyproject.toml $(wildcard $(LOCK))
	@test -n "$(PYVER)" || { echo "make setup: '$(PYTHON)' does not run; give a Python 3.11 or newer: make setup PYTHON=python3.12" >&2; exit 2; }
	@echo "== setup 1/3: a virtual environment in $(VENV) (Python $(PYVER))"
	$(PYTHON) -m venv $(VENV)
	@if [ -f $(LOCK) ]; then \
		echo "== setup 2/3: the locked packages of $(LOCK) (about 140; a few minutes on a fresh machine)"; \
		$(BIN)/pip install --progress-bar on --require-hashes --no-deps -r $(LOCK); \
	else \
		echo "== setup 2/3: NO LOCK for Python $(PYVER) (requirements/ has $$(ls requirements)): installing the newest versions pyproject.toml allows"; \
		$(BIN)/pip install --progress-bar on '.[dev]'; \
	fi
	@echo "== setup 3/3: the spridning package itself (editable)"
	$(BIN)/pip install --no-deps -e .
	touch $@
	@echo "== setup done: $(VENV)"

setup: $(BIN)/.installed

# The main job: the baseline scenario, then a comparison of intervention portfolios, with charts.
demo: setup
	$(BIN)/spridning run scenarios/baseline.yaml --out results/baseline --overwrite
	$(BIN)/spridning compare scenarios/portfolio_*.yaml --baseline scenarios/baseline.yaml --out results/comparison --overwrite
	@echo "Report (one self-contained file, open it in a browser or send it): $$(pwd)/results/comparison/report.html"
	@echo "Memo tables: $$(pwd)/results/comparison/comparison.md   Baseline's report: $$(pwd)/results/baseline/report.html"

# The fast tier (tests not marked slow): every module, a few minutes.
test: setup
	$(BIN)/python -m pytest -q -m "$(MARK)" $(PYTEST_ARGS)

# Every test (the slow tier too: Ctrl-C of worker processes, large sweeps, browsers) under python3 and, where it
# is installed, again under Python 3.12 (Mesa 3.5) in .venv312. This is what CI runs.
test-all:
	$(MAKE) --no-print-directory test MARK=
	@if PY312=$$(./.ci/find-python 3.12); then \
		$(MAKE) --no-print-directory test MARK= PYTHON="$$PY312" VENV=.venv312; \
	else echo "python3.12 not found: skipped the Python 3.12 run"; fi

# Rewrite tests/golden/golden.json from the current code (only in a commit that changes the dynamics on purpose).
golden: setup
	$(BIN)/python -m tests.golden.record

# Regenerate the generated parts of docs/ (parameter table, lever tables).
docs: setup
	$(BIN)/python tests/test_docs.py --write
	$(BIN)/python -m model.levers.listing --write

# Refit the shipped calibration and ship its posterior (model/data/posterior/, the parameters' defaults and
# the default ensemble; docs/calibration.md "Calibrated by default"), then the docs. Resumes if interrupted.
# `make posterior WORKERS=2` to limit the processes. Afterwards: `make golden` (the default runs change).
posterior: setup
	$(BIN)/python -m model.calibrate.ship --fit $(if $(WORKERS),--workers $(WORKERS))
	$(MAKE) --no-print-directory docs

# Re-resolve requirements/py3.11.lock and py3.12.lock (uv, in a throwaway venv). Pins already in a lock are kept;
# `make lock UPGRADE=1` moves every package to the newest version pyproject.toml allows.
LOCKVENV := $(or $(TMPDIR),/tmp)/spridning-lock-venv
lock:
	$(PYTHON) -m venv $(LOCKVENV)
	$(LOCKVENV)/bin/pip install --quiet uv
	@for v in 3.11 3.12; do \
		exe=$$(./.ci/find-python $$v) || { echo "== lock: Python $$v not found: requirements/py$$v.lock left as it is"; continue; }; \
		echo "== lock: requirements/py$$v.lock ($$exe)"; \
		$(LOCKVENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python "$$exe" \
			--quiet --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) -o requirements/py$$v.lock || exit 1; \
	done
	rm -rf $(LOCKVENV)

# Every figure of the speed table beside its goal and a reference measured in the same run (docs/performance.md);
# `make bench QUICK=1` on a loaded machine or for a quick look (fewer repeats, smaller sweep and calibration).
bench: setup
	$(BIN)/python benchmarks/bench_targets.py $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) .venv312 .venv-latest .pytest_cache
