# Two commands for a newcomer: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test clean

setup:
	@bash scripts/setup.sh

demo: setup
	@$(VENV)/bin/claims demo

test: setup
	@bash scripts/test.sh

clean:
	rm -rf var .pytest_cache
