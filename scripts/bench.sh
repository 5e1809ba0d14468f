#!/usr/bin/env bash
# make bench: every performance figure of the README, in one run, inside a throwaway Postgres cluster
# (the Makefile wraps this script in pg_virtualenv). Results are printed and written under bench-results/.
# BENCH_ONLY=search|signing|bonus|channels|demands runs one part; BENCH_PATENTS sets the catalogue size (default 100000).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench-results
only=${BENCH_ONLY:-all}
go build -o bin/patentwall ./cmd/patentwall

if [[ $only == all || $only == search ]]; then
  echo "== search, import, HTTP, memory, Postgres LIKE baseline"
  go run ./cmd/pwbench -patents "${BENCH_PATENTS:-100000}" search
fi
if [[ $only == all || $only == signing ]]; then
  echo "== signing throughput (service level and HTTP API) beside the raw Postgres ceiling"
  ./scripts/bench_signing.sh | tee bench-results/signing.md
  if [[ -x ./scripts/bench_signing_http.sh ]]; then
    ./scripts/bench_signing_http.sh | tee bench-results/signing-http.md
  fi
fi
if [[ $only == all || $only == bonus ]]; then
  echo "== bonus run over 1,000,000 contracts and its XLSX export"
  go run ./bonus/benchdata -runs 3 | tee bench-results/bonus-art22.md
  go run ./bonus/benchdata -runs 3 -round art19-2022 | tee bench-results/bonus-art19.md
fi
if [[ $only == all || $only == channels ]]; then
  echo "== channels: a wall's screen data at 32 clients and its pages, over the demo catalogue (3 runs)"
  PATENTWALL_BENCH_PATENTS="${BENCH_PATENTS:-100000}" go test -count=3 -timeout 60m ./web -run '^$' \
    -bench Channels -benchtime 3000x | tee bench-results/channels.txt
  echo "== channel statistics over 1,000,000 contracts (the bureau's table and one wall's page)"
  go test -count=1 -run '^$' -bench BenchmarkChannelStats -benchtime 3x ./market/ | tee bench-results/channels.md
if [[ $only == all || $only == demands ]]; then
  echo "== demand matches over the catalogue (p95 per demand) and a bulk publication's alerts"
  PATENTWALL_BENCH_DOCS="${BENCH_PATENTS:-100000}" go test ./search -run '^$' -bench 'DemandMatches' -benchtime 400x -count 3 -timeout 60m | tee bench-results/demand-matches.txt
  go test ./search -run '^$' -bench 'AlertsBulkPublish' -benchtime 1x -count 3 -timeout 60m | tee bench-results/demand-alerts.txt
fi
