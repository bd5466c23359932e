# `make run` starts the service with the telephony emulator placing calls; `make test` runs the
# linters (ruff for Python, ESLint for the browser's scripts) and the tests; `make soak` floods
# the service with 100,000 faulty webhooks on each database.
# All set up everything they need on a fresh machine: a virtualenv in .venv, the front-end
# packages from package-lock.json in node_modules.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint soak install

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The compiled catalogs (.mo) are build output, made from the translations (.po).
helpline/translations/.compiled: $(BIN)/.installed $(wildcard helpline/translations/*/LC_MESSAGES/messages.po)
	$(BIN)/pybabel compile --statistics -d helpline/translations
	touch $@

install: $(BIN)/.installed node_modules/.installed helpline/translations/.compiled

run: install
	$(BIN)/flask --app wsgi demo

lint: $(BIN)/.installed node_modules/.installed
	$(BIN)/ruff check .
	node_modules/.bin/eslint helpline/static

# On SQLite alone; or, when TEST_DATABASE_URL is set, on PostgreSQL, with the tests the database
# changes run on SQLite too (the others, browser tests among them, run once, on PostgreSQL).
test: install lint
	if [ -n "$$TEST_DATABASE_URL" ]; then \
		env -u TEST_DATABASE_URL $(BIN)/python -m pytest --only-database --no-browser $(PYTEST_ARGS) && \
		$(BIN)/python -m pytest $(PYTEST_ARGS); \
	else \
		$(BIN)/python -m pytest $(PYTEST_ARGS); \
	fi

soak: install
	$(BIN)/python -m bench.soak
