#!/usr/bin/env bash
# A directory sync really reaches fsync(2) on the directory: strace shows each
# SyncDir as an openat(..., O_DIRECTORY) of the directory followed by fsync of
# that descriptor, for the WAL's Create (the ".tmp" directory, then the parent)
# and the LogStore's creation (the parent). Usage: dir_sync_strace_test.sh WALSIM
set -euo pipefail
WALSIM=$1
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# LeakSanitizer cannot run under ptrace, and its failure would be walsim's
# exit status: the ASan+UBSan build runs this with leak checks off.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# expect_dir_fsync TRACE DIR: an O_DIRECTORY open of DIR whose fd is fsynced.
expect_dir_fsync() {
  local trace=$1 dir=$2
  awk -v dir="\"$dir\"" '
    $2 ~ /^openat\(/ && index($0, dir ",") && /O_DIRECTORY/ && $NF ~ /^[0-9]+$/ { fd[$1] = $NF; next }
    ($1 in fd) && $2 == "fsync(" fd[$1] ")" && $NF == "0" { found = 1 }
    ($1 in fd) && $2 ~ /^close\(/ { delete fd[$1] }
    END { exit found ? 0 : 1 }' "$trace" || fail "no fsync of an O_DIRECTORY descriptor of $dir in $trace"
}

strace -f -e trace=openat,fsync,close -o "$WORK/wal.trace" \
  "$WALSIM" wal load "$WORK/w" --entries 4 --entry-bytes 8 --batch 1 >/dev/null 2>&1
expect_dir_fsync "$WORK/wal.trace" "$WORK/w.tmp"
expect_dir_fsync "$WORK/wal.trace" "$WORK"
echo "ok WalCreateFsyncsTheTmpDirectoryAndTheParent"

strace -f -e trace=openat,fsync,close -o "$WORK/ls.trace" \
  "$WALSIM" logstore load "$WORK/l" --entries 4 >/dev/null 2>&1
expect_dir_fsync "$WORK/ls.trace" "$WORK"
expect_dir_fsync "$WORK/ls.trace" "$WORK/l"
echo "ok LogstoreCreationFsyncsItsDirectoryAndTheParent"
