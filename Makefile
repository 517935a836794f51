# Two commands a newcomer needs: `make run` and `make test`; `make docs` builds the site into site/.
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip

.PHONY: install install-test install-docs run test lint bench docs

# `make run` needs only the core; `make test` and `make bench` install every extra.
install:
	$(PIP) install -e .

install-test:
	$(PIP) install -e ".[test,docs]"

install-docs:
	$(PIP) install -e ".[docs]"

run: install
	removalsim run millions-2019

# The tests include the docs: the site is built with --strict (tests/test_docs.py) and the
# examples in docs/*.md run as doctests.
test: install-test
	$(PYTHON) -m pytest
	$(PYTHON) -m ruff check src tests bench tools
	removalsim sources --check --no-rank

lint:
	$(PYTHON) -m ruff check src tests bench tools

# The documentation site, generated pages included; `removalsim docs` prints where it is.
docs: install-docs
	NO_MKDOCS_2_WARNING=1 $(PYTHON) -m mkdocs build --strict

bench: install-test
	$(PYTHON) bench/run.py
