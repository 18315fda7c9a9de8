# The two commands a newcomer needs: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HEROKU_CLI_VERSION := 11.10.0
HEROKU := .cache/heroku-cli/node_modules/.bin/heroku
OIDC_PROVIDER := .cache/idp/node_modules/oidc-provider/package.json

.PHONY: install run test lint migrate demo clean heroku-cli test-idp bench

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

migrate: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(BIN)/python manage.py demo

## Serve the dashboard with demo data on http://127.0.0.1:8000 (SQLite unless DATABASE_URL is set).
run: demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

## The whole suite: SQLite by default, PostgreSQL when DATABASE_URL is set.
test: install heroku-cli test-idp
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .

## The performance benchmark (docs/performance.md): its own database (SQLite, or DATABASE_URL's server + _bench).
bench: install
	$(BIN)/python manage.py bench --out bench.json

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .cache
