package nspr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Resolver turns names into addresses and back for AddrInfo, HostEntry and
// NetworkAddress. It uses Go's own resolver (the hosts file, then DNS), never
// the C library, so lookups park a goroutine instead of a thread and can be
// cancelled.
//
// The zero Resolver asks the DNS servers of /etc/resolv.conf. Set Server (or
// Dial) to send every DNS query to a server of your choosing instead, e.g. a
// test server on loopback. Go's resolver still reads /etc/hosts and the
// search list of /etc/resolv.conf first; use fully qualified names ending in
// "." to skip the search list.
type Resolver struct {
	// Server is the "host:port" of the DNS server to query instead of the
	// ones in /etc/resolv.conf, with a numeric port. Ignored when Dial is
	// set. A failed lookup's *net.DNSError names it. A value that is not
	// host:port fails every lookup of a name or an address (even one the
	// hosts file would answer; numeric hosts need no lookup) with
	// PR_INVALID_ARGUMENT_ERROR; Validate reports it before any lookup.
	Server string

	// Dial, if set, opens every connection to a DNS server, as
	// net.Resolver.Dial does; address is the server Go would have used.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)

	// Timeout bounds each whole lookup; 0 leaves only the context's
	// deadline and resolv.conf's own timeouts.
	Timeout time.Duration
}

// DefaultResolver serves NewAddrInfo, NewHostEntry, NewNetworkAddress and the
// other package-level lookups. Replace it, or its fields, before the first
// lookup to send a program's queries elsewhere.
var DefaultResolver = &Resolver{}

// configuredFamilies reports whether any interface has a non-loopback IPv4
// and IPv6 address, for AIAddrConfig. Tests replace it.
var configuredFamilies = func() (v4, v6 bool) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return true, true // cannot tell: filter nothing
	}
	for _, a := range addrs {
		pfx, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(pfx.IP)
		if !ok || ip.IsLoopback() {
			continue
		}
		if ip.Unmap().Is4() {
			v4 = true
		} else {
			v6 = true
		}
	}
	return v4, v6
}

// resolver returns r, or DefaultResolver for a nil r.
func (r *Resolver) resolver() *Resolver {
	if r == nil {
		return DefaultResolver
	}
	return r
}

// Validate reports whether r can send a query: a Server (unless Dial is
// set) must be "host:port" with a host and a port of 1-65535, else it is
// PR_INVALID_ARGUMENT_ERROR naming Resolver.Server. Every lookup of a name
// or an address checks it; a program that takes the server from its user can
// call Validate at start to report the mistake before the first lookup.
func (r *Resolver) Validate() error {
	return r.resolver().validate("resolver")
}

func (r *Resolver) validate(op string) error {
	if r.Dial != nil || r.Server == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(r.Server)
	if err == nil && host == "" {
		err = errors.New("no host")
	}
	if err == nil {
		if n, perr := strconv.ParseUint(port, 10, 16); perr != nil || n == 0 {
			err = errors.New("the port is not a number from 1 to 65535")
		}
	}
	if err != nil {
		return newError(op, InvalidArgumentError, fmt.Errorf("Resolver.Server %q is not host:port: %w", r.Server, err))
	}
	return nil
}

// failed is PR_DIRECTORY_LOOKUP_ERROR for a failed query. Go's resolver
// names the server it meant to dial, one of /etc/resolv.conf's, even when
// Server sent the query elsewhere; the error names the server asked.
func (r *Resolver) failed(op string, err error) error {
	var dnsErr *net.DNSError
	if r.Dial == nil && r.Server != "" && errors.As(err, &dnsErr) && dnsErr.Server != "" {
		dnsErr.Server = r.Server
	}
	return newError(op, DirectoryLookupError, err)
}

// net returns the Go resolver configured by r, forced to the pure-Go path,
// or the error of an invalid Server.
//
// Every connection to a DNS server is cut when the lookup's context ends: Go
// keeps waiting on a UDP answer until resolv.conf's timeout even after the
// caller gave up, which would hold a goroutine and a descriptor for seconds.
func (r *Resolver) net(op string) (*net.Resolver, error) {
	if err := r.validate(op); err != nil {
		return nil, err
	}
	dial, server := r.Dial, r.Server
	if dial == nil {
		dial = func(ctx context.Context, network, address string) (net.Conn, error) {
			if server != "" {
				address = server
			}
			var d net.Dialer
			return d.DialContext(ctx, network, address)
		}
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		c, err := dial(ctx, network, address)
		if err != nil {
			return nil, err
		}
		context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
		return c, nil
	}}, nil
}

// withTimeout applies r.Timeout to ctx.
func (r *Resolver) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	if r.Timeout > 0 {
		return context.WithTimeout(ctx, r.Timeout)
	}
	return context.WithCancel(ctx)
}

