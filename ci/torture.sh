#!/usr/bin/env bash
# Nightly torture (docs/torture.md): builds the default preset and runs
# `walsim torture` over a seed range, optionally one shard of it. On failure it
# writes a shrunk regression script for each of the first few failing seeds
# into the artifacts directory, next to the full torture log.
#
#   ci/torture.sh [--seeds A:B] [--shard I/N] [extra walsim torture flags...]
#
# Defaults come from the environment: WALSIM_TORTURE_SEEDS (A:B, B excluded;
# default 0:100000), WALSIM_SHARD_INDEX / WALSIM_SHARD_COUNT (default 0/1),
# WALSIM_TORTURE_ARTIFACTS (default build/torture-artifacts),
# WALSIM_TORTURE_SHRINK_MAX (failing seeds to shrink, default 5), WALSIM_JOBS.
# Exit status: 0 when every seed passed, 1 when any failed, 2 on bad usage.
set -euo pipefail
cd "$(dirname "$0")/.."

seeds=${WALSIM_TORTURE_SEEDS:-0:100000}
shard="${WALSIM_SHARD_INDEX:-0}/${WALSIM_SHARD_COUNT:-1}"
artifacts=${WALSIM_TORTURE_ARTIFACTS:-build/torture-artifacts}
shrink_max=${WALSIM_TORTURE_SHRINK_MAX:-5}
jobs=${WALSIM_JOBS:-2}
extra=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --seeds) seeds=$2; shift 2 ;;
    --shard) shard=$2; shift 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done

cmake --preset default >/dev/null
cmake --build --preset default -j "$jobs" --target walsim
walsim=build/default/tools/walsim

mkdir -p "$artifacts"
log="$artifacts/torture-shard-${shard/\//-of-}.log"
echo "torture: seeds $seeds shard $shard ${extra[*]:-}" >&2
status=0
"$walsim" torture --seeds "$seeds" --shard "$shard" "${extra[@]}" | tee "$log" || status=$?
if [[ $status -eq 0 ]]; then
  exit 0
fi
if [[ $status -ne 1 ]]; then
  echo "torture: walsim exited with $status (usage or crash), see $log" >&2
  exit "$status"
fi

# Each FAIL line is followed by its own "  shrink: walsim shrink ..." line with
# the exact flags; run the first few, writing into the artifacts directory.
shrunk_count=0
while IFS= read -r line; do
  [[ $shrunk_count -ge $shrink_max ]] && break
  read -ra command <<<"${line#  shrink: walsim }"
  seed=${command[2]}
  out="$artifacts/regression-seed-$seed.scn"
  command[-1]=$out
  if "$walsim" "${command[@]}"; then
    shrunk_count=$((shrunk_count + 1))
  else
    echo "torture: could not shrink seed $seed" >&2
  fi
done < <(grep '^  shrink: walsim shrink ' "$log")
echo "torture: failures in $log; $shrunk_count regression script(s) in $artifacts" >&2
exit 1
