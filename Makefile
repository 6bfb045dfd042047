# lsc-workforce: two commands on a fresh machine (Python 3.11 and make only).
#   make run   -> creates .venv, installs, refreshes every output on the shipped reference data
#   make test  -> creates .venv, installs, runs the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-quick lab validate reference-data bench lint format clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/lsc-workforce refresh

# The whole suite (under 10 minutes on 2 cores); test-quick, to run between commits (under 3),
# leaves out the slow, notebook and browser tests (markers: pyproject.toml).
QUICK := not slow and not notebooks and not browser

test: $(STAMP)
	$(BIN)/python -m pytest

test-quick: $(STAMP)
	$(BIN)/python -m pytest -m "$(QUICK)"

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

validate: $(STAMP)
	$(BIN)/lsc-workforce validate

reference-data: $(STAMP)
	$(BIN)/lsc-workforce make-reference-data

# Every benchmark script, each replacing its own section of docs/benchmarks.md. The Curtois
# regression set is Instances 1-7 (rota_benchmarks.py's defaults); the others run on request,
#   .venv/bin/python benchmarks/rota_benchmarks.py --instances 8-24
bench: $(STAMP)
	$(BIN)/python benchmarks/refresh.py
	$(BIN)/python benchmarks/projection.py
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/ooh_scenarios.py
	$(BIN)/python benchmarks/rota_benchmarks.py

lint: $(STAMP)
	$(BIN)/ruff check lsc_workforce tests benchmarks notebooks
	$(BIN)/ruff format --check lsc_workforce tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format lsc_workforce tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
