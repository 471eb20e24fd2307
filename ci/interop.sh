#!/usr/bin/env bash
# Runs the interop tests against a built tree:
#   ci/interop.sh [BUILD_DIR]        (default build/default)
# Builds the Go peers (bench/peers/build.sh) into BUILD_DIR/peers, then runs
# every tests/interop/*.sh with BUILD_DIR/tools/walsim. Needs go, etcd and
# etcdctl (ci/deps.sh). Exits non-zero if any script fails; prints a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build/default}
walsim_bin=$build_dir/tools/walsim
peers_dir=$build_dir/peers

[[ -x "$walsim_bin" ]] || {
  echo "ci/interop.sh: $walsim_bin not built (cmake --build $build_dir --target walsim)" >&2
  exit 1
}
bench/peers/build.sh "$peers_dir"

failed=()
passed=()
for script in tests/interop/etcd_crash.sh tests/interop/etcd_overwrite.sh tests/interop/walsim_to_etcd.sh \
  tests/interop/bytes_equal.sh tests/interop/logstore_diff.sh; do
  name=$(basename "$script" .sh)
  printf '\n=== interop: %s\n' "$name"
  if timeout 600 "$script" "$walsim_bin" "$peers_dir"; then
    passed+=("$name")
  else
    failed+=("$name")
  fi
done

printf '\ninterop: %d passed (%s), %d failed (%s)\n' \
  "${#passed[@]}" "${passed[*]:-}" "${#failed[@]}" "${failed[*]:-}"
[[ ${#failed[@]} -eq 0 ]]
