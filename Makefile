# The README's two commands: `make run` and `make test`. `make bench` prints the benchmark figures.
VENV    := .venv
PYTHON  := $(VENV)/bin/python
FLASK   := $(VENV)/bin/flask --app wsgi
PORT    ?= 5000

.PHONY: install run test bench lint format translations clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Upgrade the database, seed it (with the local demo accounts), bring the index up to date, serve.
run: install
	$(FLASK) db upgrade
	$(FLASK) seed --demo
	$(FLASK) index sync || $(FLASK) index rebuild
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install
	$(VENV)/bin/pytest

bench: install
	$(PYTHON) tests/benchmarks/run_benchmarks.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf instance .pytest_cache test-output
