#!/usr/bin/env bash
# Interop 1: a WAL written by the real etcd server, killed mid-write, reads
# the same through walsim as through etcd's own wal package.
#
# Starts Debian's etcd on 127.0.0.1 (free ports below the kernel's ephemeral
# range, new ones if a bind still fails; a temporary data dir;
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
readonly start_attempts_max=5
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

# Ports for etcd come from below the kernel's ephemeral range
# (net.ipv4.ip_local_port_range, default 32768-60999): inside it, the local
# end of any outgoing connection, or of one in TIME_WAIT (each etcdctl call
# leaves some), makes etcd's bind fail with "address already in use" although
# nothing listens there, which a connect cannot see.
port_low=10000
port_high=32000
choose_port_range() {
  local ephemeral_low=32768 ephemeral_high=60999
  if [[ -r /proc/sys/net/ipv4/ip_local_port_range ]]; then
    read -r ephemeral_low ephemeral_high </proc/sys/net/ipv4/ip_local_port_range || true
  fi
  if ((ephemeral_low - 1 < port_high)); then port_high=$((ephemeral_low - 1)); fi
  if ((port_high - port_low < 1000)); then
    # The ephemeral range starts low: take the ports above it, or any port
    # if there is no room there either (the retry in start_etcd remains).
    port_low=$((ephemeral_high + 1 > 10000 ? ephemeral_high + 1 : 10000))
    port_high=65535
    if ((port_high - port_low < 1000)); then port_low=10000; fi
  fi
}
choose_port_range

# pick_port [EXCLUDED...]: sets picked_port to a port in port_low..port_high
# that nobody listens on (bash's /dev/tcp connect fails) and that is not one
# of EXCLUDED. A port can still be taken before etcd binds it: start_etcd
# retries then.
picked_port=
pick_port() {
  local attempt candidate excluded
  for ((attempt = 0; attempt < port_attempts_max; attempt++)); do
    candidate=$((port_low + (RANDOM * 32768 + RANDOM) % (port_high - port_low + 1)))
    for excluded in "$@"; do
      [[ $candidate != "$excluded" ]] || continue 2
    done
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      picked_port=$candidate
      return 0
    fi
  done
  die "no free port in $port_low-$port_high after $port_attempts_max attempts"
}

client_url=
peer_url=
data_dir=$interop_tmp/data
etcd_log=$interop_tmp/etcd.log
ctl() {
  ETCDCTL_API=3 timeout 20 etcdctl --endpoints "$client_url" --dial-timeout 5s \
    --command-timeout 10s "$@"
}

# Starts etcd on new ports with an empty data dir and waits until it is
# healthy. When a bind fails with "address already in use" (the port was
# taken after pick_port checked it), starts again with other ports, at most
# start_attempts_max times in all; the failed start's log is kept as
# etcd.startN.log.
start_etcd() {
  local start_attempt attempt
  for ((start_attempt = 1; start_attempt <= start_attempts_max; start_attempt++)); do
    pick_port
    local client_port=$picked_port
    pick_port "$client_port"
    local peer_port=$picked_port
    client_url=http://127.0.0.1:$client_port
    peer_url=http://127.0.0.1:$peer_port
    rm -rf "$data_dir"
    : >"$etcd_log" # before etcd opens it: the checks below read it at once
    etcd --name walsim-interop --data-dir "$data_dir" \
      --listen-client-urls "$client_url" --advertise-client-urls "$client_url" \
      --listen-peer-urls "$peer_url" --initial-advertise-peer-urls "$peer_url" \
      --initial-cluster "walsim-interop=$peer_url" --snapshot-count 50 \
      >"$etcd_log" 2>&1 &
    etcd_pid=$!
    for ((attempt = 0; attempt < health_attempts_max; attempt++)); do
      if ! kill -0 "$etcd_pid" 2>/dev/null || grep -q 'address already in use' "$etcd_log"; then
        break
      fi
      # etcdctl only once the client port accepts connections: against a
      # port nobody listens on it waits out its 5 s dial timeout.
      if (exec 3<>"/dev/tcp/127.0.0.1/$client_port") 2>/dev/null &&
        ctl endpoint health >/dev/null 2>&1; then
        return 0
      fi
      sleep 0.1
    done
    if grep -q 'address already in use' "$etcd_log"; then
      kill -9 "$etcd_pid" 2>/dev/null || true
      wait "$etcd_pid" 2>/dev/null || true
      etcd_pid=
      note "etcd start $start_attempt of $start_attempts_max (client $client_port, peer $peer_port): $(grep -m1 'address already in use' "$etcd_log" | sed 's/^.* | //')"
      mv "$etcd_log" "$interop_tmp/etcd.start$start_attempt.log"
      continue
    fi
    if ! kill -0 "$etcd_pid" 2>/dev/null; then
      die "etcd exited (client $client_url, peer $peer_url): $(one_line "$(tail -5 "$etcd_log")")"
    fi
    die "etcd not healthy after $health_attempts_max tries (client $client_url, peer $peer_url): $(one_line "$(tail -5 "$etcd_log")")"
  done
  die "etcd could not bind its ports in $start_attempts_max starts (ports from $port_low-$port_high); last: $(one_line "$(grep -m1 'address already in use' "$interop_tmp/etcd.start$start_attempts_max.log")")"
}
start_etcd

