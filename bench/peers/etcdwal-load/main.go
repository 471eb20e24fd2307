// etcdwal-load drives etcd's own WAL (Debian's etcd 3.4 `wal` package) the
// way `walsim wal load` drives walsim's, so the two can be compared side by
// side and, with the same flags, byte for byte. Three modes:
//
//	etcdwal-load DIR --entries N --entry-bytes B --batch K [--segment-bytes S]
//	             [--snapshot-every M] [--no-sync] [--seed X] [--metadata STR]
//	  Creates a WAL in DIR (refusing a DIR that already holds one) and saves N
//	  entries of B seeded bytes in Save calls of K entries; see load.go for the
//	  exact sequence. Prints one line:
//	  saves=N entries=N bytes=N seconds=S saves_per_sec=X us_per_save=Y mb_per_sec=Z
//
//	etcdwal-load --readall DIR [--snapshot-index I --snapshot-term T]
//	  Times OpenForRead+ReadAll of an existing WAL. Prints
//	  bytes=N entries=N seconds=S mb_per_sec=X (bytes: the WAL files' sizes).
//
//	etcdwal-load --script FILE DIR [--segment-bytes S] [--no-sync]
//	  Writes a WAL from a described sequence of calls (script.go), including
//	  overwritten suffixes. Prints calls=N.
//
//	etcdwal-load --mirror SRC DIR [--segment-bytes S] [--no-sync]
//	  Reads the records of the WAL in SRC (any writer's, e.g. walsim's) and
//	  issues the same Create/Save/SaveSnapshot calls to etcd's WAL in DIR; see
//	  mirror.go. Used to check that walsim writes etcd's bytes.
//
// Errors go to stderr with exit code 1; bad arguments exit 2.
package main

import (
	"flag"
	"fmt"
	"os"

	"go.etcd.io/etcd/wal"

	"walsim/peers/internal/peerutil"
)

const prog = "etcdwal-load"

type options struct {
	entryCount    uint64
	entryBytes    uint64
	batchEntries  uint64
	segmentBytes  int64
	snapshotEvery uint64
	noSync        bool
	seed          uint64
	metadata      string
	readAll       bool
	mirror        bool
	script        string
	snapshotIndex uint64
	snapshotTerm  uint64
}

func main() {
	var o options
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.Uint64Var(&o.entryCount, "entries", 0, "number of entries to save")
	fs.Uint64Var(&o.entryBytes, "entry-bytes", 128, "payload bytes per entry")
	fs.Uint64Var(&o.batchEntries, "batch", 1, "entries per Save call")
	fs.Int64Var(&o.segmentBytes, "segment-bytes", wal.SegmentSizeBytes, "segment size (wal.SegmentSizeBytes)")
	fs.Uint64Var(&o.snapshotEvery, "snapshot-every", 0, "save a snapshot record every M entries (0: never)")
	fs.BoolVar(&o.noSync, "no-sync", false, "unsafe: skip fdatasync (wal.SetUnsafeNoFsync)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the payload bytes")
	fs.StringVar(&o.metadata, "metadata", loadMetadataDefault, "metadata recorded at the head of each file")
	fs.BoolVar(&o.readAll, "readall", false, "time OpenForRead+ReadAll of an existing WAL in DIR")
	fs.BoolVar(&o.mirror, "mirror", false, "replay the records of the WAL in SRC into a new WAL in DIR")
	fs.StringVar(&o.script, "script", "", "write a WAL in DIR from the calls described in this file")
	fs.Uint64Var(&o.snapshotIndex, "snapshot-index", 0, "--readall: snapshot index to open at")
	fs.Uint64Var(&o.snapshotTerm, "snapshot-term", 0, "--readall: snapshot term to open at")
	args, err := peerutil.ParseInterleaved(fs, os.Args[1:])
	if err != nil {
		os.Exit(peerutil.ExitUsage)
	}
	if o.segmentBytes <= 0 {
		peerutil.Fail(prog, peerutil.ExitUsage, "--segment-bytes must be positive")
	}
	// etcd reads the segment size from a package variable, for Create,
	// preallocation and the cut rule alike.
	wal.SegmentSizeBytes = o.segmentBytes

	var line string
	switch {
	case o.readAll && o.mirror, o.script != "" && (o.readAll || o.mirror):
		peerutil.Fail(prog, peerutil.ExitUsage, "--readall, --mirror and --script exclude each other")
	case o.script != "":
		if len(args) != 1 {
			peerutil.Fail(prog, peerutil.ExitUsage, "usage: %s --script FILE DIR", prog)
		}
		line, err = runScript(o.script, args[0], o)
	case o.readAll:
		if len(args) != 1 {
			peerutil.Fail(prog, peerutil.ExitUsage, "usage: %s --readall DIR", prog)
		}
		line, err = runReadAll(args[0], o)
	case o.mirror:
		if len(args) != 2 {
			peerutil.Fail(prog, peerutil.ExitUsage, "usage: %s --mirror SRC DIR", prog)
		}
		line, err = runMirror(args[0], args[1], o)
	default:
		if len(args) != 1 {
			peerutil.Fail(prog, peerutil.ExitUsage,
				"usage: %s DIR --entries N --entry-bytes B --batch K [--segment-bytes S] "+
					"[--snapshot-every M] [--no-sync] [--seed X]", prog)
		}
		if err := o.validateLoad(); err != nil {
			peerutil.Fail(prog, peerutil.ExitUsage, "%v", err)
		}
		line, err = runLoad(args[0], o)
	}
	if err != nil {
		peerutil.Fail(prog, peerutil.ExitFailure, "%v", err)
	}
	fmt.Println(line)
}

// Limits on the load mode's flags; etcd itself refuses records over 10 MiB.
const (
	entryBytesMax   = 8 << 20
	batchEntriesMax = 1 << 20
)

func (o *options) validateLoad() error {
	switch {
	case o.entryCount == 0:
		return fmt.Errorf("--entries must be positive")
	case o.entryBytes == 0 || o.entryBytes > entryBytesMax:
		return fmt.Errorf("--entry-bytes must be in [1, %d]", entryBytesMax)
	case o.batchEntries == 0 || o.batchEntries > batchEntriesMax:
		return fmt.Errorf("--batch must be in [1, %d]", batchEntriesMax)
	}
	return nil
}
