package nspr

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nspr-go/nspr/internal/dnstest"
)

// The package's tests must never reach the machine's DNS servers: every
// query the default resolver would send fails here, so through it only the
// hosts file (localhost) and numeric addresses resolve. Tests of names use a
// Resolver pointed at a dnstest server.
func init() { DefaultResolver.Dial = refuseSystemDNS }

func refuseSystemDNS(_ context.Context, network, address string) (net.Conn, error) {
	return nil, errors.New("test tried to query the system DNS server " + address + " over " + network)
}

// testZone is what the test DNS server knows. Names are under nspr.test.,
// which exists nowhere else, and fully qualified so that no search domain is
// tried.
var testZone = []string{
	"v4.nspr.test. 60 IN A 127.0.0.2",
	"v6.nspr.test. 60 IN AAAA ::1",
	"v6.nspr.test. 60 IN AAAA fd00:6e73:7072::2",
	"multi.nspr.test. 60 IN A 127.0.0.3",
	"multi.nspr.test. 60 IN A 127.0.0.4",
	"multi.nspr.test. 60 IN AAAA ::1",
	"alias.nspr.test. 60 IN CNAME mid.nspr.test.",
	"mid.nspr.test. 60 IN CNAME multi.nspr.test.",
	"dangling.nspr.test. 60 IN CNAME missing.nspr.test.",
	"fail.nspr.test. 60 IN A 127.0.0.5",
	"slow.nspr.test. 60 IN A 127.0.0.6",
	"10.9.8.127.in-addr.arpa. 60 IN PTR named.nspr.test.",
	"10.9.8.127.in-addr.arpa. 60 IN PTR other.nspr.test.",
	"10.9.8.127.in-addr.arpa. 60 IN PTR third.nspr.test.",
	"loop1.nspr.test. 60 IN CNAME loop2.nspr.test.",
	"loop2.nspr.test. 60 IN CNAME loop1.nspr.test.",
	"0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.7.0.7.3.7.e.6.0.0.d.f.ip6.arpa. 60 IN PTR six.nspr.test.",
}

// testResolver starts the test DNS server and returns a Resolver that sends
// every query to it.
func testResolver(t *testing.T) (*Resolver, *dnstest.Server) {
	t.Helper()
	s := dnstest.Start(t, testZone...)
	s.ServFail("fail.nspr.test.")
	s.Delay("slow.nspr.test.", time.Minute)
	return &Resolver{Server: s.Addr, Timeout: 10 * time.Second}, s
}

// TestResolverAsksOnlyItsServer proves that a lookup through a Resolver
// with Server set is answered by that server, for a name nothing else knows,
// and that the default resolver cannot reach any DNS server in these tests.
func TestResolverAsksOnlyItsServer(t *testing.T) {
	r, s := testResolver(t)
	ai, err := r.AddrInfo(context.Background(), "v4.nspr.test.", AFInet, AIAddrConfig)
	if err != nil {
		t.Fatal(err)
	}
	if got := ai.addrs[0].String(); got != "127.0.0.2:0" {
		t.Errorf("v4.nspr.test. = %s, want 127.0.0.2:0", got)
	}
	if !s.Asked("v4.nspr.test.") {
		t.Errorf("the test server never saw the query; queries: %v", s.Queries())
	}
	_, err = NewAddrInfo("v4.nspr.test.", AFInet, AIAddrConfig)
	wantCode(t, "default resolver", err, DirectoryLookupError)
}

func TestResolverDial(t *testing.T) {
	_, s := testResolver(t)
	var dials atomic.Int32
	r := &Resolver{Server: "192.0.2.1:53", Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, network, s.Addr)
	}}
	a, err := r.NetworkAddress(context.Background(), "v4.nspr.test.", 7, AFInet)
	if err != nil {
		t.Fatal(err)
	}
	if dials.Load() == 0 || a.String() != "127.0.0.2:7" {
		t.Errorf("Dial called %d times, address %v", dials.Load(), a)
	}
}

func TestResolverNilIsDefault(t *testing.T) {
	var r *Resolver
	a, err := r.NetworkAddress(context.Background(), "127.0.0.1", 1, AFInet)
	if err != nil || a.String() != "127.0.0.1:1" {
		t.Errorf("nil Resolver: %v, %v", a, err)
	}
}

