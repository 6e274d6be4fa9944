package nspr

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// NetworkAddress is NSPR's PRNetAddr (nss.io.NetworkAddress): an IPv4 or IPv6
// address with a port, or a Unix-domain path. It is a small value, comparable
// with ==, and satisfies net.Addr. Two addresses are equal when family,
// address, port, path and the host name they were resolved from match; an
// address built from a name therefore differs from the same address returned
// by Accept or SockName. Compare AddrPort() to ignore the name.
//
// The zero NetworkAddress has family AFUnspec and is not a usable address.
type NetworkAddress struct {
	ap       netip.AddrPort // the IP address and port (AFInet, AFInet6)
	path     string         // the socket path (AFLocal); "@name" is a Linux abstract name
	family   Family
	hostname string // the name the address was built from, if any
}

// NewNetworkAddress builds an address from a host string, as
// nss.io.NetworkAddress(addr, port, family) does, resolving names with
// DefaultResolver.
//
// For AFInet, AFInet6 and AFUnspec (either), host is a numeric address
// ("127.0.0.1", "::1", "fe80::1%eth0") or a host name, resolved as
// NewAddrInfo(host, family, AIAddrConfig) does; the first address of the
// family is taken (the original takes the last, of any family). A numeric
// address of the other family, or a name without one, is
// PR_DIRECTORY_LOOKUP_ERROR. For AFLocal, host is a Unix socket path (see
// NewUnixAddress) and port must be 0. Any other family is
// PR_INVALID_ARGUMENT_ERROR.
func NewNetworkAddress(host string, port uint16, family Family) (NetworkAddress, error) {
	return DefaultResolver.NetworkAddress(context.Background(), host, port, family)
}

// NewNetworkAddressContext is NewNetworkAddress bounded by ctx; a nil ctx is
// PR_INVALID_ARGUMENT_ERROR.
func NewNetworkAddressContext(ctx context.Context, host string, port uint16, family Family) (NetworkAddress, error) {
	return DefaultResolver.NetworkAddress(ctx, host, port, family)
}

// NetworkAddress builds an address from a host string with r; see
// NewNetworkAddress. A nil r is DefaultResolver.
func (r *Resolver) NetworkAddress(ctx context.Context, host string, port uint16, family Family) (NetworkAddress, error) {
	const op = "address"
	if ctx == nil {
		return NetworkAddress{}, newError(op, InvalidArgumentError, errors.New("nil context"))
	}
	switch family {
	case AFLocal:
		if port != 0 {
			return NetworkAddress{}, newError(op, InvalidArgumentError, errors.New("a Unix address has no port"))
		}
		return NewUnixAddress(host)
	case AFUnspec, AFInet, AFInet6:
	default:
		return NetworkAddress{}, newError(op, InvalidArgumentError, errors.New("family "+family.String()+" is not PR_AF_INET, PR_AF_INET6, PR_AF_UNSPEC or PR_AF_LOCAL"))
	}
	if ip, ok, err := numericAddr("getaddrinfo", host, family); ok {
		if err != nil {
			return NetworkAddress{}, err
		}
		return NewNetworkAddressFromAddrPort(netip.AddrPortFrom(ip, port)), nil
	}
	ai, err := r.AddrInfo(ctx, host, family, AIAddrConfig)
	if err != nil {
		return NetworkAddress{}, err
	}
	a := ai.addrs[0] // AddrInfo never succeeds empty
	a.ap = netip.AddrPortFrom(a.ap.Addr(), port)
	a.hostname = ai.canonical // built from a name: remember what it resolved to
	return a, nil
}

