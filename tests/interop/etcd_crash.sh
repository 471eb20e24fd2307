#!/usr/bin/env bash
# Interop 1: a WAL written by the real etcd server, killed mid-write, reads
# the same through walsim as through etcd's own wal package.
#
# Starts Debian's etcd on 127.0.0.1 (free high ports, a temporary data dir,
# --snapshot-count 50 so the WAL holds snapshot records), writes keys with
# etcdctl (puts, deletes, a member update, which is a conf-change entry),
# starts a background put loop and kills etcd with SIGKILL while it runs.
# Then `walsim wal dump --jsonl` must print exactly what etcdwal-dump
# (OpenForRead + ReadAll) prints: from the start of the WAL, and from each
# of the newest snapshots that etcd's reader accepts (the newest of them is
# the one a restarting member would use).
#
# Usage: etcd_crash.sh [WALSIM_BIN [WALSIM_PEERS]]
set -euo pipefail
# shellcheck source=tests/interop/lib.sh source-path=SCRIPTDIR/../..
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v etcd >/dev/null || die "etcd not found (install etcd-server)"
command -v etcdctl >/dev/null || die "etcdctl not found (install etcd-client)"
require_peers etcdwal-dump
require_walsim_command wal dump

readonly port_attempts_max=50
readonly health_attempts_max=100 # x 0.1 s
readonly put_count=120
readonly delete_count=20
readonly background_put_count_max=5000
readonly snapshot_candidates_max=3

etcd_pid=
put_loop_pid=
stop_processes() {
  if [[ -n "$put_loop_pid" ]]; then kill -9 "$put_loop_pid" 2>/dev/null || true; fi
  if [[ -n "$etcd_pid" ]]; then kill -9 "$etcd_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
}
# shellcheck disable=SC2034 # read by lib.sh
cleanup_hook=stop_processes

# A port nobody listens on; bash's /dev/tcp connect fails for a free port.
free_port() {
  local attempt port
  for ((attempt = 0; attempt < port_attempts_max; attempt++)); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free port after $port_attempts_max attempts"
}

client_port=$(free_port)
peer_port=$(free_port)
[[ "$client_port" != "$peer_port" ]] || peer_port=$(free_port)
client_url=http://127.0.0.1:$client_port
peer_url=http://127.0.0.1:$peer_port
data_dir=$interop_tmp/data

etcd --name walsim-interop --data-dir "$data_dir" \
  --listen-client-urls "$client_url" --advertise-client-urls "$client_url" \
  --listen-peer-urls "$peer_url" --initial-advertise-peer-urls "$peer_url" \
  --initial-cluster "walsim-interop=$peer_url" --snapshot-count 50 \
  >"$interop_tmp/etcd.log" 2>&1 &
etcd_pid=$!

ctl() {
  ETCDCTL_API=3 timeout 20 etcdctl --endpoints "$client_url" --dial-timeout 5s \
    --command-timeout 10s "$@"
}

healthy=0
for ((attempt = 0; attempt < health_attempts_max; attempt++)); do
  kill -0 "$etcd_pid" 2>/dev/null || die "etcd exited: $(tail -5 "$interop_tmp/etcd.log")"
  if ctl endpoint health >/dev/null 2>&1; then
    healthy=1
    break
  fi
  sleep 0.1
done
[[ $healthy -eq 1 ]] || die "etcd not healthy after $health_attempts_max tries: $(tail -5 "$interop_tmp/etcd.log")"

for ((i = 0; i < put_count; i++)); do
  ctl put "key-$i" "value-$i-$RANDOM" >/dev/null
done
for ((i = 0; i < delete_count; i++)); do
  ctl del "key-$((i * 3))" >/dev/null
done
member_id=$(ctl member list | head -1 | cut -d, -f1)
[[ -n "$member_id" ]] || die "no member id from etcdctl member list"
ctl member update "$member_id" --peer-urls="$peer_url" >/dev/null

