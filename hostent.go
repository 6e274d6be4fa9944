package nspr

import (
	"context"
	"errors"
	"iter"
	"net/netip"
	"slices"
	"strings"
)

// HostEntry is a host's official name, its aliases and its addresses, all of
// one family (nss.io.HostEntry, PRHostEnt). It is the older interface:
// prefer AddrInfo, which orders the addresses of both families.
type HostEntry struct {
	hostname string
	aliases  []string
	family   Family
	addrs    []NetworkAddress
}

// NewHostEntry looks name up with DefaultResolver (HostEntry(name),
// PR_GetHostByName). The entry holds the name's IPv4 addresses or, when it
// has none, its IPv6 addresses (the original finds IPv4 only). A failed
// lookup is PR_DIRECTORY_LOOKUP_ERROR wrapping the resolver's error.
func NewHostEntry(name string) (*HostEntry, error) {
	return DefaultResolver.HostEntry(context.Background(), name)
}

// NewHostEntryContext is NewHostEntry bounded by ctx; a nil ctx is
// PR_INVALID_ARGUMENT_ERROR.
func NewHostEntryContext(ctx context.Context, name string) (*HostEntry, error) {
	return DefaultResolver.HostEntry(ctx, name)
}

// NewHostEntryByAddr looks addr up in reverse with DefaultResolver
// (HostEntry(net_addr), PR_GetHostByAddr), for IPv4 and IPv6. The entry's
// one address is addr's, with port 0. An address that is not IPv4 or IPv6 is
// PR_INVALID_ARGUMENT_ERROR; a failed lookup PR_DIRECTORY_LOOKUP_ERROR.
func NewHostEntryByAddr(addr NetworkAddress) (*HostEntry, error) {
	return DefaultResolver.HostEntryByAddr(context.Background(), addr)
}

// NewHostEntryByAddrContext is NewHostEntryByAddr bounded by ctx; a nil ctx
// is PR_INVALID_ARGUMENT_ERROR.
func NewHostEntryByAddrContext(ctx context.Context, addr NetworkAddress) (*HostEntry, error) {
	return DefaultResolver.HostEntryByAddr(ctx, addr)
}

// HostEntry looks name up with r; see NewHostEntry. The official name is the
// canonical name, at the end of any CNAME chain; the aliases hold name itself
// when it is an alias of that name (Go's resolver does not report the
// names in the middle of a chain, nor a hosts-file line's other names). A
// nil r is DefaultResolver.
func (r *Resolver) HostEntry(ctx context.Context, name string) (*HostEntry, error) {
	res, err := r.resolver().lookup(ctx, "gethostbyname", name, AFUnspec, true)
	if err != nil {
		return nil, err
	}
	family := AFInet6
	if slices.ContainsFunc(res.addrs, netip.Addr.Is4) {
		family = AFInet
	}
	he := &HostEntry{hostname: res.canonical, family: family}
	if short := strings.TrimSuffix(name, "."); !strings.EqualFold(short, res.canonical) {
		he.aliases = []string{short}
	}
	for _, ip := range res.addrs {
		if familyMatches(ip, family) {
			he.addrs = append(he.addrs, NewNetworkAddressFromAddrPort(netip.AddrPortFrom(ip, 0)))
		}
	}
	return he, nil
}

// HostEntryByAddr looks addr up in reverse with r; see NewHostEntryByAddr.
// The first name found is the official one, the others are aliases. A nil r
// is DefaultResolver.
func (r *Resolver) HostEntryByAddr(ctx context.Context, addr NetworkAddress) (*HostEntry, error) {
	const op = "gethostbyaddr"
	if addr.family != AFInet && addr.family != AFInet6 || !addr.ap.Addr().IsValid() {
		return nil, newError(op, InvalidArgumentError, errors.New("not an IPv4 or IPv6 address: "+addr.family.String()))
	}
	names, err := r.resolver().reverse(ctx, op, addr.ap.Addr())
	if err != nil {
		return nil, err
	}
	return &HostEntry{
		hostname: names[0],
		aliases:  names[1:],
		family:   addr.family,
		addrs:    []NetworkAddress{{ap: netip.AddrPortFrom(addr.ap.Addr(), 0), family: addr.family}},
	}, nil
}

// emptyHostEntry stands in for a nil *HostEntry, so that its methods
// behave as those of an entry without addresses instead of panicking.
var emptyHostEntry HostEntry

func (he *HostEntry) orEmpty() *HostEntry {
	if he == nil {
		return &emptyHostEntry
	}
	return he
}

// Hostname returns the official name of the host (HostEntry.hostname).
func (he *HostEntry) Hostname() string { return he.orEmpty().hostname }

// Aliases returns the other names of the host (HostEntry.aliases); the slice
// is the caller's.
func (he *HostEntry) Aliases() []string { return slices.Clone(he.orEmpty().aliases) }

// Family returns the family of every address in the entry
// (HostEntry.family): AFInet or AFInet6.
func (he *HostEntry) Family() Family { return he.orEmpty().family }

// Len returns the number of addresses (len(host_entry)).
func (he *HostEntry) Len() int { return len(he.orEmpty().addrs) }

// At returns address i, with port 0 (host_entry[i]); an index outside
// [0, Len()) is PR_INVALID_ARGUMENT_ERROR.
func (he *HostEntry) At(i int) (NetworkAddress, error) { return indexAddr(he.orEmpty().addrs, i) }

// All yields the addresses in order, with port 0 (for net_addr in
// host_entry).
func (he *HostEntry) All() iter.Seq[NetworkAddress] { return slices.Values(he.orEmpty().addrs) }

// NetworkAddress returns the first address with the given port
// (get_network_address; the original ignores the port). An entry without
// addresses is PR_DIRECTORY_LOOKUP_ERROR, where the original returns None.
func (he *HostEntry) NetworkAddress(port uint16) (NetworkAddress, error) {
	if he.Len() == 0 {
		return NetworkAddress{}, newError("gethostbyname", DirectoryLookupError, errors.New("host entry has no address"))
	}
	return he.withPort(0, port), nil
}

// NetworkAddresses returns every address with the given port
// (get_network_addresses; the original ignores the port).
func (he *HostEntry) NetworkAddresses(port uint16) []NetworkAddress {
	out := make([]NetworkAddress, he.Len())
	for i := range he.addrs {
		out[i] = he.withPort(i, port)
	}
	return out
}

func (he *HostEntry) withPort(i int, port uint16) NetworkAddress {
	a := he.addrs[i]
	a.ap = netip.AddrPortFrom(a.ap.Addr(), port)
	return a
}

// String formats the entry as the original does:
// "name=localhost family=PR_AF_INET aliases=() addresses=(127.0.0.1:0)",
// each address as NetworkAddress.String prints it.
func (he *HostEntry) String() string {
	he = he.orEmpty()
	addrs := make([]string, len(he.addrs))
	for i, a := range he.addrs {
		addrs[i] = a.String()
	}
	return "name=" + he.hostname + " family=" + he.family.String() +
		" aliases=(" + strings.Join(he.aliases, ", ") + ") addresses=(" + strings.Join(addrs, ", ") + ")"
}
