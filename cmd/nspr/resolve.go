package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/nspr-go/nspr"
)

var resolveCmd = &command{
	name:    "resolve",
	args:    "HOST [--family inet|inet6|unspec] [--no-canon]",
	summary: "resolve a host name to its addresses (AddrInfo)",
	help: `
Resolve prints what nspr.NewAddrInfo (PR_GetAddrInfoByName) finds for HOST
with PR_AI_ADDRCONFIG: the host name, its canonical name (unless --no-canon,
which adds PR_AI_NOCANONNAME) and each address in the order to try them,
with its family. A numeric HOST is its own answer.

  $ nspr resolve localhost
  hostname:  localhost
  canonical: localhost
  address:   127.0.0.1 PR_AF_INET`,
	flags: func(fs *flag.FlagSet) func(context.Context, stdio, []string) error {
		family := fs.String("family", "unspec", "address `family`: inet (IPv4), inet6 (IPv6) or unspec (both)")
		noCanon := fs.Bool("no-canon", false, "do not look up the canonical name (PR_AI_NOCANONNAME)")
		return func(ctx context.Context, std stdio, args []string) error {
			if len(args) != 1 {
				return usagef("want one HOST, got %d arguments", len(args))
			}
			fam, err := parseFamily(*family)
			if err != nil {
				return err
			}
			flags := nspr.AIAddrConfig
			if *noCanon {
				flags |= nspr.AINoCanonName
			}
			ai, err := nspr.NewAddrInfoContext(ctx, args[0], fam, flags)
			if err != nil {
				return err
			}
			canon := ai.CanonicalName()
			if canon == "" {
				canon = "(not asked for)"
			}
			fmt.Fprintf(std.out, "hostname:  %s\ncanonical: %s\n", ai.Hostname(), canon)
			for a := range ai.All() {
				fmt.Fprintf(std.out, "address:   %s %v\n", a.Address(), a.Family())
			}
			return nil
		}
	},
}

// parseFamily turns a --family value into an nspr Family.
func parseFamily(s string) (nspr.Family, error) {
	switch s {
	case "inet", "4", "ipv4":
		return nspr.AFInet, nil
	case "inet6", "6", "ipv6":
		return nspr.AFInet6, nil
	case "unspec", "any":
		return nspr.AFUnspec, nil
	}
	return 0, usagef("unknown family %q: want inet, inet6 or unspec", s)
}
