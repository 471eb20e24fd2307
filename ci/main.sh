#!/usr/bin/env bash
# The main job (README): installs dependencies, builds walsim (default preset)
# and runs it: the simulated-disk demo, the whole scenario library, the
# crash-state explorer on three scripts, and a bounded torture run over a range
# of seeds. Arguments are passed to the
# torture run (default: --seeds 0:200).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${WALSIM_JOBS:-2}

bash ci/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$jobs" --target walsim
walsim=build/default/tools/walsim

echo "=== simulated disk demo"
"$walsim" sim demo --seed 1

if "$walsim" run --help >/dev/null 2>&1; then
  echo "=== scenario library"
  "$walsim" run scenarios/scripts/*.scn
fi

if "$walsim" explore --help >/dev/null 2>&1; then
  echo "=== crash-state explorer: every crash point, every crash state"
  "$walsim" explore scenarios/scripts/wal-reopen-for-write-crash.scn --states 32
  "$walsim" explore scenarios/scripts/log-torn-batch.scn --model reorder --states 32
  # A disk one segment fills: reopen must fit the tail's copy (docs/torture.md).
  "$walsim" explore scenarios/scripts/wal-enospc-save.scn --states 16
fi

if "$walsim" torture --help >/dev/null 2>&1; then
  echo "=== torture"
  if [[ $# -eq 0 ]]; then set -- --seeds 0:200; fi
  "$walsim" torture "$@"
fi