# ctl_quiet ARGS...: ctl with stdout discarded; a failure ends the test with
# etcdctl's error and the end of etcd's log.
ctl_quiet() {
  local error_text
  error_text=$(ctl "$@" 2>&1 >/dev/null) ||
    die "etcdctl $*: $(one_line "$error_text") (etcd log: $(one_line "$(tail -2 "$etcd_log")"))"
}

for ((i = 0; i < put_count; i++)); do
  ctl_quiet put "key-$i" "value-$i-$RANDOM"
done
for ((i = 0; i < delete_count; i++)); do
  ctl_quiet del "key-$((i * 3))"
done
member_list=$(ctl member list 2>&1) || die "etcdctl member list: $(one_line "$member_list")"
member_id=${member_list%%,*}
[[ "$member_id" =~ ^[0-9a-f]+$ ]] || die "no member id from etcdctl member list: $(one_line "$member_list")"
ctl_quiet member update "$member_id" --peer-urls="$peer_url"

# The kill lands while puts are in flight.
(
  for ((i = 0; i < background_put_count_max; i++)); do
    ctl put "bg-$i" "background-$i" >/dev/null 2>&1 || exit 0
  done
) &
put_loop_pid=$!
# Out of the job table: killing it then prints no "Killed" job notice, which
# would clutter the test's output (it is not waited for; once etcd is dead,
# it and its last etcdctl touch nothing the test reads).
disown "$put_loop_pid"
sleep 1.5
kill -9 "$etcd_pid"
wait "$etcd_pid" 2>/dev/null || true
etcd_pid=
kill -9 "$put_loop_pid" 2>/dev/null || true
put_loop_pid=

wal_dir=$data_dir/member/wal
[[ -d "$wal_dir" ]] || die "etcd left no WAL in $wal_dir"
wal_names=$(wal_files "$wal_dir")
note "WAL files: ${wal_names//$'\n'/ }"

compare_dumps "$wal_dir" "$interop_tmp/from-start"
entry_count=$(grep -c '"kind":"entry"' "$interop_tmp/from-start.etcd" || true)
min_entries=$((put_count + delete_count + 1))
[[ $entry_count -ge $min_entries ]] ||
  die "only $entry_count entries in the WAL (want >= $min_entries: $put_count puts, $delete_count deletes, a member update, all acknowledged before the kill): the workload did not reach it"
# Conf-change entries (type 1): the bootstrap's AddNode at index 1, then the
# member update. One alone is the bootstrap's, so want two.
conf_change_count=$(grep -c '"kind":"entry","term":[0-9]*,"index":[0-9]*,"type":1,' "$interop_tmp/from-start.etcd" || true)
[[ $conf_change_count -ge 2 ]] ||
  die "$conf_change_count conf-change entries (type 1) in the WAL, want 2 (the bootstrap's and the member update's): the member update is missing"

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
