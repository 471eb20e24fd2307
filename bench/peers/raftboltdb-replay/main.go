// raftboltdb-replay replays an operation script through HashiCorp's
// raft-boltdb BoltStore (Debian's golang-github-hashicorp-raft-boltdb-dev, in
// a fresh temporary directory) and prints one result line per command, in
// exactly the format of `walsim logstore replay SCRIPT`, so the two can be
// diffed.
//
// Script (blank lines and lines starting with '#' are skipped; tokens are
// separated by spaces):
//
//	store I T TYPE DATA                     StoreLog; TYPE 0..5; DATA "-" = empty
//	store_batch FIRST COUNT T TYPE PREFIX   StoreLogs of COUNT logs FIRST.., data PREFIX+index
//	get I | first | last | delete MIN MAX
//
// Output per command: its tokens joined by single spaces, " => ", then
// ok/err (store, store_batch, delete), the number (first, last),
// "index=I term=T type=TYPE data=DATA" or "not-found" (get; DATA "-" if
// empty; "err" for any other failure).
//
// A malformed script line is reported on stderr with its line number and
// the exit code is 2; a store that cannot be opened exits 1.
//
// Usage: raftboltdb-replay SCRIPT
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb"

	"walsim/peers/internal/peerutil"
)

const (
	prog = "raftboltdb-replay"
	// Limits on a script: lines and the logs one store_batch may create.
	scriptLineCountMax = 1 << 20
	batchCountMax      = 1 << 20
	logTypeMax         = 5 // raft.LogConfiguration in walsim's numbering
)

func main() {
	if len(os.Args) != 2 {
		peerutil.Fail(prog, peerutil.ExitUsage, "usage: %s SCRIPT", prog)
	}
	script, err := os.Open(os.Args[1])
	if err != nil {
		peerutil.Fail(prog, peerutil.ExitFailure, "%v", err)
	}
	defer script.Close()

	tmp, err := ioutil.TempDir("", "raftboltdb-replay-")
	if err != nil {
		peerutil.Fail(prog, peerutil.ExitFailure, "temp dir: %v", err)
	}
	code := replay(script, filepath.Join(tmp, "raft.db"))
	os.RemoveAll(tmp)
	os.Exit(code)
}

func replay(script *os.File, dbPath string) int {
	store, err := raftboltdb.NewBoltStore(dbPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: open %s: %v\n", prog, dbPath, err)
		return peerutil.ExitFailure
	}
	defer store.Close()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()

	scanner := bufio.NewScanner(script)
	scanner.Buffer(make([]byte, 64*1024), 16<<20)
	lineNumber := 0
	for scanner.Scan() {
		lineNumber++
		if lineNumber > scriptLineCountMax {
			fmt.Fprintf(os.Stderr, "%s: script over %d lines\n", prog, scriptLineCountMax)
			return peerutil.ExitUsage
		}
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tokens := strings.Fields(line)
		result, err := run(store, tokens)
		if err != nil {
			out.Flush()
			fmt.Fprintf(os.Stderr, "%s: line %d: %v\n", prog, lineNumber, err)
			return peerutil.ExitUsage
		}
		fmt.Fprintf(out, "%s => %s\n", strings.Join(tokens, " "), result)
	}
	if err := scanner.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: reading script: %v\n", prog, err)
		return peerutil.ExitFailure
	}
	return peerutil.ExitOk
}

// run executes one command. A non-nil error means the line is malformed; a
// failure of the store itself is a result ("err").
func run(store *raftboltdb.BoltStore, tokens []string) (string, error) {
	n, err := parseNumbers(tokens)
	if err != nil {
		return "", err
	}
	switch tokens[0] {
	case "store":
		if len(tokens) != 5 {
			return "", errors.New("usage: store I T TYPE DATA")
		}
		log := &raft.Log{Index: n[1], Term: n[2], Type: raft.LogType(n[3]), Data: decodeData(tokens[4])}
		return okOrErr(store.StoreLog(log)), nil
	case "store_batch":
		if len(tokens) != 6 || n[2] == 0 || n[2] > batchCountMax {
			return "", fmt.Errorf("usage: store_batch FIRST COUNT T TYPE PREFIX (COUNT in 1..%d)", batchCountMax)
		}
		logs := make([]*raft.Log, 0, n[2])
		for k := uint64(0); k < n[2]; k++ {
			index := n[1] + k
			logs = append(logs, &raft.Log{Index: index, Term: n[3], Type: raft.LogType(n[4]),
				Data: []byte(tokens[5] + strconv.FormatUint(index, 10))})
		}
		return okOrErr(store.StoreLogs(logs)), nil
	case "get":
		if len(tokens) != 2 {
			return "", errors.New("usage: get I")
		}
		return get(store, n[1]), nil
	case "first", "last":
		if len(tokens) != 1 {
			return "", fmt.Errorf("usage: %s", tokens[0])
		}
		index, err := store.FirstIndex()
		if tokens[0] == "last" {
			index, err = store.LastIndex()
		}
		if err != nil {
			return "err", nil
		}
		return strconv.FormatUint(index, 10), nil
	case "delete":
		if len(tokens) != 3 {
			return "", errors.New("usage: delete MIN MAX")
		}
		return okOrErr(store.DeleteRange(n[1], n[2])), nil
	}
	return "", fmt.Errorf("unknown command %q", tokens[0])
}

// numericTokens says which token positions of each command are numbers.
var numericTokens = map[string][]int{
	"store":       {1, 2, 3},
	"store_batch": {1, 2, 3, 4},
	"get":         {1},
	"delete":      {1, 2},
	"first":       {},
	"last":        {},
}

// typeToken is the position of the log type, checked against logTypeMax.
var typeToken = map[string]int{"store": 3, "store_batch": 4}

// parseNumbers returns n with n[i] the value of token i for each numeric
// position of the command (other slots are 0).
func parseNumbers(tokens []string) ([]uint64, error) {
	positions, ok := numericTokens[tokens[0]]
	if !ok {
		return nil, fmt.Errorf("unknown command %q", tokens[0])
	}
	n := make([]uint64, len(tokens))
	for _, i := range positions {
		if i >= len(tokens) {
			return nil, fmt.Errorf("%s: missing argument %d", tokens[0], i)
		}
		value, err := strconv.ParseUint(tokens[i], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: argument %d: %q is not a decimal number", tokens[0], i, tokens[i])
		}
		n[i] = value
	}
	if i, ok := typeToken[tokens[0]]; ok && n[i] > logTypeMax {
		return nil, fmt.Errorf("%s: type %d is over %d", tokens[0], n[i], logTypeMax)
	}
	return n, nil
}

func decodeData(token string) []byte {
	if token == "-" {
		return nil
	}
	return []byte(token)
}

func okOrErr(err error) string {
	if err != nil {
		return "err"
	}
	return "ok"
}

func get(store *raftboltdb.BoltStore, index uint64) string {
	var log raft.Log
	err := store.GetLog(index, &log)
	if err == raft.ErrLogNotFound {
		return "not-found"
	}
	if err != nil {
		return "err"
	}
	data := string(log.Data)
	if data == "" {
		data = "-"
	}
	return fmt.Sprintf("index=%d term=%d type=%d data=%s", log.Index, log.Term, log.Type, data)
}
