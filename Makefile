# patentwall: the two commands a new machine needs are `make run` and `make test`.
GO        ?= go
BIN       := bin/patentwall
PKGS      := ./...
TESTFLAGS ?= -race -count=1 -timeout 20m

.PHONY: run build test test-sqlite test-pg bench soak lint fmt clean

build:
	$(GO) build -o $(BIN) ./cmd/patentwall

## run: start the site on the embedded defaults (SQLite + Bleve under ./data, demo data on first start)
run: build
	./$(BIN) serve --demo

## test: every test, the Postgres ones against a throwaway cluster started and stopped here.
## pg_virtualenv (postgresql-common) creates a temporary cluster, exports PG* and removes it afterwards;
## PATENTWALL_REQUIRE_PG=1 makes any Postgres test fail rather than skip if that did not work.
test: lint
	pg_virtualenv -t env PATENTWALL_REQUIRE_PG=1 $(GO) test $(TESTFLAGS) $(PKGS)

## test-sqlite: the quick loop, without Postgres (Postgres tests skip)
test-sqlite:
	$(GO) test $(TESTFLAGS) $(PKGS)

## bench: the performance figures (see README); Postgres ones in a throwaway cluster
bench:
	pg_virtualenv -t env PATENTWALL_REQUIRE_PG=1 ./scripts/bench.sh

## soak: a bounded load-and-fault run (under 10 minutes, loopback only): its own Postgres cluster, the
## server, a mixed workload, faults injected one after another, loss/duplication/audit checks; report in
## bench-results/soak.md and soak.json (docs/interfaces.md §2.4). Not part of make test.
soak:
	$(GO) build -o bin/pwsoak ./cmd/pwsoak
	./bin/pwsoak

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

fmt:
	gofmt -w .

clean:
	rm -rf bin
