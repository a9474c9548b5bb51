# motcua — make targets. `make help` lists them.
.DEFAULT_GOAL := help
GO ?= go
PKGS := ./...

help: ## list targets
	@awk 'BEGIN{FS=":.*## "} /^[a-z-]+:.*## /{printf "  %-12s %s\n",$$1,$$2}' $(MAKEFILE_LIST)

build: ## static binary in bin/motcua (pure-Go SQLite, no cgo)
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/motcua ./cmd/motcua

run: ## run the service on embedded SQLite with demo data
	$(GO) run ./cmd/motcua serve --demo

test: ## vet, then every package on SQLite and again on a throwaway PostgreSQL
	bash .ci/test-tools
	$(GO) vet $(PKGS)
	@echo "== test suite on SQLite"
	$(GO) test -count=1 $(PKGS)
	@echo "== test suite on PostgreSQL"
	bash .ci/with-postgres $(GO) test -count=1 -p 2 $(PKGS)
	@if [ "$$CI" = "true" ]; then echo "== short chaos run (make chaos is the long one)"; \
	  $(GO) run ./cmd/motcua-chaos -engine both -rounds 10 -db-stops 3; fi

test-web: ## only the pages' browser tests (headless chromium), on SQLite
	bash .ci/test-tools
	$(GO) test -count=1 -run 'Browser' ./web

test-sqlite: ## the suite on SQLite only (quick)
	$(GO) test -count=1 $(PKGS)

test-pg: ## the suite on a throwaway PostgreSQL only
	bash .ci/with-postgres $(GO) test -count=1 -p 2 $(PKGS)

# Linters, installed by version into .cache/bin (never @latest).
STATICCHECK_VERSION := v0.8.2
GOVULNCHECK_VERSION := v1.9.0
# govulncheck reads an offline copy of the Go vulnerability database: the
# golang.org/x/vulndb module (from the module proxy) indexed by its own
# indexdb command. vuln.go.dev itself is not reachable from every build machine.
VULNDB_VERSION := v0.0.0-20261105234957-e22db6528018
LINTBIN := $(CURDIR)/.cache/bin
VULNDB := $(CURDIR)/.cache/vulndb-$(VULNDB_VERSION)

$(LINTBIN)/staticcheck:
	GOBIN=$(LINTBIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

$(LINTBIN)/govulncheck:
	GOBIN=$(LINTBIN) $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)

$(VULNDB)/index/db.json:
	$(GO) mod download golang.org/x/vulndb@$(VULNDB_VERSION)
	$(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) \
	  -vulns "$$($(GO) env GOMODCACHE)/golang.org/x/vulndb@$(VULNDB_VERSION)/data/osv" -out $(VULNDB)

lint: $(LINTBIN)/staticcheck $(LINTBIN)/govulncheck $(VULNDB)/index/db.json ## gofmt, go vet, staticcheck, govulncheck (offline database)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet $(PKGS)
	$(LINTBIN)/staticcheck $(PKGS)
	$(LINTBIN)/govulncheck -db file://$(VULNDB) -format json $(PKGS) | $(GO) run ./tools/vulngate

# Crash loops: SIGKILL the server ROUNDS times at random moments of the load
# (both engines) and stop PostgreSQL in immediate mode DBSTOPS times, then
# check nothing acknowledged was lost (cmd/motcua-chaos).
ROUNDS ?= 50
DBSTOPS ?= 10

chaos: ## crash loops on PostgreSQL (fsync and synchronous_commit on) and SQLite: ROUNDS=50 kills, DBSTOPS=10 database stops
	$(GO) run ./cmd/motcua-chaos -engine both -rounds $(ROUNDS) -db-stops $(DBSTOPS)

chaos-sync-off: ## the same on PostgreSQL with synchronous_commit=off: must report the loss (the harness can see it)
	$(GO) run ./cmd/motcua-chaos -engine postgres -sync-off -expect-loss -rounds 5 -db-stops $(DBSTOPS)

# BENCH_ARGS are passed to cmd/motcua-bench: -quick (smoke run), -dossiers 10000000, -duration 30s, -out FILE.json, …
BENCH_ARGS ?=

bench: ## end-to-end benchmark and its floors on a throwaway PostgreSQL (BENCH_ARGS=-quick for a smoke run), then the papers
	bash .ci/with-postgres $(GO) run ./cmd/motcua-bench -engine postgres $(BENCH_ARGS)
	bash .ci/with-postgres $(MAKE) --no-print-directory bench-papers
	$(MAKE) --no-print-directory bench-web
	$(MAKE) --no-print-directory bench-files
	$(MAKE) --no-print-directory bench-events

