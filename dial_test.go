//go:build linux || darwin || freebsd

package nspr

import (
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/nettest"
)

// TestDialListenNetworks listens and dials on every network name net
// knows, and moves bytes both ways over each.
func TestDialListenNetworks(t *testing.T) {
	tests := []struct {
		network, listenAddr string
		family              Family
	}{
		{"tcp", "127.0.0.1:0", AFInet},
		{"tcp", ":0", AFInet6}, // dual-stack wildcard
		{"tcp4", ":0", AFInet},
		{"tcp6", "[::1]:0", AFInet6},
		{"tcp", "localhost:0", AFInet},
		{"unix", "", AFLocal},
		{"udp", "127.0.0.1:0", AFInet},
		{"udp4", ":0", AFInet},
		{"udp6", "[::1]:0", AFInet6},
		{"unixgram", "", AFLocal},
	}
	for _, tt := range tests {
		t.Run(tt.network+"/"+tt.listenAddr, func(t *testing.T) {
			skipWithoutIPv6(t, tt.family)
			laddr := tt.listenAddr
			if tt.family == AFLocal {
				laddr = filepath.Join(t.TempDir(), "s")
			}
			if strings.HasPrefix(tt.network, "udp") || tt.network == "unixgram" {
				testDialPacket(t, tt.network, laddr)
				return
			}
			l, err := Listen(tt.network, laddr)
			if err != nil {
				t.Fatalf("Listen(%q, %q): %v", tt.network, laddr, err)
			}
			defer l.Close()
			if got := l.Socket().Family(); got != tt.family {
				t.Errorf("listener family %v, want %v", got, tt.family)
			}
			target := l.Addr().String()
			if tt.family != AFLocal {
				_, port, _ := net.SplitHostPort(target)
				target = "localhost:" + port // every wildcard listener has a loopback address
				if tt.network == "tcp6" {
					target = "[::1]:" + port
				}
			}
			c, err := Dial(tt.network, target)
			if err != nil {
				t.Fatalf("Dial(%q, %q): %v", tt.network, target, err)
			}
			defer c.Close()
			srv, err := l.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			exchangeToEOF(t, c, srv)
		})
	}
}

// testDialPacket binds with ListenPacket and sends to it with a dialled
// (connected) datagram socket.
func testDialPacket(t *testing.T, network, laddr string) {
	pc, err := ListenPacket(network, laddr)
	if err != nil {
		t.Fatalf("ListenPacket(%q, %q): %v", network, laddr, err)
	}
	defer pc.Close()
	c, err := Dial(network, pc.LocalAddr().String())
	if err != nil {
		t.Fatalf("Dial(%q, %q): %v", network, pc.LocalAddr(), err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	pc.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 16)
	n, from, err := pc.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "ping" {
		t.Fatalf("ReadFrom = %q, %v", buf[:n], err)
	}
	if network == "unixgram" {
		return // an unbound Unix datagram socket has no address to answer
	}
	if _, err := pc.WriteTo([]byte("pong"), from); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err = c.Read(buf); err != nil || string(buf[:n]) != "pong" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
}

// exchangeToEOF sends a line each way over a stream and checks that
// closing one end is io.EOF at the other.
func exchangeToEOF(t *testing.T, a, b net.Conn) {
	t.Helper()
	a.SetDeadline(time.Now().Add(5 * time.Second))
	b.SetDeadline(time.Now().Add(5 * time.Second))
	exchange(t, "dialled to accepted", a, b, "hello\n")
	exchange(t, "accepted to dialled", b, a, "hello\n")
	a.Close()
	if n, err := b.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("after the peer closed: %d, %v; want 0, io.EOF", n, err)
	}
}

