//go:build linux || darwin || freebsd

package nspr_test

// Code written the way a net user writes it: each test here would compile
// and behave the same with the standard library's names in place of
// nspr's, or checks that an nspr value slots into such code unchanged.

import (
	"testing"
	"time"

	"github.com/nspr-go/nspr"
)

// TestSetSocketOptionTakesGoTypes sets options with Go's plain bool, int
// and time.Duration, as a net user would, and reads back the typed value.
func TestSetSocketOptionTakesGoTypes(t *testing.T) {
	tests := []struct {
		name string
		opt  nspr.SockOpt
		set  any
		want nspr.OptionValue
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := nspr.NewSocket(nspr.AFInet, nspr.DescSocketTCP)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.SetSocketOption(tt.opt, tt.set); err != nil {
				t.Fatalf("SetSocketOption(%v, %#v): %v", tt.opt, tt.set, err)
			}
			got, err := s.GetSocketOption(tt.opt)
			if err != nil || got != tt.want {
				t.Errorf("GetSocketOption(%v) = %#v, %v; want %#v", tt.opt, got, err, tt.want)
			}
		})
	}
}

// TestSetSocketOptionRejectsMismatchedGoTypes: a Go value of a type the
// option does not take is PR_INVALID_ARGUMENT_ERROR, not a silent
// conversion.
func TestSetSocketOptionRejectsMismatchedGoTypes(t *testing.T) {
	tests := []struct {
		name string
		opt  nspr.SockOpt
		set  any
	}{
		{"int for a bool", nspr.SockOptNoDelay, 1},
		{"bool for a size", nspr.SockOptRecvBufferSize, true},
		{"duration for a size", nspr.SockOptRecvBufferSize, time.Second},
		{"int for an interval", nspr.SockOptKeepAliveIdle, 30},
		{"duration for a linger", nspr.SockOptLinger, time.Second},
		{"string", nspr.SockOptNoDelay, "yes"},
		{"nil", nspr.SockOptNoDelay, nil},
		{"int64 for a size", nspr.SockOptRecvBufferSize, int64(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := nspr.NewSocket(nspr.AFInet, nspr.DescSocketTCP)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			err = s.SetSocketOption(tt.opt, tt.set)
			if nspr.ErrorCodeOf(err) != nspr.InvalidArgumentError {
				t.Errorf("SetSocketOption(%v, %#v) = %v, want PR_INVALID_ARGUMENT_ERROR", tt.opt, tt.set, err)
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