// NewNetworkAddressSpecial builds one of NSPR's logical addresses with a port
// (nss.io.NetworkAddress(PR_IpAddr…, port, family); PR_SetNetAddr):
// IPAddrNull and IPAddrAny give the wildcard 0.0.0.0 or ::, IPAddrLoopback
// 127.0.0.1 or ::1. IPAddrV4Mapped, which NSPR always rejects, gives
// ::ffff:0.0.0.0 for AFInet6, the IPv4 wildcard in IPv4-mapped form: bound on
// a dual-stack socket it accepts IPv4 peers only. family must be AFInet or
// AFInet6; other families, IPAddrV4Mapped with AFInet and unknown values are
// PR_INVALID_ARGUMENT_ERROR.
func NewNetworkAddressSpecial(v IPAddrSpecial, port uint16, family Family) (NetworkAddress, error) {
	const op = "address"
	if family != AFInet && family != AFInet6 {
		return NetworkAddress{}, newError(op, InvalidArgumentError, errors.New("family "+family.String()+" is not PR_AF_INET or PR_AF_INET6"))
	}
	var ip netip.Addr
	switch {
	case (v == IPAddrNull || v == IPAddrAny) && family == AFInet:
		ip = netip.IPv4Unspecified()
	case v == IPAddrNull || v == IPAddrAny:
		ip = netip.IPv6Unspecified()
	case v == IPAddrLoopback && family == AFInet:
		ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	case v == IPAddrLoopback:
		ip = netip.IPv6Loopback()
	case v == IPAddrV4Mapped && family == AFInet6:
		ip = netip.AddrFrom16([16]byte{10: 0xff, 11: 0xff})
	default:
		return NetworkAddress{}, newError(op, InvalidArgumentError, errors.New(v.String()+" is not valid for "+family.String()))
	}
	return NetworkAddress{ap: netip.AddrPortFrom(ip, port), family: family}, nil
}

// ParseNetworkAddress parses what String prints back into an address without
// any lookup: "127.0.0.1:80", "[::1]:80", "[fe80::1%eth0]:80", or a Unix path
// beginning with '/' or '@'. Anything else is PR_INVALID_ARGUMENT_ERROR.
func ParseNetworkAddress(s string) (NetworkAddress, error) {
	if strings.HasPrefix(s, "/") || strings.HasPrefix(s, "@") {
		return NewUnixAddress(s)
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return NetworkAddress{}, newError("address", InvalidArgumentError, err)
	}
	return NewNetworkAddressFromAddrPort(ap), nil
}

// NewNetworkAddressFromAddrPort returns the address of ap: AFInet for an IPv4
// address, AFInet6 for any other (including IPv4-mapped IPv6). The zero
// AddrPort gives the zero NetworkAddress, which no socket accepts.
func NewNetworkAddressFromAddrPort(ap netip.AddrPort) NetworkAddress {
	if !ap.Addr().IsValid() {
		return NetworkAddress{}
	}
	family := AFInet6
	if ap.Addr().Is4() {
		family = AFInet
	}
	return NetworkAddress{ap: ap, family: family}
}

// NewUnixAddress returns an AFLocal address for path. A path beginning with
// '@' names a Linux abstract socket; elsewhere it is
// PR_ADDRESS_NOT_SUPPORTED_ERROR. Paths that are empty or contain NUL are
// PR_INVALID_ARGUMENT_ERROR, paths too long for sockaddr_un
// PR_NAME_TOO_LONG_ERROR.
func NewUnixAddress(path string) (NetworkAddress, error) {
	if err := validUnixPath(path); err != nil {
		return NetworkAddress{}, err
	}
	return NetworkAddress{path: path, family: AFLocal}, nil
}

func validUnixPath(path string) error {
	switch {
	case path == "":
		return newError("address", InvalidArgumentError, errors.New("empty Unix socket path"))
	case len(path) > maxUnixPath:
		return newError("address", NameTooLongError, errors.New("socket path too long for a Unix-domain address"))
	case path[0] == '@' && !abstractUnix:
		return newError("address", AddressNotSupportedError, errors.New("abstract Unix socket names exist on Linux only"))
	}
	for i := 0; i < len(path); i++ {
		if path[i] == 0 {
			return newError("address", InvalidArgumentError, errors.New("NUL in Unix socket path"))
		}
	}
	return nil
}

// Family returns the address family: AFInet, AFInet6, AFLocal, or AFUnspec for
// the zero value.
func (a NetworkAddress) Family() Family { return a.family }

