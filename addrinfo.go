package nspr

import (
	"context"
	"errors"
	"iter"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// AddrInfo is the result of resolving a host name: its addresses in the order
// to try them, and the canonical name (nss.io.AddrInfo, PR_GetAddrInfoByName
// with PR_EnumerateAddrInfo). Connect to each address in turn until one
// succeeds.
type AddrInfo struct {
	hostname  string
	canonical string
	addrs     []NetworkAddress
}

// localhostNames are the names NSPR exempts from AI_ADDRCONFIG, so that
// "localhost" keeps its loopback addresses on a host without a configured
// interface of that family.
var localhostNames = map[string]bool{
	"localhost":               true,
	"localhost.localdomain":   true,
	"localhost6":              true,
	"localhost6.localdomain6": true,
}

// NewAddrInfo resolves host with DefaultResolver (PR_GetAddrInfoByName).
// family is AFUnspec, AFInet or AFInet6 (the original cannot ask for IPv6
// only); flags is AIAddrConfig or AIAddrConfig|AINoCanonName. Other families
// or flags are PR_INVALID_ARGUMENT_ERROR, as in NSPR; a failed lookup is
// PR_DIRECTORY_LOOKUP_ERROR wrapping the resolver's error.
func NewAddrInfo(host string, family Family, flags AIFlags) (*AddrInfo, error) {
	return DefaultResolver.AddrInfo(context.Background(), host, family, flags)
}

// NewAddrInfoContext is NewAddrInfo bounded by ctx; a nil ctx is
// PR_INVALID_ARGUMENT_ERROR.
func NewAddrInfoContext(ctx context.Context, host string, family Family, flags AIFlags) (*AddrInfo, error) {
	return DefaultResolver.AddrInfo(ctx, host, family, flags)
}

// AddrInfo resolves host with r; see NewAddrInfo. A nil r is DefaultResolver.
func (r *Resolver) AddrInfo(ctx context.Context, host string, family Family, flags AIFlags) (*AddrInfo, error) {
	const op = "getaddrinfo"
	if family != AFUnspec && family != AFInet && family != AFInet6 {
		return nil, newError(op, InvalidArgumentError, errors.New("family "+family.String()+" is not PR_AF_UNSPEC, PR_AF_INET or PR_AF_INET6"))
	}
	if flags&^AINoCanonName != AIAddrConfig {
		return nil, newError(op, InvalidArgumentError, errors.New("flags "+flags.String()+" are not PR_AI_ADDRCONFIG with optional PR_AI_NOCANONNAME"))
	}
	res, err := r.resolver().lookup(ctx, op, host, family, flags&AINoCanonName == 0)
	if err != nil {
		return nil, err
	}
	if !res.numeric && !localhostNames[host] {
		res.addrs = addrConfig(res.addrs)
		if len(res.addrs) == 0 {
			return nil, newError(op, DirectoryLookupError, errors.New("no address of a family configured on this host"))
		}
	}
	ai := &AddrInfo{hostname: host, canonical: res.canonical, addrs: make([]NetworkAddress, len(res.addrs))}
	for i, ip := range res.addrs {
		ai.addrs[i] = NewNetworkAddressFromAddrPort(netip.AddrPortFrom(ip, 0))
	}
	return ai, nil
}

// addrConfig drops the addresses of families no interface is configured
// with, as AI_ADDRCONFIG does (loopback interfaces do not count).
func addrConfig(addrs []netip.Addr) []netip.Addr {
	v4, v6 := configuredFamilies()
	kept := addrs[:0]
	for _, ip := range addrs {
		if ip.Is4() && v4 || ip.Is6() && v6 {
			kept = append(kept, ip)
		}
	}
	return kept
}

// emptyAddrInfo stands in for a nil *AddrInfo, so that its methods behave
// as those of an AddrInfo without addresses instead of panicking.
var emptyAddrInfo AddrInfo

func (ai *AddrInfo) orEmpty() *AddrInfo {
	if ai == nil {
		return &emptyAddrInfo
	}
	return ai
}

// Hostname returns the host the AddrInfo was made for (AddrInfo.hostname).
func (ai *AddrInfo) Hostname() string { return ai.orEmpty().hostname }

// CanonicalName returns the canonical name of the host, or "" when it was
// not asked for with AINoCanonName (AddrInfo.canonical_name). For a numeric
// host it is the host itself, as getaddrinfo reports it.
func (ai *AddrInfo) CanonicalName() string { return ai.orEmpty().canonical }

// Len returns the number of addresses (len(addr_info)).
func (ai *AddrInfo) Len() int { return len(ai.orEmpty().addrs) }

// At returns address i, with port 0 (addr_info[i]); an index outside
// [0, Len()) is PR_INVALID_ARGUMENT_ERROR.
func (ai *AddrInfo) At(i int) (NetworkAddress, error) { return indexAddr(ai.orEmpty().addrs, i) }

// All yields the addresses in order (for net_addr in addr_info).
func (ai *AddrInfo) All() iter.Seq[NetworkAddress] { return slices.Values(ai.orEmpty().addrs) }

// String formats the AddrInfo as the original does:
// "host=localhost canonical=localhost (1 addrs) addr[0]=127.0.0.1:0", with
// canonical=None when there is no canonical name and each address as
// NetworkAddress.String prints it.
func (ai *AddrInfo) String() string {
	ai = ai.orEmpty()
	var b strings.Builder
	canonical := ai.canonical
	if canonical == "" {
		canonical = "None"
	}
	b.WriteString("host=" + ai.hostname + " canonical=" + canonical + " (" + strconv.Itoa(len(ai.addrs)) + " addrs)")
	for i, a := range ai.addrs {
		b.WriteString(" addr[" + strconv.Itoa(i) + "]=" + a.String())
	}
	return b.String()
}
