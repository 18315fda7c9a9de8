# The two commands a newcomer needs: `make run` and `make test`. See README.md.
PYTHON ?= python3
PORT ?= 8000
# bash: `make run` waits for whichever of its two processes stops first (wait -n).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HEROKU_CLI_VERSION := 11.10.0
HEROKU := .cache/heroku-cli/node_modules/.bin/heroku
OIDC_PROVIDER := .cache/idp/node_modules/oidc-provider/package.json
AXE := .cache/axe/node_modules/axe-core/axe.min.js

.PHONY: install run test lint migrate demo clean heroku-cli test-idp bench load browser screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The official Heroku CLI, for the end-to-end API tests (npm, into .cache/, never committed).
$(HEROKU):
	mkdir -p .cache/heroku-cli
	cd .cache/heroku-cli && npm install --no-audit --no-fund --loglevel=error heroku@$(HEROKU_CLI_VERSION)

heroku-cli: $(HEROKU)

## A real OpenID Connect provider (npm oidc-provider) for the SSO tests; tests/idp/server.mjs runs it.
$(OIDC_PROVIDER):
	mkdir -p .cache/idp
	cd .cache/idp && npm install --no-audit --no-fund --loglevel=error oidc-provider@9.13.3

test-idp: $(OIDC_PROVIDER)

## The browser tests: Debian's Chromium (apt, never `playwright install`) and axe-core (npm, into .cache/).
$(AXE):
	mkdir -p .cache/axe
	cd .cache/axe && npm install --no-audit --no-fund --loglevel=error axe-core@4.14.1

browser: $(AXE)
	test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver)

## Screenshots of the main pages for the README, into docs/screenshots/.
screenshots: install browser
	SCREENSHOTS=1 $(BIN)/pytest -q tests/browser -m screenshots

## As the Procfile's release step: migrate, then start the hourly housekeeping chain for the worker.
migrate: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py housekeeping

demo: migrate
	DEBUG=1 $(BIN)/python manage.py demo

## Serve the dashboard with demo data on http://127.0.0.1:$(PORT) (SQLite unless DATABASE_URL is set), with a
## background worker beside it. Ctrl-C, or either process stopping, stops both (the trap kills the group).
run: demo
	@trap 'trap - INT TERM EXIT; kill 0 2>/dev/null' INT TERM EXIT; \
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT) & \
	DEBUG=1 $(BIN)/python manage.py db_worker & \
	wait -n

## The whole suite: SQLite by default, PostgreSQL when DATABASE_URL is set.
test: install heroku-cli test-idp browser
	$(BIN)/pytest

## The production settings check needs keys and a host; these are throwaway values for the check only.
LINT_PRODUCTION := DJANGO_ENV=production ALLOWED_HOSTS=lint.invalid \
	SECRET_KEY=lint-only-throwaway-key-not-a-secret-0123456789abcdefghijklmnop \
	WEBHOOK_SECRET_KEY=lint-only-throwaway-webhook-key-0123456789abcdef

## One command a line, so adding a checker is one more line.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(LINT_PRODUCTION) $(BIN)/python manage.py check --deploy --fail-level WARNING

## The performance benchmark (docs/performance.md): its own database (SQLite, or DATABASE_URL's server + _bench).
bench: install
	$(BIN)/python manage.py bench --out bench.json

## The load run (docs/performance.md): gunicorn (production settings, 2 workers) and wrk (apt-get install wrk) on
## 127.0.0.1, against a PostgreSQL database of its own (LOAD_DATABASE_URL, default .../accessctl_load).
load: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m accessctl.bench.load

## Everything the build and the tests leave behind.
clean:
	rm -rf $(VENV) .cache staticfiles .pytest_cache .ruff_cache .mypy_cache .hypothesis *.egg-info db.sqlite3
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
