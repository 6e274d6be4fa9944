//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// Conn is the net.Conn view of a connected Socket (Socket.Conn), so that
// crypto/tls, net/http, bufio and any other Go code that takes a net.Conn
// runs over an nspr socket. It is the Socket itself under another type:
// making the view allocates nothing, and it shares the socket's descriptor,
// read-ahead bytes and state.
//
// The view follows net.Conn's contract rather than NSPR's: its calls always
// block (whatever SockOptNonblocking says), bounded by the sticky deadlines
// of SetDeadline, SetReadDeadline and SetWriteDeadline instead of a
// per-call Interval. A deadline can be moved while a call waits and the call
// follows it; a deadline already past fails a call at once, even with data
// ready, as net does. Errors are the Socket's *Error values: a timeout is
// PR_IO_TIMEOUT_ERROR, matching os.ErrDeadlineExceeded with Timeout() true;
// a call after Close is PR_BAD_DESCRIPTOR_ERROR, matching net.ErrClosed.
// Read returns io.EOF at the end of a stream.
//
// The deadlines are the Socket's own: every view of a socket shares them,
// and they bound only calls made through a view (or its SyscallConn), never
// the Socket's Interval calls.
type Conn Socket

// Listener is the net.Listener view of a listening Socket (Socket.Listener):
// Accept waits for a connection (PR_Accept) and returns its Conn view. Like
// Conn it always blocks, bounded by the deadline of SetDeadline.
type Listener Socket

// PacketConn is the net.PacketConn view of a datagram Socket
// (Socket.PacketConn): ReadFrom and WriteTo are PR_RecvFrom and PR_SendTo
// with *net.UDPAddr (or *net.UnixAddr) addresses and the deadlines of Conn.
// It has the net.Conn methods too, for a connected socket, and ReadMsgUDP,
// so that golang.org/x/net/ipv4 and ipv6 can set options on it and read
// control messages through it.
type PacketConn Socket

// Conn returns the net.Conn view of s; see Conn.
func (s *Socket) Conn() *Conn { return (*Conn)(s) }

// Listener returns the net.Listener view of s; see Listener.
func (s *Socket) Listener() *Listener { return (*Listener)(s) }

// PacketConn returns the net.PacketConn view of s; see PacketConn.
func (s *Socket) PacketConn() *PacketConn { return (*PacketConn)(s) }

var (
	_ net.Conn       = (*Conn)(nil)
	_ net.Listener   = (*Listener)(nil)
	_ net.PacketConn = (*PacketConn)(nil)
	_ net.Conn       = (*PacketConn)(nil)
	_ syscall.Conn   = (*Conn)(nil)
)

// Socket returns the socket the view shows.
func (c *Conn) Socket() *Socket { return (*Socket)(c) }

// Read reads up to len(p) bytes (PR_Recv), with io.EOF at the end of a
// stream. An empty p returns 0, nil at once, as net's connections do;
// Recv of an empty buffer waits for data as PR_Recv does. Its errors, as
// those of the views' other calls, name the local and remote addresses
// (Error.Local, Error.Remote).
func (c *Conn) Read(p []byte) (int, error) {
	const op = "read"
	s := (*Socket)(c)
	if len(p) == 0 {
		return 0, s.check(op)
	}
	w, err := s.viewWait(op, false)
	if err != nil {
		return 0, s.addrError(err, true)
	}
	n, err := s.recv(op, p, &w)
	if err != nil {
		return n, s.addrError(err, true)
	}
	if n == 0 && len(p) > 0 && s.typ == DescSocketTCP {
		return 0, io.EOF
	}
	return n, nil
}

// Write writes all of p (PR_Send), or returns the count sent with the
// error that stopped it.
func (c *Conn) Write(p []byte) (int, error) {
	const op = "write"
	s := (*Socket)(c)
	w, err := s.viewWait(op, true)
	if err != nil {
		return 0, s.addrError(err, true)
	}
	n, err := s.send(op, p, &w)
	if err != nil {
		return n, s.addrError(err, true)
	}
	return n, nil
}

// Close closes the socket (PR_Close).
func (c *Conn) Close() error { return (*Socket)(c).Close() }

// CloseRead shuts the reading side down (PR_Shutdown with
// PR_SHUTDOWN_RCV), as net.TCPConn.CloseRead does.
func (c *Conn) CloseRead() error { return (*Socket)(c).Shutdown(ShutdownRcv) }

// CloseWrite shuts the writing side down (PR_Shutdown with
// PR_SHUTDOWN_SEND): the peer reads io.EOF.
func (c *Conn) CloseWrite() error { return (*Socket)(c).Shutdown(ShutdownSend) }

