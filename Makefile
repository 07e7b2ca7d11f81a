# dondoc — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DONDOC_DATA_DIR ?= $(CURDIR)/var/data
STAMP := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres lint typecheck messages vendor bench clean setup browser-deps audit deploy-check

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
test: setup lint typecheck audit deploy-check
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

## make audit: known vulnerabilities in the installed packages (pip-audit; ignore list in
## .pip-audit-ignore); reports and does not fail when the vulnerability service is unreachable
audit: $(STAMP)
	$(BIN)/python scripts/pip_audit_check.py

## make deploy-check: Django's deployment checks with the environment a production server sets
deploy-check: $(STAMP)
	@tmp=$$(mktemp -d) && env DONDOC_DATA_DIR=$$tmp DONDOC_DEBUG=false \
	  SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=dondoc.example.internal CSRF_TRUSTED_ORIGINS=https://dondoc.example.internal \
	  DONDOC_BEHIND_TLS_PROXY=true DONDOC_SECURE_COOKIES=true \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING; \
	  status=$$?; rm -rf $$tmp; exit $$status

## make bench: the performance benchmark (writes var/bench/latest.json)
bench: setup
	$(BIN)/python bench/run.py

## make vendor: refresh static/vendor from the pinned npm packages
vendor:
	./scripts/vendor.sh

clean:
	rm -rf $(VENV) var/data/static

## make bench-scale: dondoc at ministry scale on PostgreSQL (issue 15): checks the disk, creates
## its own database (SCALE_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/dondoc_scale),
## generates 20,000 units, 1,000,000 tasks and 10,000,000 updates with COPY (SCALE=0.01 for a
## small one), measures, merges scale.* into var/bench/latest.json, then drops the database
## unless KEEP=1
.PHONY: bench-scale
bench-scale: setup
	$(BIN)/python bench/scale.py
