//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"syscall"

	"golang.org/x/sys/unix"
)

// maxDatagram is the largest UDP payload over IPv4 (65,535 less the IP and
// UDP headers); NSPR reports larger ones as PR_INVALID_ARGUMENT_ERROR.
const maxDatagram = 65507

// Accept waits for a connection on a listening socket (PR_Accept) and returns
// the connected socket, which starts in blocking mode, with the peer's
// address. A socket that is not listening is PR_INVALID_ARGUMENT_ERROR, a UDP
// socket PR_INVALID_METHOD_ERROR, and no connection within timeout
// PR_IO_TIMEOUT_ERROR.
func (s *Socket) Accept(timeout Interval) (*Socket, NetworkAddress, error) {
	w := s.waitOf(timeout)
	c, peer, err := s.accept("accept", &w)
	if err != nil {
		return nil, peer, s.addrError(err, false)
	}
	return c, peer, nil
}

// accept is Accept waiting as w says, shared with AcceptContext and the
// net.Listener view.
func (s *Socket) accept(op string, w *wait) (*Socket, NetworkAddress, error) {
	if err := s.check(op); err != nil {
		return nil, NetworkAddress{}, err
	}
	if s.typ != DescSocketTCP {
		return nil, NetworkAddress{}, newError(op, InvalidMethodError, errors.New("accept on a datagram socket"))
	}
	io := &s.rd
	io.mu.Lock()
	io.kind = opAccept
	err := s.run(op, io, false, w)
	fd, peer := io.n, decodeSockaddr(&io.rsa, io.size)
	io.mu.Unlock()
	if err != nil {
		return nil, NetworkAddress{}, err
	}
	if peer.family == AFUnspec || (peer.family == AFLocal && s.family != AFLocal) {
		peer.family = s.family
	}
	c, err := newSocket(fd, s.family, s.typ)
	if err != nil {
		return nil, NetworkAddress{}, err
	}
	c.own.lingers.Store(s.own.lingers.Load()) // the kernel copies SO_LINGER to it
	return c, peer, nil
}

// AcceptRead accepts a connection and reads its first bytes, up to amount
// (PR_AcceptRead). As in NSPR the accept waits without limit and timeout
// bounds the read; if the read fails the new connection is closed and the
// error returned.
func (s *Socket) AcceptRead(amount int, timeout Interval) (*Socket, NetworkAddress, []byte, error) {
	if amount < 0 {
		return nil, NetworkAddress{}, nil, newError("acceptread", InvalidArgumentError, errors.New("negative amount"))
	}
	c, peer, err := s.Accept(IntervalNoTimeout)
	if err != nil {
		return nil, NetworkAddress{}, nil, err
	}
	buf := make([]byte, amount)
	n, err := c.Recv(buf, timeout)
	if err != nil {
		c.Close()
		return nil, NetworkAddress{}, nil, err
	}
	return c, peer, buf[:n], nil
}

// Connect connects to addr (PR_Connect), binding an arbitrary local address
// if needed. On a UDP socket it sets the default peer of Send and Recv. A
// refused connection is PR_CONNECT_REFUSED_ERROR, no answer within timeout
// PR_IO_TIMEOUT_ERROR (the kernel keeps trying: a later Connect is
// PR_ALREADY_INITIATED_ERROR until it is done), a connected TCP socket
// PR_IS_CONNECTED_ERROR, whichever the peer.
//
// On a non-blocking socket Connect starts the connection and returns
// PR_IN_PROGRESS_ERROR; poll for PollWrite, then call ConnectContinue, or
// Connect again with the same address, which is PR_ALREADY_INITIATED_ERROR
// while the handshake runs and nil once the connection is up.
func (s *Socket) Connect(addr NetworkAddress, timeout Interval) error {
	w := s.waitOf(timeout)
	if err := s.connect("connect", &addr, &w); err != nil {
		return withAddrs(err, NetworkAddress{}, addr)
	}
	return nil
}