// lookupResult is what one forward lookup found: the addresses in the
// resolver's order and, if asked for, the canonical name.
type lookupResult struct {
	addrs     []netip.Addr
	canonical string
	numeric   bool // host was a numeric address, not a name
}

// maxCNAMEHops bounds the CNAME chain followed for the canonical name.
const maxCNAMEHops = 8

// numericAddr parses host as a numeric address; ok is false for a name. A
// number of the other family is PR_DIRECTORY_LOOKUP_ERROR, as getaddrinfo
// finds no address for it.
func numericAddr(op, host string, family Family) (ip netip.Addr, ok bool, err error) {
	ip, perr := netip.ParseAddr(host)
	if perr != nil {
		return netip.Addr{}, false, nil
	}
	if !familyMatches(ip, family) {
		return netip.Addr{}, true, lookupError(op, host, family)
	}
	return ip, true, nil
}

// lookup resolves host to the addresses of family (AFUnspec for both), the
// common path of AddrInfo, HostEntry and NetworkAddress. A numeric host is
// its own answer and its own canonical name, as getaddrinfo treats it.
func (r *Resolver) lookup(ctx context.Context, op, host string, family Family, canon bool) (lookupResult, error) {
	if ctx == nil {
		return lookupResult{}, newError(op, InvalidArgumentError, errors.New("nil context"))
	}
	if ip, ok, err := numericAddr(op, host, family); ok {
		if err != nil {
			return lookupResult{}, err
		}
		res := lookupResult{addrs: []netip.Addr{ip}, numeric: true}
		if canon {
			res.canonical = host
		}
		return res, nil
	}
	if host == "" {
		return lookupResult{}, newError(op, DirectoryLookupError, errors.New("empty host name"))
	}
	nr, err := r.net(op)
	if err != nil {
		return lookupResult{}, err
	}
	ctx, cancel := r.withTimeout(ctx)
	defer cancel()
	network := "ip"
	switch family {
	case AFInet:
		network = "ip4"
	case AFInet6:
		network = "ip6"
	}
	ips, err := nr.LookupNetIP(ctx, network, host)
	if err != nil {
		return lookupResult{}, r.failed(op, err)
	}
	res := lookupResult{addrs: make([]netip.Addr, 0, len(ips))}
	for _, ip := range ips {
		if ip.Is4In6() && family != AFInet6 {
			ip = ip.Unmap() // A records arrive in 16-byte form
		}
		if familyMatches(ip, family) {
			res.addrs = append(res.addrs, ip)
		}
	}
	if len(res.addrs) == 0 {
		return lookupResult{}, lookupError(op, host, family)
	}
	if canon {
		cname, err := canonicalName(ctx, nr, host)
		if err != nil {
			return lookupResult{}, r.failed(op, err)
		}
		res.canonical = cname
	}
	return res, nil
}

// canonicalName follows host's CNAMEs to its canonical name. Go's
// LookupCNAME alone may stop at any hop of a chain, depending on which of
// its parallel answers arrives first; asking again from there until the
// name stays put gives the end of the chain every time.
func canonicalName(ctx context.Context, nr *net.Resolver, host string) (string, error) {
	seen := []string{strings.TrimSuffix(host, ".")}
	name := host
	for range maxCNAMEHops {
		cname, err := nr.LookupCNAME(ctx, name)
		if err != nil {
			return "", err
		}
		next := strings.TrimSuffix(cname, ".")
		if slices.ContainsFunc(seen, func(n string) bool { return strings.EqualFold(n, next) }) {
			break // the canonical name, or a loop
		}
		seen = append(seen, next)
		name = cname
	}
	return seen[len(seen)-1], nil
}

// familyMatches reports whether ip belongs to family (AFUnspec: any).
func familyMatches(ip netip.Addr, family Family) bool {
	switch family {
	case AFInet:
		return ip.Is4()
	case AFInet6:
		return ip.Is6()
	}
	return true
}

// lookupError is PR_DIRECTORY_LOOKUP_ERROR for a name with no address of
// the family asked for.
func lookupError(op, host string, family Family) error {
	return newError(op, DirectoryLookupError,
		&net.DNSError{Err: "no address in family " + family.String(), Name: host, IsNotFound: true})
}

// reverse returns the names of ip, the first being the official one.
func (r *Resolver) reverse(ctx context.Context, op string, ip netip.Addr) ([]string, error) {
	if ctx == nil {
		return nil, newError(op, InvalidArgumentError, errors.New("nil context"))
	}
	nr, err := r.net(op)
	if err != nil {
		return nil, err
	}
	ctx, cancel := r.withTimeout(ctx)
	defer cancel()
	names, err := nr.LookupAddr(ctx, ip.String())
	if err != nil {
		return nil, r.failed(op, err)
	}
	if len(names) == 0 {
		return nil, lookupError(op, ip.String(), AFUnspec)
	}
	for i, n := range names {
		names[i] = strings.TrimSuffix(n, ".")
	}
	return names, nil
}
