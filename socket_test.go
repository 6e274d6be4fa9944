package nspr

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var streamFamilies = []Family{AFInet, AFInet6, AFLocal}

func TestSocketAccessors(t *testing.T) {
	s := newTestSocket(t, AFInet, DescSocketUDP)
	if s.Family() != AFInet || s.DescType() != DescSocketUDP {
		t.Errorf("Family, DescType = %v, %v", s.Family(), s.DescType())
	}
	fd, err := s.Fileno()
	if err != nil || fd < 0 {
		t.Fatalf("Fileno = %d, %v", fd, err)
	}
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	if err != nil || flags&unix.FD_CLOEXEC == 0 {
		t.Errorf("descriptor is not close-on-exec: %#x, %v", flags, err)
	}
	fl, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if fl&unix.O_NONBLOCK == 0 {
		t.Errorf("descriptor is not non-blocking at the OS level")
	}
	if err := s.Bind(loopback(AFInet, 0)); err != nil {
		t.Fatal(err)
	}
	name, _ := s.SockName()
	net, _ := s.NetAddr()
	if name != net || name.Port() == 0 {
		t.Errorf("SockName %v, NetAddr %v", name, net)
	}
	var nilSock *Socket
	if nilSock.Family() != AFUnspec || nilSock.DescType() != 0 {
		t.Errorf("nil socket accessors")
	}
}

func TestIPv6SocketIsDualStack(t *testing.T) {
	skipWithoutIPv6(t, AFInet6)
	l, addr := listen(t, AFInet)
	c := newTestSocket(t, AFInet6, DescSocketTCP)
	if err := c.Connect(addr, SecondsToInterval(5)); err != nil {
		t.Fatalf("IPv6 socket connecting to %v: %v", addr, err)
	}
	s, peer, err := l.Accept(SecondsToInterval(5))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if peer.Address() != "127.0.0.1" {
		t.Errorf("peer %v", peer)
	}
	fd, _ := c.Fileno()
	if v, err := unix.GetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY); err != nil || v != 0 {
		t.Errorf("IPV6_V6ONLY = %d, %v", v, err)
	}
}

