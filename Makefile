# dondoc — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DONDOC_DATA_DIR ?= $(CURDIR)/var/data
STAMP := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres lint typecheck messages vendor bench clean setup browser-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP) messages

messages: $(STAMP)
	@if command -v msgfmt >/dev/null; then \
	  $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var --ignore=node_modules -v0; \
	else \
	  echo "GNU gettext not found: compiling translations with dondoc.core.pocompile"; \
	  $(BIN)/python -m dondoc.core.pocompile .; \
	fi

## make run: set up, migrate, load the demo on first run, serve on http://127.0.0.1:$(PORT)
run: setup
	$(BIN)/python manage.py migrate --noinput -v0
	@if [ ! -f "$(DONDOC_DATA_DIR)/.demo-loaded" ]; then \
	  $(BIN)/dondoc demo --insecure-demo && touch "$(DONDOC_DATA_DIR)/.demo-loaded"; fi
	PORT=$(PORT) $(BIN)/dondoc serve

## make test: set up and run the whole suite (lint, types, tests) on the configured database
test: setup lint typecheck
	$(BIN)/python manage.py makemigrations --check --dry-run -v0 --settings=config.settings_test
	$(BIN)/python -m pytest -n 2 --dist loadfile

test-sqlite:
	env -u DATABASE_URL $(MAKE) test

test-postgres:
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(MAKE) test

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy dondoc config

## make bench: the performance benchmark (writes var/bench/latest.json)
bench: setup
	$(BIN)/python bench/run.py

## make vendor: refresh static/vendor from the pinned npm packages
vendor:
	./scripts/vendor.sh

clean:
	rm -rf $(VENV) var/data/static
