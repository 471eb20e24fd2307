#!/usr/bin/env bash
# Installs everything walsim needs to build, test, fuzz and benchmark, from
# Debian 12's packages only. Idempotent; run as root (or it re-runs itself
# under sudo). Nothing else is downloaded by the build.
set -euo pipefail

packages=(
  # toolchain and build
  cmake ninja-build g++ clang clang-14 libclang-rt-14-dev clang-format clang-tidy pkg-config
  # libraries
  libgtest-dev libgmock-dev googletest librapidcheck-dev libfiu-dev fiu-utils
  libbenchmark-dev libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  # engines tortured through their own plug points (engines/)
  libsqlite3-dev libleveldb-dev
  # peers for interop and benchmarks
  golang-go etcd-server etcd-client golang-etcd-server-dev golang-github-hashicorp-raft-boltdb-dev
  # scripts
  python3 time
)

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo -n bash "$0" "$@"
  fi
  echo "ci/deps.sh: must run as root (apt-get install)" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "ci/deps.sh: all ${#packages[@]} packages present"
  exit 0
fi

echo "ci/deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
