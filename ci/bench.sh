#!/usr/bin/env bash
# Side-by-side benchmark of walsim against the raw floor, etcd's Go WAL and
# raft-boltdb, all measured in ONE run on the same machine:
#   ci/bench.sh [BUILD_DIR]      (default build/default; needs BUILD_DIR/tools/walsim)
# Work disk: a temporary directory under BUILD_DIR; tmpfs: /dev/shm.
# Prints each raw result line, then a markdown table of ratios. Each timed
# case runs WALSIM_BENCH_REPEATS times (default 5) and the median is used.
# Bounded: every case has a timeout; the whole run takes a few minutes on 2
# cores. A walsim subcommand that is not built yet shows as n/a.
#
# Workloads (the goals are in issues 3 and 4 and docs/performance-peers.md):
#   wal-save-sync   Save of 1 x 128 B, fdatasync each        (work disk)
#   wal-cpu-nosync  Save of 1 x 128 B, no sync: CPU per entry (tmpfs)
#   wal-cpu64       Save of 64 x 128 B, no sync: CPU per entry (tmpfs)
#   wal-readall     ReadAll of a ~256 MB WAL from page cache  (work disk)
#   ls-storelog     StoreLog of 128 B, synced                 (work disk)
#   ls-storelogs    StoreLogs of 64 x 128 B, synced           (work disk)
set -euo pipefail
repo_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$(cd "${1:-$repo_dir/build/default}" && pwd)
walsim=$build_dir/tools/walsim
peers=$build_dir/peers
repeats=${WALSIM_BENCH_REPEATS:-5}
timeout_seconds=300

# Sizes: each case runs for about a second on an idle disk (fdatasync ~0.1 ms)
# and the whole script stays under 10 minutes when fdatasync takes 5 ms.
readonly save_sync_count=1000
# The CPU cases run long enough (~0.5-2 s of CPU) for /usr/bin/time's 10 ms
# resolution to matter less than 2%.
readonly cpu_entry_count=1000000
readonly cpu_batch_entry_count=3200000 # in Saves of 64 x 128 B
readonly readall_entry_count=262144 # x 1 KiB = 256 MiB of payload
readonly readall_entry_bytes=1024
readonly storelog_count=500
readonly storelogs_batch_count=100
# Bytes per append that the floor writes: a 128-B entry framed by the WAL
# (8-B length, record and entry protobuf headers, CRC, padding) plus the
# HardState record is 192 B; a 64-entry LogStore batch is 64 x 160 B.
readonly floor_save_bytes=192
readonly floor_batch_save_bytes=$((64 * 160 + 32)) # 64 framed entries + HardState
readonly floor_storelog_bytes=160
readonly floor_storelogs_bytes=$((64 * 160))

[[ -x "$walsim" ]] || { echo "ci/bench.sh: $walsim not built" >&2; exit 1; }
"$repo_dir/bench/peers/build.sh" "$peers" >&2
time_bin=/usr/bin/time
[[ -x $time_bin ]] || time_bin=

work=$(mktemp -d "$build_dir/bench-work.XXXXXX")
shm=$(mktemp -d /dev/shm/walsim-bench.XXXXXX)
trap 'rm -rf "$work" "$shm"' EXIT

# field LINE KEY: the value of KEY=value in LINE (empty if absent).
field() { sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" <<<"$1"; }

has_walsim() {
  local group=$1 command=$2
  "$walsim" --help 2>/dev/null | sed -n '/^Subcommands:/,$p' | grep -qE "^ +$group( |$)" &&
    "$walsim" "$group" --help 2>/dev/null | sed -n '/^Subcommands:/,$p' | grep -qE "^ +$command( |$)"
}

# run_timed OUT_PREFIX CMD...: runs CMD under /usr/bin/time; its stdout goes
# to OUT_PREFIX.out, and OUT_PREFIX.cpu gets "user_s sys_s max_rss_kb wall_s".
run_timed() {
  local prefix=$1
  shift
  if [[ -n $time_bin ]]; then
    timeout "$timeout_seconds" "$time_bin" -f '%U %S %M %e' -o "$prefix.cpu" "$@" >"$prefix.out"
  else
    local start end
    start=$(date +%s.%N)
    timeout "$timeout_seconds" "$@" >"$prefix.out"
    end=$(date +%s.%N)
    echo "0 0 0 $(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')" >"$prefix.cpu"
  fi
}

median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print ""; else print v[int((NR + 1) / 2)]}'; }

