# Every target creates the virtual environment it needs, so each works on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
HOST   ?= 127.0.0.1
PORT   ?= 3000

.PHONY: venv serve test lint typecheck cov pythons docs docs-serve bench bench-gateway bench-render clean

# `sam build` runs the interpreter of template.yaml's Runtime by its name (python3.13), and nox the runtime
# package's tests on every supported Python: scripts/pythons links those it finds into .pythons/, which goes
# first on PATH (it holds only pythonX.Y links, so `python3` stays the default interpreter).
LAMBDA_RUNTIME_PYTHON := 3.13
PYTHONS_DIR := $(shell scripts/pythons .pythons $(LAMBDA_RUNTIME_PYTHON) 3.12 3.11 2>/dev/null)
export PATH := $(if $(PYTHONS_DIR),$(PYTHONS_DIR):)$(PATH)

# Both distributions of this repository, editable: lambda-micro (the runtime, with its `sessions` and `signals`
# extras) and lambda-micro-local (the local gateway, the test kit and their pytest plugin), with the development tools
# (the dependency group `dev` of pyproject.toml; `--group` needs pip 25.1 or later, hence the upgrade).
LOCAL_DIST := packages/lambda-micro-local

$(STAMP): pyproject.toml $(LOCAL_DIST)/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --group dev -e '.[sessions,signals]' -e $(LOCAL_DIST)
	touch $(STAMP)

venv: $(STAMP)

## The main job: the local gateway serving template.yaml's functions on an embedded AWS (moto), with their
## non-HTTP events (the feed's stream, the thumbnails' S3 notifications, the nightly schedule) delivered too.
## SiteUrl: the feed's and the sitemap's links point at this server.
serve: $(STAMP)
	$(BIN)/lambda-micro serve --template template.yaml --host $(HOST) --port $(PORT) \
	  --parameter-overrides SiteUrl=http://$(HOST):$(PORT)/

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

## Lint, types, the whole suite (slow and browser tests included) and the coverage gates.
test: lint typecheck
	$(BIN)/python -m coverage erase
	# coverage starts before pytest, so modules the pytest plugin imports early are measured too
	$(BIN)/python -m coverage run -m pytest $(PYTEST_ARGS)
	$(BIN)/python -m coverage combine --quiet
	$(MAKE) --no-print-directory cov

## The runtime package's tests on Python 3.11, 3.12 and 3.13 (noxfile.py; one venv each under .nox/).
## NOX_ARGS="-s runtime-3.13" for one of them.
pythons: $(STAMP)
	@test -n "$(PYTHONS_DIR)" || { scripts/pythons .pythons $(LAMBDA_RUNTIME_PYTHON) 3.12 3.11; exit 1; }
	$(BIN)/nox $(NOX_ARGS)

## The documentation site (mkdocs.yml, docs/) into site/, strictly: a warning (a broken link, a page missing
## from the nav, a docstring the API reference cannot read) fails. Its examples run in the suite (tests/docs).
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

## The same, served on http://127.0.0.1:8000 with live reload while you write.
docs-serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --strict

cov: $(STAMP)
	@echo "--- coverage: lambda_micro/adapter (100% branch required)"
	$(BIN)/python -m coverage report --include='lambda_micro/adapter/*' --fail-under=100
	@echo "--- coverage: core (95% required)"
	$(BIN)/python -m coverage report --omit='lambda_micro/adapter/*,lambda_micro/local/*,lambda_micro/testing/*' --fail-under=95
	@echo "--- coverage: whole package"
	$(BIN)/python -m coverage report --fail-under=90

## Side-by-side benchmarks against peer stacks (own venv .venv-bench; a few minutes on 2 cores; BENCH_ARGS=--quick
## for a smoke run). Writes bench/results.md.
bench:
	$(PYTHON) bench/run.py $(BENCH_ARGS)

## The local gateway under load (bench/gateway.py): 32 keep-alive clients on three routes of template.yaml,
## main's werkzeug server vs this checkout's waitress vs SAM CLI's local API service. Run it alone on the
## machine; GATEWAY_BENCH_ARGS="--duration 3" for a short run. Uses wrk when installed (apt-get install wrk).
bench-gateway: $(STAMP)
	$(BIN)/python bench/gateway.py $(GATEWAY_BENCH_ARGS)

## The example blog's worst case for rendering a post body (the slowest body its bounds accept, found from known
## pathological inputs and a seeded random search); under a minute. RENDER_ARGS=--quick for a smoke run.
bench-render: $(STAMP)
	$(BIN)/python bench/render_worst_case.py $(RENDER_ARGS)

clean:
	rm -rf $(VENV) .venv-bench .nox .pythons site .aws-sam .coverage .coverage.* htmlcov .mypy_cache .ruff_cache .pytest_cache .hypothesis
