package main

import (
	"encoding/binary"
	"fmt"
	"time"

	"go.etcd.io/etcd/raft/raftpb"
	"go.etcd.io/etcd/wal"
	"go.etcd.io/etcd/wal/walpb"
	"go.uber.org/zap"

	"walsim/peers/internal/peerutil"
)

// The load sequence, which `walsim wal load` issues too (same flags, same
// bytes): Create(DIR, metadata); then for each batch of K entries (the last
// batch may be shorter) one Save(HardState{term, vote, commit = last index of
// the batch}, entries) where entry i (1-based) has term loadTerm, type normal
// and B bytes drawn in order from Rng(seed).Stream(loadStreamName); after a
// Save that reaches or passes a multiple of M, SaveSnapshot{index = last
// index saved, term = loadTerm}. Segments are cut by etcd's own rule (after a
// Save, when the tail file's offset reaches S). Close at the end.
const (
	loadMetadataDefault = "walsim-load"
	loadStreamName      = "wal/load"
	loadTerm            = 1
	loadVote            = 1
)

// Only the Save and SaveSnapshot calls are timed: Create and Close are
// one-off costs that would blur the per-save figure for short runs.
func runLoad(dir string, o options) (string, error) {
	if wal.Exist(dir) {
		return "", fmt.Errorf("%s already holds a WAL", dir)
	}
	w, err := wal.Create(zap.NewNop(), dir, []byte(o.metadata))
	if err != nil {
		return "", fmt.Errorf("create %s: %v", dir, err)
	}
	if o.noSync {
		w.SetUnsafeNoFsync()
	}
	rng := peerutil.NewRng(o.seed).Stream(loadStreamName)
	// One backing buffer for all payloads of a batch: etcd marshals each
	// entry during Save, so the buffer can be reused by the next batch.
	payload := make([]byte, o.batchEntries*o.entryBytes)
	entries := make([]raftpb.Entry, 0, o.batchEntries)
	var saveCount uint64
	var index uint64
	start := time.Now()
	for index < o.entryCount {
		batch := o.batchEntries
		if o.entryCount-index < batch {
			batch = o.entryCount - index
		}
		entries = entries[:0]
		for k := uint64(0); k < batch; k++ {
			data := payload[k*o.entryBytes : (k+1)*o.entryBytes]
			fillSeeded(rng, data)
			index++
			entries = append(entries, raftpb.Entry{Term: loadTerm, Index: index,
				Type: raftpb.EntryNormal, Data: data})
		}
		state := raftpb.HardState{Term: loadTerm, Vote: loadVote, Commit: index}
		if err := w.Save(state, entries); err != nil {
			return "", fmt.Errorf("save at index %d: %v", index, err)
		}
		saveCount++
		if o.snapshotEvery > 0 && index/o.snapshotEvery > (index-batch)/o.snapshotEvery {
			if err := w.SaveSnapshot(walpb.Snapshot{Index: index, Term: loadTerm}); err != nil {
				return "", fmt.Errorf("save snapshot at index %d: %v", index, err)
			}
		}
	}
	seconds := time.Since(start).Seconds()
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("close %s: %v", dir, err)
	}
	bytes := o.entryCount * o.entryBytes
	return fmt.Sprintf("saves=%d entries=%d bytes=%d seconds=%.6f saves_per_sec=%.1f us_per_save=%.3f mb_per_sec=%.3f",
		saveCount, o.entryCount, bytes, seconds,
		peerutil.Rate(float64(saveCount), seconds),
		1e6*seconds/float64(saveCount),
		peerutil.Rate(float64(bytes)/1e6, seconds)), nil
}

// fillSeeded writes the bytes of rng.Fill (little-endian words; a partial
// last word is used up) a word per store. walsim wal load fills the same way
// (tools/wal_cmd.cc FillSeeded), so neither side's CPU figure is dominated
// by a byte-at-a-time generator and the two WALs stay byte-identical.
func fillSeeded(rng *peerutil.Rng, out []byte) {
	filled := 0
	for ; len(out)-filled >= 8; filled += 8 {
		binary.LittleEndian.PutUint64(out[filled:], rng.Next())
	}
	if filled == len(out) {
		return
	}
	word := rng.Next()
	for b := 0; filled < len(out); b, filled = b+1, filled+1 {
		out[filled] = byte(word >> (8 * uint(b)))
	}
}
