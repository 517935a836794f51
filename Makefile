# Two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip

.PHONY: install install-test run test lint bench

install:
	$(PIP) install -e .

install-test:
	$(PIP) install -e ".[test]"

run: install
	removalsim run millions-2019

test: install-test
	$(PYTHON) -m pytest
	$(PYTHON) -m ruff check src tests bench
	removalsim sources --check --no-rank

lint:
	$(PYTHON) -m ruff check src tests bench

bench: install-test
	$(PYTHON) bench/run.py
