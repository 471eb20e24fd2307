package main

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.etcd.io/etcd/raft/raftpb"
	"go.etcd.io/etcd/wal"
	"go.etcd.io/etcd/wal/walpb"
	"go.uber.org/zap"
)

// Mirror mode: the record stream of a WAL determines the calls that wrote it,
// because etcd's writer emits fixed shapes:
//
//	Create:        crc(0) metadata snapshot{0,0}        (first file)
//	Cut:           crc(prev) metadata [state]           (each later file; the
//	               state record is there once any non-empty HardState was saved)
//	Save(st, es):  entry* [state]                       (state only if st is non-empty)
//	SaveSnapshot:  snapshot
//
// So entries followed by a state record are one Save; entries followed by a
// snapshot record or by the end of a file are a Save with an empty HardState.
// Replaying those calls into etcd's WAL (with the same segment size) must
// give the same files if the source writer is etcd-compatible.
const (
	recMetadata int64 = 1
	recEntry    int64 = 2
	recState    int64 = 3
	recCrc      int64 = 4
	recSnapshot int64 = 5

	frameBytes      = 8
	walFileCountMax = 1 << 16
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type mirror struct {
	w            *wal.WAL
	pending      []raftpb.Entry
	stateSeen    bool // a non-empty HardState was saved: Cut writes a state header
	crc          uint32
	recordCount  int
	saveCount    int
	snapCount    int
	lastValidEnd int64 // end of the last valid record in the last file
}

func runMirror(src, dir string, o options) (string, error) {
	names, err := walFileNames(src)
	if err != nil {
		return "", err
	}
	var m mirror
	for fileIndex, name := range names {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return "", err
		}
		records, end, err := m.decodeFile(name, data)
		if err != nil {
			return "", err
		}
		m.lastValidEnd = end
		if err := m.replayFile(fileIndex, name, records, dir, o); err != nil {
			return "", err
		}
	}
	if err := m.w.Close(); err != nil {
		return "", fmt.Errorf("close %s: %v", dir, err)
	}
	return fmt.Sprintf("files=%d records=%d saves=%d snapshots=%d last_valid_end=%d",
		len(names), m.recordCount, m.saveCount, m.snapCount, m.lastValidEnd), nil
}

