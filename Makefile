# The two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
.DEFAULT_GOAL := run
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTHON_FOR_VENV := $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)

.PHONY: run test lint e2e bench setup migrate demo serve clean-db messages fmt fuzz load

$(STAMP): pyproject.toml
	@test -n "$(PYTHON_FOR_VENV)" || { echo "Cần Python >= 3.11 (Python >= 3.11 is required)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON_FOR_VENV) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(BIN)/kieumau migrate --noinput
	$(BIN)/kieumau createcachetable

demo: migrate
	$(BIN)/kieumau demo --once

run: demo
	$(BIN)/kieumau collectstatic --noinput --verbosity 0
	$(BIN)/kieumau serve --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The whole suite. Browser tests run when /usr/bin/chromium exists (set KIEUMAU_REQUIRE_E2E=1 to make
# a missing browser an error instead of a skip, as .ci/run does).
test: lint
	$(BIN)/pytest -n 2 --dist loadfile -q

e2e: setup
	$(BIN)/pytest -q -m e2e tests/e2e

bench: setup
	$(BIN)/python benchmarks/run.py

# API fuzzing (schemathesis) with many more generated requests than the bounded run in `make test`.
FUZZ_EXAMPLES ?= 100
fuzz: setup
	KIEUMAU_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -p no:xdist -q tests/fuzz

# Load test: gunicorn + PostgreSQL (KIEUMAU_LOAD_DATABASE_URL, default database kieumau_load on
# 127.0.0.1, created when missing) driven by locust; figures go into docs/benchmarks.md.
load: setup
	$(BIN)/python benchmarks/load/run.py

messages: setup
	cd src/kieumau && ../../$(BIN)/kieumau makemessages -l vi --no-obsolete --ignore 'static/*' && ../../$(BIN)/kieumau compilemessages -l vi

fmt: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
