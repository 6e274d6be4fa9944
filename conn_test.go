//go:build linux || darwin || freebsd

package nspr

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/nettest"
)

// mixedPipe makes a connection from an nspr socket to a net listener, so
// that every test runs against the standard library's end as well.
func mixedPipe(t *testing.T, network string) nettest.MakePipe {
	return func() (net.Conn, net.Conn, func(), error) {
		addr := "127.0.0.1:0"
		family := AFInet
		if network == "unix" {
			addr, family = t.TempDir()+"/s", AFLocal
		}
		l, err := net.Listen(network, addr)
		if err != nil {
			return nil, nil, nil, err
		}
		defer l.Close()
		to, err := ParseNetworkAddress(l.Addr().String())
		if err != nil {
			return nil, nil, nil, err
		}
		c, err := NewSocket(family, DescSocketTCP)
		if err != nil {
			return nil, nil, nil, err
		}
		if err := c.Connect(to, SecondsToInterval(5)); err != nil {
			c.Close()
			return nil, nil, nil, err
		}
		srv, err := l.Accept()
		if err != nil {
			c.Close()
			return nil, nil, nil, err
		}
		return c.Conn(), srv, func() { c.Close(); srv.Close() }, nil
	}
}

// TestConnContract runs golang.org/x/net/nettest's net.Conn conformance
// tests over the view: deadlines set, moved and passed while calls wait,
// concurrent calls, Close during a call, and data both ways.
func TestConnContract(t *testing.T) {
	pipes := []struct {
		name string
		mp   nettest.MakePipe
	}{
		{"nspr-nspr/tcp4", nsprPipe(t, AFInet)},
		{"nspr-nspr/unix", nsprPipe(t, AFLocal)},
		{"nspr-net/tcp4", mixedPipe(t, "tcp")},
		{"nspr-net/unix", mixedPipe(t, "unix")},
		{"net-nspr/tcp4", func() (net.Conn, net.Conn, func(), error) {
			c1, c2, stop, err := mixedPipe(t, "tcp")()
			return c2, c1, stop, err
		}},
	}
	for _, p := range pipes {
		t.Run(p.name, func(t *testing.T) { nettest.TestConn(t, p.mp) })
	}
}

// TestConnEOFAndHalfClose checks io.EOF after the peer's CloseWrite, that
// the other direction still works, and the views' address types.
func TestConnEOFAndHalfClose(t *testing.T) {
	for _, family := range streamFamilies {
		t.Run(family.String(), func(t *testing.T) {
			c1, c2, stop, err := nsprPipe(t, family)()
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			a, b := c1.(*Conn), c2.(*Conn)
			if _, err := a.Write([]byte("ping")); err != nil {
				t.Fatal(err)
			}
			if err := a.CloseWrite(); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(b)
			if err != nil || string(got) != "ping" {
				t.Fatalf("ReadAll = %q, %v", got, err)
			}
			if _, err := b.Write([]byte("pong")); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 8)
			if n, err := io.ReadAtLeast(a, buf, 4); err != nil || string(buf[:n]) != "pong" {
				t.Fatalf("read %q, %v", buf[:n], err)
			}
			if err := b.CloseRead(); err != nil {
				t.Fatal(err)
			}
			for _, addr := range []net.Addr{a.LocalAddr(), a.RemoteAddr(), b.LocalAddr(), b.RemoteAddr()} {
				want := "tcp"
				if family == AFLocal {
					want = "unix"
				}
				if addr == nil || addr.Network() != want {
					t.Errorf("address %v (%T): network %q, want %q", addr, addr, addr.Network(), want)
				}
			}
			if family != AFLocal && a.LocalAddr().String() != b.RemoteAddr().String() {
				t.Errorf("local %v is not the peer's remote %v", a.LocalAddr(), b.RemoteAddr())
			}
			a.Close()
			if _, err := a.Read(buf); !errors.Is(err, net.ErrClosed) {
				t.Errorf("read after close: %v", err)
			}
			if err := a.SetDeadline(time.Now()); !errors.Is(err, net.ErrClosed) {
				t.Errorf("SetDeadline after close: %v", err)
			}
			if a.LocalAddr() == nil || a.RemoteAddr() == nil {
				t.Error("an address of a closed view is nil")
			}
		})
	}
}

