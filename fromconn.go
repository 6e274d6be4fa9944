//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// FromConn returns a Socket for the connection c, which stays open and the
// caller's: the Go-native sibling of ImportTCPSocket (PR_ImportTCPSocket).
// The Socket gets its own duplicate of c's descriptor (F_DUPFD_CLOEXEC, made
// non-blocking), so closing either leaves the other open; both still name
// one connection, so what one reads the other does not, and Shutdown on
// either ends it for both.
//
// c must reach its descriptor through syscall.Conn, as *net.TCPConn,
// *net.UDPConn and *net.UnixConn do. Anything else (a *tls.Conn, net.Pipe) is
// PR_INVALID_ARGUMENT_ERROR: there is no descriptor to share, not a
// descriptor of the wrong kind. A descriptor that is not a socket is
// PR_NOT_SOCKET_ERROR, a socket that is neither stream nor datagram
// PR_INVALID_ARGUMENT_ERROR, one of a family NSPR lacks
// PR_ADDRESS_NOT_SUPPORTED_ERROR, a closed c PR_BAD_DESCRIPTOR_ERROR.
func FromConn(c net.Conn) (*Socket, error) { return fromSyscallConn("fromconn", c) }

// FromListener returns a listening Socket for l, as FromConn does for a
// connection: both accept from the same queue, and each stays open when the
// other is closed.
func FromListener(l net.Listener) (*Socket, error) { return fromSyscallConn("fromlistener", l) }

// FromPacketConn returns a datagram Socket for c, as FromConn does for a
// connection.
func FromPacketConn(c net.PacketConn) (*Socket, error) {
	return fromSyscallConn("frompacketconn", c)
}

// fromSyscallConn duplicates the descriptor behind v and adopts the copy.
func fromSyscallConn(op string, v any) (*Socket, error) {
	sc, ok := v.(syscall.Conn)
	if !ok || v == nil {
		return nil, newError(op, InvalidArgumentError, errors.New("no descriptor: the value does not implement syscall.Conn"))
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, fromError(op, err)
	}
	fd := -1
	var dupErr error
	if err := rc.Control(func(orig uintptr) {
		fd, dupErr = unix.FcntlInt(orig, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		return nil, fromError(op, err)
	}
	if dupErr != nil {
		return nil, sysErr(op, dupErr)
	}
	s, err := importFD(op, fd, true)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return s, nil
}

// fromError maps the error of reaching a Go value's descriptor: a closed
// one is PR_BAD_DESCRIPTOR_ERROR.
func fromError(op string, err error) error {
	if errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.EINVAL) {
		return newError(op, BadDescriptorError, err)
	}
	return pollError(op, err)
}
