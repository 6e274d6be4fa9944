//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"io"
	"runtime"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// Socket is an NSPR socket (a PRFileDesc of type PR_DESC_SOCKET_TCP or
// PR_DESC_SOCKET_UDP): a TCP, UDP or Unix-domain socket.
//
// The descriptor exists from NewSocket on, as with PR_Socket, so options can
// be set before Bind, Connect or Listen. It is non-blocking at the OS level
// and, from the first call that has to wait, registered with the Go runtime
// poller: a call that has to wait parks its goroutine, never an OS thread. Whether a call waits at all is NSPR's
// logical non-blocking flag (SockOptNonblocking), and how long it waits is
// the Interval each blocking call takes.
//
// A Socket is safe for concurrent use: one reader and one writer run in
// parallel, and Close from any goroutine wakes every blocked call at once.
type Socket struct {
	own    sockFD // the descriptor, its users, its registration with the runtime poller and its poll sets
	family Family
	typ    DescType

	nonblocking atomic.Bool   // PR_SockOpt_Nonblocking
	noOffload   atomic.Bool   // SetUDPOffload(false): no GSO or GRO in the batch calls
	runsLeft    atomic.Bool   // datagrams of a coalesced run wait in rd.batch, for Poll
	conn        atomic.Uint32 // connIdle, connPending or connDone (Connect)

	rd ioOp      // Recv, RecvFrom, Accept
	wr ioOp      // Send, SendTo, Connect
	ra readAhead // bytes read ahead by the line-oriented calls, guarded by rd.mu
}

// osSocketType maps a descriptor type to its socket(2) type: a switch, not a
// map, whose lookup showed in the profile of a connect, accept and close.
func osSocketType(typ DescType) (int, bool) {
	switch typ {
	case DescSocketTCP:
		return unix.SOCK_STREAM, true
	case DescSocketUDP:
		return unix.SOCK_DGRAM, true
	}
	return 0, false
}

// NewSocket creates a socket (PR_OpenTCPSocket / PR_OpenUDPSocket, python-nss's
// Socket(family, type)). family is AFInet, AFInet6 (dual-stack: it
// also reaches IPv4 peers) or AFLocal (Unix domain); typ is DescSocketTCP or
// DescSocketUDP. Other families are PR_ADDRESS_NOT_SUPPORTED_ERROR, other
// types PR_INVALID_ARGUMENT_ERROR.
func NewSocket(family Family, typ DescType) (*Socket, error) {
	const op = "socket"
	domain, ok := osFamily(family)
	if !ok {
		return nil, newError(op, AddressNotSupportedError, errors.New("unsupported family "+family.String()))
	}
	sotype, ok := osSocketType(typ)
	if !ok {
		return nil, newError(op, InvalidArgumentError, errors.New("unsupported socket type "+typ.String()))
	}
	fd, err := newSocketFD(domain, sotype)
	if err != nil {
		return nil, errnoError(op, err.(syscall.Errno))
	}
	if err := prepareSocketFD(fd); err != nil {
		unix.Close(fd)
		return nil, errnoError(op, err.(syscall.Errno))
	}
	if family == AFInet6 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0); err != nil {
			unix.Close(fd)
			return nil, errnoError(op, err.(syscall.Errno))
		}
	}
	return newSocket(fd, family, typ)
}

// newSocket takes ownership of a non-blocking descriptor. It is registered
// with the runtime poller when a call first has to wait (see sockFD).
// Should the Socket be dropped without Close, a finalizer closes the
// descriptor, as os.File's does; it allocates nothing, where a cleanup costs
// two allocations, as many as the rest of accepting a connection.
func newSocket(fd int, family Family, typ DescType) (*Socket, error) {
	if fd < 0 {
		return nil, newError("socket", BadDescriptorError, syscall.EBADF)
	}
	s := &Socket{own: sockFD{fd: fd, made: true}, family: family, typ: typ}
	s.own.open.Store(true)
	runtime.SetFinalizer(s, (*Socket).closeLeaked)
	return s, nil
}

// closeLeaked is the finalizer of a Socket dropped unclosed.
func (s *Socket) closeLeaked() { s.own.closeLeaked() }

// check is the entry test of every method: a nil or closed socket is an
// error, never a crash. It inlines; the errors are built out of line.
func (s *Socket) check(op string) error {
	if s == nil || !s.own.open.Load() {
		return s.checkFailed(op)
	}
	return nil
}

// checkFailed is check's error.
func (s *Socket) checkFailed(op string) error {
	if s == nil || !s.own.made {
		return newError(op, BadDescriptorError, errors.New("nil socket"))
	}
	return closedError(op)
}

// control runs f on the descriptor while holding a reference to it, so a
// concurrent Close cannot release the number under the call. f must not
// block: Close waits for it.
func (s *Socket) control(op string, f func(fd int) error) error {
	if err := s.check(op); err != nil {
		return err
	}
	if !s.own.acquire() {
		return closedError(op)
	}
	defer s.own.release()
	return f(s.own.fd)
}

// Family returns the socket's address family (python-nss's Socket.family).
func (s *Socket) Family() Family {
	if s == nil {
		return AFUnspec
	}
	return s.family
}

// DescType returns PR_DESC_SOCKET_TCP or PR_DESC_SOCKET_UDP (python-nss's
// Socket.desc_type).
func (s *Socket) DescType() DescType {
	if s == nil {
		return 0
	}
	return s.typ
}

// Fileno returns the OS descriptor (PR_FileDesc2NativeHandle). It stays owned
// by the socket: do not close it, make it blocking or set SO_LINGER on it
// (SetLinger does that).
func (s *Socket) Fileno() (int, error) {
	if err := s.check("fileno"); err != nil {
		return -1, err
	}
	return s.own.fd, nil
}

