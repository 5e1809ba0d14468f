#!/usr/bin/env bash
# make fuzz: every Fuzz function of the module, each fuzzed for FUZZTIME (default 5s), one target per
# invocation (docs/architecture.md, "Testing"). Packages are found by their *_test.go files declaring a
# Fuzz function; each such package is compiled once, instrumented for fuzzing, and its binary lists its
# own targets, so a new Fuzz function is picked up without editing this file. The corpus lives in each
# package's testdata/fuzz/FuzzName/ (replayed by every go test); a failing input is written there too.
# Inputs the fuzzer found interesting are kept in the Go build cache between runs, as go test does.
# FUZZ_ONLY=regexp restricts the targets (e.g. FUZZ_ONLY=FuzzUSCC); FUZZFLAGS adds test flags.
# FUZZMINTIME bounds the minimisation of each new input (go's default, 60s, would eat a short run).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-5s}
FUZZMINTIME=${FUZZMINTIME:-1s}
only=${FUZZ_ONLY:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cache=$($GO env GOCACHE)/fuzz

# Folders with a Fuzz function in a test file (git's view, untracked files included, when available).
dirs=$( (git ls-files --cached --others --exclude-standard '*_test.go' 2>/dev/null || find . -name '*_test.go') |
  xargs grep -l '^func Fuzz[A-Za-z0-9_]*(f \*testing\.F)' | xargs -n1 dirname | sort -u)

failed=()
start=$SECONDS
for dir in $dirs; do
  pkg=$(cd "$dir" && $GO list -f '{{.ImportPath}}' .)
  bin=$tmp/$(echo "$pkg" | tr '/' '_').test
  $GO test -c -fuzz=. -o "$bin" "./$dir"
  for name in $("$bin" -test.list '^Fuzz' | grep -E "$only" || true); do
    echo "== $pkg $name ($FUZZTIME)"
    corpus="$dir/testdata/fuzz/$name"
    before=$(ls "$corpus" 2>/dev/null | sort || true)
    # The binary runs in the package's folder, where testdata/fuzz/ is, like go test.
    if ! (cd "$dir" && "$bin" -test.run '^$' -test.fuzz "^$name\$" -test.fuzztime "$FUZZTIME" -test.fuzzminimizetime "$FUZZMINTIME" \
      -test.fuzzcachedir "$cache/$pkg" ${FUZZFLAGS:-}) 2>&1 | tee "$tmp/out"; then
      # Go's fuzzing coordinator (before Go 1.27, Go issue 75804) can end a run at its time limit with a bare
      # "context deadline exceeded" failure and no failing input. That is not a finding: it counts as one
      # only if a new input was written, or if the corpus, replayed without fuzzing, fails.
      after=$(ls "$corpus" 2>/dev/null | sort || true)
      rm -f "$tmp/replay"
      if grep -q '^    context deadline exceeded$' "$tmp/out" && [ "$before" = "$after" ] &&
        (cd "$dir" && "$bin" -test.run "^$name\$" > "$tmp/replay" 2>&1); then
        echo "== $pkg $name: stopped by the fuzzing engine's time-limit race, no failing input; the corpus replay passed"
      else
        if [ -s "$tmp/replay" ]; then cat "$tmp/replay"; fi # the replay's failure, if it ran
        failed+=("$pkg $name")
      fi
    fi
  done
done
echo "fuzzing took $((SECONDS - start))s"
if ((${#failed[@]})); then
  printf 'FAIL: %s\n' "${failed[@]}"
  echo "Failing inputs are under the package's testdata/fuzz/FuzzName/: fix the bug, keep the input as a regression."
  exit 1
fi
