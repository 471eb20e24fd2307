#!/usr/bin/env bash
# Runs etcd's own wal package (bench/peers/etcdwal-dump: OpenForRead +
# ReadAll, Debian's etcd 3.4) and `walsim wal dump --jsonl` on each damaged
# WAL directory the sweep exported, and counts where they agree and differ.
#   WALSIM_SWEEP_EXPORT=DIR build/default/tests/sweeps/sweep_test
#   tests/sweeps/etcd_compare.sh DIR WALSIM ETCDWAL_DUMP
# (ETCDWAL_DUMP from bench/peers/build.sh OUTDIR.) Prints one line per case
# to DIR/compare.txt and a summary by pair of outcomes to stdout.
set -euo pipefail
dir=$1 walsim=$2 etcd=$3
out=$dir/compare.txt
: >"$out"
for outcome_file in "$dir"/*.outcome; do
  case_dir=${outcome_file%.outcome}
  what=$(cut -f2 "$outcome_file")
  w_status=0 e_status=0
  timeout 20 "$walsim" wal dump "$case_dir" --jsonl >"$case_dir.walsim" 2>/dev/null || w_status=$?
  timeout 20 "$etcd" "$case_dir" >"$case_dir.etcd" 2>"$case_dir.etcd.err" || e_status=$?
  if [[ $w_status != 0 && $e_status != 0 ]]; then
    verdict="both refuse"
  elif [[ $w_status == 0 && $e_status == 0 ]]; then
    if cmp -s "$case_dir.walsim" "$case_dir.etcd"; then verdict="same view"; else verdict="different views"; fi
  elif [[ $w_status != 0 ]]; then
    verdict="walsim refuses, etcd reads $(wc -l <"$case_dir.etcd") lines"
  else
    verdict="etcd refuses ($(head -c 80 "$case_dir.etcd.err" | tr '\n' ' ')), walsim reads"
  fi
  printf '%s\t%s\n' "$what" "$verdict" >>"$out"
done
echo "cases: $(wc -l <"$out")"
cut -f2 "$out" | sed 's/reads [0-9]* lines/reads/; s/(.*)/(...)/' | sort | uniq -c | sort -rn
