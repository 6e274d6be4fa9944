//go:build linux || darwin || freebsd

package nspr

import "golang.org/x/sys/unix"

// Available returns the number of bytes that can be read without waiting
// (PR_Available): those the kernel holds (FIONREAD) and those ReadLine and
// its kin have read ahead. On a UDP socket the kernel's part is the size
// of the next datagram, 0 when none is queued; on a listening socket it is
// PR_BAD_DESCRIPTOR_ERROR, as in NSPR. Available never waits for a reader:
// while a LineReader holds the read side between its calls, the bytes it
// has read ahead are not counted (they are while it waits for data). With
// a reader running beside it, Available may miss bytes the reader is moving
// from the kernel into the read-ahead, but it never counts a byte twice: it
// looks at the read-ahead before the kernel, the order the bytes move in.
func (s *Socket) Available() (int, error) {
	n, err := s.Available64()
	return int(min(n, 1<<31-1)), err
}

// Available64 is Available with a 64-bit result (PR_Available64).
func (s *Socket) Available64() (int64, error) {
	const op = "available"
	if err := s.check(op); err != nil {
		return 0, err
	}
	held := s.ra.held(&s.rd.mu)
	if availableMidway != nil {
		availableMidway()
	}
	var n int
	err := s.control(op, func(fd int) error {
		v, err := unix.IoctlGetInt(fd, ioctlFIONREAD)
		n = v
		return sysErr(op, err)
	})
	if err != nil {
		return 0, err
	}
	return int64(n) + int64(held), nil
}

// availableMidway, when set, runs between Available's two looks, so that
// tests can move bytes between them.
var availableMidway func()
