// Command socrx evaluates social prescribing schemes from routine primary-care records:
// it ingests extracts into DuckDB, computes equity and continuity indicators and writes
// periodic evaluation reports. See README.md; the command line is internal/cli.
package main

import (
	"os"
	"syscall"

	"github.com/socrx/socrx/internal/cli"
)

func main() {
	// Databases, snapshots and reports hold pseudonymised data: never world-readable.
	syscall.Umask(0o027)
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
