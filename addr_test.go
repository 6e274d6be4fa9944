package nspr

import (
	"net"
	"net/netip"
	"strings"
	"testing"
)

func TestNewNetworkAddressNumeric(t *testing.T) {
	tests := []struct {
		host    string
		port    uint16
		family  Family
		str     string
		address string
		fam     Family
	}{
		{"127.0.0.1", 80, AFInet, "127.0.0.1:80", "127.0.0.1", AFInet},
		{"127.0.0.1", 80, AFUnspec, "127.0.0.1:80", "127.0.0.1", AFInet},
		{"::1", 80, AFInet6, "[::1]:80", "::1", AFInet6},
		{"::1", 0, AFUnspec, "[::1]:0", "::1", AFInet6},
		{"0:0:0:0:0:0:0:1", 65535, AFInet6, "[::1]:65535", "::1", AFInet6},
		{"::ffff:127.0.0.1", 7, AFInet6, "[::ffff:127.0.0.1]:7", "::ffff:127.0.0.1", AFInet6},
		{"fe80::1%lo", 22, AFInet6, "[fe80::1%lo]:22", "fe80::1%lo", AFInet6},
		{"0.0.0.0", 0, AFInet, "0.0.0.0:0", "0.0.0.0", AFInet},
	}
	for _, tt := range tests {
		a, err := NewNetworkAddress(tt.host, tt.port, tt.family)
		if err != nil {
			t.Fatalf("NewNetworkAddress(%q, %d, %v): %v", tt.host, tt.port, tt.family, err)
		}
		if got := a.String(); got != tt.str {
			t.Errorf("%q: String() = %q, want %q", tt.host, got, tt.str)
		}
		if got := a.Address(); got != tt.address {
			t.Errorf("%q: Address() = %q, want %q", tt.host, got, tt.address)
		}
		if a.Family() != tt.fam || a.Port() != tt.port {
			t.Errorf("%q: family %v port %d, want %v %d", tt.host, a.Family(), a.Port(), tt.fam, tt.port)
		}
		if a.Hostname() != tt.address {
			t.Errorf("%q: Hostname() = %q, want the numeric text %q", tt.host, a.Hostname(), tt.address)
		}
		// A numeric address equals the same address from the kernel.
		if b := NewNetworkAddressFromAddrPort(a.AddrPort()); a != b {
			t.Errorf("%q: %#v != %#v", tt.host, a, b)
		}
	}
}

func TestNewNetworkAddressErrors(t *testing.T) {
	tests := []struct {
		host   string
		port   uint16
		family Family
		code   ErrorCode
	}{
		{"127.0.0.1", 80, AFInet6, DirectoryLookupError}, // no IPv6 address in an IPv4 literal
		{"::1", 80, AFInet, DirectoryLookupError},
		{"", 80, AFInet, DirectoryLookupError},
		{"127.0.0.1", 80, Family(3), InvalidArgumentError},
		{"/tmp/x", 80, AFLocal, InvalidArgumentError}, // Unix addresses have no port
		{"", 0, AFLocal, InvalidArgumentError},
		{"a\x00b", 0, AFLocal, InvalidArgumentError},
		{"/" + strings.Repeat("x", maxUnixPath), 0, AFLocal, NameTooLongError},
	}
	for _, tt := range tests {
		a, err := NewNetworkAddress(tt.host, tt.port, tt.family)
		if err == nil {
			t.Errorf("NewNetworkAddress(%q, %d, %v) = %v, want %v", tt.host, tt.port, tt.family, a, tt.code)
			continue
		}
		wantCode(t, tt.host, err, tt.code)
	}
}

func TestNewNetworkAddressLocalhost(t *testing.T) {
	// localhost comes from the hosts file; no DNS server is asked.
	a, err := NewNetworkAddress("localhost", 8080, AFInet)
	if err != nil {
		t.Fatal(err)
	}
	if !a.AddrPort().Addr().IsLoopback() || a.Port() != 8080 || a.Family() != AFInet {
		t.Errorf("localhost = %v (%v)", a, a.Family())
	}
	if a.Hostname() != "localhost" {
		t.Errorf("Hostname() = %q, want localhost", a.Hostname())
	}
	// Built from a name, it remembers the name and so differs from the
	// bare address.
	if a == NewNetworkAddressFromAddrPort(a.AddrPort()) {
		t.Error("address built from a name compares equal to the bare address")
	}
}

