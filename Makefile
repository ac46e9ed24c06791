# The README's commands. Everything installs into .venv from pyproject.toml and constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BENCH_STAMP := $(VENV)/.bench-stamp
export DAGSTER_HOME := $(CURDIR)/.ez/dagster

.PHONY: demo test lint ui bench install clean chromium

install: $(STAMP) chromium

# The browser tests drive Debian's chromium; as root, install it when it is missing. Elsewhere
# the browser tests fail and say how to install it.
chromium:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium chromium-driver >/dev/null; \
	fi

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ez-pipelines demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint chromium
	$(BIN)/pytest

# The receiver benchmark, lead matching against Splink (DuckDB) from the `bench` extra, and the
# health figures at a million rows.
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.leads
	$(BIN)/python -m bench.health

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	touch $(BENCH_STAMP)

ui: $(STAMP)
	$(BIN)/ez-pipelines migrate
	$(BIN)/ez-pipelines ui

clean:
	rm -rf .ez
