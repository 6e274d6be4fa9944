package main

import (
	"context"
	"flag"
	"time"

	"github.com/nspr-go/nspr"
)

var connectCmd = &command{
	name:    "connect",
	args:    "ADDR [--udp|--unix] [--timeout 5s]",
	summary: "connect to ADDR and relay stdin and stdout over it, like netcat",
	help: `
Connect opens an nspr socket to ADDR (PR_Connect, as Socket.ConnectContext
bounded by --timeout) and relays: what it reads
from stdin it sends, what it receives it writes to stdout.

ADDR is host:port, [v6]:port or :port (this host's loopback), or with --unix
the path of a Unix-domain socket (on Linux, @name for an abstract one). A host
name is resolved with nspr.NewAddrInfo and each of its addresses tried in
turn until one connects.

Over a stream (TCP, Unix) the relay ends when both directions have: at the
end of stdin the sending side is shut down (PR_Shutdown with
PR_SHUTDOWN_SEND) and what the peer still sends is read until it closes.
With --udp each read from stdin is one datagram, and once stdin ends the
command keeps printing replies for the --timeout, then exits.

SIGINT or SIGTERM closes the socket and exits with 130.

  $ echo hello | nspr connect 127.0.0.1:7000`,
	flags: func(fs *flag.FlagSet) func(context.Context, stdio, []string) error {
		var t transport
		t.declare(fs)
		timeout := fs.Duration("timeout", 5*time.Second, "how long the connect may take; with --udp, how long to wait for replies once stdin has ended")
		return func(ctx context.Context, std stdio, args []string) error {
			if *timeout <= 0 {
				return usagef("--timeout must be positive")
			}
			typ, addrs, err := t.target(ctx, args, false)
			if err != nil {
				return err
			}
			s, closeSocket, err := openFirst(ctx, addrs, typ, func(s *nspr.Socket, a nspr.NetworkAddress) error {
				cctx, cancel := context.WithTimeout(ctx, *timeout)
				defer cancel()
				return s.ConnectContext(cctx, a)
			})
			if err != nil {
				return err
			}
			defer closeSocket()
			if typ == nspr.DescSocketUDP {
				return relayDatagrams(ctx, s, std, *timeout)
			}
			return relayStream(ctx, s, std)
		}
	},
}
