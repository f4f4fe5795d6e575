# The README's two commands: `make run` and `make test`. `make bench` prints the benchmark figures.
VENV    := .venv
PYTHON  := $(VENV)/bin/python
FLASK   := $(VENV)/bin/flask --app wsgi
PORT    ?= 5000

.PHONY: install run serve test bench load lint format translations extract-messages clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

# Tools for the test suite from npm (axe-core for the accessibility tests), when npm is here;
# without it those tests skip locally (CI installs npm, see .ci/run).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: skipping node_modules (accessibility tests will skip)"; fi

install: $(VENV)/.installed translations node_modules/.installed

# Compiled catalogues (*.mo) are build products; the *.po files are the source.
translations: $(VENV)/.installed
	@if ls catalogue/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(VENV)/bin/pybabel -q compile -d catalogue/translations; fi

# After changing UI strings: extract them and merge into each language's catalogue.
extract-messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract --no-wrap -k lazy_gettext -k _l -F babel.cfg -o catalogue/translations/messages.pot .
	$(VENV)/bin/pybabel update --no-wrap -i catalogue/translations/messages.pot -d catalogue/translations

# Upgrade the database, seed it (with the local demo accounts), bring the index up to date, serve.
run: install
	$(FLASK) db upgrade
	$(FLASK) seed --demo
	$(FLASK) index sync || $(FLASK) index rebuild
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Production serving: gunicorn with several worker processes (gunicorn.conf.py), without the demo
# accounts. Set CATALOGUE_SECRET_KEY, CATALOGUE_DATABASE_URL etc. first (README, Configuration).
# Searches are CPU-bound pure Python: about two workers per core, so that one can wait on the
# database or the index lock while the other searches.
WORKERS ?= 4
serve: install
	$(FLASK) db upgrade
	$(FLASK) seed
	$(FLASK) index sync || $(FLASK) index rebuild
	$(VENV)/bin/gunicorn --workers $(WORKERS) --bind 127.0.0.1:$(PORT)

test: install
	$(VENV)/bin/pytest

bench: install
	$(PYTHON) tests/benchmarks/run_benchmarks.py

# 50 simulated visitors for 2 minutes against gunicorn on loopback; prints p50/p95/p99 per route
# and fails on any error (LOAD_ARGS="--users 10 --duration 20s" for a short try; --help lists all).
LOAD_ARGS ?=
$(VENV)/.installed-load: pyproject.toml $(VENV)/.installed
	$(VENV)/bin/pip install --quiet -e '.[dev,load]'
	touch $@

load: install $(VENV)/.installed-load
	$(PYTHON) tests/load/run_load.py $(LOAD_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf instance .pytest_cache test-output node_modules
