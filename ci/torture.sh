#!/usr/bin/env bash
# Nightly torture (docs/torture.md): builds the default preset and runs
# `walsim torture` over a seed range (or for a time budget), optionally one
# shard of it, in worker processes. It writes into the artifacts directory the
# shard's JSON and JUnit reports, its log, and one folder per failing seed
# (replay line, trace, verdict, shrunk regression script), ready for
# `walsim report merge` and `walsim replay --report`.
#
#   ci/torture.sh [--seeds A:B] [--shard I/N] [extra walsim torture flags...]
#
# Defaults come from the environment: WALSIM_TORTURE_SEEDS (A:B, B excluded;
# default 0:100000), WALSIM_TORTURE_MINUTES (a time budget instead of the
# range's end: seeds then go on from A), WALSIM_SHARD_INDEX /
# WALSIM_SHARD_COUNT (default 0/1), WALSIM_TORTURE_ARTIFACTS (default
# build/torture-artifacts), WALSIM_TORTURE_SHRINK_MAX (failing seeds that get
# an artifacts folder, default 5), WALSIM_TORTURE_JOBS (worker processes,
# default the core count), WALSIM_JOBS (build jobs, default 2).
# Exit status: 0 when every seed passed, 1 when any failed, 2 on bad usage.
set -euo pipefail
cd "$(dirname "$0")/.."

seeds=${WALSIM_TORTURE_SEEDS:-0:100000}
minutes=${WALSIM_TORTURE_MINUTES:-}
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
name="shard-${shard/\//-of-}"
range=(--seeds "$seeds")
if [[ -n $minutes ]]; then range=(--minutes "$minutes" --seed-start "${seeds%%:*}"); fi
workers=()
if [[ -n ${WALSIM_TORTURE_JOBS:-} ]]; then workers=(--jobs "$WALSIM_TORTURE_JOBS"); fi
echo "torture: ${range[*]} shard $shard ${extra[*]:-}" >&2
status=0
"$walsim" torture "${range[@]}" --shard "$shard" "${workers[@]}" \
  --json "$artifacts/report-$name.json" --junit "$artifacts/report-$name.xml" \
  --artifacts "$artifacts/seeds-$name" --artifacts-max "$shrink_max" \
  "${extra[@]}" | tee "$artifacts/torture-$name.log" || status=$?
case $status in
  0) ;;
  1) echo "torture: failures in $artifacts/torture-$name.log; their folders in $artifacts/seeds-$name" >&2 ;;
  *) echo "torture: walsim exited with $status (usage or setup), see $artifacts/torture-$name.log" >&2 ;;
esac
exit "$status"