# The kill lands while puts are in flight.
(
  for ((i = 0; i < background_put_count_max; i++)); do
    ctl put "bg-$i" "background-$i" >/dev/null 2>&1 || exit 0
  done
) &
put_loop_pid=$!
sleep 1.5
kill -9 "$etcd_pid"
wait "$etcd_pid" 2>/dev/null || true
etcd_pid=
kill -9 "$put_loop_pid" 2>/dev/null || true
wait "$put_loop_pid" 2>/dev/null || true
put_loop_pid=

wal_dir=$data_dir/member/wal
[[ -d "$wal_dir" ]] || die "etcd left no WAL in $wal_dir"
wal_names=$(wal_files "$wal_dir")
note "WAL files: ${wal_names//$'\n'/ }"

compare_dumps "$wal_dir" "$interop_tmp/from-start"
entry_count=$(grep -c '"kind":"entry"' "$interop_tmp/from-start.etcd" || true)
min_entries=$((put_count + delete_count + 1))
[[ $entry_count -ge $min_entries ]] ||
  die "only $entry_count entries in the WAL (want >= $min_entries): the workload did not reach it"
grep -q '"kind":"entry","term":[0-9]*,"index":[0-9]*,"type":1,' "$interop_tmp/from-start.etcd" ||
  die "no conf-change entry (type 1) in the WAL: the member update is missing"

# Snapshot files are named TERM-INDEX.snap (16 hex digits each, so the names
# sort by term, then index). etcd writes the .snap file before the WAL's
# snapshot record, so the newest may be missing from the WAL if the kill fell
# in between. Of the newest $snapshot_candidates_max files, every one that
# etcd's reader accepts is compared; the newest of them is the one a
# restarting member would open at. A snapshot may have no entry after it (the
# kill came after its WAL record and before the next entry), so at least one
# compared snapshot must have entries after it, starting at its index + 1.
mapfile -t snap_names < <(for path in "$data_dir"/member/snap/*.snap; do
  if [[ -e "$path" ]]; then basename "$path"; fi
done | sort -r)
snapshots_checked=()
snapshot_entries_max=0
for snap in "${snap_names[@]:0:snapshot_candidates_max}"; do
  snap_term=$((16#${snap%%-*}))
  index_hex=${snap#*-}
  snap_index=$((16#${index_hex%.snap}))
  snapshot_flags=(--snapshot-index "$snap_index" --snapshot-term "$snap_term")
  "$WALSIM_PEERS/etcdwal-dump" "$wal_dir" "${snapshot_flags[@]}" >/dev/null 2>&1 || continue
  prefix=$interop_tmp/from-snapshot-$snap_index
  compare_dumps "$wal_dir" "$prefix" "${snapshot_flags[@]}"
  # sed, not grep -m1 | sed: no entry after the snapshot is legal, and a
  # failing grep would end the script (set -e, pipefail) without a message.
  first_index=$(sed -n '/"kind":"entry"/{s/.*"index":\([0-9]*\).*/\1/p;q;}' "$prefix.etcd")
  after_count=$(grep -c '"kind":"entry"' "$prefix.etcd" || true)
  [[ -z "$first_index" || "$first_index" -eq $((snap_index + 1)) ]] ||
    die "after snapshot term=$snap_term index=$snap_index the first entry is $first_index (want $((snap_index + 1)))"
  if [[ ${#snapshots_checked[@]} -eq 0 ]]; then
    term=$snap_term
    index=$snap_index
  fi
  snapshots_checked+=("$snap_index:$after_count")
  if [[ $after_count -gt $snapshot_entries_max ]]; then snapshot_entries_max=$after_count; fi
done
[[ ${#snapshots_checked[@]} -gt 0 ]] ||
  die "no snapshot etcd's reader accepts among the newest $snapshot_candidates_max in $data_dir/member/snap (${#snap_names[@]} files: ${snap_names[*]:0:snapshot_candidates_max})"
[[ $snapshot_entries_max -gt 0 ]] ||
  die "no entry after any accepted snapshot (index:entries ${snapshots_checked[*]}; last entry $(sed -n 's/.*"kind":"entry".*"index":\([0-9]*\).*/\1/p' "$interop_tmp/from-start.etcd" | tail -1)): reading from a snapshot was not exercised"

note "PASS: $entry_count entries, snapshot term=$term index=$index (snapshots compared, index:entries after: ${snapshots_checked[*]}), identical dumps"
