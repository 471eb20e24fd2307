#!/usr/bin/env bash
# Interop 1b: WALs written by etcd's own writer with overwritten suffixes
# (the saves of a raft node across leader changes, which `walsim wal load`
# cannot write) read the same through walsim as through etcd.
#
# etcdwal-load --script writes tests/interop/wal/*.script with three segment
# sizes (cuts every few records, every few dozen, none); for each,
# `walsim wal dump --jsonl` and etcdwal-dump must print identical lines from
# the start and from every snapshot in the script.
#
# Usage: etcd_overwrite.sh [WALSIM_BIN [WALSIM_PEERS]]
set -euo pipefail
# shellcheck source=tests/interop/lib.sh source-path=SCRIPTDIR/../..
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_peers etcdwal-load etcdwal-dump
require_walsim_command wal dump

case_count=0
for script in "$interop_dir"/wal/*.script; do
  name=$(basename "$script" .script)
  for segment_bytes in 256 700 64000000; do
    dir=$interop_tmp/$name.$segment_bytes
    timeout 60 "$WALSIM_PEERS/etcdwal-load" --script "$script" "$dir" \
      --segment-bytes "$segment_bytes" --no-sync >/dev/null || die "etcdwal-load --script $name failed"
    compare_dumps "$dir" "$interop_tmp/$name.$segment_bytes.start"
    # Snapshots named in the script ("snapshot INDEX TERM").
    while read -r _ index term; do
      compare_dumps "$dir" "$interop_tmp/$name.$segment_bytes.snap$index" \
        --snapshot-index "$index" --snapshot-term "$term"
    done < <(grep '^snapshot ' "$script")
    file_count=$(wal_files "$dir" | wc -l)
    note "$name, segment $segment_bytes B: $file_count files, identical dumps"
    case_count=$((case_count + 1))
  done
done
[[ $case_count -ge 3 ]] || die "only $case_count cases ran"
note "PASS: $case_count WALs"
