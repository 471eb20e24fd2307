#!/usr/bin/env bash
# The test command (README): installs dependencies, then builds and runs every
# test in the default (RelWithDebInfo, g++) and asan (ASan+UBSan, clang)
# presets, runs each libFuzzer target for a bounded time, and the lint gates.
# Must stay well under 30 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds=${WALSIM_FUZZ_SECONDS:-60}
jobs=${WALSIM_JOBS:-2}

step() { printf '\n=== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

step "dependencies"
bash ci/deps.sh

for preset in default asan; do
  step "configure+build: $preset"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  step "tests: $preset"
  # The interop tests (real etcd, Go peers) run once, in the default preset.
  label_filter=()
  [[ $preset == asan ]] && label_filter=(-LE interop)
  ctest --preset "$preset" -j "$jobs" --timeout 600 "${label_filter[@]}"
done

step "lint"
bash ci/lint.sh build/default

step "fuzz (${fuzz_seconds}s per target)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs" --target walsim_fuzzers
mapfile -t fuzzers < <(find build/fuzz/tests/fuzz -maxdepth 1 -type f -name '*_fuzz' -perm -u+x | sort)
if [[ ${#fuzzers[@]} -eq 0 ]]; then
  echo "no fuzz targets were built" >&2
  exit 1
fi
for f in "${fuzzers[@]}"; do
  name=$(basename "$f")
  corpus="build/fuzz/corpus/$name"
  mkdir -p "$corpus"
  seeds="tests/fuzz/corpus/$name"
  args=("$corpus")
  [[ -d "$seeds" ]] && args+=("$seeds")
  echo "fuzz: $name"
  "$f" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    "${args[@]}" 2>&1 | tail -n 12
done

step "all tests passed"
