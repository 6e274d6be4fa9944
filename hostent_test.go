package nspr

import (
	"context"
	"slices"
	"testing"
)

func TestHostEntryByName(t *testing.T) {
	r, s := testResolver(t)
	tests := []struct {
		name     string
		hostname string
		aliases  []string
		family   Family
		addrs    []string // in any order
	}{
		{"v4.nspr.test.", "v4.nspr.test", nil, AFInet, []string{"127.0.0.2:0"}},
		{"multi.nspr.test.", "multi.nspr.test", nil, AFInet, []string{"127.0.0.3:0", "127.0.0.4:0"}},
		{"alias.nspr.test.", "multi.nspr.test", []string{"alias.nspr.test"}, AFInet, []string{"127.0.0.3:0", "127.0.0.4:0"}},
		{"v6.nspr.test.", "v6.nspr.test", nil, AFInet6, []string{"[::1]:0", "[fd00:6e73:7072::2]:0"}},
		{"localhost", "localhost", nil, AFInet, []string{"127.0.0.1:0"}},
		{"127.0.0.1", "127.0.0.1", nil, AFInet, []string{"127.0.0.1:0"}},
		{"::1", "::1", nil, AFInet6, []string{"[::1]:0"}},
	}
	for _, tt := range tests {
		he, err := r.HostEntry(context.Background(), tt.name)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if he.Hostname() != tt.hostname || !slices.Equal(he.Aliases(), tt.aliases) || he.Family() != tt.family {
			t.Errorf("%s: %q %q %v, want %q %q %v", tt.name, he.Hostname(), he.Aliases(), he.Family(), tt.hostname, tt.aliases, tt.family)
		}
		got := addrStrings(he, he.At)
		if !slices.Equal(sorted(got), sorted(tt.addrs)) {
			t.Errorf("%s: addresses %v, want %v", tt.name, got, tt.addrs)
		}
		var all []string
		for a := range he.All() {
			all = append(all, a.String())
		}
		if !slices.Equal(all, got) {
			t.Errorf("%s: All() = %v, At() = %v", tt.name, all, got)
		}
	}
	if !s.Asked("alias.nspr.test.") {
		t.Errorf("the server did not see the CNAME chain: %v", s.Queries())
	}
	for _, name := range []string{"missing.nspr.test.", "fail.nspr.test.", ""} {
		_, err := r.HostEntry(context.Background(), name)
		wantCode(t, name, err, DirectoryLookupError)
	}
}

func TestHostEntryByAddr(t *testing.T) {
	r, s := testResolver(t)
	tests := []struct {
		addr     string
		hostname string
		aliases  []string
		family   Family
	}{
		{"127.8.9.10:80", "named.nspr.test", []string{"other.nspr.test", "third.nspr.test"}, AFInet},
		{"[fd00:6e73:7072::10]:443", "six.nspr.test", nil, AFInet6},
	}
	for _, tt := range tests {
		a, err := ParseNetworkAddress(tt.addr)
		if err != nil {
			t.Fatal(err)
		}
		he, err := r.HostEntryByAddr(context.Background(), a)
		if err != nil {
			t.Errorf("%s: %v", tt.addr, err)
			continue
		}
		if he.Hostname() != tt.hostname || !slices.Equal(he.Aliases(), tt.aliases) || he.Family() != tt.family {
			t.Errorf("%s: %q %q %v, want %q %q %v", tt.addr, he.Hostname(), he.Aliases(), he.Family(), tt.hostname, tt.aliases, tt.family)
		}
		if he.Len() != 1 || he.NetworkAddresses(0)[0].AddrPort().Addr() != a.AddrPort().Addr() {
			t.Errorf("%s: addresses %v", tt.addr, he.NetworkAddresses(0))
		}
	}
	if !s.Asked("10.9.8.127.in-addr.arpa.") {
		t.Errorf("the server never saw the PTR query: %v", s.Queries())
	}
	// No PTR record, a SERVFAIL-free NXDOMAIN.
	nx, _ := ParseNetworkAddress("127.8.9.11:0")
	_, err := r.HostEntryByAddr(context.Background(), nx)
	wantCode(t, "no PTR", err, DirectoryLookupError)
	// Not an IP address.
	unix, _ := NewUnixAddress("/tmp/x")
	for _, a := range []NetworkAddress{{}, unix} {
		_, err := r.HostEntryByAddr(context.Background(), a)
		wantCode(t, "family "+a.Family().String(), err, InvalidArgumentError)
	}
}