# measure NAME KEY DIR_BASE CMD... : runs CMD once (with @DIR@ replaced by a
# fresh path under DIR_BASE) and appends KEY from its output line, its CPU
# seconds, peak RSS and wall time to NAME's samples. finish NAME takes the
# medians. Contenders of one workload run interleaved (floor, walsim, peer,
# floor, ...) so that noise from other processes hits them alike.
declare -A samples result
measure() {
  local name=$1 key=$2 base=$3
  shift 3
  local dir=$base/$name.run args=() arg line user sys rss wall
  for arg in "$@"; do args+=("${arg//@DIR@/$dir}"); done
  if ! run_timed "$work/$name" "${args[@]}"; then
    echo "ci/bench.sh: $name failed: ${args[*]}" >&2
    samples[$name.failed]=1
    rm -rf "$dir"
    return 0
  fi
  line=$(tail -1 "$work/$name.out")
  echo "$name: $line" >&2
  read -r user sys rss wall <"$work/$name.cpu"
  samples[$name]+="$(field "$line" "$key") "
  samples[$name.cpu]+="$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}') "
  samples[$name.rss]+="$rss "
  samples[$name.wall]+="$wall "
  rm -rf "$dir"
}

finish() {
  local name=$1 suffix
  if [[ -n "${samples[$name.failed]:-}" ]]; then
    result[$name]=failed
    return 0
  fi
  for suffix in "" .cpu .rss .wall; do
    # shellcheck disable=SC2086 # a space-separated sample list
    result[$name$suffix]=$(printf '%s\n' ${samples[$name$suffix]:-} | median)
  done
}

# round_ratio A B: the median over rounds of A's sample / B's sample (the
# rounds ran interleaved, so each pair saw the same disk); "n/a" if missing.
round_ratio() {
  if [[ -n "${samples[$1.failed]:-}${samples[$2.failed]:-}" || -z "${samples[$1]:-}" || -z "${samples[$2]:-}" ]]; then
    echo n/a
    return
  fi
  # shellcheck disable=SC2086 # space-separated sample lists
  paste <(printf '%s\n' ${samples[$1]}) <(printf '%s\n' ${samples[$2]}) |
    awk '$2 > 0 {print $1 / $2}' | median | awk '{printf "%.3g", $1}'
}

# rounds NAME...: runs the case functions case_NAME round-robin, $repeats
# rounds, then takes the medians.
rounds() {
  local r name
  for ((r = 0; r < repeats; r++)); do
    for name in "$@"; do "case_$name"; done
  done
  for name in "$@"; do finish "$name"; done
}

# calc EXPR: floating-point arithmetic on the results; "n/a" if any operand is
# missing or failed.
calc() {
  local expr=$1
  if [[ "$expr" == *n/a* || "$expr" == *failed* ]]; then
    echo n/a
    return
  fi
  awk "BEGIN {v = $expr; printf \"%.3g\", v}" 2>/dev/null || echo n/a
}
get() { echo "${result[$1]:-n/a}"; }

have_wal_load=0 have_wal_dump=0 have_logstore_load=0
has_walsim wal load && have_wal_load=1
has_walsim wal dump && have_wal_dump=1
has_walsim logstore load && have_logstore_load=1
# rounds_if FLAG NAME...: rounds over the names, minus the walsim ones when
# FLAG is 0 (that walsim subcommand is not built).
rounds_if() {
  local flag=$1
  shift
  local names=() name
  for name in "$@"; do
    if [[ $flag -eq 1 || $name != walsim-* ]]; then names+=("$name"); fi
  done
  rounds "${names[@]}"
}

echo "== WAL: Save of 1 x 128 B with fdatasync (work disk)" >&2
case_floor-save() { measure floor-save us_per_op "$work" "$peers/floor" @DIR@ --ops $save_sync_count --bytes $floor_save_bytes; }
case_etcd-save() {
  measure etcd-save us_per_save "$work" "$peers/etcdwal-load" @DIR@ \
    --entries $save_sync_count --entry-bytes 128 --batch 1
}
case_walsim-save() {
  measure walsim-save us_per_save "$work" "$walsim" wal load @DIR@ \
    --entries $save_sync_count --entry-bytes 128 --batch 1
}
rounds_if $have_wal_load floor-save walsim-save etcd-save

echo "== WAL: Save of 1 x 128 B without sync: CPU per entry (tmpfs)" >&2
case_floor-cpu() { measure floor-cpu us_per_op "$shm" "$peers/floor" @DIR@ --ops $cpu_entry_count --bytes $floor_save_bytes --no-sync; }
# etcd_nosync / walsim_nosync NAME ENTRIES BATCH: ENTRIES x 128 B in Saves of
# BATCH without sync on tmpfs.
etcd_nosync() {
  measure "$1" us_per_save "$shm" "$peers/etcdwal-load" @DIR@ \
    --entries "$2" --entry-bytes 128 --batch "$3" --no-sync
}
walsim_nosync() {
  measure "$1" us_per_save "$shm" "$walsim" wal load @DIR@ \
    --entries "$2" --entry-bytes 128 --batch "$3" --no-sync
}
case_etcd-cpu() { etcd_nosync etcd-cpu $cpu_entry_count 1; }
case_walsim-cpu() { walsim_nosync walsim-cpu $cpu_entry_count 1; }
rounds_if $have_wal_load floor-cpu walsim-cpu etcd-cpu

