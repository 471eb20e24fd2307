package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"go.etcd.io/etcd/raft/raftpb"
	"go.etcd.io/etcd/wal"
	"go.etcd.io/etcd/wal/walpb"
	"go.uber.org/zap"
)

// Script mode writes a WAL from a described sequence of calls, including
// what `walsim wal load` never does: saves that overwrite a suffix (a new
// leader's entries at indexes already written), HardState-only saves, and
// snapshots at arbitrary points. Lines (blank and '#' lines skipped):
//
//	metadata TEXT                     first line: wal.Create(DIR, TEXT)
//	save TERM VOTE COMMIT [FIRST COUNT ETERM [TYPE]]
//	                                  Save(HardState, entries FIRST..FIRST+COUNT-1
//	                                  of term ETERM, type TYPE (default 0),
//	                                  data "i<index>t<ETERM>")
//	snapshot INDEX TERM               SaveSnapshot
//
// Segments are cut by etcd's rule at --segment-bytes.
const scriptEntriesMax = 1 << 20

func runScript(path, dir string, o options) (string, error) {
	file, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer file.Close()
	var w *wal.WAL
	scanner := bufio.NewScanner(file)
	lineNumber, callCount := 0, 0
	for scanner.Scan() {
		lineNumber++
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tokens := strings.Fields(line)
		if w == nil {
			if tokens[0] != "metadata" || len(tokens) != 2 {
				return "", fmt.Errorf("%s:%d: the first command must be `metadata TEXT`", path, lineNumber)
			}
			if w, err = wal.Create(zap.NewNop(), dir, []byte(tokens[1])); err != nil {
				return "", fmt.Errorf("create %s: %v", dir, err)
			}
			if o.noSync {
				w.SetUnsafeNoFsync()
			}
			continue
		}
		if err := runScriptLine(w, tokens); err != nil {
			w.Close()
			return "", fmt.Errorf("%s:%d: %v", path, lineNumber, err)
		}
		callCount++
	}
	if err := scanner.Err(); err != nil {
		return "", err
	}
	if w == nil {
		return "", fmt.Errorf("%s: empty script", path)
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return fmt.Sprintf("calls=%d", callCount), nil
}

func runScriptLine(w *wal.WAL, tokens []string) error {
	n := make([]uint64, len(tokens))
	for i := 1; i < len(tokens); i++ {
		value, err := strconv.ParseUint(tokens[i], 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a decimal number", tokens[i])
		}
		n[i] = value
	}
	switch {
	case tokens[0] == "snapshot" && len(tokens) == 3:
		return w.SaveSnapshot(walpb.Snapshot{Index: n[1], Term: n[2]})
	case tokens[0] == "save" && (len(tokens) == 4 || len(tokens) == 7 || len(tokens) == 8):
		var entries []raftpb.Entry
		if len(tokens) >= 7 {
			if n[5] > scriptEntriesMax {
				return fmt.Errorf("save of %d entries is over %d", n[5], scriptEntriesMax)
			}
			entryType := raftpb.EntryNormal
			if len(tokens) == 8 {
				entryType = raftpb.EntryType(n[7])
			}
			for k := uint64(0); k < n[5]; k++ {
				index := n[4] + k
				entries = append(entries, raftpb.Entry{Index: index, Term: n[6], Type: entryType,
					Data: []byte(fmt.Sprintf("i%dt%d", index, n[6]))})
			}
		}
		return w.Save(raftpb.HardState{Term: n[1], Vote: n[2], Commit: n[3]}, entries)
	}
	return fmt.Errorf("unknown command or wrong argument count: %s", strings.Join(tokens, " "))
}