func TestNewNetworkAddressUnix(t *testing.T) {
	for _, path := range []string{"/tmp/nspr.sock", "@abstract"} {
		a, err := NewNetworkAddress(path, 0, AFLocal)
		if err != nil {
			t.Fatal(err)
		}
		if a.Family() != AFLocal || a.Path() != path || a.String() != path || a.Address() != path || a.Network() != "unix" {
			t.Errorf("%q: got %v %q %q %q %q", path, a.Family(), a.Path(), a.String(), a.Address(), a.Network())
		}
		if err := a.SetPort(1); err == nil {
			t.Errorf("%q: SetPort on a Unix address succeeded", path)
		}
	}
}

func TestNewNetworkAddressSpecial(t *testing.T) {
	tests := []struct {
		v      IPAddrSpecial
		family Family
		want   string // String(), or "" for PR_INVALID_ARGUMENT_ERROR
	}{
		{IPAddrNull, AFInet, "0.0.0.0:123"},
		{IPAddrNull, AFInet6, "[::]:123"},
		{IPAddrAny, AFInet, "0.0.0.0:123"},
		{IPAddrAny, AFInet6, "[::]:123"},
		{IPAddrLoopback, AFInet, "127.0.0.1:123"},
		{IPAddrLoopback, AFInet6, "[::1]:123"},
		{IPAddrV4Mapped, AFInet6, "[::ffff:0.0.0.0]:123"},
		{IPAddrV4Mapped, AFInet, ""},
		{IPAddrAny, AFUnspec, ""},
		{IPAddrAny, AFLocal, ""},
		{IPAddrSpecial(4), AFInet, ""},
		{IPAddrSpecial(-1), AFInet6, ""},
	}
	for _, tt := range tests {
		a, err := NewNetworkAddressSpecial(tt.v, 123, tt.family)
		if tt.want == "" {
			if err == nil {
				t.Errorf("%v/%v = %v, want an error", tt.v, tt.family, a)
				continue
			}
			wantCode(t, tt.v.String(), err, InvalidArgumentError)
			continue
		}
		if err != nil {
			t.Fatalf("%v/%v: %v", tt.v, tt.family, err)
		}
		if a.String() != tt.want || a.Family() != tt.family {
			t.Errorf("%v/%v = %v (%v), want %v", tt.v, tt.family, a, a.Family(), tt.want)
		}
	}
}

