# Vietnam smart-city progress portal: developer and operator commands.
# GNU make. Run `make` or `make help` for the list of targets.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

# Interpreter used to create the virtualenv: python3.11, else python3 if it is 3.11.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || { python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null && command -v python3; })

# Services used by `make test`, `make backup` and `make restore`. Override on the
# command line or in the environment, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_alice
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/smartcity_portal
REDIS_URL ?= redis://127.0.0.1:6379/0
SECRET_KEY ?= test-only-secret-key
PYTEST_ARGS ?=

# make exits with 2 whenever a recipe fails; `make test` prints
# "pytest collected no tests (exit code 5)" when pytest found nothing (.ci/run looks for it).

# The demo runs on the SQLite file var/demo.sqlite3 with in-process tasks.
DEMO_ENV := env -u DATABASE_URL -u REDIS_URL
TEST_ENV := env DATABASE_URL='$(DATABASE_URL)' REDIS_URL='$(REDIS_URL)' SECRET_KEY='$(SECRET_KEY)' DEBUG=0 HTTPS=0

.PHONY: help venv demo test lint check messages backup restore benchmark

help: ## List the targets
	@echo "Smart-city progress portal - make targets:"
	@grep -E '^[a-z][a-zA-Z_-]*:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-zA-Z_-]+):.*## (.*)/  \1\t\2/' | expand -t 14
	@echo
	@echo "Variables: DATABASE_URL=$(DATABASE_URL) REDIS_URL=$(REDIS_URL)"
	@echo "           PYTEST_ARGS (e.g. make test PYTEST_ARGS=\"tests/provinces -x\"), FILE (for restore)"

venv: $(VENV)/.installed ## Create .venv (Python 3.11) and install requirements.txt when it changed

$(PY):
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.11 not found: install python3.11 (or make python3 be 3.11)." >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)

# flock (when available) keeps concurrent `make test` runs from installing at once.
$(VENV)/.installed: requirements.txt | $(PY)
	$$(command -v flock >/dev/null && echo flock $(VENV)/.install.lock) $(PY) -m pip install --disable-pip-version-check -r requirements.txt
	touch $@

demo: venv ## Demo on SQLite with demo data and accounts, served at http://127.0.0.1:8000 (safe to re-run)
	$(DEMO_ENV) $(MANAGE) migrate --noinput
	$(DEMO_ENV) $(MANAGE) load_reference_data
	$(DEMO_ENV) $(MANAGE) seed_demo
	$(DEMO_ENV) $(MANAGE) create_demo_accounts
	$(DEMO_ENV) $(MANAGE) runserver 127.0.0.1:8000

test: lint ## Lint, then run the test suite against PostgreSQL and Redis (PYTEST_ARGS passed to pytest)
	$(TEST_ENV) $(PY) tests/check_services.py
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests (exit code 5)" >&2; fi; \
	exit $$status

lint: venv ## The code's direction (import-linter, .importlinter) and ruff (ruff.toml); any finding fails
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff check .

check: lint ## lint, Django system checks and a check for missing migrations
	$(TEST_ENV) $(MANAGE) check
	$(TEST_ENV) $(MANAGE) makemigrations --check --dry-run

messages: venv ## Extract and compile translations (vi, en) under locale/ (needs gettext)
	mkdir -p locale
	$(MANAGE) makemessages -l vi -l en --no-location --no-obsolete --ignore=.venv --ignore=var --ignore=test-artifacts
	$(MANAGE) compilemessages --ignore=.venv

backup: ## pg_dump DATABASE_URL to backups/portal-YYYYmmdd-HHMMSS.dump
	mkdir -p backups
	pg_dump --format=custom --file="backups/portal-$$(date +%Y%m%d-%H%M%S).dump" '$(DATABASE_URL)'
	@ls -1t backups/portal-*.dump | head -1

restore: ## Restore a dump into DATABASE_URL: make restore FILE=backups/portal-....dump
	@if [ -z "$(FILE)" ]; then echo "Usage: make restore FILE=backups/portal-YYYYmmdd-HHMMSS.dump" >&2; exit 2; fi
	@if [ ! -f "$(FILE)" ]; then echo "No such file: $(FILE)" >&2; exit 2; fi
	pg_restore --clean --if-exists --no-owner -d '$(DATABASE_URL)' '$(FILE)'

benchmark: venv ## Run the benchmarks (benchmarks/run.py; BENCH_ARGS="--reseed" to rebuild data)
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
	$(PY) benchmarks/cache_backends.py
	$(PY) benchmarks/run.py $(BENCH_ARGS)
