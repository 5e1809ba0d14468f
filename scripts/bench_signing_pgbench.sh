#!/usr/bin/env bash
# The raw Postgres ceiling for the signing benchmark: pgbench running a two-INSERT transaction
# (scripts/pgbench_two_inserts.sql) at 1 and at 32 clients against the server the PG* variables name
# (`make bench` runs it inside pg_virtualenv). Prints one line per client count:
#   pgbench_two_inserts clients=32 tps=8123.4
# Environment: BENCH_SECONDS (default 10), BENCH_CLIENTS (default "1 32"), BENCH_RUNS (default 3: the
# median, min and max of the runs are printed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${BENCH_SECONDS:-10}
clients=${BENCH_CLIENTS:-"1 32"}
runs=${BENCH_RUNS:-3}
db=${PGDATABASE:-postgres}
for c in $clients; do
  tps=()
  for _ in $(seq "$runs"); do
    psql -q -X -v ON_ERROR_STOP=1 -d "$db" -f scripts/bench_signing_pgbench_setup.sql >/dev/null
    out=$(pgbench -n -f scripts/pgbench_two_inserts.sql -c "$c" -j "$(( c < 2 ? 1 : 2 ))" -T "$seconds" "$db" 2>&1)
    t=$(awk '/^tps = / {print $3; exit}' <<<"$out")
    [ -n "$t" ] || { echo "$out" >&2; exit 1; }
    tps+=("$t")
  done
  sorted=$(printf '%s\n' "${tps[@]}" | sort -g)
  min=$(head -n1 <<<"$sorted"); max=$(tail -n1 <<<"$sorted")
  med=$(awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}' <<<"$sorted")
  printf 'pgbench_two_inserts clients=%d tps_median=%.1f tps_min=%.1f tps_max=%.1f runs=%d seconds=%d tps_runs=%s\n' \
    "$c" "$med" "$min" "$max" "$runs" "$seconds" "$(IFS=,; echo "${tps[*]}")"
done
psql -q -X -d "$db" -c 'DROP TABLE IF EXISTS bench_events; DROP TABLE IF EXISTS bench_contracts; DROP SEQUENCE IF EXISTS bench_contract_no;' >/dev/null
