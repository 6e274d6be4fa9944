package nspr

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// msgNoSignal keeps a send on a reset connection from raising SIGPIPE.
const msgNoSignal = unix.MSG_NOSIGNAL

// rawAccept accepts with the new descriptor already non-blocking and
// close-on-exec, in one system call.
func rawAccept(fd int, rsa *unix.RawSockaddrAny, size *uint32) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall6(unix.SYS_ACCEPT4, uintptr(fd), uintptr(unsafe.Pointer(rsa)), uintptr(unsafe.Pointer(size)),
		unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
	return int(n), e
}

// newSocketFD creates a non-blocking, close-on-exec socket in one call. It
// is a raw system call, as those of the data path are: socket(2) never
// waits, and the scheduler's hand-off around a call that may block showed
// in the profile of a connect, accept and close.
func newSocketFD(domain, typ int) (int, error) {
	fd, _, e := syscall.RawSyscall(unix.SYS_SOCKET, uintptr(domain), uintptr(typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC), 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

// newSocketPairFDs creates a connected pair, non-blocking and close-on-exec.
func newSocketPairFDs(domain, typ int) ([2]int, error) {
	return unix.Socketpair(domain, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
}

// prepareSocketFD sets what every socket needs beyond its flags; nothing on
// Linux, where MSG_NOSIGNAL covers SIGPIPE.
func prepareSocketFD(int) error { return nil }

// pollNowTimespec is ppoll's zero timeout; a global, so no call allocates.
var pollNowTimespec unix.Timespec

// rawPollMax is the largest array polled with a raw system call; a larger
// one takes the kernel long enough that the scheduler should know.
const rawPollMax = 256

// rawPollNow is poll(2) with a zero timeout (ppoll, which every Linux
// architecture has). Over many descriptors the kernel's scan takes long
// enough that the call goes through the scheduler, which can hand the P on.
func rawPollNow(fds []unix.PollFd) (int, syscall.Errno) {
	call := syscall.RawSyscall6
	if len(fds) > rawPollMax {
		call = syscall.Syscall6
	}
	n, _, e := call(unix.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), uintptr(len(fds)),
		uintptr(unsafe.Pointer(&pollNowTimespec)), 0, 0, 0)
	return int(n), e
}
