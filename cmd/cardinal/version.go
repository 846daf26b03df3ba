package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/cardinaldb/cardinal/estimator"
)

// modulePath is the module 'cardinal version' reports.
const modulePath = "github.com/cardinaldb/cardinal"

// runVersion prints the module version (with the VCS revision when the
// binary was built from a checkout), the Go version, and the model file
// format version this build writes and the oldest it reads.
func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", stdout)
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := fs.noArgs(); err != nil {
		return err
	}
	version, goVersion, rev := "(unknown)", "", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		version, goVersion = bi.Main.Version, bi.GoVersion
		if version == "" {
			version = "(devel)"
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					rev += "+dirty"
				}
			}
		}
	}
	fmt.Fprintf(stdout, "cardinal %s %s", modulePath, version)
	if rev != "" {
		fmt.Fprintf(stdout, " (%s)", rev)
	}
	if goVersion != "" {
		fmt.Fprintf(stdout, " %s", goVersion)
	}
	fmt.Fprintf(stdout, "\nmodel format version %d (reads %d-%d; learned models %d-%d: retrain older ones)\n", estimator.FormatVersion,
		estimator.MinFormatVersion, estimator.FormatVersion, estimator.LearnedMinFormatVersion, estimator.FormatVersion)
	return nil
}
