package workload

import (
	"fmt"
	"io"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// IdleSockets returns n idle loopback UDP sockets of net and one that has
// sent itself a datagram. Go's net has no poll call, so Poll is poll(2) on
// their descriptors, called from Go: the floor any poll can reach.
func (Net) IdleSockets(n int) (IdleSet, error) {
	set := &netIdleSet{}
	fds := make([]int, 0, n+1)
	lo := net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0"))
	for range n + 1 {
		c, err := net.ListenUDP("udp", lo)
		if err != nil {
			set.Close()
			return nil, err
		}
		set.conns = append(set.conns, c)
		fd, err := rawFD(c)
		if err != nil {
			set.Close()
			return nil, err
		}
		fds = append(fds, fd)
	}
	set.PollFDs = NewPollFDs(fds)
	ready := set.conns[n]
	if _, err := ready.WriteTo([]byte("x"), ready.LocalAddr()); err != nil {
		set.Close()
		return nil, err
	}
	return set, nil
}

// rawFD returns c's descriptor, which stays valid until c is closed.
func rawFD(c *net.UDPConn) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	var fd int
	err = rc.Control(func(f uintptr) { fd = int(f) })
	return fd, err
}

type netIdleSet struct {
	PollFDs
	conns []*net.UDPConn
}

// PollFDs polls descriptors for reading with poll(2), called from Go: the
// floor of any poll of them, and Go's net's column of the poll_idle
// workloads, since net has no poll call.
type PollFDs []unix.PollFd

// NewPollFDs returns a PollFDs of fds, of which only the last should be
// readable.
func NewPollFDs(fds []int) PollFDs {
	p := make(PollFDs, len(fds))
	for i, fd := range fds {
		p[i] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
	}
	return p
}

// Poll polls every descriptor once, waiting without limit, and fails
// unless exactly the last one is reported readable.
func (p PollFDs) Poll() error {
	got, err := unix.Poll(p, -1)
	if err != nil {
		return err
	}
	return CheckLastReady(got, p[len(p)-1].Revents&unix.POLLIN != 0)
}

func (s *netIdleSet) Close() error {
	closers := make([]io.Closer, len(s.conns))
	for i, c := range s.conns {
		closers[i] = c
	}
	return CloseAll(closers...)
}

// CheckLastReady is the check of IdleSet.Poll: ready sockets counted by the
// poll, and whether the last one was reported readable.
func CheckLastReady(got int, lastReady bool) error {
	if got != 1 || !lastReady {
		return fmt.Errorf("poll reported %d sockets ready, the last one %v; want the last one only", got, lastReady)
	}
	return nil
}
