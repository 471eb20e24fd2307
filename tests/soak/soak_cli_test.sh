#!/usr/bin/env bash
# `walsim soak` from the command line: a few kill -9 cycles of each store
# pass (plain, with libfiu faults, and as power losses of the syscall trace), and bad arguments are one-line usage
# errors (exit 2). Usage: soak_cli_test.sh WALSIM
set -euo pipefail
walsim=${1:?usage: soak_cli_test.sh WALSIM}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for target in wal logstore; do
  "$walsim" soak --target "$target" --dir "$work/$target" --cycles 6 --seed 7 \
    --json "$work/$target.json" >"$work/out" || fail "$target soak: $(cat "$work/out")"
  grep -q '^violations=0$' "$work/out" || fail "$target: no 'violations=0' line"
  grep -q '"cycles": 6' "$work/$target.json" || fail "$target: the JSON report lacks cycles=6"
  if [[ -r /usr/lib/fiu/fiu_posix_preload.so ]]; then
    "$walsim" soak --target "$target" --dir "$work/$target-fiu" --cycles 6 --seed 7 \
      --fiu 'pwrite=short:0.5,fdatasync=eio:0.02' >"$work/out" ||
      fail "$target --fiu soak: $(cat "$work/out")"
    grep -q 'pwrite short=' "$work/out" || fail "$target --fiu: no short write was injected"
  fi
  "$walsim" soak --target "$target" --dir "$work/$target-pl" --cycles 8 --seed 7 --power-loss \
    --json "$work/$target-pl.json" >"$work/out" || fail "$target --power-loss: $(cat "$work/out")"
  grep -q '^violations=0$' "$work/out" || fail "$target --power-loss: no 'violations=0' line"
  grep -q '"power_loss": true' "$work/$target-pl.json" || fail "$target --power-loss: JSON lacks it"
done

expect_usage_error() {
  local rc=0
  "$walsim" soak "$@" >"$work/out" 2>"$work/err" || rc=$?
  [[ $rc -eq 2 ]] || fail "soak $* exited $rc, not 2"
  [[ $(wc -l <"$work/err") -ge 1 ]] || fail "soak $*: no error message"
}
mkdir -p "$work/full" && touch "$work/full/file"
expect_usage_error --target wal
expect_usage_error --target disk --dir "$work/x"
expect_usage_error --target wal --dir "$work/full" --cycles 1
expect_usage_error --target wal --dir "$work/y" --fiu 'pwrite=eio'
expect_usage_error --target wal --dir "$work/y" --fiu 'mkdir=eio:0.1'
expect_usage_error --target wal --dir "$work/y" --fiu 'fsync=short:0.1'
expect_usage_error --target wal --dir "$work/y" --fiu 'pwrite=eio:1.5'
expect_usage_error --target wal --dir "$work/y" --seed -1
expect_usage_error --target wal --dir "$work/y" --minutes -1
expect_usage_error --target wal --dir "$work/y" --power-loss --fiu default
echo "ok"