// connect is Connect waiting as w says, shared with ConnectContext.
func (s *Socket) connect(op string, addr *NetworkAddress, w *wait) error {
	if err := s.check(op); err != nil {
		return err
	}
	if s.typ == DescSocketTCP && s.conn.Load() == connDone {
		return newError(op, IsConnectedError, syscall.EISCONN)
	}
	io := &s.wr
	io.mu.Lock()
	defer io.mu.Unlock()
	size, err := encodeSockaddr(&io.rsa, addr, s.family, op)
	if err != nil {
		return err
	}
	io.size = size

	// First attempt. On loopback the handshake has usually finished by the
	// time connect(2) returns EINPROGRESS, so a blocking connect asks once
	// more before parking, which saves waking another thread. A
	// non-blocking one reports PR_IN_PROGRESS_ERROR, as NSPR does.
	if !s.own.acquire() {
		return closedError(op)
	}
	e := sysConnect(s.own.fd, &io.rsa, io.size)
	if e == syscall.EINTR {
		e = syscall.EINPROGRESS // the kernel goes on connecting
	}
	if e == syscall.EINPROGRESS && !w.nonblock {
		switch e2 := sysConnect(s.own.fd, &io.rsa, io.size); e2 {
		case syscall.EALREADY, syscall.EINPROGRESS, syscall.EINTR:
		case syscall.EISCONN:
			e = 0
		default:
			e = e2
		}
	}
	s.own.release()
	pending := s.conn.Load() == connPending
	switch {
	case e == 0 || e == syscall.EISCONN && pending:
		// Linux answers 0 to the first connect(2) after a connection
		// started earlier came up, whatever the address: check it.
		return s.connected(op, addr, pending)
	case e == syscall.EINPROGRESS && w.nonblock:
		s.conn.Store(connPending)
		return newError(op, InProgressError, e)
	case e != syscall.EINPROGRESS:
		if e != syscall.EALREADY {
			s.conn.Store(connIdle)
		}
		return errnoError(op, e) // EALREADY: PR_ALREADY_INITIATED_ERROR
	}
	io.kind = opConnect
	err = s.run(op, io, true, w)
	switch {
	case err == nil:
		s.conn.Store(connDone)
	case errors.Is(err, IOTimeoutError):
		s.conn.Store(connPending) // the kernel goes on with the handshake
	default:
		s.conn.Store(connIdle)
	}
	return err
}

// Connection states (Socket.conn). Linux reports a connection started
// earlier (non-blocking, or blocking that timed out) only to the next
// connect(2), and then for any address, so Connect keeps its own account:
// a connected TCP socket is PR_IS_CONNECTED_ERROR, as NSPR means it to be.
const (
	connIdle    uint32 = iota // no connection, none under way
	connPending               // a connection started earlier and not yet reported up
	connDone                  // the connection was reported up
)

// connected records that Connect succeeded. After a connection started
// earlier came up, addr must name the peer it reached; another address is
// PR_IS_CONNECTED_ERROR, since the socket stays connected to the first.
func (s *Socket) connected(op string, addr *NetworkAddress, pending bool) error {
	s.conn.Store(connDone)
	if !pending {
		return nil
	}
	if peer, err := s.PeerName(); err == nil && !samePeer(peer, *addr) {
		return newError(op, IsConnectedError, errors.New("connected to "+peer.String()+", not "+addr.String()))
	}
	return nil
}

// samePeer reports whether addr names peer: the same port and address,
// ignoring IPv4 mapping and zones; a wildcard address reaches this host.
func samePeer(peer, addr NetworkAddress) bool {
	if addr.Family() == AFLocal {
		return peer.Path() == addr.Path()
	}
	a, p := addr.AddrPort(), peer.AddrPort()
	ip := a.Addr().Unmap().WithZone("")
	return a.Port() == p.Port() && (ip.IsUnspecified() || ip == p.Addr().Unmap().WithZone(""))
}

// ConnectContinue finishes a non-blocking Connect (PR_ConnectContinue) after
// Poll reported outFlags for the socket: nil once connected,
// PR_IN_PROGRESS_ERROR while still connecting (also when outFlags claim
// otherwise, where NSPR reports success), else the connection's error.
func (s *Socket) ConnectContinue(outFlags PollFlags) error {
	const op = "connect"
	if err := s.check(op); err != nil {
		return err
	}
	if outFlags&PollNval != 0 {
		return newError(op, BadDescriptorError, errors.New("poll reported an invalid descriptor"))
	}
	if outFlags&(PollWrite|PollExcept|PollErr|PollHup) == 0 {
		return newError(op, InProgressError, syscall.EINPROGRESS)
	}
	return s.control(op, func(fd int) error {
		soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
		if err != nil {
			return sysErr("getsockopt", err)
		}
		if soerr != 0 {
			s.conn.Store(connIdle)
			return errnoError(op, syscall.Errno(soerr))
		}
		// No error yet is not a connection yet: NSPR trusts the poll
		// flags and reports success while the handshake still runs.
		var rsa unix.RawSockaddrAny
		size := uint32(unix.SizeofSockaddrAny)
		if e := sockName(unix.SYS_GETPEERNAME, fd, &rsa, &size); e == syscall.ENOTCONN {
			return newError(op, InProgressError, syscall.EINPROGRESS)
		}
		s.conn.Store(connDone)
		return nil
	})
}

