# The two commands of the README: `make run` and `make test`. Each creates .venv on first use.
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 5000
BIN = $(VENV)/bin

.PHONY: run test browser bench clean translations messages
# The pages' message catalogs: each translations/<lang>/LC_MESSAGES/messages.po is compiled to its .mo, which
# is not kept in git; run and test build them first.
PO = $(wildcard translations/*/LC_MESSAGES/messages.po)
MO = $(PO:.po=.mo)

$(BIN)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

translations: $(MO)

%.mo: %.po $(BIN)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

# After changing a page's strings: extract them and merge them into every catalog (then translate the new ones).
messages: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -o translations/messages.pot --no-location --omit-header --sort-output \
	  -k _ -k gettext -k ngettext:1,2 .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -w 120 --ignore-obsolete --no-fuzzy-matching

run: $(BIN)/.installed translations
	$(BIN)/fairrecruit db upgrade
	$(BIN)/fairrecruit seed
	@echo
	@echo "FairRecruit is starting: open http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/docs)"
	@echo "Sign in with one of the demo accounts listed above. Stop with Ctrl-C."
	$(BIN)/fairrecruit run --host $(HOST) --port $(PORT)

# Tests run on SQLite, then on PostgreSQL too when TEST_DATABASE_URL is set; in TEST_WORKERS processes (one
# per core), each test file in one of them (its module fixtures, such as a browser's server, built once).
TEST_WORKERS ?= 2
PYTEST = $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile
test: $(BIN)/.installed-test browser translations
	env -u TEST_DATABASE_URL $(PYTEST)
	@if [ -n "$$TEST_DATABASE_URL" ]; then echo "== again on PostgreSQL: $$TEST_DATABASE_URL"; $(PYTEST); fi

# The page tests drive Debian's Chromium; install it when it is missing and we may.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is needed for the page tests: sudo apt-get install chromium"; exit 1; fi; }

bench: $(BIN)/.installed translations
	bash bench/run_all.sh

clean:
	rm -rf $(VENV) instance
