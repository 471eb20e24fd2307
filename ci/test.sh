#!/usr/bin/env bash
# The test command (README): installs dependencies, then builds and runs every
# test in the default (RelWithDebInfo, g++) and asan (ASan+UBSan, clang)
# presets, runs each libFuzzer target for a bounded time, and the lint gates.
# Must stay well under 30 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds=${WALSIM_FUZZ_SECONDS:-30}
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

step "fuzz (${fuzz_seconds}s per target; nightly: 30 min)"
WALSIM_FUZZ_SECONDS=$fuzz_seconds bash ci/fuzz.sh

step "all tests passed"
