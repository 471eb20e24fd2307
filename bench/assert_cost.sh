#!/usr/bin/env bash
# What the assertion tiers cost (base/assert.h, docs/performance.md
# "Assertions"): builds bench/assert_cost_bench three times and runs the three
# binaries interleaved, round by round, in one run on one machine:
#   none        build/asserts-none: -DWALSIM_ASSERTS=OFF -DWALSIM_SLOW_ASSERTS=OFF
#               (exists only for this measurement)
#   cheap       build/bench (the `bench` preset): the release setting
#   cheap+slow  build/default (the default preset): tests and torture
#   bench/assert_cost.sh [ROUNDS]       (default 5; each round runs every case once)
# Prints each binary's CPU ns per item per round, then a markdown table of
# medians and of the medians of per-round ratios to "none". Cases: WAL Save
# of 1 and 64 x 128 B and LogStore StoreLogs of 1 and 64 x 128 B, no sync on
# /dev/shm; GetLog of a random index of 200k entries (page cache).
set -euo pipefail
repo_dir=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
target=assert_cost_bench
cd "$repo_dir"
cmake -S . -B build/asserts-none -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=g++ -DCMAKE_C_COMPILER=gcc \
  -DWALSIM_ASSERTS=OFF -DWALSIM_SLOW_ASSERTS=OFF >/dev/null
cmake --preset bench >/dev/null
cmake --preset default >/dev/null
for dir in build/asserts-none build/bench build/default; do
  nice cmake --build "$dir" -j2 --target $target >&2
done
declare -A binary=([none]=build/asserts-none [cheap]=build/bench [cheap+slow]=build/default)
tiers=(none cheap cheap+slow)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# One CSV line per case: name, CPU ns per item (items_per_second from the CPU time).
for ((r = 0; r < rounds; r++)); do
  for tier in "${tiers[@]}"; do
    "${binary[$tier]}/bench/$target" --benchmark_format=csv --benchmark_min_time=0.5 2>/dev/null |
      awk -F, -v tier="$tier" -v round="$r" \
        'NR > 1 && $1 ~ /^"BM_/ {gsub(/"/, "", $1); printf "%s %s %s %.2f\n", round, tier, $1, 1e9 / $7}' \
        >>"$out/samples"
  done
  echo "round $((r + 1))/$rounds done" >&2
done
cat "$out/samples" >&2
python3 - "$out/samples" <<'PY'
import collections, statistics, sys
samples = collections.defaultdict(dict)  # (case) -> {(round, tier): ns}
for line in open(sys.argv[1]):
    round_, tier, case, ns = line.split()
    samples[case][(round_, tier)] = float(ns)
rounds = sorted({r for s in samples.values() for (r, _) in s})
def median(tier, case):
    return statistics.median(samples[case][(r, tier)] for r in rounds)
def ratio(tier, case):
    return statistics.median(samples[case][(r, tier)] / samples[case][(r, "none")] for r in rounds)
print(f"| case (CPU ns per item, median of {len(rounds)} rounds) | none | cheap | cheap+slow | cheap / none | cheap+slow / none |")
print("| --- | --- | --- | --- | --- | --- |")
for case in samples:
    print(f"| {case} | {median('none', case):.1f} | {median('cheap', case):.1f} | "
          f"{median('cheap+slow', case):.1f} | {ratio('cheap', case):.3f} | {ratio('cheap+slow', case):.3f} |")
PY
