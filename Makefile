# One entry point for a new machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# make test runs the suite on this many processes (pytest-xdist), each with its own test
# database and demo; 0 runs it in this one process.
TEST_WORKERS ?= 2

# Local development only: DEBUG on and a throw-away key. Production sets its own
# SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (see README.md, 部署).
DEV_ENV := DEBUG=1 SECRET_KEY=insecure-key-for-local-development-only ALLOWED_HOSTS=127.0.0.1,localhost

.PHONY: setup setup-dev run test lint format demo clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "zzip needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.deps-run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.deps-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.deps-run

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

setup: $(VENV)/.deps-run node_modules/.package-lock.json
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py createcachetable

setup-dev: $(VENV)/.deps-dev node_modules/.package-lock.json

run: setup
	$(DEV_ENV) $(PY) manage.py demo
	$(DEV_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

demo: setup
	$(DEV_ENV) $(PY) manage.py demo

test: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules staticfiles
