//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"syscall"

	"golang.org/x/sys/unix"
)

// NewTCPPair returns two connected stream sockets (PR_NewTCPSocketPair): what
// one sends the other receives. As NSPR does on Unix, they are a Unix-domain
// socketpair, so their family is AFLocal and their type DescSocketTCP.
func NewTCPPair() (*Socket, *Socket, error) {
	const op = "socketpair"
	fds, err := newSocketPairFDs(unix.AF_UNIX, unix.SOCK_STREAM)
	if err != nil {
		return nil, nil, sysErr(op, err)
	}
	for _, fd := range fds {
		if err := prepareSocketFD(fd); err != nil {
			unix.Close(fds[0])
			unix.Close(fds[1])
			return nil, nil, sysErr(op, err)
		}
	}
	a, err := newSocket(fds[0], AFLocal, DescSocketTCP)
	if err != nil {
		unix.Close(fds[1])
		return nil, nil, err
	}
	b, err := newSocket(fds[1], AFLocal, DescSocketTCP)
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	return a, b, nil
}

// ImportTCPSocket adopts an open socket descriptor (PR_ImportTCPSocket). The
// Socket owns it from then on: it is made non-blocking and close-on-exec, and
// Close closes it. A descriptor that is not open is PR_BAD_DESCRIPTOR_ERROR,
// one that is not a socket PR_NOT_SOCKET_ERROR; unlike the original, a
// refused descriptor is left open and still the caller's.
func ImportTCPSocket(fd int) (*Socket, error) { return importFD("import", fd, false) }

// importFD adopts fd for ImportTCPSocket and, with strict, for FromConn and
// its siblings, which also refuse sockets that are neither stream nor
// datagram ones (raw, seqpacket) with PR_INVALID_ARGUMENT_ERROR.
func importFD(op string, fd int, strict bool) (*Socket, error) {
	if fd < 0 {
		return nil, newError(op, BadDescriptorError, syscall.EBADF)
	}
	sotype, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
	if err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) && errno == syscall.EBADF {
			return nil, newError(op, BadDescriptorError, errno)
		}
		return nil, newError(op, NotSocketError, err)
	}
	typ := DescSocketTCP
	if sotype == unix.SOCK_DGRAM {
		typ = DescSocketUDP
	} else if strict && sotype != unix.SOCK_STREAM {
		return nil, newError(op, InvalidArgumentError, errors.New("neither a stream nor a datagram socket"))
	}
	var rsa unix.RawSockaddrAny
	size := uint32(unix.SizeofSockaddrAny)
	if e := sockName(unix.SYS_GETSOCKNAME, fd, &rsa, &size); e != 0 {
		return nil, errnoError(op, e)
	}
	family := familyOfRaw(&rsa)
	if family == AFUnspec {
		return nil, newError(op, AddressNotSupportedError, errors.New("unsupported socket family"))
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, sysErr(op, err)
	}
	unix.CloseOnExec(fd)
	if err := prepareSocketFD(fd); err != nil {
		return nil, sysErr(op, err)
	}
	s, err := newSocket(fd, family, typ)
	if err == nil {
		s.own.lingers.Store(true) // SO_LINGER may have been set before
	}
	return s, err
}

// familyOfRaw returns the NSPR family of a socket address, AFUnspec for one
// NSPR cannot express.
func familyOfRaw(rsa *unix.RawSockaddrAny) Family {
	switch int(rsa.Addr.Family) {
	case unix.AF_INET:
		return AFInet
	case unix.AF_INET6:
		return AFInet6
	case unix.AF_UNIX:
		return AFLocal
	}
	return AFUnspec
}
