//go:build linux || darwin || freebsd

package nspr_test

// Code written the way a net user writes it: each test here would compile
// and behave the same with the standard library's names in place of
// nspr's, or checks that an nspr value slots into such code unchanged.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nspr-go/nspr"
	"golang.org/x/sys/unix"
)

// stack is the three calls of a network stack, typed as net's, so one
// scenario runs over net and over nspr.
type stack struct {
	name         string
	listen       func(network, address string) (net.Listener, error)
	dial         func(network, address string) (net.Conn, error)
	listenPacket func(network, address string) (net.PacketConn, error)
}

// stacks are net itself and nspr, each written the way a net user writes
// the calls: the only change is the package name.
var stacks = []stack{
	{"net", net.Listen, net.Dial, net.ListenPacket},
	{"nspr",
		func(network, address string) (net.Listener, error) {
			var l net.Listener
			l, err := nspr.Listen(network, address)
			if err != nil {
				return nil, err
			}
			return l, nil
		},
		func(network, address string) (net.Conn, error) {
			c, err := nspr.Dial(network, address)
			if err != nil {
				return nil, err
			}
			return c, nil
		},
		func(network, address string) (net.PacketConn, error) {
			c, err := nspr.ListenPacket(network, address)
			if err != nil {
				return nil, err
			}
			return c, nil
		},
	},
}

// habits are scenarios a net user writes; each returns what it observed,
// which must be the same over both stacks.
var habits = []struct {
	name string
	run  func(t *testing.T, st stack) []any
}{
	{"echo a line with bufio, then io.EOF", func(t *testing.T, st stack) []any {
		_, c, srv := connPair(t, st)
		w := bufio.NewWriter(c)
		w.WriteString("hello\n")
		w.Flush()
		line, err := bufio.NewReader(srv).ReadString('\n')
		c.Close()
		n, eof := srv.Read(make([]byte, 1))
		return []any{line, err, n, eof}
	}},
	{"a read deadline is a net.Error timeout", func(t *testing.T, st stack) []any {
		_, c, _ := connPair(t, st)
		c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		_, err := c.Read(make([]byte, 1))
		var ne net.Error
		return []any{errors.As(err, &ne) && ne.Timeout(), errors.Is(err, os.ErrDeadlineExceeded)}
	}},
	{"a call after Close is net.ErrClosed", func(t *testing.T, st stack) []any {
		_, c, _ := connPair(t, st)
		c.Close()
		_, rerr := c.Read(make([]byte, 1))
		_, werr := c.Write([]byte("x"))
		return []any{errors.Is(rerr, net.ErrClosed), errors.Is(werr, net.ErrClosed)}
	}},
	{"CloseWrite through an interface assertion", func(t *testing.T, st stack) []any {
		_, c, srv := connPair(t, st)
		cw, ok := c.(interface{ CloseWrite() error })
		if !ok {
			return []any{false}
		}
		cw.CloseWrite()
		got, err := io.ReadAll(srv)
		srv.Write([]byte("after"))
		back := make([]byte, 5)
		_, rerr := io.ReadFull(c, back)
		return []any{true, len(got), err, string(back), rerr}
	}},
	{"Addr is a *net.TCPAddr on loopback", func(t *testing.T, st stack) []any {
		l, c, srv := connPair(t, st)
		la, ok := l.Addr().(*net.TCPAddr)
		ra, ok2 := c.RemoteAddr().(*net.TCPAddr)
		return []any{ok, ok2, la.IP.IsLoopback(), la.Port == ra.Port, srv.LocalAddr().String() == c.RemoteAddr().String()}
	}},
	{"an Accept deadline through an interface assertion", func(t *testing.T, st stack) []any {
		l, _, _ := connPair(t, st)
		dl, ok := l.(interface{ SetDeadline(time.Time) error })
		if !ok {
			return []any{false}
		}
		dl.SetDeadline(time.Now().Add(10 * time.Millisecond))
		_, err := l.Accept()
		var ne net.Error
		return []any{true, errors.As(err, &ne) && ne.Timeout()}
	}},
	{"a refused dial wraps ECONNREFUSED", func(t *testing.T, st stack) []any {
		l, err := st.listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		_, err = st.dial("tcp", addr)
		return []any{err != nil, errors.Is(err, syscall.ECONNREFUSED)}
	}},
	{"TCP_NODELAY and SO_KEEPALIVE on both ends", func(t *testing.T, st stack) []any {
		_, c, srv := connPair(t, st)
		return []any{sockopt(t, c, unix.IPPROTO_TCP, unix.TCP_NODELAY), sockopt(t, c, unix.SOL_SOCKET, unix.SO_KEEPALIVE),
			sockopt(t, srv, unix.IPPROTO_TCP, unix.TCP_NODELAY), sockopt(t, srv, unix.SOL_SOCKET, unix.SO_KEEPALIVE)}
	}},
	{"UDP with *net.UDPAddr", func(t *testing.T, st stack) []any {
		a, err := st.listenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b, err := st.listenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		b.SetDeadline(time.Now().Add(5 * time.Second))
		to := a.LocalAddr().(*net.UDPAddr)
		_, werr := b.WriteTo([]byte("dgram"), to)
		a.SetDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 16)
		n, from, rerr := a.ReadFrom(buf)
		fromUDP, ok := from.(*net.UDPAddr)
		return []any{werr, string(buf[:n]), rerr, ok, ok && fromUDP.Port == b.LocalAddr().(*net.UDPAddr).Port}
	}},
}