// TestNetworkAddressHostEntry checks the reverse lookup of
// NetworkAddress.HostEntry, which goes through DefaultResolver.
func TestNetworkAddressHostEntry(t *testing.T) {
	r, _ := testResolver(t)
	saved := DefaultResolver
	defer func() { DefaultResolver = saved }()
	DefaultResolver = r
	a, _ := ParseNetworkAddress("127.8.9.10:80")
	he, err := a.HostEntry()
	if err != nil {
		t.Fatal(err)
	}
	const want = "name=named.nspr.test family=PR_AF_INET aliases=(other.nspr.test, third.nspr.test) addresses=(127.8.9.10:0)"
	if he.String() != want {
		t.Errorf("HostEntry() = %q, want %q", he.String(), want)
	}
	he2, err := NewHostEntryByAddrContext(context.Background(), a)
	if err != nil || he2.String() != he.String() {
		t.Errorf("NewHostEntryByAddrContext: %v, %v", he2, err)
	}
	he3, err := NewHostEntryContext(context.Background(), "v4.nspr.test.")
	if err != nil || he3.Hostname() != "v4.nspr.test" {
		t.Errorf("NewHostEntryContext: %v, %v", he3, err)
	}
}

func TestHostEntryPorts(t *testing.T) {
	he, err := NewHostEntry("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	// Repeated calls with different ports each honour their port and leave
	// the entry's own addresses at port 0.
	for _, port := range []uint16{0, 80, 443, 80, 65535} {
		a, err := he.NetworkAddress(port)
		if err != nil || a.Port() != port || a.Address() != "127.0.0.1" {
			t.Errorf("NetworkAddress(%d) = %v, %v", port, a, err)
		}
		all := he.NetworkAddresses(port)
		if len(all) != 1 || all[0].Port() != port {
			t.Errorf("NetworkAddresses(%d) = %v", port, all)
		}
	}
	if a, _ := he.At(0); a.Port() != 0 {
		t.Errorf("At(0) changed to %v", a)
	}
	for _, i := range []int{-1, 1} {
		_, err := he.At(i)
		wantCode(t, "At", err, InvalidArgumentError)
	}
	var empty HostEntry
	_, err = empty.NetworkAddress(1)
	wantCode(t, "empty entry", err, DirectoryLookupError)
	if got := empty.NetworkAddresses(1); len(got) != 0 {
		t.Errorf("empty NetworkAddresses = %v", got)
	}
	// The caller's copy of the aliases is its own.
	he.aliases = []string{"a"}
	he.Aliases()[0] = "changed"
	if he.Aliases()[0] != "a" {
		t.Error("Aliases() shares the entry's slice")
	}
}

func TestHostEntryString(t *testing.T) {
	r, _ := testResolver(t)
	tests := []struct {
		name string
		want string
	}{
		{"localhost", "name=localhost family=PR_AF_INET aliases=() addresses=(127.0.0.1:0)"},
		{"::1", "name=::1 family=PR_AF_INET6 aliases=() addresses=([::1]:0)"},
		{"alias.nspr.test.", "name=multi.nspr.test family=PR_AF_INET aliases=(alias.nspr.test) addresses=(127.0.0.3:0, 127.0.0.4:0)"},
	}
	for _, tt := range tests {
		he, err := r.HostEntry(context.Background(), tt.name)
		if err != nil {
			t.Fatal(err)
		}
		if got := he.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
