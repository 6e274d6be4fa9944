//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"net/netip"
	"testing"
)

// The fuzz targets below run briefly in .ci/fuzz; their seed corpora live in
// testdata/fuzz. Name lookups go to the test resolver, which refuses the
// system's DNS server (resolver_test.go), so no input reaches the network.

// FuzzNetworkAddress parses arbitrary host strings: the result is an address
// of the family asked for with the port given, or a *Error; a numeric
// address's text parses back to the same address.
func FuzzNetworkAddress(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "::1", "fe80::1%lo", "::ffff:1.2.3.4", "localhost", "1.2.3", "", "[::1]", "0x7f.1", "255.255.255.256", "%", "::%25"} {
		f.Add(s, uint16(80), int(AFInet))
		f.Add(s, uint16(0), int(AFInet6))
	}
	f.Fuzz(func(t *testing.T, host string, port uint16, family int) {
		fam := Family(family)
		a, err := NewNetworkAddress(host, port, fam)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("NewNetworkAddress(%q, %d, %v): %T %v, want *nspr.Error", host, port, fam, err, err)
			}
			return
		}
		if a.Port() != int(port) && fam != AFLocal {
			t.Fatalf("NewNetworkAddress(%q, %d, %v).Port() = %d", host, port, fam, a.Port())
		}
		if (fam == AFInet || fam == AFInet6) && a.Family() != fam {
			t.Fatalf("NewNetworkAddress(%q, %d, %v) has family %v", host, port, fam, a.Family())
		}
		if _, perr := netip.ParseAddr(host); perr == nil && a.Family() != AFLocal {
			b, err := NewNetworkAddress(a.Address(), port, a.Family())
			if err != nil || b.AddrPort() != a.AddrPort() {
				t.Fatalf("%q -> %v -> %v, %v: no round trip", host, a, b, err)
			}
		}
		_ = a.String()
	})
}

// FuzzUnixAddress checks the Unix path rules: a valid path is kept as given,
// an invalid one is a *Error, never a panic.
func FuzzUnixAddress(f *testing.F) {
	for _, s := range []string{"/tmp/s", "", "a\x00b", "@abstract", "relative/path", string(make([]byte, 200))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		a, err := NewUnixAddress(path)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("NewUnixAddress(%q): %T %v, want *nspr.Error", path, err, err)
			}
			return
		}
		if a.Path() != path || a.Family() != AFLocal {
			t.Fatalf("NewUnixAddress(%q) = path %q family %v", path, a.Path(), a.Family())
		}
		for i := range len(path) {
			if path[i] == 0 {
				t.Fatalf("NewUnixAddress accepted a path with NUL: %q", path)
			}
		}
	})
}