// TestDialBadInput: what net rejects is PR_INVALID_ARGUMENT_ERROR, never
// a panic.
func TestDialBadInput(t *testing.T) {
	tests := []struct {
		network, address string
	}{
		{"", "127.0.0.1:80"},
		{"tcp5", "127.0.0.1:80"},
		{"TCP", "127.0.0.1:80"},
		{"ip", "127.0.0.1"},
		{"unixpacket", "/tmp/x"},
		{"tcp", "127.0.0.1"},
		{"tcp", ""},
		{"tcp", "[::1"},
		{"tcp", "127.0.0.1:http"},
		{"tcp", "127.0.0.1:65536"},
		{"tcp", "127.0.0.1:-1"},
		{"tcp", "127.0.0.1:1:2"},
		{"tcp4", "[::1]:80"},
		{"tcp6", "127.0.0.1:80"},
		{"udp4", "[::1]:80"},
		{"unix", ""},
		{"unixgram", "a\x00b"},
	}
	for _, tt := range tests {
		c, err := Dial(tt.network, tt.address)
		if c != nil {
			c.Close()
		}
		wantCode(t, "Dial("+strconv.Quote(tt.network)+", "+strconv.Quote(tt.address)+")", err, InvalidArgumentError)
		l, err := Listen(tt.network, tt.address)
		if l != nil {
			l.Close()
		}
		wantCode(t, "Listen("+strconv.Quote(tt.network)+", "+strconv.Quote(tt.address)+")", err, InvalidArgumentError)
		p, err := ListenPacket(tt.network, tt.address)
		if p != nil {
			p.Close()
		}
		wantCode(t, "ListenPacket("+strconv.Quote(tt.network)+", "+strconv.Quote(tt.address)+")", err, InvalidArgumentError)
	}
	// The wrong kind of network for the call.
	_, err := Listen("udp", "127.0.0.1:0")
	wantCode(t, "Listen(udp)", err, InvalidArgumentError)
	_, err = ListenPacket("tcp", "127.0.0.1:0")
	wantCode(t, "ListenPacket(tcp)", err, InvalidArgumentError)
	var d Dialer
	_, err = d.DialContext(nil, "tcp", "127.0.0.1:1") //lint:ignore SA1012 a nil context is the bad input
	wantCode(t, "DialContext(nil)", err, InvalidArgumentError)
	var lc ListenConfig
	_, err = lc.Listen(nil, "tcp", "127.0.0.1:0") //lint:ignore SA1012 a nil context is the bad input
	wantCode(t, "Listen(nil)", err, InvalidArgumentError)
}

// TestDialTriesAddressesInOrder: ":port" stands for ::1 then 127.0.0.1, so
// a server on 127.0.0.1 only is reached after ::1 refuses; with nothing
// there, the error is the last address's.
func TestDialTriesAddressesInOrder(t *testing.T) {
	l, err := Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	c, err := Dial("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		l.Close()
		t.Fatalf("Dial(tcp, :%d): %v", port, err)
	}
	if got := c.RemoteAddr().String(); got != "127.0.0.1:"+strconv.Itoa(port) {
		t.Errorf("connected to %s, want 127.0.0.1", got)
	}
	c.Close()
	l.Close() // now nothing listens on the port

	_, err = Dial("tcp", ":"+strconv.Itoa(port))
	wantCode(t, "Dial to a closed port", err, ConnectRefusedError)
	var e *Error
	if errors.As(err, &e) && e.Remote.String() != "127.0.0.1:"+strconv.Itoa(port) {
		t.Errorf("error names %v, want the last address tried, 127.0.0.1:%d", e.Remote, port)
	}
}

// TestDialContextEnds: a cancelled context ends the dial before it
// connects, and DialTimeout bounds the name's resolution too.
func TestDialContextEnds(t *testing.T) {
	l, err := Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = DialContext(ctx, "tcp", l.Addr().String())
	if !errors.Is(err, context.Canceled) || ErrorCodeOf(err) != PendingInterruptError {
		t.Errorf("cancelled DialContext: %v", err)
	}
	c, err := DialTimeout("tcp", l.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatalf("DialTimeout: %v", err)
	}
	c.Close()
}

// TestListenSetsReuseAddr checks SO_REUSEADDR and IPV6_V6ONLY with
// getsockopt, as net sets them.
func TestListenSetsReuseAddr(t *testing.T) {
	tests := []struct {
		network, address string
		family           Family
		reuse, v6only    bool
	}{
		{"tcp", "127.0.0.1:0", AFInet, true, false},
		{"tcp", ":0", AFInet6, true, false},
		{"tcp6", ":0", AFInet6, true, true},
		{"udp", "127.0.0.1:0", AFInet, false, false},
		{"udp6", "[::1]:0", AFInet6, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.network+"/"+tt.address, func(t *testing.T) {
			skipWithoutIPv6(t, tt.family)
			var s *Socket
			if strings.HasPrefix(tt.network, "udp") {
				p, err := ListenPacket(tt.network, tt.address)
				if err != nil {
					t.Fatal(err)
				}
				s = p.Socket()
			} else {
				l, err := Listen(tt.network, tt.address)
				if err != nil {
					t.Fatal(err)
				}
				s = l.Socket()
			}
			defer s.Close()
			if on, err := s.ReuseAddr(); err != nil || on != tt.reuse {
				t.Errorf("SO_REUSEADDR = %v, %v; want %v", on, err, tt.reuse)
			}
			if tt.family == AFInet6 {
				if on, err := s.IPv6Only(); err != nil || on != tt.v6only {
					t.Errorf("IPV6_V6ONLY = %v, %v; want %v", on, err, tt.v6only)
				}
			}
		})
	}
}

