package peerutil

import (
	"flag"
	"fmt"
	"os"
)

// Exit codes shared by the peer drivers; they match the walsim CLI's.
const (
	ExitOk      = 0
	ExitFailure = 1 // the operation failed
	ExitUsage   = 2 // bad arguments
)

// ParseInterleaved parses flags that may come before, between or after the
// positional arguments (`prog DIR --entries 10` and `prog --entries 10 DIR`
// both work, as they do for the CLI11-based walsim CLI). It returns the
// positional arguments in order.
func ParseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	// Each round consumes at least one argument, so len(args)+1 rounds bound it.
	for round := 0; round <= len(args)+1; round++ {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	return nil, fmt.Errorf("argument parsing did not terminate")
}

// Fail prints "PROG: MSG" to stderr and exits with code.
func Fail(prog string, code int, format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "%s: %s\n", prog, fmt.Sprintf(format, a...))
	os.Exit(code)
}

// Rate returns count/seconds, 0 when no time was measured.
func Rate(count float64, seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return count / seconds
}
