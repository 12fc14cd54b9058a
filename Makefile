# The two front-door commands: `make demo` and `make test`. Both create the
# virtual environment on first use; nothing needs to be installed by hand.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench-aql bench docs clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/arangoml-meta demo

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

lint: $(BIN)/.installed
	$(BIN)/ruff check arangoml_meta tests bench
	$(BIN)/mypy

bench-aql: $(BIN)/.installed
	$(BIN)/python bench/bench_aql.py

bench: $(BIN)/.installed
	$(BIN)/python bench/bench_api.py

docs: $(BIN)/.installed
	$(BIN)/python -m arangoml_meta.cli.docs > docs/cli.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
