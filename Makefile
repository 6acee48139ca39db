# The two commands of the README: `make run` and `make test`. Both set everything up.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install etl serve lint typecheck test-unit test-integration test-browser bench audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the declared dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The demonstration program extract is regenerated (seeded, byte-identical) before each run.
etl: install
	$(BIN)/python -m etl demo
	$(BIN)/python -m etl run

serve: install
	$(BIN)/gunicorn --config gunicorn.conf.py app:server

run: etl serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

test-unit: install
	$(BIN)/pytest tests/unit

test-integration: install
	$(BIN)/pytest tests/integration --durations=15

test-browser: install
	$(BIN)/pytest tests/browser --durations=15

test: lint typecheck test-unit test-integration test-browser

bench: install
	$(BIN)/python -m benchmarks

# Known vulnerabilities in the installed dependencies, from PyPI's advisory data. Needs
# PyPI's JSON API (a registry mirror that serves only /simple/ cannot answer: --strict then
# fails rather than report a clean bill it could not check).
audit: install
	$(BIN)/pip-audit --strict --skip-editable --progress-spinner off

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache .pytest_cache .hypothesis
