package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/nspr-go/nspr"
)

// transport is the --udp and --unix flags of listen and connect.
type transport struct{ udp, unix bool }

func (t *transport) declare(fs *flag.FlagSet) {
	fs.BoolVar(&t.udp, "udp", false, "use UDP datagrams instead of a TCP stream")
	fs.BoolVar(&t.unix, "unix", false, "ADDR is the path of a Unix-domain stream socket")
}

// target returns the socket type the flags ask for and the addresses the
// one argument, ADDR, stands for.
func (t transport) target(ctx context.Context, args []string, passive bool) (nspr.DescType, []nspr.NetworkAddress, error) {
	if len(args) != 1 {
		return 0, nil, usagef("want one ADDR, got %d arguments", len(args))
	}
	typ := nspr.DescSocketTCP
	switch {
	case t.udp && t.unix:
		return 0, nil, usagef("--udp and --unix do not go together: Unix-domain sockets are streams here")
	case t.udp:
		typ = nspr.DescSocketUDP
	}
	addrs, err := t.addresses(ctx, args[0], passive)
	return typ, addrs, err
}

// addresses returns what ADDR stands for, in the order to try: a Unix path
// with --unix; else host:port, [v6]:port or :port, where a host name is
// resolved with NewAddrInfo and an empty host is the wildcard address
// (passive) or loopback. IPv6 comes first where both are tried: an AFInet6
// socket is dual-stack.
func (t transport) addresses(ctx context.Context, addr string, passive bool) ([]nspr.NetworkAddress, error) {
	if t.unix {
		a, err := nspr.NewUnixAddress(addr)
		return []nspr.NetworkAddress{a}, err
	}
	if strings.ContainsRune(addr, '/') || strings.HasPrefix(addr, "@") {
		// No host:port has a slash; @name is an abstract Unix socket.
		return nil, usagef("address %q is a path: add --unix for a Unix-domain socket", addr)
	}
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, usagef("address %q: want host:port, [v6]:port or :port (or a path with --unix)", addr)
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return nil, usagef("address %q: the port is not a number from 0 to 65535", addr)
	}
	if host == "" {
		special := nspr.IPAddrLoopback
		if passive {
			special = nspr.IPAddrAny
		}
		var addrs []nspr.NetworkAddress
		for _, family := range []nspr.Family{nspr.AFInet6, nspr.AFInet} {
			a, err := nspr.NewNetworkAddressSpecial(special, uint16(port), family)
			if err != nil {
				return nil, err
			}
			addrs = append(addrs, a)
		}
		return addrs, nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return []nspr.NetworkAddress{nspr.NewNetworkAddressFromAddrPort(netip.AddrPortFrom(ip, uint16(port)))}, nil
	}
	ai, err := nspr.NewAddrInfoContext(ctx, host, nspr.AFUnspec, nspr.AIAddrConfig|nspr.AINoCanonName)
	if err != nil {
		return nil, err
	}
	var addrs []nspr.NetworkAddress
	for a := range ai.All() {
		if err := a.SetPort(int(port)); err != nil {
			return nil, err
		}
		addrs = append(addrs, a)
	}
	return addrs, nil
}

// openFirst opens a socket of typ for each address in turn and calls use on
// it until one succeeds, as the AddrInfo loop of python-nss's nss.io
// does. The socket returned is closed when ctx is cancelled, and by the
// close function returned otherwise. The error lists every address's, in
// the order tried, each naming its address.
func openFirst(ctx context.Context, addrs []nspr.NetworkAddress, typ nspr.DescType, use func(*nspr.Socket, nspr.NetworkAddress) error) (*nspr.Socket, func(), error) {
	if len(addrs) == 0 {
		return nil, nil, errors.New("no address to try")
	}
	var errs []error
	for _, a := range addrs {
		s, err := nspr.NewSocket(a.Family(), typ)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		closeSocket := closeOnCancel(ctx, s)
		if err = use(s, a); err == nil {
			return s, closeSocket, nil
		}
		errs = append(errs, err)
		closeSocket()
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
	}
	return nil, nil, errors.Join(errs...)
}

// closeOnCancel closes s when ctx is cancelled, which wakes every call
// blocked on it; the function returned closes it otherwise, once.
func closeOnCancel(ctx context.Context, s *nspr.Socket) func() {
	stop := context.AfterFunc(ctx, func() { s.Close() })
	return func() {
		if stop() {
			s.Close()
		}
	}
}

// relayBuffer is the size of each read from stdin or the socket.
const relayBuffer = 32 << 10

// sendAll sends what it reads from in, a read at a time, until in ends.
func sendAll(s *nspr.Socket, in io.Reader) error {
	buf := make([]byte, relayBuffer)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			if _, serr := s.Send(buf[:n], nspr.IntervalNoTimeout); serr != nil {
				return serr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// recvAll writes to out what s receives until the peer's stream ends (a
// stream socket) or an error occurs (datagrams, where an empty read is an
// empty datagram).
func recvAll(out io.Writer, s *nspr.Socket) error {
	stream := s.DescType() == nspr.DescSocketTCP
	buf := make([]byte, relayBuffer)
	for {
		n, err := s.Recv(buf, nspr.IntervalNoTimeout)
		if err != nil {
			return err
		}
		if n == 0 && stream {
			return nil
		}
		if _, err := out.Write(buf[:n]); err != nil {
			return err
		}
	}
}

// relayStream copies stdin to the connected stream socket s and s to stdout
// until both directions have ended: stdin at its end, after which the
// sending side of s is shut down so the peer reads the end of the stream,
// and the peer's stream at its end. No byte read is lost on the way.
func relayStream(ctx context.Context, s *nspr.Socket, std stdio) error {
	sent := make(chan error, 1)
	go func() {
		err := sendAll(s, std.in)
		if err == nil {
			err = s.Shutdown(nspr.ShutdownSend)
		}
		sent <- err
	}()
	recvd := make(chan error, 1)
	go func() { recvd <- recvAll(std.out, s) }()
	for sent != nil || recvd != nil {
		var err error
		select {
		case err = <-sent:
			sent = nil
		case err = <-recvd:
			recvd = nil
		case <-ctx.Done():
			return ctx.Err()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// relayDatagrams sends each read from stdin as a datagram to the connected
// UDP socket s's peer and writes each datagram received to stdout. Once
// stdin has ended it waits linger for more datagrams, or for ever when
// linger is negative.
func relayDatagrams(ctx context.Context, s *nspr.Socket, std stdio, linger time.Duration) error {
	sent := make(chan error, 1)
	go func() { sent <- sendAll(s, std.in) }()
	recvd := make(chan error, 1)
	go func() { recvd <- recvAll(std.out, s) }()
	var done <-chan time.Time
	for {
		select {
		case err := <-sent:
			if err != nil {
				return err
			}
			sent = nil
			if linger >= 0 {
				done = time.After(linger)
			}
		case err := <-recvd:
			return err
		case <-done:
			return nil // the caller's close ends the receiving goroutine
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
