package main

import (
	"context"
	"flag"
	"fmt"
	"net/netip"

	"github.com/nspr-go/nspr"
)

var hostentCmd = &command{
	name:    "hostent",
	args:    "NAME|ADDR",
	summary: "look up a host entry by name or by address (HostEntry)",
	help: `
Hostent prints the host entry of a name (nspr.NewHostEntry, PR_GetHostByName)
or, for a numeric IPv4 or IPv6 address, of that address in reverse
(nspr.NewHostEntryByAddr, PR_GetHostByAddr): the official name, the family,
the aliases and the addresses.

  $ nspr hostent 127.0.0.1
  hostname: localhost
  family:   PR_AF_INET
  address:  127.0.0.1`,
	flags: func(fs *flag.FlagSet) func(context.Context, stdio, []string) error {
		return func(ctx context.Context, std stdio, args []string) error {
			if len(args) != 1 {
				return usagef("want one NAME or ADDR, got %d arguments", len(args))
			}
			var he *nspr.HostEntry
			var err error
			if ip, perr := netip.ParseAddr(args[0]); perr == nil {
				addr := nspr.NewNetworkAddressFromAddrPort(netip.AddrPortFrom(ip, 0))
				he, err = nspr.NewHostEntryByAddrContext(ctx, addr)
			} else {
				he, err = nspr.NewHostEntryContext(ctx, args[0])
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(std.out, "hostname: %s\nfamily:   %v\n", he.Hostname(), he.Family())
			for _, alias := range he.Aliases() {
				fmt.Fprintf(std.out, "alias:    %s\n", alias)
			}
			for a := range he.All() {
				fmt.Fprintf(std.out, "address:  %s\n", a.Address())
			}
			return nil
		}
	},
}
