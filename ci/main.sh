#!/usr/bin/env bash
# The main job (README): installs dependencies, builds walsim (default preset)
# and runs it: the simulated-disk demo, the whole scenario library, the
# crash-state explorer on three scripts, and a 2-minute torture run of every
# target with progress, writing build/torture/report.json and report.xml
# (docs/torture.md, "Reports"). Arguments replace the torture run's flags
# (default: --minutes 2 --seed-start 0 --target all with the two reports and
# build/torture/artifacts).
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
  echo "=== torture: every target for 2 minutes"
  reports=build/torture
  own_reports=0
  if [[ $# -eq 0 ]]; then
    own_reports=1
    rm -rf "$reports"
    mkdir -p "$reports"
    # all: wal, logstore, logcache, both, sqlite (journal mode and
    # synchronous drawn per seed; losses a setting allows pass) and leveldb
    # with the workaround of docs/findings.md (without it LevelDB 1.23 loses
    # synced writes: a known finding, reproduced by tests/engines). LevelDB
    # 1.23's torn-MANIFEST-record finding remains at these settings: it is
    # listed in ci/known-findings.json, so its seeds are reported under its id
    # and only a new failure fails the job.
    set -- --minutes 2 --seed-start 0 --target all --param dir_sync=on-create \
      --param sync=always --known-findings ci/known-findings.json \
      --json "$reports/report.json" \
      --junit "$reports/report.xml" --artifacts "$reports/artifacts"
  fi
  status=0
  "$walsim" torture "$@" || status=$?
  if [[ $own_reports -eq 1 && -f $reports/report.json ]]; then
    echo "torture reports: $reports/report.json and $reports/report.xml" \
      "(failing seeds' artifacts under $reports/artifacts)"
  fi
  exit "$status"
fi
