# shellcheck shell=bash
# Shared by the interop scripts (sourced, not run). Each script takes the
# walsim binary and the Go peers directory as arguments or from the
# environment:
#   script.sh [WALSIM_BIN [WALSIM_PEERS]]
# WALSIM_PEERS defaults to build/peers; when its programs are missing they are
# built there with bench/peers/build.sh. Every script makes one temporary
# directory, removed by an EXIT trap (which also runs the script's own
# cleanup, e.g. killing etcd).

export LC_ALL=C
interop_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$interop_dir/../.." && pwd)
script_name=$(basename "$0" .sh)

WALSIM_BIN=${1:-${WALSIM_BIN:-$repo_dir/build/default/tools/walsim}}
WALSIM_PEERS=${2:-${WALSIM_PEERS:-$repo_dir/build/peers}}

die() {
  echo "$script_name: FAIL: $*" >&2
  exit 1
}

# one_line TEXT: TEXT with its newlines as " | ", so that a die message
# quoting a log or a diff stays one line (a CI excerpt may keep only that).
one_line() {
  local text=$1
  text=${text%$'\n'}
  printf '%s' "${text//$'\n'/ | }"
}

note() {
  echo "$script_name: $*" >&2
}

# wal_files DIR: the names of DIR's *.wal files in sequence order, one a line.
wal_files() {
  local path
  for path in "$1"/*.wal; do
    if [[ -e "$path" ]]; then basename "$path"; fi
  done
}

# Extra cleanup a script wants on exit (set cleanup_hook=function_name).
cleanup_hook=
interop_tmp=$(mktemp -d "${TMPDIR:-/tmp}/walsim-$script_name.XXXXXX")
interop_exit() {
  local rc=$?
  trap - ERR
  if [[ -n "$cleanup_hook" ]]; then "$cleanup_hook" || true; fi
  if [[ $rc -ne 0 && -n "${WALSIM_INTEROP_KEEP:-}" ]]; then
    echo "$script_name: kept $interop_tmp" >&2
  else
    rm -rf "$interop_tmp"
  fi
  return $rc
}
trap interop_exit EXIT

# A command that fails outside a condition ends the script (set -e); say
# which one, so that no failure is silent. Only the script's own shell
# reports (errtrace also runs the trap in subshells and command
# substitutions, whose failure the script's shell then reports itself).
interop_shell_pid=$BASHPID
interop_on_error() {
  local rc=$1 line=$2 command=$3
  [[ $BASHPID == "$interop_shell_pid" ]] || return 0
  echo "$script_name: FAIL: line $line: exit $rc from: $command" >&2
}
set -o errtrace
trap 'interop_on_error "$?" "$LINENO" "$BASH_COMMAND"' ERR

[[ -x "$WALSIM_BIN" ]] || die "walsim binary not found at $WALSIM_BIN (pass it as \$1 or WALSIM_BIN)"

# Builds the Go peers once if a program is missing.
require_peers() {
  local program
  for program in "$@"; do
    if [[ ! -x "$WALSIM_PEERS/$program" ]]; then
      note "building Go peers into $WALSIM_PEERS"
      "$repo_dir/bench/peers/build.sh" "$WALSIM_PEERS" >&2 || die "bench/peers/build.sh failed"
      break
    fi
  done
  for program in "$@"; do
    [[ -x "$WALSIM_PEERS/$program" ]] || die "$WALSIM_PEERS/$program missing after build"
  done
}

# has_walsim_command WALSIM GROUP COMMAND: true when `walsim GROUP COMMAND`
# exists: each level's --help lists the next under "Subcommands:" (CLI11
# prints the parent's help, exit 0, for an unknown subcommand, so the exit
# code alone proves nothing).
has_walsim_command() {
  local walsim=$1 group=$2 command=$3
  "$walsim" --help 2>/dev/null | sed -n '/^Subcommands:/,$p' | grep -qE "^ +$group( |$)" &&
    "$walsim" "$group" --help 2>/dev/null | sed -n '/^Subcommands:/,$p' | grep -qE "^ +$command( |$)"
}

# Checks that `walsim GROUP COMMAND` exists, so a missing subcommand is
# reported as such rather than as a difference.
require_walsim_command() {
  has_walsim_command "$WALSIM_BIN" "$1" "$2" ||
    die "'walsim $1 $2' is not available in $WALSIM_BIN (not built yet?)"
}

# expect_same LABEL FILE_A FILE_B: fails with the first lines of the diff,
# and repeats the first differing lines (cut to 200 characters) in the FAIL
# line itself.
expect_same() {
  local label=$1 a=$2 b=$3
  if ! cmp -s "$a" "$b"; then
    local diff_text first_lines where
    diff_text=$(diff -u "$a" "$b" | head -40 || true)
    echo "$script_name: $label differs ($a vs $b):" >&2
    printf '%s\n' "$diff_text" >&2
    first_lines=$(printf '%s\n' "$diff_text" | awk 'NR > 2 && /^[-+]/ { print substr($0, 1, 200); if (++n == 3) exit }')
    where=$(cmp "$a" "$b" 2>&1 || true)
    die "$label: outputs differ ($(wc -l <"$a") vs $(wc -l <"$b") lines; $(one_line "$where")); first differing lines: $(one_line "$first_lines")"
  fi
}

# Dumps DIR with both readers (same snapshot flags) into PREFIX.walsim and
# PREFIX.etcd and requires identical output (and identical success).
compare_dumps() {
  local dir=$1 prefix=$2
  shift 2
  local walsim_rc=0 etcd_rc=0
  timeout 120 "$WALSIM_BIN" wal dump "$dir" --jsonl "$@" >"$prefix.walsim" 2>"$prefix.walsim.err" || walsim_rc=$?
  timeout 120 "$WALSIM_PEERS/etcdwal-dump" "$dir" "$@" >"$prefix.etcd" 2>"$prefix.etcd.err" || etcd_rc=$?
  if [[ $walsim_rc -ne 0 || $etcd_rc -ne 0 ]]; then
    die "dump of $dir $*: walsim exit $walsim_rc ($(one_line "$(head -c 300 "$prefix.walsim.err")")), etcdwal-dump exit $etcd_rc ($(one_line "$(head -c 300 "$prefix.etcd.err")"))"
  fi
  expect_same "dump of $dir $*" "$prefix.etcd" "$prefix.walsim"
}
