#!/usr/bin/env bash
# make bench: every performance figure of the README, in one run, inside a throwaway Postgres cluster
# (the Makefile wraps this script in pg_virtualenv). Each part prints its own output into bench-results/
# (raw: *.txt, *.md) and its rows into bench-results/<part>.rows.json; at the end `pwbench report` merges
# them into bench-results/report.json and report.md (docs/interfaces.md §8). The report
# is written even when a part fails (its rows say failed); the script then exits non-zero. A part's steps
# all run even when one of them fails, so that one failure costs as few figures as possible.
#
# Environment (defaults are the real figures' sizes; a smoke run sets small ones):
#   BENCH_ONLY             parts to run, comma-separated: search,signing,bonus,channels,demands (default all)
#   BENCH_RUNS             runs of every measurement (default 3)
#   BENCH_PATENTS          catalogue size of search, channels and demands (default 100000)
#   BENCH_SECONDS          duration of each timed run: 32-client search load, HTTP signing, pgbench (default 10)
#   BENCH_CONTRACTS        contracts per run of market signing (default 4000)
#   BENCH_BONUS_CONTRACTS  contracts of the bonus runs (default 1000000)
#   BENCH_STATS_CONTRACTS  contracts of the channel statistics (default 1000000)
#   BENCH_REQUESTS         requests per run of the channels' wall benchmarks (default 3000)
#   BENCH_DEMANDS          demands matched per run (default 400)
set -uo pipefail
cd "$(dirname "$0")/.."
out=bench-results
mkdir -p "$out"
only=${BENCH_ONLY:-all}
runs=${BENCH_RUNS:-3}
patents=${BENCH_PATENTS:-100000}
seconds=${BENCH_SECONDS:-10}
all_parts=(search signing bonus channels demands)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]]; then commit+="-dirty"; fi

