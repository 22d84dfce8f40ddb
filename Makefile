# Two commands do all the set-up (see README.md):
#   make demo   create .venv, install triggerfilm, render the demo film into out/demo/
#   make test   create/update .venv, run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Installed only when pyproject.toml changes.
STAMP := $(VENV)/.installed

.PHONY: demo test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/triggerfilm render manifests/demo.yaml -o out/demo

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

clean:
	rm -rf $(VENV) out
