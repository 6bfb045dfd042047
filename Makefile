# lsc-workforce: two commands on a fresh machine (Python 3.11 and make only).
#   make run   -> creates .venv, installs, refreshes every output on the shipped reference data
#   make test  -> creates .venv, installs, runs the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lab validate reference-data bench lint format clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/lsc-workforce refresh

test: $(STAMP)
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

validate: $(STAMP)
	$(BIN)/lsc-workforce validate

reference-data: $(STAMP)
	$(BIN)/lsc-workforce make-reference-data

# Shorter runs of every benchmark (tens of minutes); the full Curtois run (hours) is
#   .venv/bin/python benchmarks/rota_benchmarks.py
bench: $(STAMP)
	$(BIN)/python benchmarks/refresh.py
	$(BIN)/python benchmarks/projection.py
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/ooh_scenarios.py
	$(BIN)/python benchmarks/rota_benchmarks.py --instances 1-4 --time-limit 60

lint: $(STAMP)
	$(BIN)/ruff check lsc_workforce tests benchmarks notebooks
	$(BIN)/ruff format --check lsc_workforce tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format lsc_workforce tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
