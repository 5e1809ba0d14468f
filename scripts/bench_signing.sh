#!/usr/bin/env bash
# Signing throughput at the service level (market.AcceptLicence on Postgres: 32 concurrent licensees, and
# one for comparison) beside the raw Postgres ceiling measured in the same run (pgbench, a two-INSERT
# transaction at 32 clients and at 1). Each is run BENCH_RUNS times; median, min and max are printed, and
# the ratios of the medians. Needs the PG* variables of a server, e.g.
#   pg_virtualenv -t scripts/bench_signing.sh
# Environment: BENCH_RUNS (default 3), BENCH_CONTRACTS per Go run (default 4000), BENCH_SECONDS per
# pgbench run (default 10). The HTTP-level benchmark of the web layer is separate.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-3}
contracts=${BENCH_CONTRACTS:-4000}

go_out=$(PATENTWALL_REQUIRE_PG=1 go test -run '^$' -bench 'BenchmarkAcceptLicence/(spread|hot|serial-1)$' \
  -benchtime "${contracts}x" -count "$runs" ./market/)
# Lines look like: BenchmarkAcceptLicence/spread-2  4000  812.3 contracts/s  30.1 p50_ms  120.4 p99_ms
summary=$(awk '
  /^BenchmarkAcceptLicence\// {
    name = $1; sub(/^BenchmarkAcceptLicence\//, "", name); sub(/-[0-9]+$/, "", name)
    for (i = 3; i < NF; i++) { if ($(i+1) == "contracts/s") cps[name] = cps[name] " " $i; if ($(i+1) == "p99_ms") p99[name] = p99[name] " " $i }
  }
  function stats(list,   a, n, i, j, t) {
    n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return sprintf("%s %s %s", (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2), a[1], a[n])
  }
  END { for (k in cps) print k, stats(cps[k]), stats(p99[k]) }' <<<"$go_out")
pg_out=$(BENCH_RUNS=$runs ./scripts/bench_signing_pgbench.sh)

echo "# signing at the service level: market.AcceptLicence on Postgres, $contracts contracts per run, $runs runs"
while read -r name med min max p99med p99min p99max; do
  printf 'accept_licence %-8s contracts/s median=%.1f min=%.1f max=%.1f  p99_ms median=%.1f min=%.1f max=%.1f\n' \
    "$name" "$med" "$min" "$max" "$p99med" "$p99min" "$p99max"
done <<<"$(sort <<<"$summary")"
echo "# raw Postgres ceiling: pgbench, two INSERTs per transaction"
echo "$pg_out"
med() { awk -v k="$1" '$1 == k {print $2}' <<<"$summary"; }
pg() { awk -v c="clients=$1" '$2 == c {sub(/tps_median=/, "", $3); print $3}' <<<"$pg_out"; }
awk -v a="$(med spread)" -v b="$(pg 32)" 'BEGIN { if (b > 0) printf "ratio spread(32)/pgbench(32) = %.2f\n", a / b }'
awk -v a="$(med serial-1)" -v b="$(pg 1)" 'BEGIN { if (b > 0) printf "ratio serial(1)/pgbench(1) = %.2f\n", a / b }'
