# Every Go command goes through these tags: go-sqlite3 builds FTS5 only with sqlite_fts5.
TAGS      := sqlite_fts5
GO        := go
GOFLAGS_T := -tags $(TAGS)
VERSION   := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X stoa/server.Version=$(VERSION)

.PHONY: run build test test-sqlite test-postgres check generate fmt vet screenshots bench fuzz soak clean

# make run ADDR=127.0.0.1:8081 DATA=./other-data to serve elsewhere.
ADDR ?= 127.0.0.1:8080
DATA ?= ./data
run: build
	./stoa serve --addr $(ADDR) --data $(DATA)

build: generate
	$(GO) build $(GOFLAGS_T) -ldflags "$(LDFLAGS)" -o stoa .

generate:
	$(GO) tool templ generate

# The whole suite: unit, handler, WebSocket and browser tests (browser tests need Chromium;
# they skip on a laptop without it but fail under CI=true), all on SQLite; then the packages
# whose tests use a database once more on PostgreSQL (STOA_TEST_ENGINE=postgres: each test
# creates a database stoa_test_<random> on STOA_TEST_POSTGRES, default the postgres user on
# 127.0.0.1:5432, and drops it; without a server those tests skip, under CI=true they fail).
ENGINE_PKGS := ./account/ ./chat/ ./forum/ ./mail/ ./moderation/ ./privacy/ ./server/ ./site/ ./watchwords/
test:
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite:
	$(GO) test $(GOFLAGS_T) -count=1 -timeout 20m ./...

test-postgres:
	STOA_TEST_ENGINE=postgres $(GO) test $(GOFLAGS_T) -count=1 -timeout 20m $(ENGINE_PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')
	$(GO) tool templ fmt views

vet:
	$(GO) vet $(GOFLAGS_T) ./...

# check fails when generation or formatting changes any tracked file, then vets and tests.
check:
	$(GO) tool templ generate
	$(GO) tool templ fmt views
	gofmt -l . | grep -v '_templ.go' | (! grep .) || (echo "gofmt: files above need formatting" && exit 1)
	git diff --exit-code -- '*.templ' '*_templ.go' || (echo "generated or formatted files changed: commit them" && exit 1)
	$(MAKE) vet
	$(MAKE) test

# Each fuzz target for FUZZTIME (seed corpora also run in make test).
FUZZTIME ?= 30s
fuzz:
	$(GO) test $(GOFLAGS_T) -run '^$$' -fuzz '^FuzzRender$$' -fuzztime $(FUZZTIME) ./markup/
	$(GO) test $(GOFLAGS_T) -run '^$$' -fuzz '^FuzzDetect$$' -fuzztime $(FUZZTIME) ./privacy/pii/
	$(GO) test $(GOFLAGS_T) -run '^$$' -fuzz '^FuzzParseForm$$' -fuzztime $(FUZZTIME) ./web/
	$(GO) test $(GOFLAGS_T) -run '^$$' -fuzz '^FuzzSafeNext$$' -fuzztime $(FUZZTIME) ./web/
	$(GO) test $(GOFLAGS_T) -run '^$$' -fuzz '^FuzzDecodeFrame$$' -fuzztime $(FUZZTIME) ./chat/
	$(GO) test $(GOFLAGS_T) -run '^$$' -fuzz '^FuzzParseSearch$$' -fuzztime $(FUZZTIME) ./forum/

# Mixed load for SOAK (default 10m); reports memory and goroutines, which must return to
# baseline once the clients leave.
SOAK ?= 10m
soak:
	STOA_SOAK=$(SOAK) $(GO) test $(GOFLAGS_T) -count=1 -v -timeout 0 -run '^TestSoak$$' ./crashtest/

screenshots:
	STOA_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test $(GOFLAGS_T) -count=1 -run TestScreenshots ./e2e/

clean:
	rm -f stoa

# The load tool (loadtest/, figures in BENCHMARKS.md): runs ./stoa on a temporary data folder
# and a loopback port, runs every scenario for a bounded time and prints one table. About a
# minute; run it on a quiet machine. Micro-benchmarks: go test -tags sqlite_fts5 -bench . PKG
# Several nodes: make bench BENCH_ARGS="-nodes 3 -database postgres://…/empty_db -nats nats://127.0.0.1:4222"
BENCH_ARGS ?=
bench: build
	$(GO) run $(GOFLAGS_T) ./loadtest -bin ./stoa $(BENCH_ARGS)