// Port returns the port (0 for Unix addresses), as a uint16 like
// netip.AddrPort.Port and every constructor's port argument, so
// NewNetworkAddress(host, a.Port(), family) needs no conversion.
func (a NetworkAddress) Port() uint16 { return a.ap.Port() }

// SetPort changes the port (assigning NetworkAddress.port). A port outside
// 0–65535 is PR_INVALID_ARGUMENT_ERROR (the original wraps it silently), as is
// a port on an address that is not IPv4 or IPv6; the address is then left
// unchanged.
func (a *NetworkAddress) SetPort(port int) error {
	if a == nil {
		return newError("address", InvalidArgumentError, errors.New("nil address"))
	}
	if port < 0 || port > 65535 {
		return newError("address", InvalidArgumentError, errors.New("port "+strconv.Itoa(port)+" is outside 0-65535"))
	}
	if a.family != AFInet && a.family != AFInet6 {
		return newError("address", InvalidArgumentError, errors.New("a "+a.family.String()+" address has no port"))
	}
	a.ap = netip.AddrPortFrom(a.ap.Addr(), uint16(port))
	return nil
}

// SetFromString replaces the address by the one NewNetworkAddress(addr, port,
// family) would build, keeping the port (set_from_string). On failure the
// address is left unchanged (the original zeroes it).
func (a *NetworkAddress) SetFromString(addr string, family Family) error {
	if a == nil {
		return newError("address", InvalidArgumentError, errors.New("nil address"))
	}
	n, err := NewNetworkAddress(addr, a.Port(), family)
	if err != nil {
		return err
	}
	*a = n
	return nil
}

// Hostname returns the canonical name of the host the address was resolved
// from, or for any other IP address its numeric text, as for an address
// built from a numeric string (NetworkAddress.hostname; the original returns
// None for addresses not built from a string). For a Unix address it is the
// path.
func (a NetworkAddress) Hostname() string {
	if a.hostname != "" {
		return a.hostname
	}
	return a.Address()
}

// HostEntry looks the address up in reverse with DefaultResolver
// (NetworkAddress.hostentry, PR_GetHostByAddr). A lookup that finds no name
// is PR_DIRECTORY_LOOKUP_ERROR.
func (a NetworkAddress) HostEntry() (*HostEntry, error) {
	return DefaultResolver.HostEntryByAddr(context.Background(), a)
}

// Path returns the socket path of an AFLocal address, else "".
func (a NetworkAddress) Path() string { return a.path }

// AddrPort returns the IP address and port; the zero AddrPort for Unix
// addresses.
func (a NetworkAddress) AddrPort() netip.AddrPort { return a.ap }

// Address returns the address without the port: "127.0.0.1", "::1", or the
// Unix path.
func (a NetworkAddress) Address() string {
	if a.family == AFLocal {
		return a.path
	}
	if !a.ap.Addr().IsValid() {
		return ""
	}
	return a.ap.Addr().String()
}

// String formats the address as python-nss documents: "127.0.0.1:80",
// "[::1]:80", or the Unix path.
func (a NetworkAddress) String() string {
	switch a.family {
	case AFLocal:
		return a.path
	case AFInet, AFInet6:
		if !a.ap.Addr().IsValid() {
			return ":" + strconv.Itoa(int(a.Port()))
		}
		return a.ap.String()
	}
	return ""
}

// Network returns the net.Addr network name: "ip", or "unix" for AFLocal
// addresses. Socket views report "tcp", "udp" and so on through their own
// address types.
func (a NetworkAddress) Network() string {
	if a.family == AFLocal {
		return "unix"
	}
	return "ip"
}

var _ net.Addr = NetworkAddress{}

// indexAddr returns addrs[i], or PR_INVALID_ARGUMENT_ERROR when i is out of
// range: the At of AddrInfo and HostEntry.
func indexAddr(addrs []NetworkAddress, i int) (NetworkAddress, error) {
	if i < 0 || i >= len(addrs) {
		return NetworkAddress{}, newError("index", InvalidArgumentError,
			errors.New("index "+strconv.Itoa(i)+" out of range [0,"+strconv.Itoa(len(addrs))+")"))
	}
	return addrs[i], nil
}
