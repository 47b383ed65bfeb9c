# InfraLedger: every set-up step lives here, so a fresh clone needs only `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
DATA_DIR ?= .infraledger

.PHONY: install demo demo-reset test bench lint contracts system-deps clean

install: $(STAMP) $(NODE_STAMP) system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[client,server,dev]"
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# From Debian (never a downloaded build): headless Chromium for the page tests, nginx for the
# tests of deploy/nginx, wrk for the read-path benchmark, SoftHSM 2 (a PKCS#11 token in files)
# for the tests of `infraledger submit --cert-key pkcs11:…`.
system-deps:
	@test -x /usr/bin/chromium || { \
	  echo "installing chromium from Debian"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -x /usr/sbin/nginx || { \
	  echo "installing nginx from Debian"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }
	@test -x /usr/bin/wrk || { \
	  echo "installing wrk from Debian"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@test -x /usr/bin/softhsm2-util || { \
	  echo "installing softhsm2 from Debian"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq softhsm2 >/dev/null; }

# The whole ledger on this machine with the plan 254 sample: http://127.0.0.1:8000
demo: install
	$(BIN)/infraledger demo --data-dir $(DATA_DIR)

# Forget the demo's ledger, chain, keys and tokens.
demo-reset:
	rm -rf $(DATA_DIR)

# One test process per CPU; the tests of one file stay in one process (they share fixtures).
test: install
	$(BIN)/python -m pytest -q -n auto --dist loadfile

bench: install
	$(BIN)/python -m pytest benchmarks -q --benchmark-only --benchmark-columns=min,median,mean,ops,rounds

lint: install
	$(BIN)/ruff check ledger anchoring api verifier tests benchmarks filings client
	$(BIN)/mypy

# The long reliability runs (docs/benchmarks.md, "Reliability and sustained load"): a 30-minute
# soak per database, 20 SIGKILLs, chain and PostgreSQL faults held 60 s. Options in SOAK_ARGS,
# e.g. SOAK_ARGS="--soak-minutes 10 --outage-seconds 30 --node-cache-mib 16 --crash-rounds 5".
soak: install
	$(BIN)/python -m pytest -p tests.reliability.soak -m soak -s -rxX tests/reliability benchmarks/test_soak.py $(SOAK_ARGS)

clean:
	rm -rf $(VENV) node_modules

# Rebuild the committed contract artifacts with the pinned solc from package.json.
contracts: $(NODE_STAMP)
	node contracts/build.mjs

# Rebuild the committed area catalogue and map boundaries (filings/data/) from their sources.
areas: $(STAMP)
	$(BIN)/python -m filings.data.build_areas