// The codes are those the original reports on Linux, except where
// docs/compat.md says otherwise.
func TestSocketErrors(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T) error
		code ErrorCode
	}{
		{"unsupported family", func(t *testing.T) error { _, err := NewSocket(99, DescSocketTCP); return err }, AddressNotSupportedError},
		{"unspec family", func(t *testing.T) error { _, err := NewSocket(AFUnspec, DescSocketTCP); return err }, AddressNotSupportedError},
		{"unsupported type", func(t *testing.T) error { _, err := NewSocket(AFInet, DescFile); return err }, InvalidArgumentError},
		{"bind twice", func(t *testing.T) error {
			s := newTestSocket(t, AFInet, DescSocketTCP)
			if err := s.Bind(loopback(AFInet, 0)); err != nil {
				t.Fatal(err)
			}
			return s.Bind(loopback(AFInet, 0))
		}, SocketAddressIsBoundError},
		{"address in use", func(t *testing.T) error {
			_, addr := listen(t, AFInet)
			return newTestSocket(t, AFInet, DescSocketTCP).Bind(addr)
		}, AddressInUseError},
		{"address not local", func(t *testing.T) error {
			// Binding sends nothing; 192.0.2.1 (TEST-NET-1) is on no interface here.
			a := NewNetworkAddressFromAddrPort(netip.MustParseAddrPort("192.0.2.1:0"))
			return newTestSocket(t, AFInet, DescSocketTCP).Bind(a)
		}, AddressNotAvailableError},
		{"bind wrong family", func(t *testing.T) error {
			return newTestSocket(t, AFInet, DescSocketTCP).Bind(loopback(AFInet6, 0))
		}, AddressNotSupportedError},
		{"connect wrong family", func(t *testing.T) error {
			return newTestSocket(t, AFInet, DescSocketTCP).Connect(loopback(AFInet6, 1), SecondsToInterval(1))
		}, AddressNotSupportedError},
		{"recv unconnected", func(t *testing.T) error {
			_, err := newTestSocket(t, AFInet, DescSocketTCP).Recv(make([]byte, 1), SecondsToInterval(1))
			return err
		}, NotConnectedError},
		{"peer name unconnected", func(t *testing.T) error {
			_, err := newTestSocket(t, AFInet, DescSocketTCP).PeerName()
			return err
		}, NotConnectedError},
		{"shutdown unconnected", func(t *testing.T) error {
			return newTestSocket(t, AFInet, DescSocketTCP).Shutdown(ShutdownBoth)
		}, NotConnectedError},
		{"shutdown bad direction", func(t *testing.T) error {
			return newTestSocket(t, AFInet, DescSocketTCP).Shutdown(3)
		}, InvalidArgumentError},
		{"listen on UDP", func(t *testing.T) error {
			s := newTestSocket(t, AFInet, DescSocketUDP)
			s.Bind(loopback(AFInet, 0))
			return s.Listen(5)
		}, NotTCPSocketError},
		{"accept not listening", func(t *testing.T) error {
			s := newTestSocket(t, AFInet, DescSocketTCP)
			s.Bind(loopback(AFInet, 0))
			_, _, err := s.Accept(SecondsToInterval(1))
			return err
		}, InvalidArgumentError},
		{"accept on UDP", func(t *testing.T) error {
			_, _, err := newTestSocket(t, AFInet, DescSocketUDP).Accept(SecondsToInterval(1))
			return err
		}, InvalidMethodError},
		{"connect refused", func(t *testing.T) error {
			l, addr := listen(t, AFInet)
			l.Close() // the port is now closed
			return newTestSocket(t, AFInet, DescSocketTCP).Connect(addr, SecondsToInterval(5))
		}, ConnectRefusedError},
		{"connect when connected", func(t *testing.T) error {
			c, _ := connectedPair(t, AFInet)
			addr, _ := c.PeerName()
			return c.Connect(addr, SecondsToInterval(1))
		}, IsConnectedError},
		{"datagram too large", func(t *testing.T) error {
			s := newTestSocket(t, AFInet, DescSocketUDP)
			_, err := s.SendTo(make([]byte, 65508), loopback(AFInet, 9), SecondsToInterval(1))
			return err
		}, InvalidArgumentError},
		{"connected datagram too large", func(t *testing.T) error {
			s := newTestSocket(t, AFInet, DescSocketUDP)
			s.Connect(loopback(AFInet, 9), SecondsToInterval(1))
			_, err := s.Send(make([]byte, 65508), SecondsToInterval(1))
			return err
		}, InvalidArgumentError},
		{"accept read negative amount", func(t *testing.T) error {
			l, _ := listen(t, AFInet)
			_, _, _, err := l.AcceptRead(-1, SecondsToInterval(1))
			return err
		}, InvalidArgumentError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, tt.name, tt.run(t), tt.code)
		})
	}
}

func TestCloseUnblocksBlockedCalls(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T) (*Socket, func() error)
	}{
		{"accept", func(t *testing.T) (*Socket, func() error) {
			l, _ := listen(t, AFInet)
			return l, func() error { _, _, err := l.Accept(IntervalNoTimeout); return err }
		}},
		{"recv", func(t *testing.T) (*Socket, func() error) {
			c, _ := connectedPair(t, AFInet)
			return c, func() error { _, err := c.Recv(make([]byte, 1), IntervalNoTimeout); return err }
		}},
		{"recvfrom", func(t *testing.T) (*Socket, func() error) {
			s := newTestSocket(t, AFInet, DescSocketUDP)
			s.Bind(loopback(AFInet, 0))
			return s, func() error { _, _, err := s.RecvFrom(make([]byte, 1), IntervalNoTimeout); return err }
		}},
		{"send", func(t *testing.T) (*Socket, func() error) {
			c, _ := connectedPair(t, AFInet)
			return c, func() error { _, err := c.Send(make([]byte, 64<<20), IntervalNoTimeout); return err }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, call := tt.setup(t)
			done := make(chan error, 1)
			go func() { done <- call() }()
			time.Sleep(50 * time.Millisecond) // let it block
			if err := s.Close(); err != nil {
				t.Fatalf("close: %v", err)
			}
			select {
			case err := <-done:
				if !errors.Is(err, net.ErrClosed) {
					t.Fatalf("blocked %s returned %v, want net.ErrClosed", tt.name, err)
				}
				wantCode(t, tt.name, err, BadDescriptorError)
			case <-time.After(5 * time.Second):
				t.Fatalf("Close did not wake the blocked %s", tt.name)
			}
		})
	}
}

