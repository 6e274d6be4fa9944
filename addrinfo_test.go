package nspr

import (
	"context"
	"net"
	"slices"
	"sort"
	"testing"
)

// addrStrings returns the addresses of seq as String prints them.
func addrStrings(ai interface{ Len() int }, at func(int) (NetworkAddress, error)) []string {
	var out []string
	for i := range ai.Len() {
		a, err := at(i)
		if err != nil {
			return append(out, "error: "+err.Error())
		}
		out = append(out, a.String())
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

func TestAddrInfoLookups(t *testing.T) {
	r, s := testResolver(t)
	tests := []struct {
		host      string
		family    Family
		flags     AIFlags
		addrs     []string // in any order
		canonical string
	}{
		{"v4.nspr.test.", AFUnspec, AIAddrConfig, []string{"127.0.0.2:0"}, "v4.nspr.test"},
		{"v6.nspr.test.", AFUnspec, AIAddrConfig, []string{"[::1]:0", "[fd00:6e73:7072::2]:0"}, "v6.nspr.test"},
		{"v6.nspr.test.", AFInet6, AIAddrConfig | AINoCanonName, []string{"[::1]:0", "[fd00:6e73:7072::2]:0"}, ""},
		{"multi.nspr.test.", AFUnspec, AIAddrConfig, []string{"127.0.0.3:0", "127.0.0.4:0", "[::1]:0"}, "multi.nspr.test"},
		{"multi.nspr.test.", AFInet, AIAddrConfig, []string{"127.0.0.3:0", "127.0.0.4:0"}, "multi.nspr.test"},
		{"multi.nspr.test.", AFInet6, AIAddrConfig, []string{"[::1]:0"}, "multi.nspr.test"},
		{"alias.nspr.test.", AFUnspec, AIAddrConfig, []string{"127.0.0.3:0", "127.0.0.4:0", "[::1]:0"}, "multi.nspr.test"},
		{"alias.nspr.test.", AFInet, AIAddrConfig | AINoCanonName, []string{"127.0.0.3:0", "127.0.0.4:0"}, ""},
		{"127.0.0.1", AFUnspec, AIAddrConfig, []string{"127.0.0.1:0"}, "127.0.0.1"},
		{"::1", AFInet6, AIAddrConfig, []string{"[::1]:0"}, "::1"},
		{"localhost", AFInet, AIAddrConfig, []string{"127.0.0.1:0"}, "localhost"},
	}
	for _, tt := range tests {
		ai, err := r.AddrInfo(context.Background(), tt.host, tt.family, tt.flags)
		if err != nil {
			t.Errorf("%s/%v/%v: %v", tt.host, tt.family, tt.flags, err)
			continue
		}
		got := addrStrings(ai, ai.At)
		if !slices.Equal(sorted(got), sorted(tt.addrs)) {
			t.Errorf("%s/%v: addresses %v, want %v", tt.host, tt.family, got, tt.addrs)
		}
		if ai.Hostname() != tt.host || ai.CanonicalName() != tt.canonical {
			t.Errorf("%s/%v: hostname %q canonical %q, want %q %q", tt.host, tt.family, ai.Hostname(), ai.CanonicalName(), tt.host, tt.canonical)
		}
		var all []string
		for a := range ai.All() {
			if a.Port() != 0 || (tt.family != AFUnspec && a.Family() != tt.family) {
				t.Errorf("%s/%v: address %v of family %v", tt.host, tt.family, a, a.Family())
			}
			all = append(all, a.String())
		}
		if !slices.Equal(all, got) {
			t.Errorf("%s: All() = %v, At() = %v", tt.host, all, got)
		}
	}
	if !s.Asked("alias.nspr.test.") {
		t.Error("the test server never saw alias.nspr.test.")
	}
}

func TestAddrInfoArguments(t *testing.T) {
	tests := []struct {
		family Family
		flags  AIFlags
		ok     bool
	}{
		{AFUnspec, AIAddrConfig, true},
		{AFInet, AIAddrConfig | AINoCanonName, true},
		{AFInet6, AIAddrConfig, true}, // asked with ::1 below
		{AFLocal, AIAddrConfig, false},
		{Family(3), AIAddrConfig, false},
		{AFInet, 0, false},
		{AFInet, AIDefault, false},
		{AFInet, AIAll | AIAddrConfig, false},
		{AFInet, AINoCanonName, false},
		{AFInet, AIAddrConfig | 0x1, false},
	}
	for _, tt := range tests {
		host := "127.0.0.1"
		if tt.family == AFInet6 {
			host = "::1"
		}
		ai, err := NewAddrInfo(host, tt.family, tt.flags)
		if tt.ok {
			if err != nil || ai.Len() != 1 {
				t.Errorf("%v/%v: %v, %v", tt.family, tt.flags, ai, err)
			}
			continue
		}
		wantCode(t, tt.family.String()+"/"+tt.flags.String(), err, InvalidArgumentError)
	}
}

func TestAddrInfoString(t *testing.T) {
	r, _ := testResolver(t)
	tests := []struct {
		host   string
		family Family
		flags  AIFlags
		want   string
	}{
		{"127.0.0.1", AFInet, AIAddrConfig, "host=127.0.0.1 canonical=127.0.0.1 (1 addrs) addr[0]=127.0.0.1:0"},
		{"::1", AFInet6, AIAddrConfig, "host=::1 canonical=::1 (1 addrs) addr[0]=[::1]:0"},
		{"::1", AFUnspec, AIAddrConfig | AINoCanonName, "host=::1 canonical=None (1 addrs) addr[0]=[::1]:0"},
		{"localhost", AFInet, AIAddrConfig, "host=localhost canonical=localhost (1 addrs) addr[0]=127.0.0.1:0"},
		{"localhost", AFInet, AIAddrConfig | AINoCanonName, "host=localhost canonical=None (1 addrs) addr[0]=127.0.0.1:0"},
		{"v4.nspr.test.", AFInet, AIAddrConfig, "host=v4.nspr.test. canonical=v4.nspr.test (1 addrs) addr[0]=127.0.0.2:0"},
		{"multi.nspr.test.", AFInet6, AIAddrConfig, "host=multi.nspr.test. canonical=multi.nspr.test (1 addrs) addr[0]=[::1]:0"},
	}
	for _, tt := range tests {
		ai, err := r.AddrInfo(context.Background(), tt.host, tt.family, tt.flags)
		if err != nil {
			t.Fatal(err)
		}
		if got := ai.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestAddrInfoAt(t *testing.T) {
	ai, err := NewAddrInfo("127.0.0.1", AFInet, AIAddrConfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{-1, 1, 100} {
		_, err := ai.At(i)
		wantCode(t, "At", err, InvalidArgumentError)
	}
	// Stopping a range early stops the iterator.
	n := 0
	for range ai.All() {
		n++
		break
	}
	if n != 1 {
		t.Errorf("ranged %d times", n)
	}
}

// TestAddrInfoAddrConfig checks AIAddrConfig: families without a configured
// non-loopback interface are dropped, except for the localhost names NSPR
// exempts and for numeric hosts.
func TestAddrInfoAddrConfig(t *testing.T) {
	r, _ := testResolver(t)
	saved := configuredFamilies
	defer func() { configuredFamilies = saved }()
	ctx := context.Background()

	configuredFamilies = func() (bool, bool) { return true, false }
	ai, err := r.AddrInfo(ctx, "multi.nspr.test.", AFUnspec, AIAddrConfig)
	if err != nil {
		t.Fatal(err)
	}
	if got := sorted(addrStrings(ai, ai.At)); !slices.Equal(got, []string{"127.0.0.3:0", "127.0.0.4:0"}) {
		t.Errorf("IPv4 only: %v", got)
	}
	_, err = r.AddrInfo(ctx, "v6.nspr.test.", AFUnspec, AIAddrConfig)
	wantCode(t, "no IPv6 configured", err, DirectoryLookupError)

	configuredFamilies = func() (bool, bool) { return false, false }
	for _, host := range []string{"localhost", "127.0.0.1", "::1"} {
		if _, err := r.AddrInfo(ctx, host, AFUnspec, AIAddrConfig); err != nil {
			t.Errorf("%s with no family configured: %v", host, err)
		}
	}
	_, err = r.AddrInfo(ctx, "v4.nspr.test.", AFUnspec, AIAddrConfig)
	wantCode(t, "nothing configured", err, DirectoryLookupError)
}

// TestConfiguredFamilies compares the AIAddrConfig probe with the
// interfaces not flagged as loopback.
func TestConfiguredFamilies(t *testing.T) {
	ifs, err := net.Interfaces()
	if err != nil {
		t.Skipf("cannot list interfaces: %v", err)
	}
	var want4, want6 bool
	for _, ifi := range ifs {
		if ifi.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifi.Addrs()
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() {
				want4 = want4 || ipn.IP.To4() != nil
				want6 = want6 || ipn.IP.To4() == nil
			}
		}
	}
	if v4, v6 := configuredFamilies(); v4 != want4 || v6 != want6 {
		t.Errorf("configuredFamilies() = %v, %v; interfaces say %v, %v", v4, v6, want4, want6)
	}
}

// TestAddrInfoConnectLoop runs the seed's loop: try each address of a name
// until a connect succeeds. multi.nspr.test. has 127.0.0.3 and 127.0.0.4;
// only 127.0.0.4 listens.
func TestAddrInfoConnectLoop(t *testing.T) {
	r, _ := testResolver(t)
	l, err := NewSocket(AFInet, DescSocketTCP)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	bindAddr, _ := NewNetworkAddress("127.0.0.4", 0, AFInet)
	if err := l.Bind(bindAddr); err != nil {
		t.Fatal(err)
	}
	if err := l.Listen(4); err != nil {
		t.Fatal(err)
	}
	name, _ := l.SockName()

	ai, err := r.AddrInfo(context.Background(), "multi.nspr.test.", AFInet, AIAddrConfig)
	if err != nil {
		t.Fatal(err)
	}
	var connected NetworkAddress
	tried := 0
	for a := range ai.All() {
		tried++
		if err := a.SetPort(int(name.Port())); err != nil {
			t.Fatal(err)
		}
		s, err := NewSocket(a.Family(), DescSocketTCP)
		if err != nil {
			t.Fatal(err)
		}
		err = s.Connect(a, SecondsToInterval(1))
		s.Close()
		if err == nil {
			connected = a
			break
		}
		wantCode(t, a.String(), err, ConnectRefusedError)
	}
	if connected.Address() != "127.0.0.4" || tried < 1 || tried > 2 {
		t.Errorf("connected to %v after %d tries", connected, tried)
	}
}