// LocalAddr returns the local address (PR_GetSockName) as a *net.TCPAddr,
// *net.UDPAddr or *net.UnixAddr. It is never nil: when the address cannot
// be read, for instance after Close, it is the zero address of that type.
func (c *Conn) LocalAddr() net.Addr { return (*Socket)(c).localAddr() }

// RemoteAddr returns the peer's address (PR_GetPeerName), typed as
// LocalAddr's and, like it, never nil.
func (c *Conn) RemoteAddr() net.Addr {
	s := (*Socket)(c)
	a, err := s.PeerName()
	return s.netAddr(a, err)
}

// SetDeadline sets the read and write deadlines; the zero time removes
// them. A call waiting in the view follows the new deadline.
func (c *Conn) SetDeadline(t time.Time) error {
	s := (*Socket)(c)
	if err := s.setViewDeadline("setdeadline", false, t); err != nil {
		return err
	}
	return s.setViewDeadline("setdeadline", true, t)
}

// SetReadDeadline sets the deadline of Read (and of the views' other reads).
func (c *Conn) SetReadDeadline(t time.Time) error {
	return (*Socket)(c).setViewDeadline("setreaddeadline", false, t)
}

// SetWriteDeadline sets the deadline of Write (and of the views' other
// writes).
func (c *Conn) SetWriteDeadline(t time.Time) error {
	return (*Socket)(c).setViewDeadline("setwritedeadline", true, t)
}

// SyscallConn returns the raw descriptor for options Go code sets itself
// (syscall.Conn). Its Read and Write wait in the runtime poller bounded by
// the view's deadlines, as those of a net.TCPConn do; they hold the socket's
// read (or write) side while f runs, so f must not call the socket's own
// reading (or writing) methods.
func (c *Conn) SyscallConn() (syscall.RawConn, error) { return (*Socket)(c).syscallConn() }

// Accept waits for a connection (PR_Accept) and returns its Conn view. A
// TCP connection gets net's defaults, TCP_NODELAY on and keep-alive every
// 15 s, as one from net.Listener does, unless the ListenConfig that made
// the listener says otherwise; Socket.Accept leaves NSPR's defaults (both
// off).
func (l *Listener) Accept() (net.Conn, error) {
	const op = "accept"
	s := (*Socket)(l)
	w, err := s.viewWait(op, false)
	if err != nil {
		return nil, s.addrError(err, false)
	}
	c, _, err := s.accept(op, &w)
	if err != nil {
		return nil, s.addrError(err, false)
	}
	c.setConnDefaults(s.acceptedDefaults())
	return c.Conn(), nil
}

// Close closes the listening socket (PR_Close); a waiting Accept returns an
// error matching net.ErrClosed.
func (l *Listener) Close() error { return (*Socket)(l).Close() }

// Addr returns the address the listener is bound to, as *net.TCPAddr or
// *net.UnixAddr, never nil.
func (l *Listener) Addr() net.Addr { return (*Socket)(l).localAddr() }

// SetDeadline sets the deadline of Accept, as net.TCPListener's does.
func (l *Listener) SetDeadline(t time.Time) error {
	return (*Socket)(l).setViewDeadline("setdeadline", false, t)
}

// SyscallConn returns the raw descriptor (syscall.Conn).
func (l *Listener) SyscallConn() (syscall.RawConn, error) { return (*Socket)(l).syscallConn() }

// Socket returns the socket the view shows.
func (l *Listener) Socket() *Socket { return (*Socket)(l) }

// ReadFrom reads one datagram (PR_RecvFrom) and returns its sender as a
// *net.UDPAddr or *net.UnixAddr.
func (c *PacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	const op = "readfrom"
	s := (*Socket)(c)
	w, err := s.viewWait(op, false)
	if err != nil {
		return 0, nil, s.addrError(err, true)
	}
	n, from, err := s.recvFrom(op, p, &w)
	if err != nil {
		return 0, nil, s.addrError(err, true)
	}
	return n, s.netAddr(from, nil), nil
}

// WriteTo sends p as one datagram to addr (PR_SendTo). addr is a
// *net.UDPAddr, a *net.UnixAddr or a NetworkAddress; any other type is
// PR_INVALID_ARGUMENT_ERROR.
func (c *PacketConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	const op = "writeto"
	s := (*Socket)(c)
	w, err := s.viewWait(op, true)
	if err != nil {
		return 0, s.addrError(err, false)
	}
	to, err := s.addrFromNet(op, addr)
	if err != nil {
		return 0, s.addrError(err, false)
	}
	n, err := s.sendTo(op, p, &to, &w)
	if err != nil {
		err = s.addrError(err, false)
		if e, ok := err.(*Error); ok {
			e.Remote = to // e is addrError's own copy
		}
		return n, err
	}
	return n, nil
}

