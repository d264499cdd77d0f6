# One local virtualenv; torch is pinned to the CPU build before anything else
# so that nothing pulls a multi-GB CUDA build.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run ui chat test browser bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the Streamlit app on the offline default (no key, no network).
run: install
	$(BIN)/interviewer ui

ui: run

chat: install
	$(BIN)/interviewer chat

## Headless Chromium for the end-to-end browser test (Debian packages).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium not found: the browser test will be skipped (sudo apt-get install chromium)"; fi; }

## Install everything and run the whole test suite.
test: install browser
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache
