// Package nsprimpl is nspr's implementation of the benchmark workloads
// (package workload), over nspr sockets on loopback.
package nsprimpl

import (
	"io"
	"net/netip"

	"github.com/nspr-go/nspr"
	"github.com/nspr-go/nspr/internal/workload"
)

// Impl is nspr's implementation of workload.Impl. Every call waits without
// limit (IntervalNoTimeout), as the net side does.
type Impl struct{}

var _ workload.Impl = Impl{}

// Name returns "nspr".
func (Impl) Name() string { return "nspr" }

// loopback is 127.0.0.1 with an ephemeral port.
var loopback = nspr.NewNetworkAddressFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0"))

// bound returns a socket of typ bound to loopback, with its address.
func bound(typ nspr.DescType) (*nspr.Socket, nspr.NetworkAddress, error) {
	s, err := nspr.NewSocket(nspr.AFInet, typ)
	if err != nil {
		return nil, nspr.NetworkAddress{}, err
	}
	addr := loopback
	err = s.Bind(addr)
	if err == nil && typ == nspr.DescSocketTCP {
		err = s.Listen(128)
	}
	if err == nil {
		addr, err = s.SockName()
	}
	if err != nil {
		s.Close()
		return nil, nspr.NetworkAddress{}, err
	}
	return s, addr, nil
}

// connect returns a TCP socket connected to addr.
func connect(addr nspr.NetworkAddress) (*nspr.Socket, error) {
	c, err := nspr.NewSocket(nspr.AFInet, nspr.DescSocketTCP)
	if err != nil {
		return nil, err
	}
	if err := c.Connect(addr, nspr.IntervalNoTimeout); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// TCPPair returns both ends of a loopback TCP connection with Nagle off.
func (Impl) TCPPair() (client, server io.ReadWriteCloser, err error) {
	l, addr, err := bound(nspr.DescSocketTCP)
	if err != nil {
		return nil, nil, err
	}
	defer l.Close()
	c, err := connect(addr)
	if err != nil {
		return nil, nil, err
	}
	s, _, err := l.Accept(nspr.IntervalNoTimeout)
	if err == nil {
		err = c.SetNoDelay(true)
	}
	if err == nil {
		err = s.SetNoDelay(true)
	}
	if err != nil {
		c.Close()
		if s != nil {
			s.Close()
		}
		return nil, nil, err
	}
	return c, s, nil
}

// TCPListener returns a listener on a loopback port.
func (Impl) TCPListener() (workload.Listener, error) {
	l, addr, err := bound(nspr.DescSocketTCP)
	if err != nil {
		return nil, err
	}
	return listener{l, addr}, nil
}

type listener struct {
	*nspr.Socket
	addr nspr.NetworkAddress
}

func (l listener) ConnectAccept() error {
	c, err := connect(l.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	s, _, err := l.Accept(nspr.IntervalNoTimeout)
	if err != nil {
		return err
	}
	return s.Close()
}

// LineReader reads lines with ReadLineInto, which copies each from the
// socket's read-ahead into p. server is a socket of TCPPair.
func (Impl) LineReader(server io.Reader) func(p []byte) (int, error) {
	s := server.(*nspr.Socket)
	return func(p []byte) (int, error) { return s.ReadLineInto(p, nspr.IntervalNoTimeout) }
}

// UDPPair returns two bound loopback UDP sockets.
func (Impl) UDPPair() (workload.Datagrams, error) {
	tx, _, err := bound(nspr.DescSocketUDP)
	if err != nil {
		return nil, err
	}
	rx, to, err := bound(nspr.DescSocketUDP)
	if err != nil {
		tx.Close()
		return nil, err
	}
	return &datagrams{tx: tx, rx: rx, to: to}, nil
}

type datagrams struct {
	tx, rx *nspr.Socket
	to     nspr.NetworkAddress
}

func (d *datagrams) Burst(msg, buf []byte, k int) error {
	for range k {
		if _, err := d.tx.SendTo(msg, d.to, nspr.IntervalNoTimeout); err != nil {
			return err
		}
	}
	for range k {
		if _, _, err := d.rx.RecvFrom(buf, nspr.IntervalNoTimeout); err != nil {
			return err
		}
	}
	return nil
}

func (d *datagrams) Close() error { return workload.CloseAll(d.tx, d.rx) }

// IdleSockets returns n idle loopback UDP sockets and one that has sent
// itself a datagram, polled with PollInto.
func (Impl) IdleSockets(n int) (workload.IdleSet, error) {
	set, err := NewIdleSet(n)
	if err != nil {
		return nil, err
	}
	return set, nil
}

// IdleSet is the poll_idle workload's sockets: n idle loopback UDP sockets
// and, last, one that has sent itself a datagram, each asked for reading.
// Poll polls them with PollInto; the root package's benchmarks poll Descs
// in other ways too (rotated, with a Poller, from epoll).
type IdleSet struct {
	Descs []nspr.PollDesc
	out   []nspr.PollFlags
}

// NewIdleSet returns an IdleSet of n idle sockets and a readable one.
func NewIdleSet(n int) (*IdleSet, error) {
	set := &IdleSet{Descs: make([]nspr.PollDesc, 0, n+1), out: make([]nspr.PollFlags, n+1)}
	var self nspr.NetworkAddress
	for range n + 1 {
		s, addr, err := bound(nspr.DescSocketUDP)
		if err != nil {
			set.Close()
			return nil, err
		}
		set.Descs = append(set.Descs, nspr.PollDesc{Socket: s, InFlags: nspr.PollRead})
		self = addr
	}
	if _, err := set.Descs[n].Socket.SendTo([]byte("x"), self, nspr.IntervalNoTimeout); err != nil {
		set.Close()
		return nil, err
	}
	return set, nil
}

// Poll polls every socket for reading once with PollInto, and fails unless
// exactly the last one is reported readable.
func (s *IdleSet) Poll() error {
	got, err := nspr.PollInto(s.Descs, s.out, nspr.IntervalNoTimeout)
	if err != nil {
		return err
	}
	return workload.CheckLastReady(got, s.out[len(s.out)-1]&nspr.PollRead != 0)
}

// Close closes every socket.
func (s *IdleSet) Close() error {
	closers := make([]io.Closer, len(s.Descs))
	for i, d := range s.Descs {
		closers[i] = d.Socket
	}
	return workload.CloseAll(closers...)
}
