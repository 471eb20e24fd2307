// raftboltdb-load drives HashiCorp's raft-boltdb BoltStore (Debian's
// golang-github-hashicorp-raft-boltdb-dev) the way `walsim logstore load`
// drives walsim's SegmentStore, for a side-by-side comparison:
//
//	raftboltdb-load DIR --entries N --entry-bytes B --batch K [--no-sync] [--seed X]
//
// It creates DIR/raft.db (refusing a DIR that already holds one), stores N
// logs (indexes 1..N, term 1, type command, B bytes each drawn in order from
// walsim's Rng(seed).Stream("logstore/load")) in StoreLogs calls of K logs
// (StoreLog when K is 1), and prints one line:
//
//	batches=N entries=N bytes=N seconds=S ops_per_sec=X us_per_batch=Y mb_per_sec=Z
//
// ops_per_sec counts store calls (batches) per second; entries per second is
// entries/seconds. Only the store calls are timed. --no-sync sets
// raft-boltdb's Options.NoSync (bolt skips fdatasync). Errors go to stderr
// with exit code 1; bad arguments exit 2.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb"

	"walsim/peers/internal/peerutil"
)

const (
	prog            = "raftboltdb-load"
	loadStreamName  = "logstore/load"
	loadTerm        = 1
	entryBytesMax   = 8 << 20
	batchEntriesMax = 1 << 20
)

type options struct {
	entryCount   uint64
	entryBytes   uint64
	batchEntries uint64
	noSync       bool
	seed         uint64
}

func main() {
	var o options
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.Uint64Var(&o.entryCount, "entries", 0, "number of logs to store")
	fs.Uint64Var(&o.entryBytes, "entry-bytes", 128, "payload bytes per log")
	fs.Uint64Var(&o.batchEntries, "batch", 1, "logs per StoreLogs call")
	fs.BoolVar(&o.noSync, "no-sync", false, "unsafe: bolt skips fdatasync")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the payload bytes")
	args, err := peerutil.ParseInterleaved(fs, os.Args[1:])
	if err != nil {
		os.Exit(peerutil.ExitUsage)
	}
	if len(args) != 1 {
		peerutil.Fail(prog, peerutil.ExitUsage,
			"usage: %s DIR --entries N --entry-bytes B --batch K [--no-sync] [--seed X]", prog)
	}
	switch {
	case o.entryCount == 0:
		peerutil.Fail(prog, peerutil.ExitUsage, "--entries must be positive")
	case o.entryBytes == 0 || o.entryBytes > entryBytesMax:
		peerutil.Fail(prog, peerutil.ExitUsage, "--entry-bytes must be in [1, %d]", entryBytesMax)
	case o.batchEntries == 0 || o.batchEntries > batchEntriesMax:
		peerutil.Fail(prog, peerutil.ExitUsage, "--batch must be in [1, %d]", batchEntriesMax)
	}
	line, err := runLoad(args[0], o)
	if err != nil {
		peerutil.Fail(prog, peerutil.ExitFailure, "%v", err)
	}
	fmt.Println(line)
}

func runLoad(dir string, o options) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	dbPath := filepath.Join(dir, "raft.db")
	if _, err := os.Stat(dbPath); err == nil {
		return "", fmt.Errorf("%s already exists", dbPath)
	}
	store, err := raftboltdb.New(raftboltdb.Options{Path: dbPath, NoSync: o.noSync})
	if err != nil {
		return "", fmt.Errorf("open %s: %v", dbPath, err)
	}
	rng := peerutil.NewRng(o.seed).Stream(loadStreamName)
	// bolt copies keys and values into its pages during the transaction, so
	// the payload buffer and the Log structs are reused across batches.
	payload := make([]byte, o.batchEntries*o.entryBytes)
	logs := make([]raft.Log, o.batchEntries)
	batch := make([]*raft.Log, 0, o.batchEntries)
	var batchCount, index uint64
	start := time.Now()
	for index < o.entryCount {
		size := o.batchEntries
		if o.entryCount-index < size {
			size = o.entryCount - index
		}
		batch = batch[:0]
		for k := uint64(0); k < size; k++ {
			data := payload[k*o.entryBytes : (k+1)*o.entryBytes]
			rng.Fill(data)
			index++
			logs[k] = raft.Log{Index: index, Term: loadTerm, Type: raft.LogCommand, Data: data}
			batch = append(batch, &logs[k])
		}
		if size == 1 {
			err = store.StoreLog(batch[0])
		} else {
			err = store.StoreLogs(batch)
		}
		if err != nil {
			store.Close()
			return "", fmt.Errorf("store at index %d: %v", index, err)
		}
		batchCount++
	}
	seconds := time.Since(start).Seconds()
	if err := store.Close(); err != nil {
		return "", fmt.Errorf("close %s: %v", dbPath, err)
	}
	bytes := o.entryCount * o.entryBytes
	return fmt.Sprintf("batches=%d entries=%d bytes=%d seconds=%.6f ops_per_sec=%.1f us_per_batch=%.3f mb_per_sec=%.3f",
		batchCount, o.entryCount, bytes, seconds,
		peerutil.Rate(float64(batchCount), seconds),
		1e6*seconds/float64(batchCount),
		peerutil.Rate(float64(bytes)/1e6, seconds)), nil
}
