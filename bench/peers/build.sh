#!/usr/bin/env bash
# Builds the Go peer drivers (etcd's WAL and raft-boltdb, from Debian's
# packages) and the C raw-floor program into OUTDIR, offline, Go in GOPATH mode:
#   bench/peers/build.sh OUTDIR
# Needs: go (golang-go), and under /usr/share/gocode the sources of
# golang-etcd-server-dev and golang-github-hashicorp-raft-boltdb-dev.
# Nothing is downloaded: modules are off (GO111MODULE=off) and GOPROXY=off.
# The sources are copied to OUTDIR/gopath/src/walsim/peers so the drivers can
# share walsim/peers/internal/peerutil; the source tree is never written.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
outdir=$1
src_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
gocode=${WALSIM_GOCODE:-/usr/share/gocode}

die() {
  echo "bench/peers/build.sh: $*" >&2
  exit 1
}

command -v go >/dev/null 2>&1 || die "go not found (install golang-go; ci/deps.sh does)"
for pkg in go.etcd.io/etcd/wal go.etcd.io/etcd/raft/raftpb github.com/hashicorp/raft \
  github.com/hashicorp/raft-boltdb github.com/boltdb/bolt go.uber.org/zap; do
  [[ -d "$gocode/src/$pkg" ]] ||
    die "$gocode/src/$pkg missing (install golang-etcd-server-dev and golang-github-hashicorp-raft-boltdb-dev)"
done

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
gopath="$outdir/gopath"
rm -rf "$gopath/src/walsim"
mkdir -p "$gopath/src/walsim"
# Copy (not symlink): GOPATH mode resolves symlinked package dirs inconsistently.
cp -r "$src_dir" "$gopath/src/walsim/peers"
rm -rf "$gopath/src/walsim/peers/build.sh" "$gopath/src/walsim/peers/floor"

export GO111MODULE=off
export GOPATH="$gopath:$gocode"
export GOCACHE="$outdir/gocache"
export GOPROXY=off
export GOFLAGS=
export CGO_ENABLED=0
programs=(etcdwal-dump etcdwal-load raftboltdb-replay raftboltdb-load)
for program in "${programs[@]}"; do
  go build -o "$outdir/$program" "walsim/peers/$program" ||
    die "building $program failed"
done
# The raw floor (pwrite + fdatasync on a preallocated file) is plain C.
command -v cc >/dev/null 2>&1 || die "cc not found (needed for the floor program)"
cc -O2 -Wall -Wextra -Werror -std=c11 -o "$outdir/floor" "$src_dir/floor/floor.c" ||
  die "building floor failed"
echo "built ${programs[*]} floor into $outdir"
