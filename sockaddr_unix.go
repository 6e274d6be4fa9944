//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// maxUnixPath is the longest path sockaddr_un holds, less the final NUL.
const maxUnixPath = len(unix.RawSockaddrUnix{}.Path) - 1

// osFamily translates an NSPR family to the platform's AF_ value.
func osFamily(f Family) (int, bool) {
	switch f {
	case AFInet:
		return unix.AF_INET, true
	case AFInet6:
		return unix.AF_INET6, true
	case AFLocal:
		return unix.AF_UNIX, true
	}
	return 0, false
}

// encodeSockaddr writes a as a socket address for a socket of family
// sockFamily into rsa and returns its length. An IPv4 address on an IPv6
// socket becomes IPv4-mapped, as NSPR's dual-stack sockets expect; other
// mismatches are PR_ADDRESS_NOT_SUPPORTED_ERROR.
func encodeSockaddr(rsa *unix.RawSockaddrAny, a *NetworkAddress, sockFamily Family, op string) (uint32, error) {
	switch {
	case sockFamily == AFLocal && a.family == AFLocal:
		sa := (*unix.RawSockaddrUnix)(unsafe.Pointer(rsa))
		*sa = unix.RawSockaddrUnix{Family: unix.AF_UNIX}
		n := min(len(a.path), maxUnixPath)
		for i := range n {
			sa.Path[i] = int8(a.path[i])
		}
		if n > 0 && a.path[0] == '@' {
			sa.Path[0] = 0 // Linux abstract namespace
		} else if n > 0 {
			n++ // include the terminating NUL
		}
		size := uint32(unsafe.Offsetof(sa.Path)) + uint32(n)
		setSockaddrLen(rsa, size)
		return size, nil
	case sockFamily == AFInet && a.family == AFInet:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(rsa))
		*sa = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: a.ap.Addr().As4()}
		putPort(&sa.Port, a.ap.Port())
		setSockaddrLen(rsa, unix.SizeofSockaddrInet4)
		return unix.SizeofSockaddrInet4, nil
	case sockFamily == AFInet6 && (a.family == AFInet6 || a.family == AFInet):
		ip := a.ap.Addr()
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(rsa))
		*sa = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: ip.As16()}
		putPort(&sa.Port, a.ap.Port())
		if z := ip.Zone(); z != "" {
			sa.Scope_id = zoneIndex(z)
		}
		setSockaddrLen(rsa, unix.SizeofSockaddrInet6)
		return unix.SizeofSockaddrInet6, nil
	}
	return 0, newError(op, AddressNotSupportedError,
		errors.New("address family "+a.family.String()+" on a "+sockFamily.String()+" socket"))
}

// decodeSockaddr reads a socket address the kernel filled in.
func decodeSockaddr(rsa *unix.RawSockaddrAny, size uint32) NetworkAddress {
	switch int(rsa.Addr.Family) {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(rsa))
		return NetworkAddress{ap: netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), getPort(&sa.Port)), family: AFInet}
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(rsa))
		ip := netip.AddrFrom16(sa.Addr)
		if sa.Scope_id != 0 {
			ip = ip.WithZone(zoneName(sa.Scope_id))
		}
		return NetworkAddress{ap: netip.AddrPortFrom(ip, getPort(&sa.Port)), family: AFInet6}
	case unix.AF_UNIX:
		sa := (*unix.RawSockaddrUnix)(unsafe.Pointer(rsa))
		n := int(size) - int(unsafe.Offsetof(sa.Path))
		if n <= 0 {
			return NetworkAddress{family: AFLocal}
		}
		n = min(n, len(sa.Path))
		path := make([]byte, n)
		for i := range n {
			path[i] = byte(sa.Path[i])
		}
		if path[0] == 0 {
			path[0] = '@'
		}
		for i := 1; i < len(path); i++ {
			if path[i] == 0 && path[0] != '@' {
				path = path[:i]
				break
			}
		}
		return NetworkAddress{path: string(path), family: AFLocal}
	}
	return NetworkAddress{}
}

func putPort(p *uint16, port uint16) {
	b := (*[2]byte)(unsafe.Pointer(p))
	b[0], b[1] = byte(port>>8), byte(port)
}

func getPort(p *uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(p))
	return uint16(b[0])<<8 | uint16(b[1])
}