// Recv reads up to len(p) bytes (PR_Recv). It returns as soon as some bytes
// arrive, with 0 and no error at the end of the stream. Bytes already read
// ahead by ReadLine come first, without waiting. It waits as timeout says:
// IntervalNoWait tries once (PR_IO_TIMEOUT_ERROR if nothing is there), a
// non-blocking socket returns PR_WOULD_BLOCK_ERROR. An unconnected TCP socket
// is PR_NOT_CONNECTED_ERROR. An empty p is a receive like any other, as in
// NSPR: it waits the same way and returns 0 once data is there, taking none
// from a stream (on a datagram socket, the datagram).
func (s *Socket) Recv(p []byte, timeout Interval) (int, error) {
	if timeout == IntervalNoTimeout {
		return s.recv("recv", p, s.noTimeoutWait())
	}
	return s.recvWithin(p, timeout)
}

// recvWithin is Recv with any interval but IntervalNoTimeout; out of line,
// so that the wait it makes takes no room in the frame of a Recv without a
// limit, under which a goroutine may wait for long (see TestParkedStack).
//
//go:noinline
func (s *Socket) recvWithin(p []byte, timeout Interval) (int, error) {
	w := s.waitOf(timeout)
	return s.recv("recv", p, &w)
}

// recv is Recv waiting as w says, shared with the net.Conn view. With
// nothing read ahead it reads as readLocked does, in its own frame, and it
// unlocks without a defer: a goroutine waiting in Recv waits under as few
// and as small frames as can be (see TestParkedStack).
func (s *Socket) recv(op string, p []byte, w *wait) (int, error) {
	if err := s.check(op); err != nil {
		return 0, err
	}
	io := &s.rd
	io.mu.Lock()
	var n int
	var err error
	switch {
	case s.ra.buffered() > 0:
		n = s.ra.take(p)
	case io.batchOrNil().coalesces():
		n, err = s.readCoalescedLocked(op, p, w)
	default:
		io.kind, io.p = opRead, p
		if err = s.run(op, io, false, w); err == nil {
			n = io.n
		}
		io.p = nil
	}
	io.mu.Unlock()
	return n, err
}

// readLocked is one read from the descriptor into p; the caller holds rd.mu.
// A datagram socket whose queue may hold coalesced runs (GRO) reads through
// the batch path, which splits them.
func (s *Socket) readLocked(op string, p []byte, w *wait) (int, error) {
	io := &s.rd
	if io.batchOrNil().coalesces() {
		return s.readCoalescedLocked(op, p, w)
	}
	io.kind, io.p = opRead, p
	held := s.ra.buffered()
	if held > 0 {
		s.ra.waiting.Store(int32(held) + 1) // for Available while this waits
	}
	err := s.run(op, io, false, w)
	if held > 0 {
		s.ra.waiting.Store(0)
	}
	io.p = nil
	if err != nil {
		return 0, err
	}
	return io.n, nil
}

// readCoalescedLocked is readLocked of a datagram socket whose queue may
// hold coalesced runs; out of line, so that the address recvOneLocked
// returns takes no room in the frames of recv and readLocked.
//
//go:noinline
func (s *Socket) readCoalescedLocked(op string, p []byte, w *wait) (int, error) {
	n, _, err := s.recvOneLocked(op, p, w)
	return n, err
}

// RecvFrom reads one datagram (PR_RecvFrom) and returns its sender. python-nss
// fills a NetworkAddress argument in place; Go returns it instead. A datagram
// longer than p is truncated, as recvfrom(2) does.
func (s *Socket) RecvFrom(p []byte, timeout Interval) (int, NetworkAddress, error) {
	w := s.waitOf(timeout)
	n, from, err := s.recvFrom("recvfrom", p, &w)
	if err != nil {
		return n, from, s.addrError(err, false)
	}
	return n, from, nil
}

