# Mesa TIC — the two commands: `make run` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := portal:create_app

.PHONY: run test lint venv dev-venv system-packages node-tools db demo clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

venv: $(VENV)/.runtime
dev-venv: $(VENV)/.dev

db: venv
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask demo load

## make run: set everything up (venv, packages, database, demo data) and serve http://127.0.0.1:5000
run: demo
	scripts/run-dev.sh

system-packages:
	scripts/install-system-packages.sh

node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

node-tools: node_modules/.installed

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## TEST_WORKERS: three on two cores keep both busy while browser and integration tests wait on their services
TEST_WORKERS ?= 3

## make test: install what the tests need, then run every test (unit, integration, browser) on all
## cores, one test file per worker at a time (see tests/conftest.py)
test: system-packages dev-venv node-tools lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=15 tests

## make bench: the ANS engine's and the web pages' performance targets on their own PostgreSQL and Redis (long; not part of make test)
bench: system-packages dev-venv
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .ruff_cache .mypy_cache

## make fuzz: the API fuzzing of make test, much longer (200 examples per operation and role)
.PHONY: fuzz
fuzz: dev-venv
	FUZZ_EXAMPLES=200 $(BIN)/python -m pytest tests/unit/security/test_api_fuzz.py -p no:timeout
