# InfraLedger: every set-up step lives here, so a fresh clone needs only `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
DATA_DIR ?= .infraledger

.PHONY: install test bench lint contracts system-deps clean

install: $(STAMP) $(NODE_STAMP) system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[server,dev]"
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Headless Chromium for the page tests comes from Debian (never a downloaded browser build).
system-deps:
	@test -x /usr/bin/chromium || { \
	  echo "installing chromium from Debian"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python -m pytest benchmarks -q --benchmark-only --benchmark-columns=min,median,mean,ops,rounds

lint: install
	$(BIN)/ruff check ledger anchoring api verifier tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) node_modules

# Rebuild the committed contract artifacts with the pinned solc from package.json.
contracts: $(NODE_STAMP)
	node contracts/build.mjs
