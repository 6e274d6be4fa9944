//go:build darwin || freebsd

package nspr

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawAccept accepts and then marks the new descriptor non-blocking and
// close-on-exec; the fork lock keeps a concurrent exec from inheriting it.
func rawAccept(fd int, rsa *unix.RawSockaddrAny, size *uint32) (int, syscall.Errno) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	n, _, e := unix.Syscall(unix.SYS_ACCEPT, uintptr(fd), uintptr(unsafe.Pointer(rsa)), uintptr(unsafe.Pointer(size)))
	if e != 0 {
		return -1, e
	}
	nfd := int(n)
	unix.CloseOnExec(nfd)
	if err := unix.SetNonblock(nfd, true); err != nil {
		unix.Close(nfd)
		return -1, err.(syscall.Errno)
	}
	if err := prepareSocketFD(nfd); err != nil {
		unix.Close(nfd)
		return -1, err.(syscall.Errno)
	}
	return nfd, 0
}

func newSocketFD(domain, typ int) (int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	fd, err := unix.Socket(domain, typ, 0)
	if err != nil {
		return -1, err
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

func newSocketPairFDs(domain, typ int) ([2]int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	fds, err := unix.Socketpair(domain, typ, 0)
	if err != nil {
		return fds, err
	}
	for _, fd := range fds {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(fds[0])
			unix.Close(fds[1])
			return fds, err
		}
	}
	return fds, nil
}

// rawPollNow is poll(2) with a zero timeout.
func rawPollNow(fds []unix.PollFd) (int, syscall.Errno) {
	n, err := unix.Poll(fds, 0)
	if err != nil {
		if e, ok := err.(syscall.Errno); ok {
			return 0, e
		}
		return 0, syscall.EINVAL
	}
	return n, 0
}
