# claimledger build/test entry points. Everything a fresh machine needs is installed here:
#   make setup   venv + pinned Python deps, npm ci, solc-js registered for brownie, compile
#   make test    brownie test (on anvil)   -- extra pytest/brownie args: make test ARGS="-k foo -x"
#   make test-clients  the client integration tests (tests/clients: hardhat node), minutes
#   make demo    .venv/bin/claimledger demo
# Stamps live inside what they describe (.venv/, node_modules/, build/), so deleting
# one of those directories re-runs the matching step.

SHELL        := /bin/bash
.SHELLFLAGS  := -eu -o pipefail -c
.DEFAULT_GOAL := setup

PYTHON       ?= $(shell command -v python3.11 || command -v python3)
VENV         := .venv
VBIN         := $(CURDIR)/$(VENV)/bin
NODE_BIN     := $(CURDIR)/node_modules/.bin
ARGS         ?=

# solc version = package.json's solc; brownie-config.yaml must pin the same.
SOLC_VERSION := $(shell sed -n 's/^ *"solc": *"\([0-9.]*\)".*/\1/p' package.json)
SOLCX_DIR    := $(if $(SOLCX_BINARY_PATH),$(SOLCX_BINARY_PATH),$(HOME)/.solcx)
SOLC_BIN     := $(SOLCX_DIR)/solc-v$(SOLC_VERSION)

# anvil (node_modules) and brownie (.venv) for every recipe, incl. brownie's `cmd: anvil`.
export PATH  := $(VBIN):$(NODE_BIN):$(PATH)
export PYTHONDONTWRITEBYTECODE := 1

PY_STAMP     := $(VENV)/.requirements.stamp
PKG_STAMP    := $(VENV)/.editable.stamp
NPM_STAMP    := node_modules/.package-lock.json
ANVIL_STAMP  := $(VENV)/.anvil.stamp
COMPILE_STAMP := build/.compile.stamp
# sources + their directories (a directory's mtime changes when a file is added/removed)
SOL_SOURCES  := $(shell find contracts interfaces \( -type d -o -name '*.sol' -o -name '*.vy' -o -name '*.json' \) 2>/dev/null)

.PHONY: setup test test-clients demo lint clean distclean check-solc-pin dev-network

setup: $(PY_STAMP) $(PKG_STAMP) $(NPM_STAMP) $(ANVIL_STAMP) $(SOLC_BIN) $(COMPILE_STAMP) dev-network

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --disable-pip-version-check -q -r requirements.txt
	$(VENV)/bin/python -m pip check
	touch $@

$(PKG_STAMP): pyproject.toml $(PY_STAMP)
	$(VENV)/bin/python -m pip install --disable-pip-version-check -q --no-deps -e .
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# .venv/bin/anvil -> the real anvil binary from the platform package that npm installed
# (node_modules/.bin/anvil is a node wrapper that spawns it; both work, this saves a process).
$(ANVIL_STAMP): $(NPM_STAMP) $(PY_STAMP)
	ln -sfn "$$(node -p "require.resolve('@foundry-rs/anvil-' + process.platform + '-' + {x64:'amd64',arm64:'arm64'}[process.arch] + '/bin/anvil')")" $(VENV)/bin/anvil
	$(VENV)/bin/anvil --version | head -1
	touch $@

check-solc-pin:
	@grep -Eq "^ *version: *['\"]?$(SOLC_VERSION)['\"]?( |#|$$)" brownie-config.yaml || \
	  { echo "brownie-config.yaml compiler.solc.version must be $(SOLC_VERSION) (package.json)"; exit 1; }

# ~/.solcx/solc-v<version>: solc-js via tools/solc-shim, so brownie never downloads solc.
$(SOLC_BIN): $(NPM_STAMP) $(PY_STAMP) tools/register_solc.py tools/solc-shim brownie-config.yaml | check-solc-pin
	$(VENV)/bin/python tools/register_solc.py
	touch $@

# --all: brownie recompiles only sources it sees changed, not those whose compiler settings
# (brownie-config.yaml) changed, which would leave a build of mixed settings.
$(COMPILE_STAMP): $(SOL_SOURCES) brownie-config.yaml $(SOLC_BIN) $(PY_STAMP)
	brownie compile --all
	mkdir -p build && touch $@

# ~/.brownie/network-config.yaml: `development` must be `cmd: anvil` (brownie's default).
dev-network: $(PY_STAMP)
	@$(VBIN)/python tools/ensure_dev_network.py

# brownie's development network is anvil on 127.0.0.1:8545 (fixed: see brownie-config.yaml).
# brownie's anvil (no --prune-history: brownie reads past states) spills old states to
# ~/.foundry/anvil/tmp/anvil-state-* and leaves the directory behind when it is stopped,
# ~140 MB a run; the test target deletes those its run created (claimledger's own anvils,
# which prune history, write none).
# Concurrent `make test` runs on one machine would share that node, so they are serialized
# with a lock; and a node already on 8545 (a stray anvil) is refused, because brownie would
# silently attach to it instead of launching its own (ALLOW_ATTACH=1 to allow that).
TEST_LOCK    ?= /tmp/claimledger-brownie-8545.lock

test: setup lint
	@exec 9>"$(TEST_LOCK)"; \
	if ! flock -n 9; then echo "make test: waiting for another brownie test run (lock $(TEST_LOCK))..."; flock 9; fi; \
	if (exec 3<>/dev/tcp/127.0.0.1/8545) 2>/dev/null && [ -z "$(ALLOW_ATTACH)" ]; then \
	  echo "make test: 127.0.0.1:8545 is already in use; brownie would attach to that node instead of" \
	       "launching a fresh anvil. Stop it, or run with ALLOW_ATTACH=1." >&2; exit 1; fi; \
	echo "brownie test $(ARGS)"; \
	stamp=$$(mktemp); rc=0; brownie test $(ARGS) 9>&- || rc=$$?; \
	find "$$HOME/.foundry/anvil/tmp" -maxdepth 1 -name 'anvil-state-*' -newer "$$stamp" -exec rm -rf {} + 2>/dev/null || true; \
	rm -f "$$stamp"; exit $$rc

# tests/clients: examples/basic, a 2,000-claim replay and a kill-and-resume on a hardhat node
# (docs/CLIENTS.md). Not collected by `make test` (its conftest ignores them without the variable).
test-clients: setup
	@CLAIMLEDGER_CLIENT_TESTS=1 $(MAKE) --no-print-directory test ARGS="tests/clients -s $(ARGS)"

demo: setup
	$(VBIN)/claimledger demo $(ARGS)

# Static analysis (issue 18, docs/SECURITY.md): ruff over the Python, slither over the contracts
# (0 high and 0 medium findings that are not suppressed on their line with a reason), from their
# own pinned virtualenv, since slither's dependencies clash with eth-brownie's.
TOOLS_VENV   := .venv-tools
TOOLS_STAMP  := $(TOOLS_VENV)/.requirements.stamp

$(TOOLS_STAMP): tools/requirements-lint.txt
	$(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python -m pip install --disable-pip-version-check -q -r tools/requirements-lint.txt
	touch $@

lint: setup $(TOOLS_STAMP)
	$(TOOLS_VENV)/bin/ruff check claimledger tests tools benchmarks scripts
	$(TOOLS_VENV)/bin/python tools/slither_check.py

clean:
	rm -rf build reports .hypothesis .pytest_cache *.egg-info
	find claimledger tests tools -name __pycache__ -type d -prune -exec rm -rf {} + 2>/dev/null || true

distclean: clean
	rm -rf $(VENV) node_modules