func TestClosedSocketMethodsFail(t *testing.T) {
	s, err := NewSocket(AFInet, DescSocketTCP)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	var nilSock *Socket
	for _, sock := range []*Socket{s, nilSock} {
		calls := map[string]error{
			"close":    sock.Close(),
			"bind":     sock.Bind(loopback(AFInet, 0)),
			"listen":   sock.Listen(1),
			"connect":  sock.Connect(loopback(AFInet, 1), 1),
			"shutdown": sock.Shutdown(ShutdownBoth),
			"cont":     sock.ConnectContinue(PollWrite),
		}
		_, calls["recv"] = sock.Recv(make([]byte, 1), 1)
		_, calls["send"] = sock.Send([]byte("x"), 1)
		_, calls["sendto"] = sock.SendTo([]byte("x"), loopback(AFInet, 1), 1)
		_, _, calls["recvfrom"] = sock.RecvFrom(make([]byte, 1), 1)
		_, _, calls["accept"] = sock.Accept(1)
		_, _, _, calls["acceptread"] = sock.AcceptRead(1, 1)
		_, calls["sockname"] = sock.SockName()
		_, calls["peername"] = sock.PeerName()
		_, calls["fileno"] = sock.Fileno()
		_, calls["read"] = sock.Read(make([]byte, 1))
		_, calls["write"] = sock.Write([]byte("x"))
		for name, err := range calls {
			wantCode(t, name, err, BadDescriptorError)
		}
	}
}

// threadCount reads the number of OS threads of this process.
func threadCount(t *testing.T) int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	t.Skip("no thread count in /proc/self/status")
	return 0
}

func TestNewTCPPair(t *testing.T) {
	a, b, err := NewTCPPair()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer b.Close()
	if a.DescType() != DescSocketTCP || a.Family() != AFLocal {
		t.Errorf("pair: %v %v", a.DescType(), a.Family())
	}
	for _, p := range [][2]*Socket{{a, b}, {b, a}} {
		if _, err := p[0].Send([]byte("hi"), SecondsToInterval(1)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4)
		if n, err := p[1].Recv(buf, SecondsToInterval(1)); string(buf[:n]) != "hi" || err != nil {
			t.Fatalf("pair recv %q, %v", buf[:n], err)
		}
	}
}

func TestImportTCPSocket(t *testing.T) {
	var pipe [2]int
	if err := unix.Pipe(pipe[:]); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(pipe[0])
	defer unix.Close(pipe[1])
	_, err := ImportTCPSocket(pipe[0])
	wantCode(t, "import a pipe", err, NotSocketError)
	if _, err := unix.FcntlInt(uintptr(pipe[0]), unix.F_GETFD, 0); err != nil {
		t.Errorf("a refused descriptor must stay open: %v", err)
	}
	_, err = ImportTCPSocket(pipe[1] + 1000)
	wantCode(t, "import a bad descriptor", err, BadDescriptorError)
	_, err = ImportTCPSocket(-1)
	wantCode(t, "import -1", err, BadDescriptorError)

	// A real connected socket, made by the standard library.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	raw, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := unix.Connect(raw, &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		unix.Close(raw)
		t.Fatal(err)
	}
	s, err := ImportTCPSocket(raw)
	if err != nil {
		unix.Close(raw)
		t.Fatal(err)
	}
	defer s.Close()
	if s.Family() != AFInet || s.DescType() != DescSocketTCP {
		t.Errorf("imported: %v %v", s.Family(), s.DescType())
	}
	peer, err := s.PeerName()
	if err != nil || int(peer.Port()) != port {
		t.Errorf("imported peer %v, %v", peer, err)
	}
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("imported"))
	buf := make([]byte, 16)
	if n, err := s.Recv(buf, SecondsToInterval(5)); string(buf[:n]) != "imported" || err != nil {
		t.Fatalf("recv on imported socket: %q, %v", buf[:n], err)
	}
}