func TestResolverFailures(t *testing.T) {
	r, s := testResolver(t)
	tests := []struct {
		name     string
		notFound bool
	}{
		{"missing.nspr.test.", true},   // NXDOMAIN
		{"dangling.nspr.test.", true},  // CNAME to NXDOMAIN
		{"fail.nspr.test.", false},     // SERVFAIL
		{"v4.nspr.test.", true},        // no AAAA: asked for AFInet6 below
		{"bad..name.nspr.test.", true}, // not a domain name: never sent
	}
	for _, tt := range tests {
		family := AFUnspec
		if tt.name == "v4.nspr.test." {
			family = AFInet6
		}
		_, err := r.AddrInfo(context.Background(), tt.name, family, AIAddrConfig)
		wantCode(t, tt.name, err, DirectoryLookupError)
		var dnsErr *net.DNSError
		if !errors.As(err, &dnsErr) {
			t.Errorf("%s: %v does not wrap a *net.DNSError", tt.name, err)
			continue
		}
		if dnsErr.IsNotFound != tt.notFound {
			t.Errorf("%s: IsNotFound = %v, want %v (%v)", tt.name, dnsErr.IsNotFound, tt.notFound, err)
		}
	}
	for _, name := range []string{"missing.nspr.test.", "fail.nspr.test."} {
		if !s.Asked(name) {
			t.Errorf("the server never saw %s", name)
		}
	}
}

// TestResolverTimeout checks that a lookup the server does not answer in
// time fails after the Resolver's Timeout, and a context's deadline, with
// the deadline reachable through errors.Is.
func TestResolverTimeout(t *testing.T) {
	r, s := testResolver(t)
	const timeout = 300 * time.Millisecond
	slow := &Resolver{Server: r.Server, Timeout: timeout}
	lookups := []struct {
		name string
		run  func() error
	}{
		{"Resolver.Timeout", func() error {
			_, err := slow.AddrInfo(context.Background(), "slow.nspr.test.", AFInet, AIAddrConfig)
			return err
		}},
		{"context deadline", func() error {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			_, err := r.HostEntry(ctx, "slow.nspr.test.")
			return err
		}},
	}
	for _, l := range lookups {
		start := time.Now()
		err := l.run()
		elapsed := time.Since(start)
		wantCode(t, l.name, err, DirectoryLookupError)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v is not context.DeadlineExceeded", l.name, err)
		}
		if elapsed < timeout || elapsed > timeout+2*time.Second {
			t.Errorf("%s: returned after %v, want about %v", l.name, elapsed, timeout)
		}
	}
	if !s.Asked("slow.nspr.test.") {
		t.Error("the server never saw slow.nspr.test.")
	}
}

func TestResolverCanceled(t *testing.T) {
	r, _ := testResolver(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := r.AddrInfo(ctx, "v4.nspr.test.", AFUnspec, AIAddrConfig)
	wantCode(t, "canceled", err, DirectoryLookupError)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%v is not context.Canceled", err)
	}
}

func TestResolverNetworkAddressByName(t *testing.T) {
	r, _ := testResolver(t)
	ctx := context.Background()
	tests := []struct {
		host   string
		family Family
		want   []string // any of these
		name   string
	}{
		{"v4.nspr.test.", AFInet, []string{"127.0.0.2:443"}, "v4.nspr.test"},
		{"v4.nspr.test.", AFUnspec, []string{"127.0.0.2:443"}, "v4.nspr.test"},
		{"multi.nspr.test.", AFInet, []string{"127.0.0.3:443", "127.0.0.4:443"}, "multi.nspr.test"},
		{"multi.nspr.test.", AFInet6, []string{"[::1]:443"}, "multi.nspr.test"},
		{"alias.nspr.test.", AFInet6, []string{"[::1]:443"}, "multi.nspr.test"},
	}
	for _, tt := range tests {
		a, err := r.NetworkAddress(ctx, tt.host, 443, tt.family)
		if err != nil {
			t.Errorf("%s/%v: %v", tt.host, tt.family, err)
			continue
		}
		if !slices.Contains(tt.want, a.String()) || a.Hostname() != tt.name {
			t.Errorf("%s/%v = %v named %q, want one of %v named %q", tt.host, tt.family, a, a.Hostname(), tt.want, tt.name)
		}
		if tt.family != AFUnspec && a.Family() != tt.family {
			t.Errorf("%s/%v: family %v", tt.host, tt.family, a.Family())
		}
	}
	_, err := r.NetworkAddress(ctx, "v6.nspr.test.", 1, AFInet)
	wantCode(t, "v6 name as AFInet", err, DirectoryLookupError)
}

// TestResolverOrder checks that AddrInfo keeps the order Go's resolver
// gives (RFC 6724 destination address selection).
func TestResolverOrder(t *testing.T) {
	r, _ := testResolver(t)
	ctx := context.Background()
	nr, err := r.net("lookup")
	if err != nil {
		t.Fatal(err)
	}
	ips, err := nr.LookupNetIP(ctx, "ip", "multi.nspr.test.")
	if err != nil {
		t.Fatal(err)
	}
	ai, err := r.AddrInfo(ctx, "multi.nspr.test.", AFUnspec, AIAddrConfig)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Len() != len(ips) {
		t.Fatalf("AddrInfo has %d addresses, the resolver %d", ai.Len(), len(ips))
	}
	for i, ip := range ips {
		if a, _ := ai.At(i); a.AddrPort().Addr() != ip.Unmap() {
			t.Errorf("address %d = %v, the resolver's %v", i, a, ip)
		}
	}
}

