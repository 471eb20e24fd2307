package main

import (
	"fmt"
	"time"

	"go.etcd.io/etcd/wal"
	"go.etcd.io/etcd/wal/walpb"
	"go.uber.org/zap"

	"walsim/peers/internal/peerutil"
)

// runReadAll times what a restarting etcd member does with its WAL:
// OpenForRead at the snapshot, then ReadAll. bytes counts the entry payloads
// returned, so the figure compares with any reader given the same WAL.
func runReadAll(dir string, o options) (string, error) {
	start := time.Now()
	w, err := wal.OpenForRead(zap.NewNop(), dir, walpb.Snapshot{Index: o.snapshotIndex, Term: o.snapshotTerm})
	if err != nil {
		return "", fmt.Errorf("open %s: %v", dir, err)
	}
	_, _, entries, err := w.ReadAll()
	if err != nil {
		return "", fmt.Errorf("read %s: %v", dir, err)
	}
	seconds := time.Since(start).Seconds()
	var bytes uint64
	for i := range entries {
		bytes += uint64(len(entries[i].Data))
	}
	return fmt.Sprintf("bytes=%d entries=%d seconds=%.6f mb_per_sec=%.3f",
		bytes, len(entries), seconds, peerutil.Rate(float64(bytes)/1e6, seconds)), nil
}
