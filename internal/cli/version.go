package cli

import (
	"context"
	"fmt"
)

// versionCommand prints the version and takes no flags: any argument, --help among
// them, is ignored.
func versionCommand() command {
	return command{
		name:    "version",
		summary: "print the version",
		usage:   "version",
		run: func(_ context.Context, e *env, _ []string) error {
			fmt.Fprintln(e.stdout, e.version)
			return nil
		},
	}
}