// TestConnDeadlineMovedDuringRead moves the deadline of a waiting Read
// further, then closer: the Read follows each change. The margins are wide
// so that a loaded machine cannot move the first change past the first
// deadline.
func TestConnDeadlineMovedDuringRead(t *testing.T) {
	c1, _, stop, err := nsprPipe(t, AFInet)()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	first := time.Now().Add(time.Second)
	if err := c1.SetReadDeadline(first); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c1.Read(make([]byte, 8))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	c1.SetReadDeadline(first.Add(time.Hour)) // extend: the Read keeps waiting
	time.Sleep(time.Until(first.Add(200 * time.Millisecond)))
	select {
	case err := <-done:
		t.Fatalf("Read returned at the old deadline: %v", err)
	default:
	}
	shortened := time.Now()
	c1.SetReadDeadline(shortened.Add(200 * time.Millisecond)) // shorten
	err = <-done
	elapsed := time.Since(shortened)
	var ne net.Error
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() || ErrorCodeOf(err) != IOTimeoutError {
		t.Errorf("Read returned %v, want a timeout", err)
	}
	if elapsed < 200*time.Millisecond || elapsed > 1200*time.Millisecond {
		t.Errorf("Read returned %v after the deadline moved to 200ms ahead", elapsed)
	}
}

// TestConnPastDeadlineFailsWithDataReady checks net's rule: a passed
// deadline fails the call at once even though it could succeed, and
// clearing it makes the data readable again.
func TestConnPastDeadlineFailsWithDataReady(t *testing.T) {
	c1, c2, stop, err := nsprPipe(t, AFInet)()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if _, err := c2.Write([]byte("data")); err != nil {
		t.Fatal(err)
	}
	c1.SetDeadline(time.Now().Add(-time.Second))
	buf := make([]byte, 8)
	if n, err := c1.Read(buf); n != 0 || ErrorCodeOf(err) != IOTimeoutError {
		t.Errorf("Read past deadline = %d, %v", n, err)
	}
	if n, err := c1.Write(buf); n != 0 || ErrorCodeOf(err) != IOTimeoutError {
		t.Errorf("Write past deadline = %d, %v", n, err)
	}
	c1.SetDeadline(time.Time{})
	if n, err := io.ReadFull(c1, buf[:4]); err != nil || string(buf[:n]) != "data" {
		t.Errorf("Read after clearing = %q, %v", buf[:n], err)
	}
	// The Interval calls are not bound by the views' deadlines.
	c1.SetReadDeadline(time.Now().Add(-time.Second))
	c2.Write([]byte("more"))
	if n, err := c1.(*Conn).Socket().Recv(buf, SecondsToInterval(5)); err != nil || n == 0 {
		t.Errorf("Recv under a passed view deadline = %d, %v", n, err)
	}
}

// TestListenerView checks Accept's deadline, Addr and Close.
func TestListenerView(t *testing.T) {
	s, addr := listen(t, AFInet)
	l := s.Listener()
	if got := l.Addr().(*net.TCPAddr).AddrPort(); got != addr.AddrPort() {
		t.Errorf("Addr = %v, want %v", got, addr)
	}
	start := time.Now()
	l.SetDeadline(start.Add(100 * time.Millisecond))
	c, err := l.Accept()
	within(t, "accept", start, 100*time.Millisecond, err)
	if c != nil {
		t.Errorf("Accept returned a connection with an error: %v", c)
	}
	l.SetDeadline(time.Time{})
	go func() {
		time.Sleep(50 * time.Millisecond)
		l.Close()
	}()
	if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept across Close: %v", err)
	}
}

