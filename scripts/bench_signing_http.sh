#!/usr/bin/env bash
# Signing throughput through the HTTP API (POST /api/v1/licences) on Postgres with 32 concurrent
# licensees, beside pgbench's two-INSERT ceiling measured in the same run (web/e2e BenchmarkSignHTTP).
# Needs the PG* variables of a server (make bench provides a throwaway cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
PATENTWALL_REQUIRE_PG=1 go test -run '^$' -bench BenchmarkSignHTTP -benchtime 1x -count "${BENCH_RUNS:-3}" ./web/e2e/
