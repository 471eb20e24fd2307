#!/usr/bin/env bash
# Nightly crash-state exploration of the scenario library (docs/scenarios.md,
# "Exploring every crash state"): builds the default preset and runs
# `walsim explore` on every script in scenarios/scripts/, with
# WALSIM_EXPLORE_STATES crash states per crash point (default 64), once with
# the script's own crash model and once with each of WALSIM_EXPLORE_MODELS
# (default "prefix reorder"); shard WALSIM_SHARD_INDEX of WALSIM_SHARD_COUNT
# (scripts in sorted order).
#
# The WAL scripts in known_limitation below tear unsynced multi-record writes
# on non-atomic sectors, and so reach the known limitation of etcd's WAL
# format (a random-filled torn sector followed by a persisted record reads as
# mid-log rot, docs/torture.md): they are skipped unless
# WALSIM_EXPLORE_ALL=1.
# Each violation prints the `--at` argument that replays it; the log goes to
# WALSIM_EXPLORE_ARTIFACTS (default build/explore-artifacts). Exit status: 0
# when no script has a violation, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
states=${WALSIM_EXPLORE_STATES:-64}
shard_index=${WALSIM_SHARD_INDEX:-0}
shard_count=${WALSIM_SHARD_COUNT:-1}
artifacts=${WALSIM_EXPLORE_ARTIFACTS:-build/explore-artifacts}
jobs=${WALSIM_JOBS:-2}

cmake --preset default >/dev/null
cmake --build --preset default -j "$jobs" --target walsim
walsim=build/default/tools/walsim
mkdir -p "$artifacts"
log=$artifacts/explore.log
: >"$log"

known_limitation=" wal-crash-during-repair wal-crash-mid-multi-entry-save wal-crash-unsynced-reorder wal-torn-sector-not-zero "
failed=0
explored=0
position=0
for script in scenarios/scripts/*.scn; do
  position=$((position + 1))
  (((position - 1) % shard_count == shard_index)) || continue
  name=$(basename "$script" .scn)
  if [[ ${WALSIM_EXPLORE_ALL:-0} != 1 && $known_limitation == *" $name "* ]]; then
    echo "skip $script (the known format limitation)" | tee -a "$log"
    continue
  fi
  explored=$((explored + 1))
  for model in script ${WALSIM_EXPLORE_MODELS:-prefix reorder}; do
    model_flags=()
    [[ $model == script ]] || model_flags=(--model "$model")
    if ! "$walsim" explore "$script" --states "$states" "${model_flags[@]}" >>"$log" 2>&1; then
      failed=$((failed + 1))
      echo "FAIL $script ($model)" | tee -a "$log"
    else
      echo "pass $script ($model): $(tail -n 1 "$log")"
    fi
  done
done
echo "explored $explored scripts, $failed runs with violations (log: $log)"
[[ $failed -eq 0 ]]
