#!/usr/bin/env bash
# Interop 1c: file names out of index order after a raft overwrite, then a
# purge of the oldest files, read the same through walsim as through etcd.
#
# etcdwal-load --script writes tests/interop/wal/overwrite-back-to-the-first-index.script
# with a 150-byte segment: files named for index 0, 22, 15, 22. The oldest
# files are then removed one by one, as etcd's purge removes the oldest
# unlocked files (a server reading from snapshot 15 locks only the files
# from the one named 15 on). After each removal, `walsim wal dump --jsonl`
# and etcdwal-dump must print identical lines from every snapshot some file
# still covers. With the first file gone, the oldest file starts above
# snapshot 15 and holds only a superseded entry: torture seed 108275, where
# walsim read from it ("entry index 22 leaves a gap after index 15") while
# etcd reads from searchIndex's pick.
#
# Usage: etcd_purged_overwrite.sh [WALSIM_BIN [WALSIM_PEERS]]
set -euo pipefail
# shellcheck source=tests/interop/lib.sh source-path=SCRIPTDIR/../..
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_peers etcdwal-load etcdwal-dump
require_walsim_command wal dump

script=$interop_dir/wal/overwrite-back-to-the-first-index.script
dir=$interop_tmp/wal
timeout 60 "$WALSIM_PEERS/etcdwal-load" --script "$script" "$dir" \
  --segment-bytes 150 --no-sync >/dev/null || die "etcdwal-load --script failed"
mapfile -t files < <(wal_files "$dir")
expected="0000000000000000-0000000000000000.wal 0000000000000001-0000000000000016.wal"
expected+=" 0000000000000002-000000000000000f.wal 0000000000000003-0000000000000016.wal"
[[ "${files[*]}" == "$expected" ]] || die "etcd named the files ${files[*]}, expected $expected"

# Removing the first two files leaves the one named 15 first: both snapshots
# are still covered. Removing the third too would leave snapshot 15 uncovered.
case_count=0
for purged_count in 0 1 2; do
  if [[ $purged_count -gt 0 ]]; then rm "$dir/${files[$((purged_count - 1))]}"; fi
  while read -r _ index term; do
    compare_dumps "$dir" "$interop_tmp/purged$purged_count.snap$index" \
      --snapshot-index "$index" --snapshot-term "$term"
    case_count=$((case_count + 1))
  done < <(grep '^snapshot ' "$script")
  note "$purged_count oldest files purged: identical dumps from every snapshot"
done
[[ $case_count -eq 6 ]] || die "only $case_count dumps compared"
note "PASS: $case_count dumps"
