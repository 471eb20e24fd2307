#!/usr/bin/env bash
# Interop 3: for the same operations, walsim writes etcd's bytes.
#
# etcd's writer is deterministic given the sequence of Create/Save/
# SaveSnapshot calls and the segment size (no timestamps, no randomness), so
# we let `walsim wal load` write a WAL, recover the calls from its records
# (`etcdwal-load --mirror`, see bench/peers/etcdwal-load/mirror.go), issue
# them to etcd's WAL with the same segment size, and compare the files:
#   - the same file names (sequence and first index: the same cut points);
#   - every file but the last: identical bytes, whole file (etcd truncates a
#     file at the cut, so its size is part of the format);
#   - the last file: identical bytes up to the end of the last record, and
#     only zeros after it in both. The length of that zero tail is
#     preallocation, not format: etcd preallocates a whole segment with
#     fallocate, and a writer may extend in smaller steps.
# The mirror also checks every record's running CRC-32C while reading.
#
# Usage: bytes_equal.sh [WALSIM_BIN [WALSIM_PEERS]]
set -euo pipefail
# shellcheck source=tests/interop/lib.sh source-path=SCRIPTDIR/../..
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_peers etcdwal-load
require_walsim_command wal load

# name | segment bytes | walsim wal load flags (without --segment-bytes)
cases=(
  "cuts|8192|--entries 500 --entry-bytes 100 --batch 5 --snapshot-every 100 --seed 11"
  "padding|4096|--entries 240 --entry-bytes 7 --batch 3 --snapshot-every 60 --seed 12"
  "pages|32768|--entries 40 --entry-bytes 5000 --batch 2 --snapshot-every 10 --seed 13"
  "big|150000|--entries 6 --entry-bytes 100000 --batch 2 --seed 14"
  "single|1000000|--entries 200 --entry-bytes 128 --batch 1 --no-sync --seed 15"
)

# zero_after FILE OFFSET: true when every byte from OFFSET on is zero.
zero_after() {
  local nonzero
  nonzero=$(tail -c +"$(($2 + 1))" "$1" | tr -d '\0' | wc -c)
  [[ $nonzero -eq 0 ]]
}

compare_wal_dirs() {
  local name=$1 src=$2 dst=$3 last_valid_end=$4
  local src_names dst_names file last
  src_names=$(wal_files "$src")
  dst_names=$(wal_files "$dst")
  [[ "$src_names" == "$dst_names" ]] ||
    die "$name: file names differ: walsim [${src_names//$'\n'/ }] etcd [${dst_names//$'\n'/ }]"
  last=$(tail -1 <<<"$src_names")
  for file in $src_names; do
    if [[ "$file" != "$last" ]]; then
      cmp "$src/$file" "$dst/$file" >&2 || die "$name: $file differs"
      continue
    fi
    cmp -n "$last_valid_end" "$src/$file" "$dst/$file" >&2 ||
      die "$name: $file differs within its first $last_valid_end bytes"
    zero_after "$src/$file" "$last_valid_end" || die "$name: walsim's $file has non-zero bytes after offset $last_valid_end"
    zero_after "$dst/$file" "$last_valid_end" || die "$name: etcd's $file has non-zero bytes after offset $last_valid_end"
  done
  echo "$src_names" | wc -l
}

for case_line in "${cases[@]}"; do
  IFS='|' read -r name segment_bytes flags <<<"$case_line"
  src=$interop_tmp/$name.walsim
  dst=$interop_tmp/$name.etcd
  # shellcheck disable=SC2086 # flags is a word list by design
  timeout 120 "$WALSIM_BIN" wal load "$src" --segment-bytes "$segment_bytes" $flags >/dev/null ||
    die "walsim wal load $name failed"
  mirror_line=$(timeout 120 "$WALSIM_PEERS/etcdwal-load" --mirror "$src" "$dst" --segment-bytes "$segment_bytes" --no-sync) ||
    die "$name: etcdwal-load --mirror could not replay walsim's WAL"
  last_valid_end=${mirror_line##*last_valid_end=}
  file_count=$(compare_wal_dirs "$name" "$src" "$dst" "$last_valid_end")
  note "$name: $file_count files byte-identical ($mirror_line)"
done

# The same flags given to both writers: `walsim wal load` and etcd's WAL driven
# by `etcdwal-load` generate the same payloads (stream "wal/load"), HardStates
# and snapshot records on their own, so this compares two independent writers,
# not a mirror. Zero tails are compared too: both preallocate whole segments.
for case_line in "${cases[@]}"; do
  IFS='|' read -r name segment_bytes flags <<<"$case_line"
  src=$interop_tmp/$name.direct.walsim
  dst=$interop_tmp/$name.direct.etcd
  # shellcheck disable=SC2086 # flags is a word list by design
  timeout 120 "$WALSIM_BIN" wal load "$src" --segment-bytes "$segment_bytes" $flags >/dev/null ||
    die "walsim wal load $name (direct) failed"
  # shellcheck disable=SC2086
  timeout 120 "$WALSIM_PEERS/etcdwal-load" "$dst" --segment-bytes "$segment_bytes" $flags >/dev/null ||
    die "etcdwal-load $name (direct) failed"
  src_names=$(wal_files "$src")
  [[ "$src_names" == "$(wal_files "$dst")" ]] || die "$name (direct): file names differ"
  for file in $src_names; do
    cmp "$src/$file" "$dst/$file" >&2 || die "$name (direct): $file differs"
  done
  note "$name: direct load, $(wc -l <<<"$src_names") files byte-identical"
done
note "PASS: ${#cases[@]} WALs mirrored, ${#cases[@]} loaded by both writers"
