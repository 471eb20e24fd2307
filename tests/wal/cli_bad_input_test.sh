#!/usr/bin/env bash
# Bad input to the walsim command line gets a clear one-line error and a
# usage exit code, never a silent success, a hang or a deleted file. Each
# function is one behaviour; the script fails at the first one that does not
# hold. Usage: cli_bad_input_test.sh WALSIM
set -euo pipefail
WALSIM=$1
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_error CODE PATTERN CMD...: CMD exits with CODE and stderr matches PATTERN.
expect_error() {
  local code=$1 pattern=$2; shift 2
  local status=0
  timeout 20 "$@" >"$WORK/out" 2>"$WORK/err" || status=$?
  [[ $status == "$code" ]] || fail "$* exited $status, want $code: $(cat "$WORK/err")"
  grep -q -- "$pattern" "$WORK/err" || fail "$*: stderr lacks '$pattern': $(cat "$WORK/err")"
}

WalLoadRefusesARegularFile() {
  echo keep >"$WORK/file"
  expect_error 1 "not a directory" "$WALSIM" wal load "$WORK/file" --entries 1 --entry-bytes 1 --batch 1
  [[ $(cat "$WORK/file") == keep ]] || fail "wal load changed a regular file"
}

WalLoadRefusesADirectoryOfOtherFiles() {
  mkdir "$WORK/notes" && echo keep >"$WORK/notes/todo.txt"
  expect_error 1 "not a wal" "$WALSIM" wal load "$WORK/notes" --entries 1 --entry-bytes 1 --batch 1
  [[ -f $WORK/notes/todo.txt ]] || fail "wal load deleted a user's file"
}

WalLoadRefusesAnExistingTmpDirectory() {
  mkdir -p "$WORK/w.tmp" && echo keep >"$WORK/w.tmp/x"
  expect_error 1 "w.tmp exists" "$WALSIM" wal load "$WORK/w" --entries 1 --entry-bytes 1 --batch 1
  [[ -f $WORK/w.tmp/x ]] || fail "wal load deleted PATH.tmp"
}

WalLoadAcceptsAnEmptyDirectoryAndHexNumbers() {
  mkdir "$WORK/empty"
  "$WALSIM" wal load "$WORK/empty" --entries 0x10 --entry-bytes 8 --batch 4 --no-sync >/dev/null 2>&1 ||
    fail "wal load into an empty directory failed"
  "$WALSIM" wal verify "$WORK/empty" >/dev/null 2>&1 || fail "the loaded WAL does not verify"
}

UnsignedFlagsRejectNegativeEmptyAndOversizedValues() {
  expect_error 2 '"-1" is not an unsigned number' "$WALSIM" wal load "$WORK/n" --entries -1 --entry-bytes 1 --batch 1
  expect_error 2 "empty value" "$WALSIM" wal load "$WORK/n" --entries 1 --entry-bytes 1 --batch 1 --seed ""
  expect_error 2 "does not fit 64 bits" "$WALSIM" wal dump "$WORK/n" --snapshot-index 18446744073709551616
  expect_error 2 "over the limit" "$WALSIM" wal load "$WORK/n" --entries 1 --entry-bytes 1 --batch 2000000
  expect_error 2 "not an unsigned number" "$WALSIM" explore "$WORK/none.scn" --seed 1e3
  expect_error 2 "not an unsigned number" "$WALSIM" logstore load "$WORK/ls" --entries +5
  [[ ! -e $WORK/n ]] || fail "a rejected command created its directory"
}

ScriptCommandsRefuseADirectory() {
  mkdir -p "$WORK/scripts"
  expect_error 2 "is a directory, not a script" "$WALSIM" run "$WORK/scripts"
  expect_error 2 "is a directory, not a script" "$WALSIM" run --rewrite "$WORK/scripts"
  expect_error 2 "is a directory, not a script" "$WALSIM" explore "$WORK/scripts"
  expect_error 2 "is a directory, not a script" "$WALSIM" logstore replay "$WORK/scripts"
}

ScriptCommandsRefuseAnEmptyScript() {
  : >"$WORK/empty.scn"
  expect_error 2 "is empty" "$WALSIM" run "$WORK/empty.scn"
  expect_error 2 "is empty" "$WALSIM" explore "$WORK/empty.scn"
  expect_error 2 "is empty" "$WALSIM" logstore replay "$WORK/empty.scn"
}

ScriptCommandsNameCrlfLineEndings() {
  printf 'sim-configure\r\n----\r\n' >"$WORK/crlf.scn"
  expect_error 2 "crlf.scn:1: CRLF" "$WALSIM" run "$WORK/crlf.scn"
  expect_error 2 "CRLF" "$WALSIM" explore "$WORK/crlf.scn"
  expect_error 2 "CRLF" "$WALSIM" logstore replay "$WORK/crlf.scn"
}

WalVerifyRefusesAFifoSegmentWithoutHanging() {
  mkdir "$WORK/fifo"
  "$WALSIM" wal load "$WORK/fifo" --entries 4 --entry-bytes 8 --batch 1 --no-sync >/dev/null 2>&1
  mkfifo "$WORK/fifo/0000000000000001-0000000000000005.wal"
  expect_error 2 "not a regular file" "$WALSIM" wal verify "$WORK/fifo"
}

LogstoreVerifySaysThereIsNoLogStore() {
  mkdir "$WORK/nothing"
  expect_error 1 "no LogStore in" "$WALSIM" logstore verify "$WORK/nothing"
  expect_error 1 "holds .wal files" "$WALSIM" logstore dump "$WORK/empty"
}

LogstoreVerifyRefusesAFifoSegmentWithoutHanging() {
  "$WALSIM" logstore load "$WORK/ls" --entries 4 >/dev/null 2>&1
  mkfifo "$WORK/ls/0000000000000009-0000000000000005.seg"
  expect_error 2 "not a regular file" "$WALSIM" logstore verify "$WORK/ls"
  rm "$WORK/ls/0000000000000009-0000000000000005.seg"
}

for check in WalLoadRefusesARegularFile WalLoadRefusesADirectoryOfOtherFiles \
  WalLoadRefusesAnExistingTmpDirectory WalLoadAcceptsAnEmptyDirectoryAndHexNumbers \
  UnsignedFlagsRejectNegativeEmptyAndOversizedValues ScriptCommandsRefuseADirectory \
  ScriptCommandsRefuseAnEmptyScript ScriptCommandsNameCrlfLineEndings \
  WalVerifyRefusesAFifoSegmentWithoutHanging LogstoreVerifySaysThereIsNoLogStore \
  LogstoreVerifyRefusesAFifoSegmentWithoutHanging; do
  "$check"
  echo "ok $check"
done