// testCert makes a self-signed ECDSA certificate for 127.0.0.1 and a pool
// that trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "nspr test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestTLSOverConn runs a TLS handshake and an exchange both ways, with the
// client and the server each on an nspr socket or a net one.
func TestTLSOverConn(t *testing.T) {
	cert, pool := testCert(t)
	serverCfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	clientCfg := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	pipes := []struct {
		name string
		mp   nettest.MakePipe
	}{
		{"nspr client, nspr server", nsprPipe(t, AFInet)},
		{"nspr client, net server", mixedPipe(t, "tcp")},
		{"net client, nspr server", func() (net.Conn, net.Conn, func(), error) {
			c1, c2, stop, err := mixedPipe(t, "tcp")()
			return c2, c1, stop, err
		}},
	}
	for _, p := range pipes {
		t.Run(p.name, func(t *testing.T) {
			c1, c2, stop, err := p.mp()
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			client, server := tls.Client(c1, clientCfg), tls.Server(c2, serverCfg)
			client.SetDeadline(time.Now().Add(10 * time.Second))
			server.SetDeadline(time.Now().Add(10 * time.Second))
			errc := make(chan error, 1)
			go func() {
				// Echo one line back, upper-cased.
				line, err := bufio.NewReader(server).ReadString('\n')
				if err == nil {
					_, err = server.Write([]byte(strings.ToUpper(line)))
				}
				errc <- err
			}()
			msg := strings.Repeat("hello over tls ", 2000) + "\n"
			if _, err := client.Write([]byte(msg)); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(client, got); err != nil {
				t.Fatal(err)
			}
			if string(got) != strings.ToUpper(msg) {
				t.Error("the echo differs")
			}
			if err := <-errc; err != nil {
				t.Fatalf("server: %v", err)
			}
			if st := client.ConnectionState(); !st.HandshakeComplete || len(st.PeerCertificates) == 0 {
				t.Errorf("handshake state %+v", st)
			}
		})
	}
}

// TestHTTPOverListener serves net/http from the listener view and fetches
// with a client that dials nspr sockets with DialContext, over kept-alive
// connections.
func TestHTTPOverListener(t *testing.T) {
	s, addr := listen(t, AFInet)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello "+r.URL.Path)
	}), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(s.Listener()) }()

	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
		dials.Add(1)
		c, err := DialContext(ctx, network, address)
		if err != nil {
			return nil, err // not c: a nil *Conn in a net.Conn is not a nil net.Conn
		}
		return c, nil
	}}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for _, path := range []string{"/a", "/b", "/c"} {
		resp, err := client.Get("http://" + addr.String() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(body) != "hello "+path {
			t.Errorf("GET %s = %q, %v", path, body, err)
		}
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("%d dials for three requests, want 1 (keep-alive)", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tr.CloseIdleConnections()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve returned %v", err)
	}
}

// TestPacketConnView exchanges datagrams through the view with net's
// address types, and checks its errors.
func TestPacketConnView(t *testing.T) {
	a, b, _, _ := nsprUDPPair(t)
	pa, pb := a.PacketConn(), b.PacketConn()
	bAddr := pb.LocalAddr().(*net.UDPAddr)
	// net.IPv4 makes 16-byte addresses; the AFInet socket takes them.
	to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: bAddr.Port}
	if _, err := pa.WriteTo([]byte("datagram"), to); err != nil {
		t.Fatal(err)
	}
	pb.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	n, from, err := pb.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "datagram" {
		t.Fatalf("ReadFrom = %q, %v", buf[:n], err)
	}
	if got, want := from.(*net.UDPAddr).AddrPort(), pa.LocalAddr().(*net.UDPAddr).AddrPort(); got != want {
		t.Errorf("sender %v, want %v", got, want)
	}
	// A zero-length datagram is not the end of anything.
	if _, err := pa.WriteTo(nil, NetworkAddress(NewNetworkAddressFromAddrPort(bAddr.AddrPort()))); err != nil {
		t.Fatal(err)
	}
	if n, _, err := pb.ReadFrom(buf); n != 0 || err != nil {
		t.Errorf("empty datagram: %d, %v", n, err)
	}
	if _, err := pa.WriteTo(buf, &net.TCPAddr{}); ErrorCodeOf(err) != InvalidArgumentError {
		t.Errorf("WriteTo a TCP address: %v", err)
	}
	pb.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, _, err := pb.ReadFrom(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("ReadFrom past its deadline: %v", err)
	}
	if _, err := netip.ParseAddrPort(pb.LocalAddr().String()); err != nil {
		t.Errorf("LocalAddr %v: %v", pb.LocalAddr(), err)
	}
}

