#!/usr/bin/env bash
# Style gates: clang-format (no diff) on every C++ file, and clang-tidy (no
# warning) on the project's own sources, using a configured build's
# compile_commands.json (default: build/default).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build/default}

echo "lint: the include graph (ci/layers.py)"
python3 ci/layers.py

mapfile -t files < <(git ls-files '*.h' '*.cc' | grep -v '^build/')
echo "lint: clang-format on ${#files[@]} files"
clang-format --dry-run -Werror "${files[@]}"

if [[ ! -f "$build_dir/compile_commands.json" ]]; then
  echo "lint: $build_dir/compile_commands.json missing; configure first" >&2
  exit 1
fi
# Library and tool sources (tests and fuzz targets are covered by the compilers' warnings).
mapfile -t sources < <(git ls-files 'base/*.cc' 'fs/*.cc' 'sim/*.cc' 'faults/*.cc' 'wal/*.cc' \
  'logstore/*.cc' 'engines/*.cc' 'scenarios/*.cc' 'tools/*.cc')
echo "lint: clang-tidy on ${#sources[@]} files"
printf '%s\n' "${sources[@]}" | xargs -P 2 -n 4 clang-tidy -p "$build_dir" --quiet --extra-arg=-Wno-unknown-warning-option 2>&1 \
  | grep -v -E '^[0-9]+ warnings? generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter' \
  | tee /tmp/walsim-tidy.log || true
if grep -q -E 'warning:|error:' /tmp/walsim-tidy.log; then
  echo "lint: clang-tidy reported problems" >&2
  exit 1
fi
echo "lint: clean"
