//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestBadInput calls public functions and methods with invalid receivers and
// arguments: each must return a *nspr.Error with the right code, promptly,
// without panicking.
func TestBadInput(t *testing.T) {
	var nilSock *Socket
	closed := func(t *testing.T) *Socket {
		s := newTestSocket(t, AFInet, DescSocketTCP)
		s.Close()
		return s
	}
	fresh := func(t *testing.T) *Socket { return newTestSocket(t, AFInet, DescSocketTCP) }
	udp := func(t *testing.T) *Socket { return newTestSocket(t, AFInet, DescSocketUDP) }
	v6 := loopback(AFInet6, 1)
	v4 := loopback(AFInet, 1)
	buf := make([]byte, 8)
	tests := []struct {
		name string
		call func(t *testing.T) error
		code ErrorCode
	}{
		{"nil Close", func(t *testing.T) error { return nilSock.Close() }, BadDescriptorError},
		{"nil Bind", func(t *testing.T) error { return nilSock.Bind(v4) }, BadDescriptorError},
		{"nil Listen", func(t *testing.T) error { return nilSock.Listen(1) }, BadDescriptorError},
		{"nil Accept", func(t *testing.T) error { _, _, err := nilSock.Accept(1); return err }, BadDescriptorError},
		{"nil Connect", func(t *testing.T) error { return nilSock.Connect(v4, 1) }, BadDescriptorError},
		{"nil Recv", func(t *testing.T) error { _, err := nilSock.Recv(buf, 1); return err }, BadDescriptorError},
		{"nil Send", func(t *testing.T) error { _, err := nilSock.Send(buf, 1); return err }, BadDescriptorError},
		{"nil RecvFrom", func(t *testing.T) error { _, _, err := nilSock.RecvFrom(buf, 1); return err }, BadDescriptorError},
		{"nil SendTo", func(t *testing.T) error { _, err := nilSock.SendTo(buf, v4, 1); return err }, BadDescriptorError},
		{"nil Shutdown", func(t *testing.T) error { return nilSock.Shutdown(ShutdownBoth) }, BadDescriptorError},
		{"nil SockName", func(t *testing.T) error { _, err := nilSock.SockName(); return err }, BadDescriptorError},
		{"nil PeerName", func(t *testing.T) error { _, err := nilSock.PeerName(); return err }, BadDescriptorError},
		{"nil Fileno", func(t *testing.T) error { _, err := nilSock.Fileno(); return err }, BadDescriptorError},
		{"nil Read", func(t *testing.T) error { _, err := nilSock.Read(buf); return err }, BadDescriptorError},
		{"nil Write", func(t *testing.T) error { _, err := nilSock.Write(buf); return err }, BadDescriptorError},
		{"closed Close", func(t *testing.T) error { return closed(t).Close() }, BadDescriptorError},
		{"closed Bind", func(t *testing.T) error { return closed(t).Bind(v4) }, BadDescriptorError},
		{"closed Listen", func(t *testing.T) error { return closed(t).Listen(1) }, BadDescriptorError},
		{"closed Accept", func(t *testing.T) error { _, _, err := closed(t).Accept(1); return err }, BadDescriptorError},
		{"closed Connect", func(t *testing.T) error { return closed(t).Connect(v4, 1) }, BadDescriptorError},
		{"closed Recv", func(t *testing.T) error { _, err := closed(t).Recv(buf, 1); return err }, BadDescriptorError},
		{"closed Send", func(t *testing.T) error { _, err := closed(t).Send(buf, 1); return err }, BadDescriptorError},
		{"closed SendTo", func(t *testing.T) error { _, err := closed(t).SendTo(buf, v4, 1); return err }, BadDescriptorError},
		{"closed Shutdown", func(t *testing.T) error { return closed(t).Shutdown(ShutdownBoth) }, BadDescriptorError},
		{"closed SockName", func(t *testing.T) error { _, err := closed(t).SockName(); return err }, BadDescriptorError},
		{"closed Fileno", func(t *testing.T) error { _, err := closed(t).Fileno(); return err }, BadDescriptorError},
		{"closed AcceptRead", func(t *testing.T) error { _, _, _, err := closed(t).AcceptRead(8, 1); return err }, BadDescriptorError},
		{"NewSocket family 99", func(t *testing.T) error { s, err := NewSocket(99, DescSocketTCP); s.Close(); return err }, AddressNotSupportedError},
		{"NewSocket type 99", func(t *testing.T) error { s, err := NewSocket(AFInet, 99); s.Close(); return err }, InvalidArgumentError},
		{"ImportTCPSocket -1", func(t *testing.T) error { s, err := ImportTCPSocket(-1); s.Close(); return err }, BadDescriptorError},
		{"Bind wrong family", func(t *testing.T) error { return fresh(t).Bind(v6) }, AddressNotSupportedError},
		{"Connect wrong family", func(t *testing.T) error { return fresh(t).Connect(v6, 1000) }, AddressNotSupportedError},
		{"SendTo wrong family", func(t *testing.T) error { _, err := udp(t).SendTo(buf, v6, 1000); return err }, AddressNotSupportedError},
		{"Bind zero address", func(t *testing.T) error { return fresh(t).Bind(NetworkAddress{}) }, AddressNotSupportedError},
		{"Shutdown mode 3", func(t *testing.T) error { return fresh(t).Shutdown(3) }, InvalidArgumentError},
		{"Shutdown mode -1", func(t *testing.T) error { return fresh(t).Shutdown(-1) }, InvalidArgumentError},
		{"AcceptRead negative amount", func(t *testing.T) error { l, _ := listen(t, AFInet); _, _, _, err := l.AcceptRead(-1, 1); return err }, InvalidArgumentError},
		{"Listen UDP", func(t *testing.T) error { return udp(t).Listen(1) }, NotTCPSocketError},
		{"Accept UDP", func(t *testing.T) error { _, _, err := udp(t).Accept(1); return err }, InvalidMethodError},
		{"SendTo oversized datagram", func(t *testing.T) error {
			_, err := udp(t).SendTo(make([]byte, 70000), v4, 1000)
			return err
		}, InvalidArgumentError},
		{"Recv unconnected", func(t *testing.T) error { _, err := fresh(t).Recv(buf, 1000); return err }, NotConnectedError},
		{"Accept not listening, huge timeout", func(t *testing.T) error {
			_, _, err := fresh(t).Accept(IntervalNoTimeout - 1)
			return err
		}, InvalidArgumentError},
		{"NewNetworkAddress family 99", func(t *testing.T) error { _, err := NewNetworkAddress("127.0.0.1", 1, 99); return err }, InvalidArgumentError},
		{"NewNetworkAddressSpecial value 99", func(t *testing.T) error { _, err := NewNetworkAddressSpecial(99, 1, AFInet); return err }, InvalidArgumentError},
		{"SetPort -1", func(t *testing.T) error { a := v4; return a.SetPort(-1) }, InvalidArgumentError},
		{"SetPort 65536", func(t *testing.T) error { a := v4; return a.SetPort(65536) }, InvalidArgumentError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				defer func() {
					if r := recover(); r != nil {
						done <- fmt.Errorf("panic: %v", r)
					}
				}()
				done <- tt.call(t)
			}()
			select {
			case err := <-done:
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("got %v, want *nspr.Error %v", err, tt.code)
				}
				if e.Code != tt.code {
					t.Errorf("got %v, want %v", e, tt.code)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("hung")
			}
		})
	}
}
