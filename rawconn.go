//go:build linux || darwin || freebsd

package nspr

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// rawConn is the syscall.RawConn of a socket's views.
type rawConn Socket

func (s *Socket) syscallConn() (syscall.RawConn, error) {
	if err := s.check("syscallconn"); err != nil {
		return nil, err
	}
	return (*rawConn)(s), nil
}

// Control runs f on the descriptor, which stays open until f returns.
func (c *rawConn) Control(f func(fd uintptr)) error {
	return (*Socket)(c).control("control", func(fd int) error {
		f(uintptr(fd))
		return nil
	})
}

// Read calls f until it returns true, waiting for the descriptor to be
// readable each time it returns false, bounded by the views' read deadline.
func (c *rawConn) Read(f func(fd uintptr) bool) error { return (*Socket)(c).rawIO("read", false, f) }

// Write is Read for writing.
func (c *rawConn) Write(f func(fd uintptr) bool) error { return (*Socket)(c).rawIO("write", true, f) }

// rawIO runs a RawConn function through run, the one blocking path.
func (s *Socket) rawIO(op string, write bool, f func(fd uintptr) bool) error {
	w, err := s.viewWait(op, write)
	if err != nil {
		return err
	}
	io := s.dir(write)
	io.mu.Lock()
	defer io.mu.Unlock()
	x := io.cold()
	io.kind, x.raw = opRaw, f
	err = s.run(op, io, write, &w)
	x.raw = nil
	return err
}

// ReadMsgUDP reads one datagram with its control messages (recvmsg(2)), as
// net.UDPConn.ReadMsgUDP does: n bytes into b, oobn bytes of control
// messages into oob, the message flags and the sender. It waits as ReadFrom
// does. NSPR has no such call; golang.org/x/net/ipv4 and ipv6 recognise a
// UDP connection by it, and the control messages it returns parse with
// their ControlMessage.Parse.
func (c *PacketConn) ReadMsgUDP(b, oob []byte) (n, oobn, flags int, addr *net.UDPAddr, err error) {
	const op = "recvmsg"
	s := (*Socket)(c)
	var from unix.Sockaddr
	var errno syscall.Errno
	err = s.rawIO(op, false, func(fd uintptr) bool {
		for {
			var e error
			n, oobn, flags, from, e = unix.Recvmsg(int(fd), b, oob, 0)
			switch e {
			case nil:
				return true
			case unix.EINTR:
				continue
			case unix.EAGAIN:
				return false
			}
			errno, _ = e.(syscall.Errno)
			if errno == 0 {
				errno = syscall.EIO
			}
			return true
		}
	})
	if err == nil && errno != 0 {
		err = errnoError(op, errno)
	}
	if err != nil {
		return 0, 0, 0, nil, err
	}
	switch sa := from.(type) {
	case *unix.SockaddrInet4:
		addr = &net.UDPAddr{IP: append(net.IP(nil), sa.Addr[:]...), Port: sa.Port}
	case *unix.SockaddrInet6:
		addr = &net.UDPAddr{IP: append(net.IP(nil), sa.Addr[:]...), Port: sa.Port}
		if sa.ZoneId != 0 {
			addr.Zone = zoneName(sa.ZoneId)
		}
	}
	return n, oobn, flags, addr, nil
}
