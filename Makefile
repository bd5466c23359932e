# `make run` starts the service with the telephony emulator placing calls; `make test` runs the tests.
# Both set up everything they need on a fresh machine: a virtualenv in .venv, the front-end
# packages from package-lock.json in node_modules.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install

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

# On SQLite; then also on PostgreSQL when TEST_DATABASE_URL is set.
test: install
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)
	if [ -n "$$TEST_DATABASE_URL" ]; then $(BIN)/python -m pytest $(PYTEST_ARGS); fi