bench-papers: ## receipts (Mẫu 01 PDF) per second through the router against a one-page PDF floor, and the ratio
	$(GO) test -run '^$$' -bench '^BenchmarkPaperReceipt$$' -benchtime 400x ./api/

bench-web: ## the lookup page against the JSON lookup (ratio), and /cong-khai from its cache on one core (req/s)
	$(GO) test -run '^$$' -bench '^(BenchmarkLookupPage|BenchmarkCongKhai)$$' -cpu 1 -benchtime 3s ./web/

bench-files: ## 200 MiB upload and download through the server on the local store: MiB/s and peak RSS growth (< 32 MiB)
	$(MAKE) build
	$(GO) run ./cmd/motcua-filebench -bin bin/motcua $(FILEBENCH_ARGS)

# EVENTBENCH_ARGS are passed to cmd/motcua-eventbench: -quick, -conns 4, -window 10s, -backlog 1000, -rate 200, -pending 100000, …
EVENTBENCH_ARGS ?=

bench-events: ## events outbox and webhooks on SQLite and a throwaway PostgreSQL: registration with/without events, deliveries/s, lag, 100k pending
	$(GO) run ./cmd/motcua-eventbench -engine sqlite $(EVENTBENCH_ARGS)
	bash .ci/with-postgres $(GO) run ./cmd/motcua-eventbench -engine postgres $(EVENTBENCH_ARGS)

bench-sqlite: ## the same benchmark on embedded SQLite (a temp file)
	$(GO) run ./cmd/motcua-bench -engine sqlite $(BENCH_ARGS)

bench-micro: ## Go micro-benchmarks (due-time engine, dossier codes)
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

# FUZZTIME is how long each fuzz target runs under `make fuzz`.
FUZZTIME ?= 10s

fuzz: ## every Fuzz target in turn for FUZZTIME (default 10s); `make test` already runs their seed corpora
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

.PHONY: help build run test test-web test-sqlite test-pg lint bench bench-sqlite bench-micro bench-papers bench-web bench-files bench-events fuzz chaos chaos-sync-off

# IMPORT_BENCH_ARGS are passed to cmd/motcua-importbench: -lines 1000000 (default), -small 100000, -mode cli|http|both.
IMPORT_BENCH_ARGS ?=

import-bench: build ## import 1,000,000 generated dossiers (CLI and HTTP) on SQLite and PostgreSQL: lines/s and peak RSS
	$(GO) run ./cmd/motcua-importbench -bin bin/motcua -engine sqlite $(IMPORT_BENCH_ARGS)
	bash .ci/with-postgres $(GO) run ./cmd/motcua-importbench -bin bin/motcua -engine postgres $(IMPORT_BENCH_ARGS)

.PHONY: import-bench

# The vendored browser code in web/static/vendor is fetched by whoever updates it, never by a build: npm
# pack in a temporary folder, and the files are copied in only when each has the SHA-256 that the folder's
# VERSION file records. To update, put the new version in VERSION's first line and run this: it fails and
# prints the new digests; check the release, put them in VERSION and run it again.
vendor: ## re-fetch the vendored uPlot (npm pack) and check it against web/static/vendor/uplot/VERSION
	@set -e; dir=web/static/vendor/uplot; \
	ver=$$(awk 'NR==1 && $$1=="uplot" {print $$2}' $$dir/VERSION); \
	test -n "$$ver" || { echo "$$dir/VERSION: the first line must be 'uplot <version>'"; exit 1; }; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	(cd "$$tmp" && npm pack --silent "uplot@$$ver" >/dev/null && tar -xzf "uplot-$$ver.tgz"); \
	mkdir "$$tmp/out"; \
	cp "$$tmp/package/dist/uPlot.iife.min.js" "$$tmp/package/dist/uPlot.min.css" "$$tmp/package/LICENSE" "$$tmp/out/"; \
	grep -E '^[0-9a-f]{64}  [^/]+$$' $$dir/VERSION > "$$tmp/sums" || true; \
	ok=1; for f in uPlot.iife.min.js uPlot.min.css LICENSE; do \
	  grep -q "  $$f$$" "$$tmp/sums" || { echo "$$dir/VERSION has no digest for $$f"; ok=0; }; done; \
	if [ $$ok = 0 ] || ! (cd "$$tmp/out" && sha256sum --check --strict --quiet ../sums); then \
	  echo "uplot@$$ver differs from $$dir/VERSION; the downloaded files' digests are:"; \
	  (cd "$$tmp/out" && sha256sum uPlot.iife.min.js uPlot.min.css LICENSE); exit 1; fi; \
	cp "$$tmp/out/uPlot.iife.min.js" "$$tmp/out/uPlot.min.css" "$$tmp/out/LICENSE" $$dir/; \
	echo "uplot@$$ver: digests match $$dir/VERSION; files copied"

.PHONY: vendor
