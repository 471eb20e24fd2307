#!/usr/bin/env bash
# CI's soak step (.ci/run): `walsim soak` of the WAL and of the LogStore, in
# parallel, for SOAK_SECONDS in all per target (default 60): the first half on
# the plain disk, the second with libfiu failing real syscalls
# (--fiu default). Each run starts on a fresh directory; any violation, or a
# run that does not finish, fails the step. The seed is SOAK_SEED (default 1)
# and is printed with each report.
# Usage: tests/soak/ci_soak.sh WALSIM [WORKDIR]
set -euo pipefail
walsim=${1:?usage: ci_soak.sh WALSIM [WORKDIR]}
work=${2:-$(mktemp -d)}
seconds=${SOAK_SECONDS:-60}
seed=${SOAK_SEED:-1}
half_minutes=$(awk -v s="$seconds" 'BEGIN { printf "%.3f", s / 120 }')

soak_target() {
  local target=$1
  "$walsim" soak --target "$target" --dir "$work/$target-plain" --minutes "$half_minutes" \
    --seed "$seed" --json "$work/$target-plain.json" >"$work/$target-plain.out" 2>&1 &&
    "$walsim" soak --target "$target" --dir "$work/$target-fiu" --minutes "$half_minutes" \
      --seed "$seed" --fiu default --json "$work/$target-fiu.json" >"$work/$target-fiu.out" 2>&1
}

rm -rf "$work"/{wal,logstore}-{plain,fiu}
mkdir -p "$work"
pids=()
for target in wal logstore; do
  soak_target "$target" &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do
  wait "$pid" || status=1
done
for run in wal-plain wal-fiu logstore-plain logstore-fiu; do
  echo "--- soak $run"
  cat "$work/$run.out" 2>/dev/null || echo "(did not run)"
done
exit $status
