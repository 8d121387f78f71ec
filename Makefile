# Everything installs editable into one virtual environment, .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install services clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Reinstall when any pyproject changes: the core, every plugin, every model package, the template plugin.
$(STAMP): $(BIN)/python pyproject.toml $(wildcard plugins/*/pyproject.toml) $(wildcard models/*/pyproject.toml) examples/plugin-template/pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test,dask,encryption,postgres]' $(foreach p,$(wildcard plugins/*/pyproject.toml) $(wildcard models/*/pyproject.toml) examples/plugin-template/pyproject.toml,-e '$(dir $(p))[test]')
	touch $(STAMP)

install: $(STAMP)

services:
	./scripts/services.sh

demo: install
	$(BIN)/webleads demo

test: install services
	$(BIN)/python -m pytest -q tests $(wildcard plugins/*/tests) examples/plugin-template/tests

bench: install
	$(BIN)/python benchmarks/extract_throughput.py

clean:
	rm -rf $(VENV)