// recvFrom is RecvFrom waiting as w says, shared with the net.PacketConn
// view. A socket that never waited receives from here, without run: see
// direct.
func (s *Socket) recvFrom(op string, p []byte, w *wait) (int, NetworkAddress, error) {
	if err := s.check(op); err != nil {
		return 0, NetworkAddress{}, err
	}
	io := &s.rd
	io.mu.Lock() // unlocked without a defer, whose cost shows at a call a datagram
	var n int
	var from NetworkAddress
	var err error
	switch {
	case s.ra.buffered() > 0:
		n = s.ra.take(p)
	case io.batchOrNil().coalesces():
		n, from, err = s.recvOneLocked(op, p, w)
	default:
		var settled bool
		if s.own.reg.Load() == nil && s.own.acquire() {
			var e syscall.Errno
			io.size = unix.SizeofSockaddrAny
			n, e = sysRecvfrom(s.own.fd, p, &io.rsa, &io.size)
			s.own.release()
			if settled = e == 0; !settled {
				n = 0
				settled, err = direct(op, e, w)
			}
		}
		if !settled {
			io.kind, io.p = opRecvFrom, p
			if err = s.run(op, io, false, w); err == nil {
				n = io.n
			}
			io.p = nil
		}
		if err == nil {
			from = decodeSockaddr(&io.rsa, io.size)
			if from.family == AFUnspec {
				from.family = s.family
			}
		}
	}
	io.mu.Unlock()
	return n, from, err
}

// Send writes all of p (PR_Send): on a blocking socket it returns only when
// every byte is sent, the interval runs out, or an error occurs. Unlike NSPR,
// a timeout or error after a partial send returns the count sent with the
// error, so no caller loses track of its data. On a non-blocking socket it
// sends what fits: a partial count, or PR_WOULD_BLOCK_ERROR if nothing does.
// Sending after the peer reset the connection is PR_CONNECT_RESET_ERROR,
// never SIGPIPE.
func (s *Socket) Send(p []byte, timeout Interval) (int, error) {
	if timeout == IntervalNoTimeout {
		return s.send("send", p, s.noTimeoutWait())
	}
	return s.sendWithin(p, timeout)
}

// sendWithin is Send with any interval but IntervalNoTimeout, out of line
// as recvWithin is.
//
//go:noinline
func (s *Socket) sendWithin(p []byte, timeout Interval) (int, error) {
	w := s.waitOf(timeout)
	return s.send("send", p, &w)
}

// send is Send waiting as w says, shared with the net.Conn view.
func (s *Socket) send(op string, p []byte, w *wait) (int, error) {
	io, err := s.lockWrite(op, p)
	if err != nil {
		return 0, err
	}
	defer io.mu.Unlock()
	io.kind, io.p, io.n = opWrite, p, 0
	err = s.run(op, io, true, w)
	io.p = nil
	if err != nil && w.nonblock && io.n > 0 && errors.Is(err, WouldBlockError) {
		err = nil // a partial send is a success in non-blocking mode
	}
	return io.n, err
}

// lockWrite checks a send of p and takes the write direction; the caller
// unlocks it. A UDP payload over 65,507 bytes is PR_INVALID_ARGUMENT_ERROR.
func (s *Socket) lockWrite(op string, p []byte) (*ioOp, error) {
	if err := s.check(op); err != nil {
		return nil, err
	}
	if s.typ == DescSocketUDP && len(p) > maxDatagram {
		return nil, newError(op, InvalidArgumentError, syscall.EMSGSIZE)
	}
	s.wr.mu.Lock()
	return &s.wr, nil
}

// Sendall sends all of p (python-nss's sendall). NSPR's PR_Send already
// sends everything on a blocking socket, so it is Send by another name.
func (s *Socket) Sendall(p []byte, timeout Interval) (int, error) { return s.Send(p, timeout) }

// SendTo sends one datagram to addr (PR_SendTo). Datagrams over 65,507 bytes
// are PR_INVALID_ARGUMENT_ERROR; an address of another family is
// PR_ADDRESS_NOT_SUPPORTED_ERROR.
func (s *Socket) SendTo(p []byte, addr NetworkAddress, timeout Interval) (int, error) {
	w := s.waitOf(timeout)
	n, err := s.sendTo("sendto", p, &addr, &w)
	if err != nil {
		return n, withAddrs(err, NetworkAddress{}, addr)
	}
	return n, nil
}

// sendTo is SendTo waiting as w says, shared with the net.PacketConn view.
// A socket that never waited sends from here, without run: see direct.
func (s *Socket) sendTo(op string, p []byte, addr *NetworkAddress, w *wait) (int, error) {
	io, err := s.lockWrite(op, p)
	if err != nil {
		return 0, err
	}
	var n int
	size, err := encodeSockaddr(&io.rsa, addr, s.family, op)
	if err == nil {
		var settled bool
		if s.own.reg.Load() == nil && s.own.acquire() {
			var e syscall.Errno
			n, e = sysSendto(s.own.fd, p, &io.rsa, size)
			s.own.release()
			if settled = e == 0; !settled {
				settled, err = direct(op, e, w)
			}
		}
		if !settled {
			io.kind, io.p, io.size = opSendTo, p, size
			err = s.run(op, io, true, w)
			io.p = nil
			n = io.n
		}
	}
	io.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return n, nil
}