// TestNetHabits runs every habit over net and over nspr and compares what
// they observed.
func TestNetHabits(t *testing.T) {
	for _, h := range habits {
		t.Run(h.name, func(t *testing.T) {
			var results [][]any
			for _, st := range stacks {
				t.Run(st.name, func(t *testing.T) { results = append(results, h.run(t, st)) })
			}
			if len(results) != 2 {
				return
			}
			if got, want := observed(results[1]), observed(results[0]); got != want {
				t.Errorf("nspr observed %s; net %s", got, want)
			}
		})
	}
}

// observed prints what a habit observed, with each error reduced to
// whether there was one and io.EOF kept, since net's and nspr's messages
// differ.
func observed(vs []any) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		err, isErr := v.(error)
		switch {
		case v == nil:
			out[i] = "no error"
		case err == io.EOF:
			out[i] = "io.EOF"
		case isErr:
			out[i] = "error"
		default:
			out[i] = fmt.Sprintf("%#v", v)
		}
	}
	return strings.Join(out, ", ")
}

// connPair listens on loopback with st, dials it and accepts; everything
// is closed at the end of the test.
func connPair(t *testing.T, st stack) (net.Listener, net.Conn, net.Conn) {
	t.Helper()
	l, err := st.listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	c, err := st.dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	srv, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	for _, x := range []net.Conn{c, srv} {
		x.SetDeadline(time.Now().Add(5 * time.Second))
	}
	return l, c, srv
}

// sockopt reads an int option through SyscallConn, as a net user does.
func sockopt(t *testing.T, c net.Conn, level, name int) int {
	t.Helper()
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var serr error
	if err := rc.Control(func(fd uintptr) { v, serr = unix.GetsockoptInt(int(fd), level, name) }); err != nil || serr != nil {
		t.Fatal(err, serr)
	}
	return min(v, 1)
}

// TestSetSocketOptionTakesGoTypes sets options with Go's plain bool, int
// and time.Duration, as a net user would, and reads back the typed value;
// a Go value of a type the option does not take (want nil) is
// PR_INVALID_ARGUMENT_ERROR, not a silent conversion.
func TestSetSocketOptionTakesGoTypes(t *testing.T) {
	tests := []struct {
		name string
		opt  nspr.SockOpt
		set  any
		want nspr.OptionValue // nil: refused
	}{
		{"bool on", nspr.SockOptNoDelay, true, nspr.Bool(true)},
		{"bool off", nspr.SockOptNoDelay, false, nspr.Bool(false)},
		{"typed bool", nspr.SockOptReuseAddr, nspr.Bool(true), nspr.Bool(true)},
		{"deprecated name", nspr.SockOptKeepalive, true, nspr.Bool(true)},
		{"int size", nspr.SockOptKeepAliveCount, 7, nspr.Size(7)},
		{"int ttl", nspr.SockOptIPTimeToLive, 42, nspr.TTL(42)},
		{"int tos", nspr.SockOptIPTypeOfService, 0x10, nspr.TOS(0x10)},
		{"duration", nspr.SockOptKeepAliveIdle, 30 * time.Second, nspr.SecondsToInterval(30)},
		{"nonblocking", nspr.SockOptNonblocking, true, nspr.Bool(true)},
		{"int for a bool", nspr.SockOptNoDelay, 1, nil},
		{"bool for a size", nspr.SockOptRecvBufferSize, true, nil},
		{"duration for a size", nspr.SockOptRecvBufferSize, time.Second, nil},
		{"int for an interval", nspr.SockOptKeepAliveIdle, 30, nil},
		{"duration for a linger", nspr.SockOptLinger, time.Second, nil},
		{"string", nspr.SockOptNoDelay, "yes", nil},
		{"nil", nspr.SockOptNoDelay, nil, nil},
		{"int64 for a size", nspr.SockOptRecvBufferSize, int64(1), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := nspr.NewSocket(nspr.AFInet, nspr.DescSocketTCP)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			err = s.SetSocketOption(tt.opt, tt.set)
			if tt.want == nil {
				if nspr.ErrorCodeOf(err) != nspr.InvalidArgumentError {
					t.Errorf("SetSocketOption(%v, %#v) = %v, want PR_INVALID_ARGUMENT_ERROR", tt.opt, tt.set, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("SetSocketOption(%v, %#v): %v", tt.opt, tt.set, err)
			}
			got, err := s.GetSocketOption(tt.opt)
			if err != nil || got != tt.want {
				t.Errorf("GetSocketOption(%v) = %#v, %v; want %#v", tt.opt, got, err, tt.want)
			}
		})
	}
}

// TestPortIsUint16 builds an address from another's port without a
// conversion, as with netip.AddrPortFrom(a.Addr(), a.Port()).
func TestPortIsUint16(t *testing.T) {
	a, err := nspr.NewNetworkAddress("127.0.0.1", 8080, nspr.AFInet)
	if err != nil {
		t.Fatal(err)
	}
	b, err := nspr.NewNetworkAddress("::1", a.Port(), nspr.AFInet6)
	if err != nil {
		t.Fatal(err)
	}
	var p uint16 = b.Port() // the same type as netip.AddrPort.Port
	if p != 8080 || b.AddrPort().Port() != p {
		t.Errorf("port %d, AddrPort port %d, want 8080", p, b.AddrPort().Port())
	}
}