// connOptions reads the options the views' defaults set.
type connOptions struct {
	noDelay, keepAlive bool
	idle, interval     Interval
}

func readConnOptions(t *testing.T, s *Socket) connOptions {
	t.Helper()
	var o connOptions
	var err error
	if o.noDelay, err = s.NoDelay(); err != nil {
		t.Fatal(err)
	}
	if o.keepAlive, err = s.KeepAlive(); err != nil {
		t.Fatal(err)
	}
	if o.idle, err = s.KeepAliveIdle(); err != nil {
		t.Fatal(err)
	}
	if o.interval, err = s.KeepAliveInterval(); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestViewDefaults checks with getsockopt that the Go side (Dial, the
// Listener view) turns on TCP_NODELAY and 15 s keep-alive as net does,
// that Dialer and ListenConfig turn them off, and that the NSPR side
// (Connect, Accept) keeps NSPR's defaults.
func TestViewDefaults(t *testing.T) {
	netDefaults := connOptions{noDelay: true, keepAlive: true, idle: SecondsToInterval(15), interval: SecondsToInterval(15)}
	plain, err := NewSocket(AFInet, DescSocketTCP)
	if err != nil {
		t.Fatal(err)
	}
	kernel := readConnOptions(t, plain) // what the kernel gives a new socket
	plain.Close()
	if kernel.noDelay || kernel.keepAlive {
		t.Fatalf("a new socket has TCP_NODELAY %v, SO_KEEPALIVE %v; want both off", kernel.noDelay, kernel.keepAlive)
	}
	off := connOptions{idle: kernel.idle, interval: kernel.interval}
	tests := []struct {
		name              string
		dialer            Dialer
		lc                ListenConfig
		dialled, accepted connOptions
		nsprDial, nsprAcc bool // connect or accept with the NSPR calls
	}{
		{name: "net defaults", dialled: netDefaults, accepted: netDefaults},
		{name: "period", dialer: Dialer{KeepAlive: 30 * time.Second}, lc: ListenConfig{KeepAlive: 1500 * time.Millisecond},
			dialled:  connOptions{noDelay: true, keepAlive: true, idle: SecondsToInterval(30), interval: SecondsToInterval(30)},
			accepted: connOptions{noDelay: true, keepAlive: true, idle: SecondsToInterval(2), interval: SecondsToInterval(2)}},
		{name: "turned off", dialer: Dialer{KeepAlive: -1, Nagle: true}, lc: ListenConfig{KeepAlive: -1, Nagle: true},
			dialled: off, accepted: off},
		{name: "NSPR calls", nsprDial: true, nsprAcc: true, dialled: off, accepted: off},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := tt.lc.Listen(context.Background(), "tcp4", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			var client *Socket
			if tt.nsprDial {
				client = newTestSocket(t, AFInet, DescSocketTCP)
				addr, _ := ParseNetworkAddress(l.Addr().String())
				if err := client.Connect(addr, SecondsToInterval(5)); err != nil {
					t.Fatal(err)
				}
			} else {
				c, err := tt.dialer.Dial("tcp", l.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				client = c.Socket()
			}
			var server *Socket
			if tt.nsprAcc {
				s, _, err := l.Socket().Accept(SecondsToInterval(5))
				if err != nil {
					t.Fatal(err)
				}
				server = s
			} else {
				c, err := l.Accept()
				if err != nil {
					t.Fatal(err)
				}
				server = c.(*Conn).Socket()
			}
			defer server.Close()
			if got := readConnOptions(t, client); got != tt.dialled {
				t.Errorf("dialled: %+v, want %+v", got, tt.dialled)
			}
			if got := readConnOptions(t, server); got != tt.accepted {
				t.Errorf("accepted: %+v, want %+v", got, tt.accepted)
			}
		})
	}
}

// TestDialListenContract runs golang.org/x/net/nettest's net.Conn
// conformance tests over connections made the way net makes them: Dial to
// what Listen announced.
func TestDialListenContract(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			nettest.TestConn(t, func() (net.Conn, net.Conn, func(), error) {
				addr := "127.0.0.1:0"
				if network == "unix" {
					addr = filepath.Join(t.TempDir(), "s")
				}
				l, err := Listen(network, addr)
				if err != nil {
					return nil, nil, nil, err
				}
				defer l.Close()
				c, err := Dial(network, l.Addr().String())
				if err != nil {
					return nil, nil, nil, err
				}
				srv, err := l.Accept()
				if err != nil {
					c.Close()
					return nil, nil, nil, err
				}
				return c, srv, func() { c.Close(); srv.Close() }, nil
			})
		})
	}
}