// TestV4MappedWildcardAcceptsIPv4 checks what IPAddrV4Mapped is for: bound on
// an IPv6 socket it takes IPv4 connections.
func TestV4MappedWildcardAcceptsIPv4(t *testing.T) {
	l, err := NewSocket(AFInet6, DescSocketTCP)
	if err != nil {
		t.Skipf("no IPv6 sockets on this host: %v", err)
	}
	defer l.Close()
	bindAddr, err := NewNetworkAddressSpecial(IPAddrV4Mapped, 0, AFInet6)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Bind(bindAddr); err != nil {
		t.Fatal(err)
	}
	if err := l.Listen(1); err != nil {
		t.Fatal(err)
	}
	name, err := l.SockName()
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewSocket(AFInet, DescSocketTCP)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	to, _ := NewNetworkAddressSpecial(IPAddrLoopback, uint16(name.Port()), AFInet)
	if err := c.Connect(to, SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	s, peer, err := l.Accept(SecondsToInterval(5))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := peer.AddrPort().Addr(); got != netip.MustParseAddr("::ffff:127.0.0.1") {
		t.Errorf("peer = %v, want an IPv4-mapped loopback address", peer)
	}
}

func TestSetPort(t *testing.T) {
	a, _ := NewNetworkAddress("127.0.0.1", 80, AFInet)
	for _, p := range []int{0, 1, 65535} {
		if err := a.SetPort(p); err != nil || int(a.Port()) != p {
			t.Errorf("SetPort(%d): %v, Port() = %d", p, err, a.Port())
		}
	}
	before := a
	for _, p := range []int{-1, 65536, 70000} {
		wantCode(t, "SetPort", a.SetPort(p), InvalidArgumentError)
		if a != before {
			t.Errorf("failed SetPort(%d) changed the address to %v", p, a)
		}
	}
	var zero NetworkAddress
	wantCode(t, "zero SetPort", zero.SetPort(1), InvalidArgumentError)
}

func TestSetFromString(t *testing.T) {
	a, _ := NewNetworkAddress("127.0.0.1", 80, AFInet)
	if err := a.SetFromString("::1", AFInet6); err != nil {
		t.Fatal(err)
	}
	if a.String() != "[::1]:80" || a.Family() != AFInet6 {
		t.Errorf("after SetFromString: %v (%v), want [::1]:80 keeping the port", a, a.Family())
	}
	before := a
	for _, tt := range []struct {
		s      string
		family Family
	}{{"", AFInet}, {"127.0.0.1", AFInet6}, {"::1", Family(99)}} {
		if err := a.SetFromString(tt.s, tt.family); err == nil {
			t.Errorf("SetFromString(%q, %v) succeeded", tt.s, tt.family)
		}
		if a != before {
			t.Errorf("failed SetFromString(%q) changed the address to %v", tt.s, a)
		}
	}
}

func TestNetworkAddressZeroAndNetAddr(t *testing.T) {
	var zero NetworkAddress
	if zero.Family() != AFUnspec || zero.String() != "" || zero.Address() != "" || zero.Hostname() != "" || zero.Port() != 0 {
		t.Errorf("zero value: %v %q %q %q %d", zero.Family(), zero.String(), zero.Address(), zero.Hostname(), zero.Port())
	}
	var na net.Addr = NewNetworkAddressFromAddrPort(netip.MustParseAddrPort("127.0.0.1:9"))
	if na.Network() != "ip" || na.String() != "127.0.0.1:9" {
		t.Errorf("net.Addr: %q %q", na.Network(), na.String())
	}
	if _, err := zero.HostEntry(); err == nil {
		t.Error("HostEntry of the zero address succeeded")
	} else {
		wantCode(t, "HostEntry of zero", err, InvalidArgumentError)
	}
}

func TestNewNetworkAddressFromAddrPort(t *testing.T) {
	tests := []struct {
		ap     string
		family Family
	}{
		{"127.0.0.1:1", AFInet},
		{"[::1]:1", AFInet6},
		{"[::ffff:127.0.0.1]:1", AFInet6},
	}
	for _, tt := range tests {
		ap := netip.MustParseAddrPort(tt.ap)
		a := NewNetworkAddressFromAddrPort(ap)
		if a.Family() != tt.family || a.AddrPort() != ap || a.String() != tt.ap {
			t.Errorf("%s: %v %v", tt.ap, a.Family(), a)
		}
	}
	if a := NewNetworkAddressFromAddrPort(netip.AddrPort{}); a != (NetworkAddress{}) {
		t.Errorf("zero AddrPort gave %#v", a)
	}
}

func BenchmarkNewNetworkAddressNumeric(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewNetworkAddress("127.0.0.1", 80, AFInet); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseNetworkAddress(t *testing.T) {
	good := []string{"127.0.0.1:80", "[::1]:80", "[fe80::1%lo]:1", "[::ffff:1.2.3.4]:0", "/tmp/s", "@abs"}
	for _, s := range good {
		a, err := ParseNetworkAddress(s)
		if err != nil {
			t.Errorf("ParseNetworkAddress(%q): %v", s, err)
			continue
		}
		if a.String() != s {
			t.Errorf("ParseNetworkAddress(%q).String() = %q", s, a.String())
		}
	}
	for _, s := range []string{"", "127.0.0.1", "::1:80", "localhost:80", "1.2.3.4:65536", "[::1]:-1", "/a\x00b"} {
		_, err := ParseNetworkAddress(s)
		wantCode(t, s, err, InvalidArgumentError)
	}
}

// FuzzNetworkAddressString checks that every address the parser accepts
// prints back to text that parses to the same address.
func FuzzNetworkAddressString(f *testing.F) {
	for _, s := range []string{"127.0.0.1:80", "[::1]:80", "[fe80::1%eth0]:65535", "/tmp/x", "@a", "[::ffff:10.0.0.1]:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseNetworkAddress(s)
		if err != nil {
			if ErrorCodeOf(err) == 0 {
				t.Fatalf("ParseNetworkAddress(%q): error without an NSPR code: %v", s, err)
			}
			return
		}
		b, err := ParseNetworkAddress(a.String())
		if err != nil {
			t.Fatalf("ParseNetworkAddress(%q) = %v, whose text does not parse: %v", s, a, err)
		}
		if a != b {
			t.Fatalf("round trip of %q: %#v != %#v", s, a, b)
		}
	})
}
