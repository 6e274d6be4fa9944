package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/nspr-go/nspr"
)

var listenCmd = &command{
	name:    "listen",
	args:    "ADDR [--udp|--unix] [--echo]",
	summary: "listen on ADDR and relay stdin and stdout over a connection, like netcat",
	help: `
Listen binds an nspr socket to ADDR (PR_Bind), prints the address it is bound
to on stderr ("listening on 127.0.0.1:41234", so port 0 works), and then:

  - over TCP or Unix, accepts one connection (PR_Accept) and relays it with
    stdin and stdout as connect does, until both directions have ended;
  - with --udp, waits for a first datagram, takes its sender as the peer,
    and relays datagrams with it until interrupted;
  - with --echo, sends back everything every peer sends, each connection
    or datagram as it comes, until interrupted.

ADDR is host:port, [v6]:port or :port (every address of this host: IPv6
and IPv4 on a dual-stack socket, else IPv4), or with --unix the path of a
Unix-domain socket, which is removed again on exit (on Linux, @name for
an abstract one). SIGINT or SIGTERM closes the sockets and exits with 130.

  $ nspr listen 127.0.0.1:0 --echo
  listening on 127.0.0.1:41234`,
	flags: func(fs *flag.FlagSet) func(context.Context, stdio, []string) error {
		var t transport
		t.declare(fs)
		echo := fs.Bool("echo", false, "send everything received back to its sender, for every peer, until interrupted")
		return func(ctx context.Context, std stdio, args []string) error {
			typ, addrs, err := t.target(ctx, args, true)
			if err != nil {
				return err
			}
			s, closeSocket, err := openFirst(ctx, addrs, typ, func(s *nspr.Socket, a nspr.NetworkAddress) error {
				if a.Family() != nspr.AFLocal {
					if err := s.SetReuseAddr(true); err != nil {
						return err
					}
				}
				if err := s.Bind(a); err != nil {
					return leftoverHint(err, a.Path())
				}
				if typ == nspr.DescSocketTCP {
					return s.Listen(128)
				}
				return nil
			})
			if err != nil {
				return err
			}
			defer closeSocket()
			if path := addrs[0].Path(); path != "" && !strings.HasPrefix(path, "@") {
				defer os.Remove(path)
			}
			bound, err := s.SockName()
			if err != nil {
				return err
			}
			fmt.Fprintf(std.err, "listening on %v\n", bound)
			switch {
			case typ == nspr.DescSocketUDP && *echo:
				return echoDatagrams(s)
			case typ == nspr.DescSocketUDP:
				return relayFirstPeer(ctx, s, std)
			case *echo:
				return echoConnections(ctx, s, std)
			}
			c, peer, err := s.AcceptContext(ctx)
			if err != nil {
				return err
			}
			closeSocket() // one connection only
			closeConn := closeOnCancel(ctx, c)
			defer closeConn()
			fmt.Fprintf(std.err, "connection from %s\n", peerName(peer))
			return relayStream(ctx, c, std)
		}
	},
}

// hintError is an error with advice for the user, printed on the next line.
type hintError struct {
	err  error
	hint string
}

func (e hintError) Error() string { return e.err.Error() + "\n" + e.hint }
func (e hintError) Unwrap() error { return e.err }

// leftoverHint adds advice to a bind to the Unix path that failed with
// PR_ADDRESS_IN_USE_ERROR because the file exists: a listener that was
// killed leaves its socket file behind. The file is never removed here: a
// live listener may still use it.
func leftoverHint(err error, path string) error {
	if path == "" || strings.HasPrefix(path, "@") || !errors.Is(err, nspr.AddressInUseError) {
		return err
	}
	fi, serr := os.Lstat(path)
	switch {
	case serr != nil:
		return err
	case fi.Mode()&os.ModeSocket == 0:
		return hintError{err, fmt.Sprintf("nspr: listen: %s exists and is not a socket; choose another path", path)}
	}
	return hintError{err, fmt.Sprintf("nspr: listen: the socket file %s exists; if no listener uses it, remove it (rm %s) and try again", path, path)}
}

// peerName prints an accepted peer's address; a Unix-domain client usually
// has none.
func peerName(a nspr.NetworkAddress) string {
	if s := a.String(); s != "" {
		return s
	}
	return "an unnamed socket"
}

// echoConnections accepts connections on l until it is closed and echoes
// each on a goroutine of its own.
func echoConnections(ctx context.Context, l *nspr.Socket, std stdio) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, peer, err := l.AcceptContext(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(std.err, "connection from %s\n", peerName(peer))
		closeConn := closeOnCancel(ctx, c)
		wg.Go(func() {
			defer closeConn()
			if err := recvAll(c, c); err != nil && ctx.Err() == nil {
				fmt.Fprintf(std.err, "nspr: listen: %s: %v\n", peerName(peer), err)
			}
		})
	}
}

// echoDatagrams sends every datagram back to its sender until s is closed.
func echoDatagrams(s *nspr.Socket) error {
	buf := make([]byte, 64<<10)
	for {
		n, from, err := s.RecvFrom(buf, nspr.IntervalNoTimeout)
		if err != nil {
			return err
		}
		if _, err := s.SendTo(buf[:n], from, nspr.IntervalNoTimeout); err != nil {
			return err
		}
	}
}

// relayFirstPeer waits for a first datagram, connects s to its sender and
// relays datagrams with it.
func relayFirstPeer(ctx context.Context, s *nspr.Socket, std stdio) error {
	buf := make([]byte, 64<<10)
	n, from, err := s.RecvFrom(buf, nspr.IntervalNoTimeout)
	if err != nil {
		return err
	}
	fmt.Fprintf(std.err, "datagrams from %v\n", from)
	if _, err := std.out.Write(buf[:n]); err != nil {
		return err
	}
	if err := s.Connect(from, nspr.IntervalNoTimeout); err != nil {
		return err
	}
	return relayDatagrams(ctx, s, std, -1)
}
