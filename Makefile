# patentwall: the two commands a new machine needs are `make run` and `make test`.
GO        ?= go
BIN       := bin/patentwall
PKGS      := ./...
TESTFLAGS ?= -race -count=1 -timeout 20m
FUZZTIME  ?= 5s

.PHONY: run build test test-sqlite test-pg fuzz bench lint fmt clean

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

## bench: the performance figures (see README); Postgres ones in a throwaway cluster
bench:
	pg_virtualenv -t env PATENTWALL_REQUIRE_PG=1 ./scripts/bench.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

fmt:
	gofmt -w .

clean:
	rm -rf bin