// TestConnViewReadsReadAhead checks that bytes ReadLine read ahead come
// first through the view, so nothing is lost when a protocol reads its
// header lines with NSPR's calls and hands the rest to Go code.
func TestConnViewReadsReadAhead(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	if _, err := client.Send([]byte("HEADER\nbody bytes"), SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	if err := client.Shutdown(ShutdownSend); err != nil {
		t.Fatal(err)
	}
	line, err := server.ReadLine(64, SecondsToInterval(5))
	if err != nil || string(line) != "HEADER\n" {
		t.Fatalf("ReadLine = %q, %v", line, err)
	}
	rest, err := io.ReadAll(server.Conn())
	if err != nil || string(rest) != "body bytes" {
		t.Errorf("the view read %q, %v", rest, err)
	}
}

// TestViewDeadlineSparesIntervalCalls sets a passed view deadline while a
// Recv with its own interval waits: the Recv keeps its interval.
func TestViewDeadlineSparesIntervalCalls(t *testing.T) {
	_, server := connectedPair(t, AFInet)
	const interval = 300 * time.Millisecond
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		_, err := server.Recv(make([]byte, 8), DurationToInterval(interval))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := server.Conn().SetReadDeadline(time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	within(t, "recv", start, interval, <-done)
}

// TestUnixgramPacketConnView exchanges datagrams between Unix datagram
// sockets through the packet view, with *net.UnixAddr addresses.
func TestUnixgramPacketConnView(t *testing.T) {
	dir := t.TempDir()
	var views [2]*PacketConn
	for i := range views {
		s := newTestSocket(t, AFLocal, DescSocketUDP)
		addr, err := NewUnixAddress(dir + "/" + string(rune('a'+i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Bind(addr); err != nil {
			t.Fatal(err)
		}
		views[i] = s.PacketConn()
	}
	to, ok := views[1].LocalAddr().(*net.UnixAddr)
	if !ok || to.Net != "unixgram" || to.Name != dir+"/b" {
		t.Fatalf("LocalAddr = %#v", views[1].LocalAddr())
	}
	if _, err := views[0].WriteTo([]byte("gram"), to); err != nil {
		t.Fatal(err)
	}
	views[1].SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 8)
	n, from, err := views[1].ReadFrom(buf)
	if err != nil || string(buf[:n]) != "gram" {
		t.Fatalf("ReadFrom = %q, %v", buf[:n], err)
	}
	if u, ok := from.(*net.UnixAddr); !ok || u.Name != dir+"/a" {
		t.Errorf("sender %#v", from)
	}
}

// TestGoReadOfEmptySliceReturnsAtOnce checks that the Go views keep net's
// rule for an empty p (internal/poll returns 0, nil at once, even past a
// deadline), where Recv waits as PR_Recv does; a closed socket still fails.
func TestGoReadOfEmptySliceReturnsAtOnce(t *testing.T) {
	tests := []struct {
		name string
		read func(t *testing.T) (io.Reader, *Socket)
	}{
		{"Conn", func(t *testing.T) (io.Reader, *Socket) {
			_, server := connectedPair(t, AFInet)
			return server.Conn(), server
		}},
		{"Conn/past deadline", func(t *testing.T) (io.Reader, *Socket) {
			_, server := connectedPair(t, AFInet)
			server.Conn().SetReadDeadline(time.Now().Add(-time.Second))
			return server.Conn(), server
		}},
		{"Socket (io.Reader)", func(t *testing.T) (io.Reader, *Socket) {
			_, server := connectedPair(t, AFInet)
			return server, server
		}},
		{"PacketConn", func(t *testing.T) (io.Reader, *Socket) {
			s := newTestSocket(t, AFInet, DescSocketUDP)
			if err := s.Bind(loopback(AFInet, 0)); err != nil {
				t.Fatal(err)
			}
			self, _ := s.SockName()
			if err := s.Connect(self, SecondsToInterval(5)); err != nil {
				t.Fatal(err)
			}
			return s.PacketConn(), s
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, s := tt.read(t)
			start := time.Now()
			n, err := r.Read([]byte{})
			if n != 0 || err != nil || time.Since(start) > 100*time.Millisecond {
				t.Errorf("Read(empty) = %d, %v after %v; want 0, nil at once", n, err, time.Since(start))
			}
			s.Close()
			if _, err := r.Read([]byte{}); !errors.Is(err, net.ErrClosed) {
				t.Errorf("Read(empty) after Close = %v; want net.ErrClosed", err)
			}
		})
	}
}