// TestPackageLookupsUseDefaultResolver checks the package-level functions
// and their Context variants go through DefaultResolver.
func TestPackageLookupsUseDefaultResolver(t *testing.T) {
	r, s := testResolver(t)
	saved := DefaultResolver
	defer func() { DefaultResolver = saved }()
	DefaultResolver = r
	ctx := context.Background()

	ai, err := NewAddrInfoContext(ctx, "v4.nspr.test.", AFInet, AIAddrConfig)
	if err != nil || ai.Len() != 1 {
		t.Errorf("NewAddrInfoContext: %v, %v", ai, err)
	}
	a, err := NewNetworkAddressContext(ctx, "v4.nspr.test.", 5, AFUnspec)
	if err != nil || a.String() != "127.0.0.2:5" {
		t.Errorf("NewNetworkAddressContext: %v, %v", a, err)
	}
	he, err := NewHostEntry("v6.nspr.test.")
	if err != nil || he.Family() != AFInet6 {
		t.Errorf("NewHostEntry: %v, %v", he, err)
	}
	if err := a.SetFromString("multi.nspr.test.", AFInet6); err != nil || a.String() != "[::1]:5" || a.Hostname() != "multi.nspr.test" {
		t.Errorf("SetFromString by name: %v (%q), %v", a, a.Hostname(), err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = NewNetworkAddressContext(canceled, "v4.nspr.test.", 5, AFInet)
	wantCode(t, "canceled", err, DirectoryLookupError)
	for _, name := range []string{"v4.nspr.test.", "v6.nspr.test.", "multi.nspr.test."} {
		if !s.Asked(name) {
			t.Errorf("the test server never saw %s", name)
		}
	}
}

// TestResolverErrorNamesItsServer checks that a failed lookup through a
// Resolver with Server set names that server, the one actually asked, and
// not one of /etc/resolv.conf's, whose addresses Go's resolver dials first.
func TestResolverErrorNamesItsServer(t *testing.T) {
	r, _ := testResolver(t)
	unreachable := &Resolver{Server: "127.0.0.1:1", Timeout: 5 * time.Second} // nothing listens on port 1
	ctx := context.Background()
	tests := []struct {
		name string
		r    *Resolver
		run  func(r *Resolver) error
	}{
		{"SERVFAIL", r, func(r *Resolver) error {
			_, err := r.AddrInfo(ctx, "fail.nspr.test.", AFUnspec, AIAddrConfig)
			return err
		}},
		{"NXDOMAIN", r, func(r *Resolver) error {
			_, err := r.HostEntry(ctx, "missing.nspr.test.")
			return err
		}},
		{"unreachable", unreachable, func(r *Resolver) error {
			_, err := r.NetworkAddress(ctx, "v4.nspr.test.", 1, AFInet)
			return err
		}},
		{"unreachable reverse", unreachable, func(r *Resolver) error {
			_, err := r.HostEntryByAddr(ctx, addrOf("127.8.9.10:0"))
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run(tt.r)
			wantCode(t, tt.name, err, DirectoryLookupError)
			var dnsErr *net.DNSError
			if !errors.As(err, &dnsErr) {
				t.Fatalf("%v does not wrap a *net.DNSError", err)
			}
			if dnsErr.Server != tt.r.Server || !strings.Contains(err.Error(), "on "+tt.r.Server) {
				t.Errorf("the error names server %q (%v); want %q, the one asked", dnsErr.Server, err, tt.r.Server)
			}
		})
	}
}

// TestResolverInvalidServer checks that a Server that is not "host:port"
// is PR_INVALID_ARGUMENT_ERROR naming the field, from Validate and from
// every lookup of a name or an address, before any query is sent.
func TestResolverInvalidServer(t *testing.T) {
	ctx := context.Background()
	for _, server := range []string{"bogus", "host:notaport", "127.0.0.1:70000", "127.0.0.1:0", ":53", "127.0.0.1:"} {
		t.Run(server, func(t *testing.T) {
			r := &Resolver{Server: server}
			lookups := map[string]func() error{
				"Validate": r.Validate,
				"AddrInfo": func() error {
					_, err := r.AddrInfo(ctx, "v4.nspr.test.", AFUnspec, AIAddrConfig)
					return err
				},
				"HostEntryByAddr": func() error {
					_, err := r.HostEntryByAddr(ctx, addrOf("127.8.9.10:0"))
					return err
				},
			}
			for name, run := range lookups {
				err := run()
				wantCode(t, name, err, InvalidArgumentError)
				if err != nil && !strings.Contains(err.Error(), "Resolver.Server") {
					t.Errorf("%s: %v does not name Resolver.Server", name, err)
				}
			}
		})
	}
	for _, r := range []*Resolver{{}, {Server: "127.0.0.1:53"}, {Server: "[::1]:5353"}, {Server: "dns.nspr.test:53"}, {Server: "bogus", Dial: refuseSystemDNS}} {
		if err := r.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v; want nil", r.Server, err)
		}
	}
}
