// etcdwal-dump reads an etcd WAL directory with etcd's own wal package
// (Debian's etcd 3.4: OpenForRead at a snapshot, then ReadAll) and prints what
// ReadAll returned as JSON lines, in exactly the format of
// `walsim wal dump DIR --jsonl`, so the two can be diffed:
//
//	{"kind":"metadata","data":"<base64>"}
//	{"kind":"hardstate","term":T,"vote":V,"commit":C}
//	{"kind":"entry","term":T,"index":I,"type":N,"data":"<base64>"}   (one per entry)
//
// Standard base64 with padding, decimal numbers, no spaces. Any error from
// etcd (file not found, CRC mismatch, snapshot not found, ...) goes to stderr
// and the exit code is 1; nothing is printed to stdout in that case.
//
// Usage: etcdwal-dump DIR [--snapshot-index I --snapshot-term T]
package main

import (
	"bufio"
	"encoding/base64"
	"flag"
	"os"
	"strconv"

	"go.etcd.io/etcd/raft/raftpb"
	"go.etcd.io/etcd/wal"
	"go.etcd.io/etcd/wal/walpb"
	"go.uber.org/zap"

	"walsim/peers/internal/peerutil"
)

const prog = "etcdwal-dump"

func main() {
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	snapIndex := fs.Uint64("snapshot-index", 0, "index of the snapshot to start reading at")
	snapTerm := fs.Uint64("snapshot-term", 0, "term of that snapshot")
	args, err := peerutil.ParseInterleaved(fs, os.Args[1:])
	if err != nil {
		os.Exit(peerutil.ExitUsage)
	}
	if len(args) != 1 {
		peerutil.Fail(prog, peerutil.ExitUsage, "usage: %s DIR [--snapshot-index I --snapshot-term T]", prog)
	}
	dir := args[0]

	// A nil logger would make etcd log through capnslog to stderr; a no-op
	// zap logger keeps stderr for our own error line.
	w, err := wal.OpenForRead(zap.NewNop(), dir, walpb.Snapshot{Index: *snapIndex, Term: *snapTerm})
	if err != nil {
		peerutil.Fail(prog, peerutil.ExitFailure, "open %s: %v", dir, err)
	}
	metadata, state, entries, err := w.ReadAll()
	if err != nil {
		peerutil.Fail(prog, peerutil.ExitFailure, "read %s: %v", dir, err)
	}
	if err := print(metadata, state, entries); err != nil {
		peerutil.Fail(prog, peerutil.ExitFailure, "write stdout: %v", err)
	}
}

func print(metadata []byte, state raftpb.HardState, entries []raftpb.Entry) error {
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	line := make([]byte, 0, 4096)
	line = append(line, `{"kind":"metadata","data":"`...)
	line = appendBase64(line, metadata)
	line = append(line, "\"}\n"...)
	line = append(line, `{"kind":"hardstate","term":`...)
	line = strconv.AppendUint(line, state.Term, 10)
	line = append(line, `,"vote":`...)
	line = strconv.AppendUint(line, state.Vote, 10)
	line = append(line, `,"commit":`...)
	line = strconv.AppendUint(line, state.Commit, 10)
	line = append(line, "}\n"...)
	if _, err := out.Write(line); err != nil {
		return err
	}
	for i := range entries {
		e := &entries[i]
		line = line[:0]
		line = append(line, `{"kind":"entry","term":`...)
		line = strconv.AppendUint(line, e.Term, 10)
		line = append(line, `,"index":`...)
		line = strconv.AppendUint(line, e.Index, 10)
		line = append(line, `,"type":`...)
		line = strconv.AppendInt(line, int64(e.Type), 10)
		line = append(line, `,"data":"`...)
		line = appendBase64(line, e.Data)
		line = append(line, "\"}\n"...)
		if _, err := out.Write(line); err != nil {
			return err
		}
	}
	return out.Flush()
}

func appendBase64(dst []byte, src []byte) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, base64.StdEncoding.EncodedLen(len(src)))...)
	base64.StdEncoding.Encode(dst[start:], src)
	return dst
}
