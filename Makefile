# bana-tools: the two commands of the README, and the steps behind them.
#   make start   set up .venv, build the book, serve the course in JupyterLab
#   make test    set up .venv (with test tools), lint, run the whole test suite
# Everything installs into .venv from pyproject.toml, pinned by constraints.txt.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
PORT   ?= 8888
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup setup-dev start book test lint pytest doctor clean constraints hub

help:
	@echo "make start   build the book and serve the course in JupyterLab (Ctrl-C to stop)"
	@echo "make test    lint and run the whole test suite"
	@echo "make book    build the book into book/_build/html"
	@echo "make doctor  diagnose the Jupyter setup (widgets, nbgrader, kernel)"
	@echo "make hub     a trial class JupyterHub on 127.0.0.1:8000 (bana course hub)"
	@echo "make clean   remove build output (keeps .venv)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "bana-tools needs Python 3.11 or newer; found " + sys.version.split()[0] + " (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install --quiet -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

# JupyterLab's default settings for this environment: no "get notified about official Jupyter
# news?" toast and no update check (an editable install does not copy pyproject's data-files).
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_OVERRIDES): src/bana_tools/lab_settings/overrides.json $(VENV)/.installed
	@mkdir -p $(dir $@)
	cp $< $@

# configurable-http-proxy for the class hub, from npm (pinned by package-lock.json).
HUB_PROXY := autograding/hub/node_modules/.bin/configurable-http-proxy
$(HUB_PROXY): autograding/hub/package.json autograding/hub/package-lock.json
	@command -v npm >/dev/null || { echo "the class hub needs Node.js and npm (sudo apt-get install nodejs npm)"; exit 1; }
	npm ci --prefix autograding/hub --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(VENV)/.installed $(LAB_OVERRIDES)
setup-dev: $(VENV)/.installed-dev $(LAB_OVERRIDES) $(HUB_PROXY)

# The execution cache keys on each page's code only; when the package changes, pages that
# call it must run again, so the cache is dropped whenever src/ changes.
SRC_HASH = $(shell $(PYTHON) -c "import hashlib, pathlib; h = hashlib.sha256(); [h.update(p.read_bytes()) for p in sorted(pathlib.Path('src').rglob('*')) if p.suffix in ('.py', '.csv')]; print(h.hexdigest()[:16])")

book: setup
	@if [ "$$(cat book/_build/.bana-src-hash 2>/dev/null)" != "$(SRC_HASH)" ]; then \
		echo "package changed since the last build: re-executing every page"; \
		rm -rf book/_build/.jupyter_cache; fi
	$(BIN)/jupyter-book build book --warningiserror --keep-going
	@echo "$(SRC_HASH)" > book/_build/.bana-src-hash

start: book
	$(BIN)/bana start --port $(PORT)

doctor: setup
	$(BIN)/bana doctor

hub: setup $(HUB_PROXY)
	$(BIN)/bana course hub

lint: setup-dev
	$(BIN)/ruff check src tests benchmarks

pytest: setup-dev
	@$(BIN)/python -c 'import os, shutil, sys; p = os.environ.get("BANA_CHROMIUM", "/usr/bin/chromium"); shutil.which(p) or print(f"note: browser tests will be skipped: {p} not found; enable them with: sudo apt-get install chromium (or set BANA_CHROMIUM=/path/to/chromium)")'
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint pytest

# Re-pin constraints.txt from a clean resolve of pyproject.toml (maintainers only).
constraints:
	rm -rf /tmp/bana-constraints-venv && $(PYTHON) -m venv /tmp/bana-constraints-venv
	/tmp/bana-constraints-venv/bin/python -m pip install --quiet -e ".[dev]"
	/tmp/bana-constraints-venv/bin/python -m pip freeze --exclude-editable | grep -v '^bana' > constraints.txt

clean:
	rm -rf book/_build test-artifacts .pytest_cache .ruff_cache build
