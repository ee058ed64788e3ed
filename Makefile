# Two commands on a fresh machine:
#   make run   set everything up and start the app on the embedded default, with demo data
#   make test  set everything up and run the whole suite
SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := .tools/bin/uv
PY := .venv/bin/python
LT := .venv/bin/legal-track
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: run test venv venv-dev fonts init demo lint bench clean

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Bytecode is compiled once here: where PYTHONDONTWRITEBYTECODE is set, every command
# would otherwise compile its libraries again (seconds per `legal-track bundle make`).
venv: $(UV)
	@$(UV) sync --locked --inexact --quiet --compile-bytecode
	@$(PY) -m compileall -q legal_track

venv-dev: $(UV)
	@$(UV) sync --locked --extra dev --quiet --compile-bytecode
	@$(PY) -m compileall -q legal_track

fonts:
	@scripts/ensure-cjk-font.sh

init: venv fonts
	@$(LT) init

demo: init
	@$(LT) demo --if-empty

# make run PORT=8600 ADDRESS=0.0.0.0  (the address to bind; 127.0.0.1 by default)
PORT ?= 8501
ADDRESS ?= 127.0.0.1

run: demo
	@echo "legal-track: http://$(ADDRESS):$(PORT)  (users: admin, see above; demo_lead / legal-track-demo)"
	@$(LT) serve --port $(PORT) --address $(ADDRESS)

test: venv-dev fonts
	$(PY) -m pytest

lint: venv-dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

bench: venv-dev
	$(PY) -m bench

clean:
	rm -rf .venv .tools .pytest_cache .ruff_cache