func TestReaderWriter(t *testing.T) {
	a, b, err := NewTCPPair()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.Write([]byte("abc")); err != nil {
		t.Fatal(err)
	}
	a.Close()
	buf := make([]byte, 8)
	n, err := b.Read(buf)
	if string(buf[:n]) != "abc" || err != nil {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
	if n, err := b.Read(buf); n != 0 || err == nil || err.Error() != "EOF" {
		t.Fatalf("Read at EOF = %d, %v; want io.EOF", n, err)
	}
}

func TestUnixAbstractAndPathErrors(t *testing.T) {
	_, err := NewUnixAddress("")
	wantCode(t, "empty path", err, InvalidArgumentError)
	_, err = NewUnixAddress("a\x00b")
	wantCode(t, "NUL in path", err, InvalidArgumentError)
	_, err = NewUnixAddress(strings.Repeat("x", maxUnixPath+1))
	wantCode(t, "long path", err, NameTooLongError)

	if runtime.GOOS != "linux" {
		t.Skip("abstract Unix socket names are Linux only")
	}
	name := "@nspr-test-" + strconv.Itoa(os.Getpid())
	addr, err := NewUnixAddress(name)
	if err != nil {
		t.Fatal(err)
	}
	l := newTestSocket(t, AFLocal, DescSocketTCP)
	if err := l.Bind(addr); err != nil {
		t.Fatal(err)
	}
	got, _ := l.SockName()
	if got.Path() != name || got.Family() != AFLocal {
		t.Errorf("abstract SockName = %q (%v), want %q", got.Path(), got.Family(), name)
	}
}

// A receive into an empty buffer is a receive like any other, as PR_Recv's
// recv(2) is: it waits for data (or the end of the stream) as its interval and
// the non-blocking flag say, consumes nothing, and reports 0 once data is there.
// Only bytes already read ahead answer it at once. python-nss gives the same
// answers for recv(0, timeout) and read(0).
func TestZeroLengthReceiveWaits(t *testing.T) {
	const timeout = 150 * time.Millisecond
	calls := []struct {
		name string
		call func(s *Socket, iv Interval) (int, error)
	}{
		{"Recv", func(s *Socket, iv Interval) (int, error) { return s.Recv([]byte{}, iv) }},
		{"RecvFrom", func(s *Socket, iv Interval) (int, error) {
			n, _, err := s.RecvFrom(nil, iv)
			return n, err
		}},
		{"ReadSize", func(s *Socket, iv Interval) (int, error) {
			b, err := s.ReadSize(0, iv)
			if err == nil && b == nil {
				t.Errorf("ReadSize(0) returned a nil slice without an error")
			}
			return len(b), err
		}},
	}
	cases := []struct {
		name    string
		prepare func(t *testing.T, client, server *Socket) // before the call on server
		iv      Interval
		code    ErrorCode // 0: want 0, nil
		wait    time.Duration
		rest    string // what a later Recv finds: nothing was consumed
	}{
		{name: "idle", iv: DurationToInterval(timeout), code: IOTimeoutError, wait: timeout},
		{name: "idle/NoWait", iv: IntervalNoWait, code: IOTimeoutError},
		{name: "idle/nonblocking", iv: DurationToInterval(timeout), code: WouldBlockError,
			prepare: func(t *testing.T, _, server *Socket) {
				if err := server.SetNonblocking(true); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "data", iv: DurationToInterval(timeout), rest: "abc",
			prepare: func(t *testing.T, client, server *Socket) {
				client.Send([]byte("abc"), SecondsToInterval(5))
				waitReadable(t, server)
			}},
		{name: "peer closed", iv: DurationToInterval(timeout),
			prepare: func(t *testing.T, client, server *Socket) {
				client.Close()
				waitReadable(t, server)
			}},
		{name: "read ahead", iv: IntervalNoWait, rest: "de",
			prepare: func(t *testing.T, client, server *Socket) {
				client.Send([]byte("abc\nde"), SecondsToInterval(5))
				if line, err := server.ReadLine(0, SecondsToInterval(5)); string(line) != "abc\n" || err != nil {
					t.Fatalf("ReadLine = %q, %v", line, err)
				}
			}},
	}
	for _, c := range calls {
		for _, tc := range cases {
			t.Run(c.name+"/"+tc.name, func(t *testing.T) {
				client, server := connectedPair(t, AFInet)
				if tc.prepare != nil {
					tc.prepare(t, client, server)
				}
				start := time.Now()
				n, err := c.call(server, tc.iv)
				elapsed := time.Since(start)
				switch {
				case tc.code == IOTimeoutError && tc.wait > 0:
					within(t, c.name, start, tc.wait, err)
				case tc.code != 0:
					wantCode(t, c.name, err, tc.code)
				case n != 0 || err != nil:
					t.Errorf("%s = %d, %v; want 0, nil", c.name, n, err)
				}
				if tc.wait == 0 && elapsed > 100*time.Millisecond {
					t.Errorf("%s waited %v; want an answer at once", c.name, elapsed)
				}
				if tc.rest != "" {
					server.SetNonblocking(false)
					buf := make([]byte, 16)
					n, err := server.Recv(buf, SecondsToInterval(5))
					if string(buf[:n]) != tc.rest || err != nil {
						t.Errorf("Recv after %s = %q, %v; want %q", c.name, buf[:n], err, tc.rest)
					}
				}
			})
		}
	}
}

// On a datagram socket an empty buffer takes the next datagram, truncated to
// nothing, as recv(2) and the original do: the next receive gets the one after.
func TestZeroLengthReceiveTakesDatagram(t *testing.T) {
	calls := []struct {
		name string
		call func(s *Socket, iv Interval) (int, error)
	}{
		{"Recv", func(s *Socket, iv Interval) (int, error) { return s.Recv(nil, iv) }},
		{"RecvFrom", func(s *Socket, iv Interval) (int, error) {
			n, _, err := s.RecvFrom(nil, iv)
			return n, err
		}},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			a, aAddr, b, bAddr := udpPair(t, AFInet)
			if err := a.Connect(bAddr, SecondsToInterval(5)); err != nil {
				t.Fatal(err)
			}
			if n, err := c.call(a, IntervalNoWait); err == nil {
				t.Fatalf("%s(empty) with no datagram = %d, nil; want PR_IO_TIMEOUT_ERROR", c.name, n)
			} else {
				wantCode(t, c.name, err, IOTimeoutError)
			}
			for _, m := range []string{"hello", "world"} {
				if _, err := b.SendTo([]byte(m), aAddr, SecondsToInterval(5)); err != nil {
					t.Fatal(err)
				}
			}
			if n, err := c.call(a, SecondsToInterval(5)); n != 0 || err != nil {
				t.Fatalf("%s(empty) = %d, %v; want 0, nil", c.name, n, err)
			}
			buf := make([]byte, 16)
			n, err := a.Recv(buf, SecondsToInterval(5))
			if string(buf[:n]) != "world" || err != nil {
				t.Errorf("Recv after %s(empty) = %q, %v; want \"world\"", c.name, buf[:n], err)
			}
		})
	}
}