func walFileNames(dir string) ([]string, error) {
	dirEntries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range dirEntries {
		if strings.HasSuffix(e.Name(), ".wal") {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 || len(names) > walFileCountMax {
		return nil, fmt.Errorf("%s: %d .wal files (want 1..%d)", dir, len(names), walFileCountMax)
	}
	sort.Strings(names) // %016x-%016x.wal: name order is sequence order
	return names, nil
}

// decodeFile splits one file into records, checking the running CRC, and
// returns the offset after the last valid record. It stops at a zero length
// field (preallocated space) or a frame past the end of the file (a torn
// tail); both are only legal in the last file, which the byte comparison
// then checks.
func (m *mirror) decodeFile(name string, data []byte) ([]walpb.Record, int64, error) {
	var records []walpb.Record
	off := int64(0)
	for off+frameBytes <= int64(len(data)) {
		lenField := binary.LittleEndian.Uint64(data[off:])
		if lenField == 0 {
			break
		}
		recBytes := int64(lenField & ^(uint64(0xff) << 56))
		padBytes := int64(0)
		if lenField>>63 != 0 {
			padBytes = int64((lenField >> 56) & 0x7)
		}
		if recBytes > int64(len(data)) || off+frameBytes+recBytes+padBytes > int64(len(data)) {
			break
		}
		var rec walpb.Record
		body := data[off+frameBytes : off+frameBytes+recBytes]
		if err := rec.Unmarshal(body); err != nil {
			return nil, 0, fmt.Errorf("%s offset %d: bad record: %v", name, off, err)
		}
		if err := m.checkCrc(&rec); err != nil {
			return nil, 0, fmt.Errorf("%s offset %d: %v", name, off, err)
		}
		records = append(records, rec)
		off += frameBytes + recBytes + padBytes
	}
	return records, off, nil
}

func (m *mirror) checkCrc(rec *walpb.Record) error {
	if rec.Type == recCrc {
		if m.crc != 0 && rec.Crc != m.crc {
			return fmt.Errorf("crc record %08x, running crc %08x", rec.Crc, m.crc)
		}
		m.crc = rec.Crc
		return nil
	}
	m.crc = crc32.Update(m.crc, castagnoli, rec.Data)
	if rec.Crc != m.crc {
		return fmt.Errorf("record crc %08x, running crc %08x", rec.Crc, m.crc)
	}
	return nil
}

// replayFile checks the file's header shape and replays its body.
func (m *mirror) replayFile(fileIndex int, name string, records []walpb.Record, dir string, o options) error {
	body, err := m.replayHeader(fileIndex, name, records, dir, o)
	if err != nil {
		return err
	}
	for i := range body {
		rec := &body[i]
		m.recordCount++
		switch rec.Type {
		case recEntry:
			var e raftpb.Entry
			if err := e.Unmarshal(rec.Data); err != nil {
				return fmt.Errorf("%s: bad entry: %v", name, err)
			}
			m.pending = append(m.pending, e)
		case recState:
			var st raftpb.HardState
			if err := st.Unmarshal(rec.Data); err != nil {
				return fmt.Errorf("%s: bad hardstate: %v", name, err)
			}
			if err := m.save(st); err != nil {
				return err
			}
		case recSnapshot:
			var snap walpb.Snapshot
			if err := snap.Unmarshal(rec.Data); err != nil {
				return fmt.Errorf("%s: bad snapshot: %v", name, err)
			}
			if err := m.save(raftpb.HardState{}); err != nil {
				return err
			}
			if err := m.w.SaveSnapshot(snap); err != nil {
				return fmt.Errorf("save snapshot %d: %v", snap.Index, err)
			}
			m.snapCount++
		default:
			return fmt.Errorf("%s: record %d of type %d outside a file header", name, i, rec.Type)
		}
	}
	// The writer cut here, so the entries so far were one Save.
	return m.save(raftpb.HardState{})
}

// replayHeader checks the records Create or Cut put at the head of a file
// and returns the rest; for the first file it also creates the mirror WAL.
func (m *mirror) replayHeader(fileIndex int, name string, records []walpb.Record, dir string, o options) ([]walpb.Record, error) {
	headerCount := 3 // Create: crc, metadata, snapshot{0,0}
	if fileIndex > 0 && !m.stateSeen {
		headerCount = 2 // Cut before any HardState: crc, metadata
	}
	if len(records) < headerCount || records[0].Type != recCrc || records[1].Type != recMetadata {
		return nil, fmt.Errorf("%s: does not start with crc and metadata records", name)
	}
	if fileIndex == 0 {
		var snap walpb.Snapshot
		if records[2].Type != recSnapshot || snap.Unmarshal(records[2].Data) != nil || snap.Index != 0 || snap.Term != 0 {
			return nil, fmt.Errorf("%s: third record is not Create's empty snapshot", name)
		}
		w, err := wal.Create(zap.NewNop(), dir, records[1].Data)
		if err != nil {
			return nil, fmt.Errorf("create %s: %v", dir, err)
		}
		if o.noSync {
			w.SetUnsafeNoFsync()
		}
		m.w = w
	} else if headerCount == 3 && records[2].Type != recState {
		return nil, fmt.Errorf("%s: third record is not Cut's hardstate", name)
	}
	m.recordCount += headerCount
	return records[headerCount:], nil
}

func (m *mirror) save(st raftpb.HardState) error {
	if len(m.pending) == 0 && isEmptyHardState(st) {
		return nil
	}
	if err := m.w.Save(st, m.pending); err != nil {
		return fmt.Errorf("save: %v", err)
	}
	if !isEmptyHardState(st) {
		m.stateSeen = true
	}
	m.saveCount++
	m.pending = m.pending[:0]
	return nil
}

func isEmptyHardState(st raftpb.HardState) bool {
	return st.Term == 0 && st.Vote == 0 && st.Commit == 0
}
