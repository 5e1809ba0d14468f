# patentwall: the two commands a new machine needs are `make run` and `make test`.
GO        ?= go
BIN       := bin/patentwall
PKGS      := ./...
# The race detector instruments every package but the SQLite engine (modernc.org/sqlite/lib and the C
# library beneath it: SQLite's C translated to Go, which it made 25 times slower, so that opening a
# migrated test database took 1.3 s); the second -gcflags gives the driver package (modernc.org/sqlite)
# its instrumentation back, and all of our code stays instrumented (docs/architecture.md §7).
TESTFLAGS ?= -race -gcflags=modernc.org/...=-race=false -gcflags=modernc.org/sqlite= -count=1 -timeout 20m
FUZZTIME  ?= 5s

.PHONY: run build test test-sqlite test-pg bench bench-smoke soak fuzz lint fmt clean

build:
	$(GO) build -o $(BIN) ./cmd/patentwall

## run: start the site on the embedded defaults (SQLite + Bleve under ./data, demo data on first start)
run: build
	./$(BIN) serve --demo

## test: every test, the Postgres ones against a throwaway cluster started and stopped here.
## pg_virtualenv (postgresql-common) creates a temporary cluster, exports PG* and removes it afterwards;
## PATENTWALL_REQUIRE_PG=1 makes any Postgres test fail rather than skip if that did not work.
## The fuzz step comes first: it needs no database (docs/architecture.md, "Testing").
test: lint fuzz
	pg_virtualenv -t env PATENTWALL_REQUIRE_PG=1 $(GO) test $(TESTFLAGS) $(PKGS)

## test-sqlite: the quick loop, without Postgres (Postgres tests skip)
test-sqlite:
	$(GO) test $(TESTFLAGS) $(PKGS)

## fuzz: every Fuzz function, each fuzzed for FUZZTIME (go test -fuzz, one target per run); the corpus
## is in each package's testdata/fuzz/, replayed by every go test. FUZZ_ONLY=FuzzUSCC picks targets.
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

## bench: the performance figures (see README); Postgres ones in a throwaway cluster. One report at the
## end: bench-results/report.md and report.json (docs/interfaces.md §8)
bench:
	pg_virtualenv -t env PATENTWALL_REQUIRE_PG=1 ./scripts/bench.sh

## bench-smoke: the same pipeline with tiny sizes (minutes, not hours): checks that it works, measures nothing
bench-smoke:
	BENCH_PATENTS=$${BENCH_PATENTS:-3000} BENCH_SECONDS=$${BENCH_SECONDS:-5} BENCH_CONTRACTS=$${BENCH_CONTRACTS:-300} \
	  BENCH_BONUS_CONTRACTS=$${BENCH_BONUS_CONTRACTS:-20000} BENCH_STATS_CONTRACTS=$${BENCH_STATS_CONTRACTS:-5000} \
	  BENCH_REQUESTS=$${BENCH_REQUESTS:-300} BENCH_DEMANDS=$${BENCH_DEMANDS:-50} PATENTWALL_BENCH_POOL=$${PATENTWALL_BENCH_POOL:-2000} \
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