for p in ${only//,/ }; do
  [[ $p == all || " ${all_parts[*]} " == *" $p "* ]] || { echo "bench.sh: unknown part $p (${all_parts[*]})" >&2; exit 2; }
done
want() { [[ $only == all || ",$only," == *",$1,"* ]]; }

go build -o bin/patentwall ./cmd/patentwall || exit 1
go build -o bin/pwbench ./cmd/pwbench || exit 1
# How fast the machine is before and after the parts (the report prints both): a shared machine's speed
# drifts, and the figures are read against it.
ref_start=$(./bin/pwbench calibrate) || exit 1

part_search() {
  ./bin/pwbench -patents "$patents" -reps "$runs" -load-seconds "$seconds" -out "$out" \
    -rows "$out/search.rows.json" search
}

part_signing() {
  local rc=0
  echo "-- market.AcceptLicence on Postgres (spread, hot, serial-1), ${BENCH_CONTRACTS:-4000} contracts per run"
  PATENTWALL_REQUIRE_PG=1 go test -run '^$' -bench 'BenchmarkAcceptLicence/(spread|hot|serial-1)$' \
    -benchtime "${BENCH_CONTRACTS:-4000}x" -count "$runs" ./market/ | tee "$out/signing-service.txt" || rc=1
  echo "-- raw Postgres ceiling: pgbench, two INSERTs per transaction, 1 and 32 clients"
  BENCH_RUNS=$runs BENCH_SECONDS=$seconds ./scripts/bench_signing_pgbench.sh | tee "$out/signing-pgbench.txt" || rc=1
  echo "-- signing over HTTP (POST /api/v1/licences), 32 licensees and one, each run beside pgbench"
  PATENTWALL_REQUIRE_PG=1 PATENTWALL_BENCH_SECONDS=$seconds go test -run '^$' -bench BenchmarkSignHTTP -benchtime 1x \
    -count "$runs" -timeout 60m ./web/e2e/ | tee "$out/signing-http.txt" || rc=1
  return $rc
}

part_bonus() {
  local rc=0
  local n=${BENCH_BONUS_CONTRACTS:-1000000}
  echo "-- bonus runs over $n contracts and their XLSX export"
  go run ./bonus/benchdata -runs "$runs" -contracts "$n" | tee "$out/bonus-art22.txt" || rc=1
  go run ./bonus/benchdata -runs "$runs" -contracts "$n" -round art19-2022 | tee "$out/bonus-art19.txt" || rc=1
  return $rc
}

part_channels() {
  local rc=0
  echo "-- a wall's screen data at 32 clients and its pages, over the demo catalogue"
  PATENTWALL_BENCH_PATENTS=$patents go test -count="$runs" -timeout 60m ./web -run '^$' \
    -bench '^BenchmarkChannels$' -benchtime "${BENCH_REQUESTS:-3000}x" | tee "$out/channels.txt" || rc=1
  echo "-- channel statistics over ${BENCH_STATS_CONTRACTS:-1000000} contracts (the bureau's table and one wall's page)"
  PATENTWALL_REQUIRE_PG=1 PATENTWALL_BENCH_CONTRACTS=${BENCH_STATS_CONTRACTS:-1000000} go test -count=1 -run '^$' \
    -bench '^BenchmarkChannelStats$' -benchtime "${runs}x" -timeout 60m ./market/ | tee "$out/channel-stats.txt" || rc=1
  return $rc
}

part_demands() {
  local rc=0
  echo "-- demand matches over the catalogue (p95 per demand) and a bulk publication's alerts"
  PATENTWALL_BENCH_DOCS=$patents go test ./search -run '^$' -bench '^BenchmarkDemandMatches$' \
    -benchtime "${BENCH_DEMANDS:-400}x" -count "$runs" -timeout 60m | tee "$out/demand-matches.txt" || rc=1
  go test ./search -run '^$' -bench '^BenchmarkAlertsBulkPublish$' -benchtime 1x -count "$runs" -timeout 60m \
    | tee "$out/demand-alerts.txt" || rc=1
  return $rc
}

# raw_<part>: the part's raw output files, removed before it runs so that a failed run leaves no stale
# figures; rows_<part>: its rows from them (the search part writes its own).
raw_search=(search.md)
raw_signing=(signing-service.txt signing-pgbench.txt signing-http.txt)
raw_bonus=(bonus-art22.txt bonus-art19.txt)
raw_channels=(channels.txt channel-stats.txt)
raw_demands=(demand-matches.txt demand-alerts.txt)
rows_search() { :; }
rows_signing() {
  ./bin/pwbench rows -part signing -o "$out/signing.rows.json" -pgbench "$out/signing-pgbench.txt" \
    "$out/signing-service.txt" "$out/signing-http.txt"
}
rows_bonus() { ./bin/pwbench rows -part bonus -o "$out/bonus.rows.json" "$out/bonus-art22.txt" "$out/bonus-art19.txt"; }
rows_channels() { ./bin/pwbench rows -part channels -o "$out/channels.rows.json" "$out/channels.txt" "$out/channel-stats.txt"; }
rows_demands() { ./bin/pwbench rows -part demands -o "$out/demands.rows.json" "$out/demand-matches.txt" "$out/demand-alerts.txt"; }

ran=() failed=()
for p in "${all_parts[@]}"; do
  want "$p" || continue
  ran+=("$p")
  echo "== $p"
  rm -f "$out/$p.rows.json"
  declare -n raw="raw_$p"
  for f in "${raw[@]}"; do rm -f "$out/$f"; done
  unset -n raw
  if ! "part_$p"; then
    echo "== $p FAILED" >&2
    failed+=("$p")
  fi
  # The rows of what ran, even after a failure (a missing file gives missing rows).
  "rows_$p" || { [[ " ${failed[*]} " == *" $p "* ]] || failed+=("$p"); }
done

join() { local IFS=,; echo "$*"; }
ref_end=$(./bin/pwbench calibrate) || ref_end=0
./bin/pwbench report -dir "$out" -parts "$(join "${ran[@]}")" -failed "$(join "${failed[@]}")" \
  -commit "$commit" -load-start "$load_start" -reference-start "$ref_start" -reference-end "$ref_end"