echo "== WAL: Save of 64 x 128 B without sync: CPU per entry (tmpfs)" >&2
case_floor-cpu64() { measure floor-cpu64 us_per_op "$shm" "$peers/floor" @DIR@ --ops $((cpu_batch_entry_count / 64)) --bytes $floor_batch_save_bytes --no-sync; }
case_etcd-cpu64() { etcd_nosync etcd-cpu64 $cpu_batch_entry_count 64; }
case_walsim-cpu64() { walsim_nosync walsim-cpu64 $cpu_batch_entry_count 64; }
rounds_if $have_wal_load floor-cpu64 walsim-cpu64 etcd-cpu64

echo "== WAL: ReadAll of a 256 MiB WAL from page cache (work disk)" >&2
# One WAL, written by etcd's own writer, read by both readers: the same input.
readall_wal=$work/readall-wal
timeout "$timeout_seconds" "$peers/etcdwal-load" "$readall_wal" --entries $readall_entry_count \
  --entry-bytes $readall_entry_bytes --batch 64 --no-sync >&2
cat "$readall_wal"/*.wal >/dev/null # into the page cache
readall_payload_mb=$(calc "$readall_entry_count * $readall_entry_bytes / 1e6")
case_etcd-readall() { measure etcd-readall mb_per_sec "$work" "$peers/etcdwal-load" --readall "$readall_wal"; }
# `wal dump --summary` runs a real ReadAll that returns (and keeps) every
# entry, as etcd's ReadAll does, and prints one line with mb_per_sec=.
case_walsim-readall() { measure walsim-readall mb_per_sec "$work" "$walsim" wal dump "$readall_wal" --summary; }
rounds_if $have_wal_dump walsim-readall etcd-readall
rm -rf "$readall_wal"

echo "== LogStore: StoreLog of 128 B, synced (work disk)" >&2
case_floor-storelog() { measure floor-storelog us_per_op "$work" "$peers/floor" @DIR@ --ops $storelog_count --bytes $floor_storelog_bytes; }
case_boltdb-storelog() {
  measure boltdb-storelog us_per_batch "$work" "$peers/raftboltdb-load" @DIR@ \
    --entries $storelog_count --entry-bytes 128 --batch 1
}
case_walsim-storelog() {
  measure walsim-storelog us_per_batch "$work" "$walsim" logstore load @DIR@ \
    --entries $storelog_count --entry-bytes 128 --batch 1
}
rounds_if $have_logstore_load floor-storelog walsim-storelog boltdb-storelog

echo "== LogStore: StoreLogs of 64 x 128 B, synced (work disk)" >&2
case_floor-storelogs() { measure floor-storelogs us_per_op "$work" "$peers/floor" @DIR@ --ops $storelogs_batch_count --bytes $floor_storelogs_bytes; }
case_boltdb-storelogs() {
  measure boltdb-storelogs us_per_batch "$work" "$peers/raftboltdb-load" @DIR@ \
    --entries $((64 * storelogs_batch_count)) --entry-bytes 128 --batch 64
}
case_walsim-storelogs() {
  measure walsim-storelogs us_per_batch "$work" "$walsim" logstore load @DIR@ \
    --entries $((64 * storelogs_batch_count)) --entry-bytes 128 --batch 64
}
rounds_if $have_logstore_load floor-storelogs walsim-storelogs boltdb-storelogs

echo "== WAL Save and LogStore StoreLog next to their floors, op by op in one process (work disk)" >&2
paired_bin=$build_dir/bench/paired_sync_bench
paired_out=
if [[ -x $paired_bin ]]; then
  paired_out=$(WALSIM_BENCH_DIR=$work timeout "$timeout_seconds" "$paired_bin" --ops 3000) ||
    echo "ci/bench.sh: paired_sync_bench failed" >&2
  echo "$paired_out" >&2
fi
# paired CONTENDER KEY: KEY from paired_sync_bench's line for CONTENDER.
paired() { local v; v=$(field "$(grep "^$1 " <<<"$paired_out" || true)" "$2"); echo "${v:-n/a}"; }

# Derived figures.
cpu_us() { calc "$(get "$1.cpu") * 1e6 / $cpu_entry_count"; }
cpu64_us() { calc "$(get "$1.cpu") * 1e6 / $cpu_batch_entry_count"; }
readall_wall_mbps() { calc "$readall_payload_mb / $(get "$1.wall")"; }
readall_rss_ratio() { calc "$(get "$1.rss") * 1024 / 1e6 / $readall_payload_mb"; }
entries_per_sec() { calc "64e6 / $(get "$1")"; }

cat <<TABLE

### Side by side ($(date -u +%Y-%m-%d), $(nproc) cores, median of $repeats runs)

| workload | floor | walsim | peer | walsim / floor | peer / walsim | goal |
| --- | --- | --- | --- | --- | --- | --- |
| WAL Save 1 x 128 B, sync: µs per save | $(get floor-save) | $(get walsim-save) | etcd $(get etcd-save) | $(round_ratio walsim-save floor-save) | $(round_ratio etcd-save walsim-save) | walsim/floor <= 1.05, peer/walsim >= 1 |
| same, interleaved op by op with its floor in one process (paired_sync_bench): median µs, median of per-op ratios | $(paired floor-wal median_us) | $(paired wal-save median_us) | | $(paired wal-save/floor-wal median_of_ratios) | | walsim/floor <= 1.05 |
| WAL Save 1 x 128 B, no sync, tmpfs: in-process µs per save | $(get floor-cpu) | $(get walsim-cpu) | etcd $(get etcd-cpu) | $(calc "$(get walsim-cpu) / $(get floor-cpu)") | $(calc "$(get etcd-cpu) / $(get walsim-cpu)") | |
| WAL no sync, tmpfs: process CPU µs per entry | $(cpu_us floor-cpu) | $(cpu_us walsim-cpu) | etcd $(cpu_us etcd-cpu) | $(calc "$(cpu_us walsim-cpu) / $(cpu_us floor-cpu)") | $(calc "$(cpu_us etcd-cpu) / $(cpu_us walsim-cpu)") | peer/walsim >= 3 |
| WAL no sync, tmpfs, Saves of 64 x 128 B: process CPU µs per entry | $(cpu64_us floor-cpu64) | $(cpu64_us walsim-cpu64) | etcd $(cpu64_us etcd-cpu64) | $(calc "$(cpu64_us walsim-cpu64) / $(cpu64_us floor-cpu64)") | $(calc "$(cpu64_us etcd-cpu64) / $(cpu64_us walsim-cpu64)") | peer/walsim >= 3 |
| WAL ReadAll 256 MiB, page cache: MB/s (whole process) | | $(readall_wall_mbps walsim-readall) | etcd $(readall_wall_mbps etcd-readall) | | $(calc "$(readall_wall_mbps walsim-readall) / $(readall_wall_mbps etcd-readall)") (walsim/peer) | walsim/peer >= 3 |
| WAL ReadAll 256 MiB, page cache: MB/s (in process, ReadAll alone) | | $(get walsim-readall) | etcd $(get etcd-readall) | | $(calc "$(get walsim-readall) / $(get etcd-readall)") (walsim/peer) | walsim/peer >= 3 |
| WAL ReadAll 256 MiB: peak RSS / payload | | $(readall_rss_ratio walsim-readall) | etcd $(readall_rss_ratio etcd-readall) | | | walsim <= 1.5 |
| LogStore StoreLog 128 B, sync: µs per call | $(get floor-storelog) | $(get walsim-storelog) | raft-boltdb $(get boltdb-storelog) | $(round_ratio walsim-storelog floor-storelog) | $(round_ratio boltdb-storelog walsim-storelog) | walsim/floor <= 1.1, peer/walsim >= 3 |
| same, interleaved op by op with its floor in one process (paired_sync_bench): median µs, median of per-op ratios | $(paired floor-logstore median_us) | $(paired logstore-store median_us) | | $(paired logstore-store/floor-logstore median_of_ratios) | | walsim/floor <= 1.1 |
| LogStore StoreLogs 64 x 128 B, sync: entries/s | $(entries_per_sec floor-storelogs) | $(entries_per_sec walsim-storelogs) | raft-boltdb $(entries_per_sec boltdb-storelogs) | $(round_ratio walsim-storelogs floor-storelogs) (time) | $(round_ratio boltdb-storelogs walsim-storelogs) | peer/walsim >= 5 |

peer / walsim is the speedup of walsim over the peer (time ratios), except
where marked. In the synced rows both ratio columns are medians of per-round
ratios (each round runs the contenders back to back); the other rows divide
the medians. n/a: the walsim subcommand is not built, or a run failed.
TABLE
