//go:build linux || darwin || freebsd

package nspr

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/nettest"
	"golang.org/x/sys/unix"
)

// Test helpers shared by several test files, as net's mockserver_test.go.

// connectedPair returns a client and the server side of one connection.
func connectedPair(t testing.TB, family Family) (client, server *Socket) {
	t.Helper()
	l, addr := listen(t, family)
	client = newTestSocket(t, family, DescSocketTCP)
	if err := client.Connect(addr, SecondsToInterval(5)); err != nil {
		t.Fatalf("connect %v: %v", addr, err)
	}
	server, _, err := l.Accept(SecondsToInterval(5))
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	t.Cleanup(func() { server.Close() })
	return client, server
}

// listen returns a listening TCP (or Unix stream) socket and its address.
func listen(t testing.TB, family Family) (*Socket, NetworkAddress) {
	t.Helper()
	skipWithoutIPv6(t, family)
	l := newTestSocket(t, family, DescSocketTCP)
	if err := l.Bind(testAddr(t, family)); err != nil {
		t.Fatalf("bind: %v", err)
	}
	if err := l.Listen(16); err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr, err := l.SockName()
	if err != nil {
		t.Fatalf("sockname: %v", err)
	}
	return l, addr
}

// loopback returns the loopback address of family with port.
func loopback(family Family, port uint16) NetworkAddress {
	ip := netip.MustParseAddr("127.0.0.1")
	if family == AFInet6 {
		ip = netip.IPv6Loopback()
	}
	return NewNetworkAddressFromAddrPort(netip.AddrPortFrom(ip, port))
}

// testAddr returns an address to bind for family: loopback port 0, or a
// fresh path for Unix sockets.
func testAddr(t testing.TB, family Family) NetworkAddress {
	if family == AFLocal {
		a, err := NewUnixAddress(filepath.Join(t.TempDir(), "s"))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	return loopback(family, 0)
}

// udpPair returns two datagram sockets of family bound to loopback (or to
// fresh paths for AFLocal), each with its address.
func udpPair(t testing.TB, family Family) (a *Socket, aAddr NetworkAddress, b *Socket, bAddr NetworkAddress) {
	t.Helper()
	skipWithoutIPv6(t, family)
	a = newTestSocket(t, family, DescSocketUDP)
	b = newTestSocket(t, family, DescSocketUDP)
	for _, s := range []*Socket{a, b} {
		if err := s.Bind(testAddr(t, family)); err != nil {
			t.Fatalf("bind: %v", err)
		}
	}
	aAddr, _ = a.SockName()
	bAddr, _ = b.SockName()
	return a, aAddr, b, bAddr
}

// newTestSocket opens a socket closed at the end of the test.
func newTestSocket(t testing.TB, family Family, typ DescType) *Socket {
	t.Helper()
	s, err := NewSocket(family, typ)
	if err != nil {
		t.Fatalf("NewSocket(%v, %v): %v", family, typ, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// skipWithoutIPv6 skips tests of IPv6 where the host has no ::1.
func skipWithoutIPv6(t testing.TB, family Family) {
	t.Helper()
	if family != AFInet6 {
		return
	}
	fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_STREAM, 0)
	if err == nil {
		defer unix.Close(fd)
		err = unix.Bind(fd, &unix.SockaddrInet6{Addr: [16]byte{15: 1}})
	}
	if err != nil {
		t.Skipf("no IPv6 loopback on this host: %v", err)
	}
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, what string, err error, code ErrorCode) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("%s: got %v, want *nspr.Error with %v", what, err, code)
		return
	}
	if e.Code != code {
		t.Errorf("%s: got %v, want %v", what, e, code)
	}
}

// within checks that a call timed out, no earlier than want and not much later.
func within(t *testing.T, what string, start time.Time, want time.Duration, err error) {
	t.Helper()
	elapsed := time.Since(start)
	wantCode(t, what, err, IOTimeoutError)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("%s: %v does not match os.ErrDeadlineExceeded", what, err)
	}
	if elapsed < want {
		t.Errorf("%s returned after %v, before its timeout %v", what, elapsed, want)
	}
	if elapsed > want+time.Second {
		t.Errorf("%s returned after %v, long after its timeout %v", what, elapsed, want)
	}
}

// udpSocket returns a bound UDP socket; with ready, one datagram to itself
// is queued on it.
func udpSocket(t testing.TB, ready bool) *Socket {
	t.Helper()
	u := newTestSocket(t, AFInet, DescSocketUDP)
	if err := u.Bind(loopback(AFInet, 0)); err != nil {
		t.Fatal(err)
	}
	if ready {
		self, err := u.SockName()
		if err == nil {
			_, err = u.SendTo([]byte("x"), self, IntervalNoTimeout)
		}
		if err != nil {
			t.Fatal(err)
		}
		waitReadable(t, u)
	}
	return u
}

