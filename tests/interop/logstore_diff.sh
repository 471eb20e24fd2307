#!/usr/bin/env bash
# Differential check of the LogStore contract against HashiCorp's
# raft-boltdb: every tests/interop/logstore/*.script is replayed through
# `walsim logstore replay` and through raftboltdb-replay (BoltStore from
# Debian's package), and the outputs must be identical line for line.
#
# differences.script is the exception: it holds exactly the operations on
# which the two deliberately differ (gaps, middle deletes, overwrites, index
# 0; see docs/interop.md). For it each tool must print its own checked-in
# expectation, differences.<tool>.expected, so that a change on either side
# is noticed.
#
# Usage: logstore_diff.sh [WALSIM_BIN [WALSIM_PEERS]]
set -euo pipefail
# shellcheck source=tests/interop/lib.sh source-path=SCRIPTDIR/../..
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_peers raftboltdb-replay
require_walsim_command logstore replay

script_dir=$interop_dir/logstore
diffed_count=0
for script in "$script_dir"/*.script; do
  name=$(basename "$script" .script)
  timeout 60 "$WALSIM_BIN" logstore replay "$script" >"$interop_tmp/$name.walsim" ||
    die "walsim logstore replay $name.script failed (exit $?)"
  timeout 60 "$WALSIM_PEERS/raftboltdb-replay" "$script" >"$interop_tmp/$name.raftboltdb" ||
    die "raftboltdb-replay $name.script failed (exit $?)"
  command_count=$(grep -cv '^\s*\(#\|$\)' "$script" || true)
  for tool in walsim raftboltdb; do
    line_count=$(wc -l <"$interop_tmp/$name.$tool")
    [[ $line_count -eq $command_count ]] ||
      die "$name: $tool printed $line_count lines for $command_count commands"
  done
  if [[ "$name" == differences ]]; then
    for tool in walsim raftboltdb; do
      expect_same "$name.script through $tool" "$script_dir/$name.$tool.expected" "$interop_tmp/$name.$tool"
    done
    note "$name: both tools print their documented results"
  else
    expect_same "$name.script" "$interop_tmp/$name.raftboltdb" "$interop_tmp/$name.walsim"
    note "$name: $command_count commands, identical results"
    diffed_count=$((diffed_count + 1))
  fi
done
[[ $diffed_count -ge 3 ]] || die "only $diffed_count scripts diffed"
note "PASS: $diffed_count scripts identical, deliberate differences as documented"
