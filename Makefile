# The portal's two commands: `make run` and `make test`. Each installs what
# it needs when missing, run as root on Debian (`make run`: the PostgreSQL
# server binaries; `make test`: those, Chromium, LibreOffice Calc, Node.js
# and npm for axe-core), and otherwise prints the command that installs it.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The patched toolchain, fetched once through the Go module proxy (go.mod's
# toolchain line); Go 1.26.8 has standard-library vulnerabilities.
export GOTOOLCHAIN := go1.26.10+auto

VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
ARTIFACTS ?= $(CURDIR)/test-artifacts
ROOT      := $(shell [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && echo yes)
# apt-get waits up to five minutes for another apt or dpkg to let go of its lock.
APT       := DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=300

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: run
run: postgres build ## run the portal on http://127.0.0.1:8080 with its private database in ./var
	./bin/portal serve

.PHONY: build
build: ## build bin/portal
	go build -ldflags '$(LDFLAGS)' -o bin/portal ./cmd/portal

.PHONY: test
test: postgres chromium libreoffice node-tools ## run every test (database, browser and all); screenshots land in test-artifacts/
	rm -rf $(ARTIFACTS)/_artifacts
	mkdir -p $(ARTIFACTS)
	go test -count=1 -timeout 20m -artifacts -outputdir=$(ARTIFACTS) ./...

.PHONY: faults
faults: postgres ## the fault run: 32 writers through a portal kill -9, a PostgreSQL restart and a 10 s outage
	go test -count=1 -timeout 10m -run '^TestFaultRun$$' -v ./cmd/portal -writers=32 -outage=10s -phase=8s

# The load run: `portal serve` on a private PostgreSQL cluster with
# pg_stat_statements, the justice section of the demo statistics call asked
# for by 16, then 64, signed-in clients in a closed loop (docs/benchmarks.md).
# BASELINE=<commit> also builds that commit's portal and measures it in the
# same run, in turn with this one; LOADFLAGS passes more (-load.rounds=3,
# -load.duration=30s, -load.clients=16, -load.top=15: see cmd/portal/load_test.go).
.PHONY: load
load: postgres ## measure a section under load: pages/s, p50/p99, CPU and planning per page (BASELINE=<commit> to compare)
	@set -eu; flags="$(LOADFLAGS)"; dir=$$(mktemp -d); trap 'rm -rf "$$dir"' EXIT; \
	if [ -n "$(BASELINE)" ]; then \
		echo "Building the portal of $(BASELINE) as the baseline..."; \
		mkdir "$$dir/src"; git archive "$(BASELINE)" | tar -x -C "$$dir/src"; \
		(cd "$$dir/src" && go build -o "$$dir/portal" ./cmd/portal); \
		flags="$$flags -load.baseline=$$dir/portal"; \
	fi; \
	go test -count=1 -timeout 60m -run '^TestLoad$$' -v ./cmd/portal -load $$flags

.PHONY: lint
lint: ## gofmt, go vet, staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	go tool staticcheck ./...

.PHONY: bench
bench: postgres ## run the benchmarks (figures go in docs/benchmarks.md)
	go test -run '^$$' -bench . -benchmem -count 6 ./... | tee bench.out

.PHONY: clean
clean: ## remove build output and test artifacts (not ./var, the demo database)
	rm -rf bin $(ARTIFACTS) bench.out

# PostgreSQL server binaries for the private database; not needed when
# PORTAL_DATABASE_URL points at a server.
.PHONY: postgres
postgres:
	@if [ -n "$${PORTAL_DATABASE_URL:-}" ] || [ -n "$${PORTAL_PG_BINDIR:-}" ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then \
		exit 0; \
	elif [ -n "$(ROOT)" ]; then \
		echo "Installing the PostgreSQL server binaries (Debian package postgresql)..."; \
		$(APT) update && $(APT) install -y --no-install-recommends postgresql >/dev/null; \
	else \
		echo "The PostgreSQL server binaries are missing. Install them:  sudo apt-get install postgresql"; \
		echo "or set PORTAL_DATABASE_URL to a PostgreSQL server."; exit 1; \
	fi

# Headless Chromium for the browser tests.
.PHONY: chromium
chromium:
	@if [ -n "$${PORTAL_CHROMIUM:-}" ] || command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null; then \
		exit 0; \
	elif [ -n "$(ROOT)" ]; then \
		echo "Installing Chromium for the browser tests (Debian packages chromium, fonts-noto-core)..."; \
		$(APT) update && $(APT) install -y --no-install-recommends chromium fonts-noto-core >/dev/null; \
	else \
		echo "Chromium is missing for the browser tests. Install it:  sudo apt-get install chromium"; \
		echo "or set PORTAL_CHROMIUM to a Chromium or Chrome binary."; exit 1; \
	fi

# LibreOffice Calc, headless, for the tests that re-save workbooks as a
# focal point's spreadsheet program would.
.PHONY: libreoffice
libreoffice:
	@if command -v soffice >/dev/null; then \
		exit 0; \
	elif [ -n "$(ROOT)" ]; then \
		echo "Installing LibreOffice Calc for the workbook tests (Debian package libreoffice-calc-nogui)..."; \
		$(APT) update && $(APT) install -y --no-install-recommends libreoffice-calc-nogui >/dev/null; \
	else \
		echo "LibreOffice is missing for the workbook tests. Install it:  sudo apt-get install libreoffice-calc-nogui"; exit 1; \
	fi

# Test tools the browser tests load into Chromium (axe-core), from
# package.json and its lockfile.
.PHONY: node-tools
node-tools:
	@if [ -f node_modules/axe-core/axe.min.js ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then exit 0; fi; \
	if ! command -v npm >/dev/null; then \
		if [ -n "$(ROOT)" ]; then \
			echo "Installing Node.js and npm for the browser-test tools (Debian packages nodejs, npm)..."; \
			$(APT) update && $(APT) install -y --no-install-recommends nodejs npm >/dev/null; \
		else \
			echo "npm is missing for the browser-test tools. Install it:  sudo apt-get install npm"; exit 1; \
		fi; \
	fi; \
	npm ci --no-audit --no-fund --ignore-scripts
