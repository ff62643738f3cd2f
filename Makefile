# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Worker processes: one per core by default; each has its own computation slots and cache.
# Keep-alive outlasts a reader's pause between two pages (uvicorn's 5 s default closes the
# connection just as the next request is sent on it).
WORKERS ?= $(shell nproc 2>/dev/null || echo 1)

.PHONY: run test lint load bench browser clean lock models

run: $(VENV)/.installed
	$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT) --workers $(WORKERS) --timeout-keep-alive 30

test: $(VENV)/.installed-test browser
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

# Many concurrent clients against a real server on loopback, then a classroom (200 students,
# shared links and their own texts); bounded, stops by itself.
load: $(VENV)/.installed-test
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.classroom

# Every speed and size target against a peer measured in the same run (PyTorch, bare NumPy,
# the 17-digit answer, the frame budget); prints one table. Needs the bench extra (torch, CPU).
bench: $(VENV)/.installed-bench browser
	$(BIN)/python -m bench

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $@ $(VENV)/.installed $(VENV)/.installed-test

# The browser tests drive the system Chromium (Playwright cannot download its own here).
# Installed when missing and we may install system packages; otherwise those tests skip and say why.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "No chromium and no root: the browser tests will skip"; fi

# The experiment's trained checkpoints (experiment/checkpoints/, seed 0) and the table over three
# seeds that README quotes; deterministic on one machine and NumPy, about four minutes.
models: $(VENV)/.installed
	$(BIN)/python -m experiment

# The container's exact runtime versions: a fresh venv with the runtime only, frozen.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv && .lock-venv/bin/python -m pip install --quiet .
	{ sed -n '1,2p' requirements.lock; .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^rnn-unfolded'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf .lock-venv

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .hypothesis
