//go:build linux || darwin || freebsd

package nspr

import "golang.org/x/sys/unix"

// Available returns the number of bytes that can be read without waiting
// (PR_Available): those the kernel holds (FIONREAD) and those ReadLine and
// its kin have read ahead. On a UDP socket the kernel's part is the size
// of the next datagram, 0 when none is queued; on a listening socket it is
// PR_BAD_DESCRIPTOR_ERROR, as in NSPR. Available never waits for a reader:
// while a LineReader holds the read side between its calls, the bytes it
// has read ahead are not counted (they are while it waits for data).
func (s *Socket) Available() (int, error) {
	n, err := s.Available64()
	return int(min(n, 1<<31-1)), err
}

// Available64 is Available with a 64-bit result (PR_Available64).
func (s *Socket) Available64() (int64, error) {
	const op = "available"
	var n int
	err := s.control(op, func(fd int) error {
		v, err := unix.IoctlGetInt(fd, ioctlFIONREAD)
		n = v
		return sysErr(op, err)
	})
	if err != nil {
		return 0, err
	}
	return int64(n) + int64(s.ra.held(&s.rd.mu)), nil
}
