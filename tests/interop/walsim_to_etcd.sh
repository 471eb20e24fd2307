#!/usr/bin/env bash
# Interop 2: WALs written by walsim read the same through etcd's own wal
# package as through walsim.
#
# `walsim wal load` writes WALs of several shapes: small segments so it cuts
# many times, snapshot records, payloads from 1 byte (every padding length)
# to over a page and over 64 KiB, single and batched saves, sync on and off.
# For each, etcdwal-dump (etcd 3.4's OpenForRead + ReadAll) must accept the
# WAL and print exactly what `walsim wal dump --jsonl` prints, from the start
# and from a snapshot in the middle. Overwritten suffixes are not covered
# here: `walsim wal load` only appends (see docs/interop.md).
#
# Usage: walsim_to_etcd.sh [WALSIM_BIN [WALSIM_PEERS]]
set -euo pipefail
# shellcheck source=tests/interop/lib.sh source-path=SCRIPTDIR/../..
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_peers etcdwal-dump
require_walsim_command wal load
require_walsim_command wal dump

# name | walsim wal load flags | snapshot index to reopen at (0: none)
cases=(
  "cuts|--entries 500 --entry-bytes 100 --batch 5 --segment-bytes 8192 --snapshot-every 100 --seed 1|300"
  "padding|--entries 240 --entry-bytes 7 --batch 3 --segment-bytes 4096 --snapshot-every 60 --seed 2|120"
  "one-byte|--entries 64 --entry-bytes 1 --batch 1 --seed 3|0"
  "pages|--entries 40 --entry-bytes 5000 --batch 2 --segment-bytes 32768 --snapshot-every 10 --seed 4|20"
  "big|--entries 6 --entry-bytes 100000 --batch 2 --segment-bytes 150000 --seed 5|0"
  "no-sync|--entries 3000 --entry-bytes 128 --batch 10 --no-sync --snapshot-every 1000 --seed 6|2000"
)

for case_line in "${cases[@]}"; do
  IFS='|' read -r name flags snapshot_index <<<"$case_line"
  dir=$interop_tmp/$name
  # shellcheck disable=SC2086 # flags is a word list by design
  timeout 120 "$WALSIM_BIN" wal load "$dir" $flags >"$interop_tmp/$name.load" ||
    die "walsim wal load $name failed"
  compare_dumps "$dir" "$interop_tmp/$name.start"
  file_count=$(wal_files "$dir" | wc -l)
  entry_count=$(grep -c '"kind":"entry"' "$interop_tmp/$name.start.etcd" || true)
  expected_count=${flags#*--entries }
  expected_count=${expected_count%% *}
  [[ $entry_count -eq $expected_count ]] || die "$name: $entry_count entries read, $expected_count written"
  if [[ $snapshot_index -ne 0 ]]; then
    # The snapshot's term is the term of the entry at its index.
    term=$(grep "\"index\":$snapshot_index," "$interop_tmp/$name.start.etcd" |
      sed 's/.*"term":\([0-9]*\),.*/\1/')
    [[ -n "$term" ]] || die "$name: no entry at snapshot index $snapshot_index"
    compare_dumps "$dir" "$interop_tmp/$name.snap" --snapshot-index "$snapshot_index" --snapshot-term "$term"
    after_count=$(grep -c '"kind":"entry"' "$interop_tmp/$name.snap.etcd" || true)
    [[ $after_count -eq $((expected_count - snapshot_index)) ]] ||
      die "$name: $after_count entries after snapshot $snapshot_index"
  fi
  note "$name: $entry_count entries in $file_count files, identical dumps"
done
note "PASS: ${#cases[@]} WALs"
