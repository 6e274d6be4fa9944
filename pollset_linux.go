package nspr

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The kernel back end of pollSet on Linux: an epoll instance.

// kernelEvent is one readiness report of the kernel set; its user data
// holds the descriptor.
type kernelEvent = unix.EpollEvent

// kernelSetOpen creates an epoll instance, close-on-exec and non-blocking so
// that the runtime poller accepts it.
func kernelSetOpen() (int, error) {
	kfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return -1, err
	}
	if err := unix.SetNonblock(kfd, true); err != nil {
		unix.Close(kfd)
		return -1, err
	}
	return kfd, nil
}

// kernelSetCtl adds fd with flags (old == 0), changes its flags, or removes
// it (flags == 0). epoll's events have poll(2)'s values.
func kernelSetCtl(kfd, fd int, old, flags PollFlags) syscall.Errno {
	ev := unix.EpollEvent{Events: uint32(uint16(pollEvents(flags))), Fd: int32(fd)}
	op := unix.EPOLL_CTL_MOD
	switch {
	case flags == 0:
		op = unix.EPOLL_CTL_DEL
	case old == 0:
		op = unix.EPOLL_CTL_ADD
	}
	_, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_CTL, uintptr(kfd), uintptr(op), uintptr(fd), uintptr(unsafe.Pointer(&ev)), 0, 0)
	return e
}

// kernelSetWait collects ready events into buf without waiting: waiting is
// the runtime poller's job, which watches the set's own descriptor.
func kernelSetWait(kfd int, buf []kernelEvent) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(kfd), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0, 0)
	return int(n), e
}

// eventOf decodes a kernel event as NSPR's pt_poll maps poll(2)'s revents.
func eventOf(e *kernelEvent) (fd int, out PollFlags) {
	return int(e.Fd), pollOutFlags(int16(e.Events))
}

// exactKernelSet says that the set's events are poll(2)'s revents, so that
// Poll can take a list's out-flags from a kept set (see pollcache.go).
const exactKernelSet = true
