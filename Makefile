# The two front-door commands: `make demo` and `make test`. Both create the
# virtual environment on first use; nothing needs to be installed by hand.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# Google ML Metadata for `make bench-peers`: it pins protobuf < 5, so it gets a virtual
# environment of its own, created on first use with the versions the results were taken with
MLMD_PYTHON ?= $(PYTHON)
MLMD_VENV ?= .venv-mlmd
MLMD_BIN := $(MLMD_VENV)/bin
MLMD_PACKAGES := ml-metadata==1.17.1 protobuf==4.25.9
# scales of `make bench-peers` (1 = 7,500 entities + 7,474 links)
SCALES ?= 1 10

.PHONY: demo test lint bench-aql bench bench-peers bench-versions bench-serve docs clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,demo]'
	touch $@

$(MLMD_BIN)/.installed:
	$(MLMD_PYTHON) -m venv $(MLMD_VENV)
	$(MLMD_BIN)/python -m pip install --quiet --upgrade pip
	$(MLMD_BIN)/python -m pip install --quiet $(MLMD_PACKAGES)
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

bench-peers: $(BIN)/.installed $(MLMD_BIN)/.installed
	$(BIN)/python bench/bench_peers.py --scale $(SCALES) \
		--python mlmd=$(MLMD_BIN)/python --python arangoml_meta=$(BIN)/python

bench-versions: $(BIN)/.installed
	$(BIN)/python bench/bench_versions.py

# `arangoml-meta serve` over HTTP (1, 4, 8 clients) beside the embedded store in-process
bench-serve: $(BIN)/.installed
	$(BIN)/python bench/bench_serve.py

docs: $(BIN)/.installed
	$(BIN)/python -m arangoml_meta.cli.docs > docs/cli.md

clean:
	rm -rf $(VENV) $(MLMD_VENV) .pytest_cache .mypy_cache .ruff_cache
