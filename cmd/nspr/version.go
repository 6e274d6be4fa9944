package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

var versionCmd = &command{
	name:    "version",
	args:    "",
	summary: "print the nspr module's version and the Go version it was built with",
	help: `
Version prints the version of the nspr module this command was built from,
as the Go toolchain recorded it (runtime/debug.ReadBuildInfo): a release
tag, a pseudo-version, or "(devel)" for a build from a working tree (go run,
go build in a checkout, the tests). Then the Go version, and the commit when
the build recorded one.

  $ nspr version
  nspr: github.com/nspr-go/nspr (devel)
  go:   go1.26.0 linux/amd64`,
	flags: func(fs *flag.FlagSet) func(context.Context, stdio, []string) error {
		return func(_ context.Context, std stdio, args []string) error {
			if len(args) != 0 {
				return usagef("version takes no arguments")
			}
			path, version, commit := "github.com/nspr-go/nspr", "(unknown: no build information)", ""
			if bi, ok := debug.ReadBuildInfo(); ok {
				path, version = bi.Main.Path, bi.Main.Version
				for _, s := range bi.Settings {
					switch {
					case s.Key == "vcs.revision":
						commit = s.Value + commit
					case s.Key == "vcs.modified" && s.Value == "true":
						commit += " (modified)"
					}
				}
			}
			fmt.Fprintf(std.out, "nspr: %s %s\ngo:   %s %s/%s\n", path, version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			if commit != "" {
				fmt.Fprintf(std.out, "commit: %s\n", commit)
			}
			return nil
		}
	},
}
