//go:build linux || darwin || freebsd

package nspr

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestErrorsNameAddresses checks that the calls with addresses put them in
// their errors, print them after the NSPR name, and keep errors.Is and
// ErrorCodeOf as they were.
func TestErrorsNameAddresses(t *testing.T) {
	l, laddr := listen(t, AFInet)
	closedPort := func() NetworkAddress { // an address nothing listens on
		s := newTestSocket(t, AFInet, DescSocketTCP)
		s.Bind(loopback(AFInet, 0))
		a, _ := s.SockName()
		s.Close()
		return a
	}()
	udp := newTestSocket(t, AFInet, DescSocketUDP)
	if err := udp.Bind(loopback(AFInet, 0)); err != nil {
		t.Fatal(err)
	}
	uaddr, _ := udp.SockName()
	client, server := connectedPair(t, AFInet)
	caddr, _ := client.SockName()
	saddr, _ := server.SockName()
	past := time.Now().Add(-time.Second)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	huge := make([]byte, maxDatagram+1)

	tests := []struct {
		name          string
		call          func() error
		code          ErrorCode
		local, remote NetworkAddress
	}{
		{"Connect", func() error {
			return newTestSocket(t, AFInet, DescSocketTCP).Connect(closedPort, SecondsToInterval(5))
		}, ConnectRefusedError, NetworkAddress{}, closedPort},
		{"ConnectContext", func() error {
			return newTestSocket(t, AFInet, DescSocketTCP).ConnectContext(context.Background(), closedPort)
		}, ConnectRefusedError, NetworkAddress{}, closedPort},
		{"ConnectContext done", func() error {
			return newTestSocket(t, AFInet, DescSocketTCP).ConnectContext(done, closedPort)
		}, PendingInterruptError, NetworkAddress{}, closedPort},
		{"Bind", func() error {
			return newTestSocket(t, AFInet, DescSocketTCP).Bind(laddr)
		}, AddressInUseError, laddr, NetworkAddress{}},
		{"Accept", func() error {
			_, _, err := l.Accept(IntervalNoWait)
			return err
		}, IOTimeoutError, laddr, NetworkAddress{}},
		{"AcceptContext", func() error {
			_, _, err := l.AcceptContext(done)
			return err
		}, PendingInterruptError, laddr, NetworkAddress{}},
		{"SendTo", func() error {
			_, err := udp.SendTo(huge, uaddr, IntervalNoWait)
			return err
		}, InvalidArgumentError, NetworkAddress{}, uaddr},
		{"RecvFrom", func() error {
			_, _, err := udp.RecvFrom(make([]byte, 1), IntervalNoWait)
			return err
		}, IOTimeoutError, uaddr, NetworkAddress{}},
		{"Conn.Read", func() error {
			client.Conn().SetReadDeadline(past)
			defer client.Conn().SetReadDeadline(time.Time{})
			_, err := client.Conn().Read(make([]byte, 1))
			return err
		}, IOTimeoutError, caddr, saddr},
		{"Conn.Write", func() error {
			client.Conn().SetWriteDeadline(past)
			defer client.Conn().SetWriteDeadline(time.Time{})
			_, err := client.Conn().Write([]byte("x"))
			return err
		}, IOTimeoutError, caddr, saddr},
		{"Listener.Accept", func() error {
			l.Listener().SetDeadline(past)
			defer l.Listener().SetDeadline(time.Time{})
			_, err := l.Listener().Accept()
			return err
		}, IOTimeoutError, laddr, NetworkAddress{}},
		{"PacketConn.ReadFrom", func() error {
			udp.PacketConn().SetReadDeadline(past)
			defer udp.PacketConn().SetReadDeadline(time.Time{})
			_, _, err := udp.PacketConn().ReadFrom(make([]byte, 1))
			return err
		}, IOTimeoutError, uaddr, NetworkAddress{}},
		{"PacketConn.WriteTo", func() error {
			_, err := udp.PacketConn().WriteTo(huge, uaddr)
			return err
		}, InvalidArgumentError, uaddr, uaddr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if !errors.Is(err, tt.code) || ErrorCodeOf(err) != tt.code {
				t.Errorf("got %v, want %v", err, tt.code)
			}
			if e.Local != tt.local || e.Remote != tt.remote {
				t.Errorf("addresses local %v remote %v, want %v and %v", e.Local, e.Remote, tt.local, tt.remote)
			}
			msg := err.Error()
			name := strings.Index(msg, tt.code.String())
			for _, want := range []struct {
				label string
				a     NetworkAddress
			}{{"local", tt.local}, {"remote", tt.remote}} {
				at := strings.Index(msg, ", "+want.label+" ")
				switch {
				case want.a == (NetworkAddress{}) && at >= 0:
					t.Errorf("%q names a %s address the call has not", msg, want.label)
				case want.a != (NetworkAddress{}) && (at < name || !strings.Contains(msg, ", "+want.label+" "+want.a.String())):
					t.Errorf("%q does not name %s %v after the NSPR name", msg, want.label, want.a)
				}
			}
		})
	}
}

// TestErrorsWithoutAddresses: a closed socket's error has none to name,
// and the error the call built is not changed by adding them.
func TestErrorsWithoutAddresses(t *testing.T) {
	s := newTestSocket(t, AFInet, DescSocketTCP)
	s.Bind(loopback(AFInet, 0))
	s.Listen(1)
	s.Close()
	_, _, err := s.Accept(IntervalNoWait)
	var e *Error
	if !errors.As(err, &e) || e.Local != (NetworkAddress{}) || strings.Contains(err.Error(), ", local") {
		t.Errorf("Accept on a closed socket: %v", err)
	}
	orig := &Error{Op: "connect", Code: ConnectRefusedError}
	with := withAddrs(orig, NetworkAddress{}, loopback(AFInet, 1))
	if orig.Remote != (NetworkAddress{}) || with.(*Error).Remote != loopback(AFInet, 1) {
		t.Errorf("withAddrs changed its argument (%v) or lost the address (%v)", orig, with)
	}
	if got := withAddrs(context.Canceled, loopback(AFInet, 1), NetworkAddress{}); got != context.Canceled {
		t.Errorf("withAddrs changed a foreign error: %v", got)
	}
}

// TestErrorCodeFormats: %v and %s of an ErrorCode print what Error does,
// String is the bare name.
func TestErrorCodeFormats(t *testing.T) {
	for _, c := range []ErrorCode{IOTimeoutError, ConnectRefusedError, ErrorCode(-1)} {
		for _, verb := range []string{"%v", "%s"} {
			if got := fmt.Sprintf(verb, c); got != c.Error() {
				t.Errorf("%s of %d = %q, want Error() %q", verb, int32(c), got, c.Error())
			}
		}
		if s := c.String(); strings.Contains(s, ":") || !strings.HasPrefix(c.Error(), s+": ") {
			t.Errorf("String() = %q is not the bare name of %q", s, c.Error())
		}
	}
}
