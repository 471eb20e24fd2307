#!/usr/bin/env bash
# Builds every libFuzzer target (the fuzz preset) and runs each for
# WALSIM_FUZZ_SECONDS (default 30) from its checked-in seeds
# (tests/fuzz/corpus/<name>) plus the corpus it grew before
# (build/fuzz/corpus/<name>). A finding fails the script; its reproducer is
# in build/fuzz/artifacts/. ci/test.sh runs it briefly; the nightly fuzz job
# runs it for 30 minutes per target.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds=${WALSIM_FUZZ_SECONDS:-30}
jobs=${WALSIM_JOBS:-2}

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs" --target walsim_fuzzers
mapfile -t fuzzers < <(find build/fuzz/tests/fuzz -maxdepth 1 -type f -name '*_fuzz' -perm -u+x | sort)
if [[ ${#fuzzers[@]} -eq 0 ]]; then
  echo "fuzz: no fuzz targets were built" >&2
  exit 1
fi
mkdir -p build/fuzz/artifacts
for f in "${fuzzers[@]}"; do
  name=$(basename "$f")
  corpus="build/fuzz/corpus/$name"
  mkdir -p "$corpus"
  seeds="tests/fuzz/corpus/$name"
  args=("$corpus")
  [[ -d "$seeds" ]] && args+=("$seeds")
  echo "fuzz: $name (${fuzz_seconds}s)"
  "$f" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="build/fuzz/artifacts/$name-" "${args[@]}" 2>&1 | tail -n 12
done