// Read reads one datagram from the connected peer; see Conn.Read.
func (c *PacketConn) Read(p []byte) (int, error) { return (*Conn)(c).Read(p) }

// Write sends p to the connected peer; see Conn.Write.
func (c *PacketConn) Write(p []byte) (int, error) { return (*Conn)(c).Write(p) }

// Close closes the socket (PR_Close).
func (c *PacketConn) Close() error { return (*Socket)(c).Close() }

// LocalAddr returns the local address; see Conn.LocalAddr.
func (c *PacketConn) LocalAddr() net.Addr { return (*Conn)(c).LocalAddr() }

// RemoteAddr returns the connected peer's address; see Conn.RemoteAddr.
func (c *PacketConn) RemoteAddr() net.Addr { return (*Conn)(c).RemoteAddr() }

// SetDeadline sets the read and write deadlines; see Conn.SetDeadline.
func (c *PacketConn) SetDeadline(t time.Time) error { return (*Conn)(c).SetDeadline(t) }

// SetReadDeadline sets the read deadline; see Conn.SetReadDeadline.
func (c *PacketConn) SetReadDeadline(t time.Time) error { return (*Conn)(c).SetReadDeadline(t) }

// SetWriteDeadline sets the write deadline; see Conn.SetWriteDeadline.
func (c *PacketConn) SetWriteDeadline(t time.Time) error { return (*Conn)(c).SetWriteDeadline(t) }

// SyscallConn returns the raw descriptor; see Conn.SyscallConn.
func (c *PacketConn) SyscallConn() (syscall.RawConn, error) { return (*Socket)(c).syscallConn() }

// Socket returns the socket the view shows.
func (c *PacketConn) Socket() *Socket { return (*Socket)(c) }

// viewWait is the wait of a view's call in one direction: the sticky
// deadline, or at once a timeout if it has passed.
func (s *Socket) viewWait(op string, write bool) (wait, error) {
	if err := s.check(op); err != nil {
		return wait{}, err
	}
	if d := s.dir(write).stickyDeadlineNanos(); d != 0 && time.Now().UnixNano() >= d {
		return wait{}, timeoutError(op)
	}
	return wait{sticky: true}, nil
}

// setViewDeadline stores the sticky deadline of one direction and hands it
// to a view's call waiting there, if any.
func (s *Socket) setViewDeadline(op string, write bool, t time.Time) error {
	if err := s.check(op); err != nil {
		return err
	}
	io := s.dir(write)
	x := io.cold()
	x.dmu.Lock()
	defer x.dmu.Unlock()
	x.sticky.Store(stickyTime(t))
	if err := s.cut(io, write, true, nil, t); err != nil {
		return s.pollError(op, err)
	}
	return nil
}

// localAddr is the views' local address.
func (s *Socket) localAddr() net.Addr {
	a, err := s.SockName()
	return s.netAddr(a, err)
}

// netAddr converts an address of s to the net.Addr type Go uses for the
// socket's kind; after an error, the zero address of that type.
func (s *Socket) netAddr(a NetworkAddress, err error) net.Addr {
	if err != nil {
		a = NetworkAddress{}
	}
	switch {
	case s != nil && s.family == AFLocal:
		network := "unix"
		if s.typ == DescSocketUDP {
			network = "unixgram"
		}
		return &net.UnixAddr{Name: a.path, Net: network}
	case s != nil && s.typ == DescSocketUDP:
		if !a.ap.IsValid() {
			return &net.UDPAddr{}
		}
		return net.UDPAddrFromAddrPort(a.ap)
	}
	if !a.ap.IsValid() {
		return &net.TCPAddr{}
	}
	return net.TCPAddrFromAddrPort(a.ap)
}

// addrFromNet converts a net.Addr for a datagram sent on s. An IPv4 address
// in IPv6 form, as net.IPv4 makes them, is unmapped for an AFInet socket.
func (s *Socket) addrFromNet(op string, addr net.Addr) (NetworkAddress, error) {
	var ap netip.AddrPort
	switch a := addr.(type) {
	case NetworkAddress:
		return a, nil
	case *NetworkAddress:
		if a != nil {
			return *a, nil
		}
	case *net.UDPAddr:
		if a != nil {
			ap = a.AddrPort()
		}
	case *net.UnixAddr:
		if a != nil {
			return NewUnixAddress(a.Name)
		}
	}
	if !ap.IsValid() {
		return NetworkAddress{}, newError(op, InvalidArgumentError, errors.New("not a UDP or Unix address"))
	}
	if s.family == AFInet {
		ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return NewNetworkAddressFromAddrPort(ap), nil
}
