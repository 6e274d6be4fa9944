package nspr

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
)

// NetworkAddress is NSPR's PRNetAddr: an IPv4 or IPv6 address with a port, or
// a Unix-domain path. It is a small value, comparable with ==, and satisfies
// net.Addr.
type NetworkAddress struct {
	ap       netip.AddrPort // the IP address and port (AFInet, AFInet6)
	path     string         // the socket path (AFLocal); "@name" is a Linux abstract name
	family   Family
	hostname string // the name the address was built from, if any
}

// NewNetworkAddressFromAddrPort returns the address of ap: AFInet for an IPv4
// address, AFInet6 for any other (including IPv4-mapped IPv6).
func NewNetworkAddressFromAddrPort(ap netip.AddrPort) NetworkAddress {
	family := AFInet6
	if ap.Addr().Is4() {
		family = AFInet
	}
	return NetworkAddress{ap: ap, family: family}
}

// NewUnixAddress returns an AFLocal address for path. A path beginning with
// '@' names a Linux abstract socket. Paths that are empty, contain NUL or do
// not fit sockaddr_un are PR_INVALID_ARGUMENT_ERROR.
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
		return newError("address", NameTooLongError, errors.New("Unix socket path too long"))
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

// Port returns the port (0 for Unix addresses).
func (a NetworkAddress) Port() int { return int(a.ap.Port()) }

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

// String formats the address as the seed documents: "127.0.0.1:80",
// "[::1]:80", or the Unix path.
func (a NetworkAddress) String() string {
	switch a.family {
	case AFLocal:
		return a.path
	case AFInet, AFInet6:
		if !a.ap.Addr().IsValid() {
			return ":" + strconv.Itoa(a.Port())
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
