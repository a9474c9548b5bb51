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
	$(GO) vet $(PKGS)
	@echo "== test suite on SQLite"
	$(GO) test -count=1 $(PKGS)
	@echo "== test suite on PostgreSQL"
	bash .ci/with-postgres $(GO) test -count=1 -p 2 $(PKGS)

test-sqlite: ## the suite on SQLite only (quick)
	$(GO) test -count=1 $(PKGS)

test-pg: ## the suite on a throwaway PostgreSQL only
	bash .ci/with-postgres $(GO) test -count=1 -p 2 $(PKGS)

lint: ## gofmt and go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet $(PKGS)

# BENCH_ARGS are passed to cmd/motcua-bench: -quick (smoke run), -dossiers 10000000, -duration 30s, -out FILE.json, …
BENCH_ARGS ?=

bench: ## end-to-end benchmark and its floors on a throwaway PostgreSQL (BENCH_ARGS=-quick for a smoke run)
	bash .ci/with-postgres $(GO) run ./cmd/motcua-bench -engine postgres $(BENCH_ARGS)

bench-sqlite: ## the same benchmark on embedded SQLite (a temp file)
	$(GO) run ./cmd/motcua-bench -engine sqlite $(BENCH_ARGS)

bench-micro: ## Go micro-benchmarks (due-time engine, dossier codes)
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

.PHONY: help build run test test-sqlite test-pg lint bench bench-sqlite bench-micro

# IMPORT_BENCH_ARGS are passed to cmd/motcua-importbench: -lines 1000000 (default), -small 100000, -mode cli|http|both.
IMPORT_BENCH_ARGS ?=

import-bench: build ## import 1,000,000 generated dossiers (CLI and HTTP) on SQLite and PostgreSQL: lines/s and peak RSS
	$(GO) run ./cmd/motcua-importbench -bin bin/motcua -engine sqlite $(IMPORT_BENCH_ARGS)
	bash .ci/with-postgres $(GO) run ./cmd/motcua-importbench -bin bin/motcua -engine postgres $(IMPORT_BENCH_ARGS)

.PHONY: import-bench