// Close closes the socket (PR_Close). Calls blocked on it in other goroutines
// return at once with an error matching net.ErrClosed; a Poll or Poller
// waiting on it returns, reporting PollNval for it. Closing twice is an
// error (PR_BAD_DESCRIPTOR_ERROR).
func (s *Socket) Close() error {
	if err := s.check("close"); err != nil {
		return err
	}
	if !s.own.open.Swap(false) {
		return closedError("close")
	}
	// Nothing is left for the finalizer to do. Dropping it now, as net
	// drops its descriptor's, lets the collector free the Socket in its
	// first cycle, where a finalizer would keep it for a second one and
	// wake the finalizer goroutine once for every connection.
	runtime.SetFinalizer(s, nil)
	s.rd.dropRuns()
	if err := s.own.close(); err != nil {
		return pollError("close", err)
	}
	return nil
}

// Bind assigns a local address (PR_Bind). Binding twice is
// PR_SOCKET_ADDRESS_IS_BOUND_ERROR, an address in use
// PR_ADDRESS_IN_USE_ERROR, an address not on this host
// PR_ADDRESS_NOT_AVAILABLE_ERROR, an address of another family
// PR_ADDRESS_NOT_SUPPORTED_ERROR.
func (s *Socket) Bind(addr NetworkAddress) error {
	const op = "bind"
	err := s.control(op, func(fd int) error {
		var rsa unix.RawSockaddrAny
		size, err := encodeSockaddr(&rsa, &addr, s.family, op)
		if err != nil {
			return err
		}
		return sysErr(op, bindRaw(fd, &rsa, size))
	})
	if err != nil {
		return withAddrs(err, addr, NetworkAddress{})
	}
	return nil
}

// Listen makes the socket a rendezvous socket accepting connections
// (PR_Listen). On a UDP socket it is PR_NOT_TCP_SOCKET_ERROR.
func (s *Socket) Listen(backlog int) error {
	const op = "listen"
	return s.control(op, func(fd int) error { return sysErr(op, unix.Listen(fd, backlog)) })
}

// Shutdown closes one or both directions of a connection (PR_Shutdown).
// An unconnected socket is PR_NOT_CONNECTED_ERROR; an unknown how
// PR_INVALID_ARGUMENT_ERROR.
func (s *Socket) Shutdown(how ShutdownHow) error {
	const op = "shutdown"
	if how < ShutdownRcv || how > ShutdownBoth {
		return newError(op, InvalidArgumentError, errors.New("unknown shutdown direction "+how.String()))
	}
	return s.control(op, func(fd int) error { return sysErr(op, unix.Shutdown(fd, int(how))) })
}

// SockName returns the local address (PR_GetSockName).
func (s *Socket) SockName() (NetworkAddress, error) {
	return s.name("getsockname", unix.SYS_GETSOCKNAME)
}

// PeerName returns the peer's address (PR_GetPeerName); an unconnected socket
// is PR_NOT_CONNECTED_ERROR.
func (s *Socket) PeerName() (NetworkAddress, error) {
	return s.name("getpeername", unix.SYS_GETPEERNAME)
}

// NetAddr returns the address the socket is bound to (python-nss's
// Socket.netaddr), the same as SockName.
func (s *Socket) NetAddr() (NetworkAddress, error) { return s.SockName() }

func (s *Socket) name(op string, trap uintptr) (NetworkAddress, error) {
	var addr NetworkAddress
	err := s.control(op, func(fd int) error {
		var rsa unix.RawSockaddrAny
		size := uint32(unix.SizeofSockaddrAny)
		if e := sockName(trap, fd, &rsa, &size); e != 0 {
			return errnoError(op, e)
		}
		addr = decodeSockaddr(&rsa, size)
		if addr.family == AFUnspec || (addr.family == AFLocal && s.family != AFLocal) {
			addr.family = s.family
		}
		return nil
	})
	return addr, err
}

// addrError adds s's addresses to err, an error of a call on s: its own
// and, with peer, its peer's, read from the kernel now that the call has
// failed, so that no call that succeeds pays for them. An unbound socket's
// wildcard address, or one the kernel no longer knows, is left out.
func (s *Socket) addrError(err error, peer bool) error {
	if _, ok := err.(*Error); !ok {
		return err
	}
	known := func(a NetworkAddress, err error) NetworkAddress {
		if err != nil || a.Family() != AFLocal && a.AddrPort().Port() == 0 && a.AddrPort().Addr().IsUnspecified() {
			return NetworkAddress{}
		}
		return a
	}
	local := known(s.SockName())
	var remote NetworkAddress
	if peer {
		remote = known(s.PeerName())
	}
	return withAddrs(err, local, remote)
}

// sysErr turns the error of an x/sys call into an NSPR error.
func sysErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errnoError(op, errno)
	}
	return newError(op, UnknownError, err)
}

// Read implements io.Reader: Recv without a time limit, with io.EOF at the
// end of the stream. An empty p returns 0, nil at once, as Conn.Read does.
// It and Write call recv and send themselves, one frame less between a
// reader and the runtime poller (see TestParkedStack).
func (s *Socket) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, s.check("read")
	}
	n, err := s.recv("recv", p, s.noTimeoutWait())
	if err == nil && n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, err
}

// Write implements io.Writer: Send without a time limit.
func (s *Socket) Write(p []byte) (int, error) { return s.send("send", p, s.noTimeoutWait()) }

var (
	_ io.Reader = (*Socket)(nil)
	_ io.Writer = (*Socket)(nil)
	_ io.Closer = (*Socket)(nil)
)