// waitReadable waits (bounded) until the kernel reports s readable, so that
// a test does not race loopback delivery.
func waitReadable(t testing.TB, s *Socket) {
	t.Helper()
	fd, _ := s.Fileno()
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	if n, err := unix.Poll(fds, 5000); n != 1 || err != nil {
		t.Fatalf("socket not readable after 5s: %d, %v", n, err)
	}
}

// settlePoll gives loopback a moment to deliver a FIN or RST.
func settlePoll(t testing.TB, s *Socket, events int16) {
	t.Helper()
	fd, _ := s.Fileno()
	unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: events}}, 2000)
	time.Sleep(20 * time.Millisecond)
}

// pollDescsOf builds n idle UDP sockets plus, with ready, one readable one
// at the end.
func pollDescsOf(t testing.TB, n int, ready bool) []PollDesc {
	descs := make([]PollDesc, n)
	for i := range descs {
		descs[i] = PollDesc{Socket: udpSocket(t, false), InFlags: PollRead}
	}
	if ready {
		descs = append(descs, PollDesc{Socket: udpSocket(t, true), InFlags: PollRead})
	}
	return descs
}

func newTestPoller(t testing.TB) *Poller {
	t.Helper()
	p, err := NewPoller()
	if err != nil {
		t.Fatalf("NewPoller: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// setsHolding returns the number of poll sets in s's descriptor owner's
// list that hold it.
func setsHolding(s *Socket) int {
	var sets []pollHolder
	s.own.mu.Lock()
	if m := s.own.member.Load(); m != nil {
		sets = m.sets
	}
	s.own.mu.Unlock()
	n := 0
	for _, h := range sets {
		if h.(interface{ holds(*sockFD) bool }).holds(&s.own) {
			n++
		}
	}
	return n
}

// nsprUDPPair returns two bound loopback UDP sockets and their addresses.
func nsprUDPPair(tb testing.TB) (a, b *Socket, aAddr, bAddr NetworkAddress) {
	tb.Helper()
	a, aAddr = boundUDP(tb)
	b, bAddr = boundUDP(tb)
	return a, b, aAddr, bAddr
}

// boundUDP returns a UDP socket bound to a loopback port, and its address.
func boundUDP(tb testing.TB) (*Socket, NetworkAddress) {
	tb.Helper()
	s := newTestSocket(tb, AFInet, DescSocketUDP)
	if err := s.Bind(loopback(AFInet, 0)); err != nil {
		tb.Fatalf("bind: %v", err)
	}
	addr, err := s.SockName()
	if err != nil {
		tb.Fatal(err)
	}
	return s, addr
}

// nsprPipe makes a connection with nspr sockets at both ends: a listener's
// view accepts what a client connects.
func nsprPipe(t *testing.T, family Family) nettest.MakePipe {
	return func() (net.Conn, net.Conn, func(), error) {
		l, addr := listen(t, family)
		c, err := NewSocket(family, DescSocketTCP)
		if err != nil {
			return nil, nil, nil, err
		}
		if err := c.ConnectContext(context.Background(), addr); err != nil {
			c.Close()
			return nil, nil, nil, err
		}
		srv, err := l.Listener().Accept()
		if err != nil {
			c.Close()
			return nil, nil, nil, err
		}
		return c.Conn(), srv, func() { c.Close(); srv.Close(); l.Close() }, nil
	}
}

// hook swaps *v for f until the end of the test.
func hook[F any](t *testing.T, v *F, f F) {
	t.Helper()
	old := *v
	*v = f
	t.Cleanup(func() { *v = old })
}

// holds says whether the set has an entry for o.
func (p *pollSet[U]) holds(o *sockFD) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.done && p.lookup(o) != nil
}

// randomBytes returns n bytes of a fixed pseudo-random sequence.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	p := make([]byte, n+8)
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(p[i:], r.Uint64())
	}
	return p[:n:n]
}

// testFile writes data to a new file and returns it open for reading.
func testFile(t testing.TB, data []byte) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// drain reads r to its end in a goroutine; the channel yields what it read.
func drain(r io.Reader) <-chan []byte {
	ch := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(r)
		ch <- b
	}()
	return ch
}

// received waits for drain's result, bounded in time.
func received(t testing.TB, ch <-chan []byte) []byte {
	t.Helper()
	select {
	case b := <-ch:
		return b
	case <-time.After(60 * time.Second):
		t.Fatal("the receiver did not finish within 60s")
		return nil
	}
}

// countSendfile counts the calls through sysSendfile until the end of the
// test.
func countSendfile(t *testing.T) *int {
	n, raw := new(int), sysSendfile
	hook(t, &sysSendfile, func(out, in int, off *int64, count int) (int, syscall.Errno) {
		*n++
		return raw(out, in, off, count)
	})
	return n
}

// onlyReader hides every method of a reader but Read.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// closeWrite ends the stream end writes: Shutdown(ShutdownSend) on a
// Socket, CloseWrite on a net or nspr connection.
func closeWrite(end any) error {
	switch c := end.(type) {
	case *Socket:
		return c.Shutdown(ShutdownSend)
	case interface{ CloseWrite() error }:
		return c.CloseWrite()
	}
	return nil
}
