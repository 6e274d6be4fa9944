package nspr

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The kernel event set behind Poller and a waiting Poll is an epoll instance.

// kernelEvent is one readiness report of the kernel set. The 64 bits of
// epoll's user data hold the descriptor and the slot's tag.
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

// epollEvents maps PR_POLL_* in-flags to epoll's events, which have
// poll(2)'s values.
func epollEvents(f PollFlags) uint32 { return uint32(uint16(pollEvents(f))) }

// kernelSetCtl adds fd with flags (old == 0), changes its flags, or removes
// it (flags == 0). A descriptor the set still holds under a stale entry (its
// file is open elsewhere) is modified instead of added.
func kernelSetCtl(kfd, fd int, old, flags PollFlags, tag uint32) syscall.Errno {
	ev := unix.EpollEvent{Events: epollEvents(flags), Fd: int32(fd), Pad: int32(tag)}
	op := unix.EPOLL_CTL_MOD
	switch {
	case flags == 0:
		op = unix.EPOLL_CTL_DEL
	case old == 0:
		op = unix.EPOLL_CTL_ADD
	}
	e := epollCtl(kfd, op, fd, &ev)
	switch {
	case e == syscall.EEXIST && op == unix.EPOLL_CTL_ADD:
		e = epollCtl(kfd, unix.EPOLL_CTL_MOD, fd, &ev)
	case e == syscall.ENOENT && op == unix.EPOLL_CTL_MOD:
		e = epollCtl(kfd, unix.EPOLL_CTL_ADD, fd, &ev)
	}
	return e
}

func epollCtl(kfd, op, fd int, ev *unix.EpollEvent) syscall.Errno {
	_, _, e := unix.RawSyscall6(unix.SYS_EPOLL_CTL, uintptr(kfd), uintptr(op), uintptr(fd), uintptr(unsafe.Pointer(ev)), 0, 0)
	return e
}

// kernelSetWait collects ready events into buf without waiting: waiting is
// the runtime poller's job, which watches the set's own descriptor.
func kernelSetWait(kfd int, buf []kernelEvent) (int, syscall.Errno) {
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(kfd), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0, 0)
	return int(n), e
}

// eventOf decodes a kernel event as NSPR's pt_poll maps poll(2)'s revents.
func eventOf(e *kernelEvent) (fd int, tag uint32, out PollFlags) {
	return int(e.Fd), uint32(e.Pad), pollOutFlags(int16(e.Events))
}

// exactKernelSet says that the set's events are poll(2)'s revents, so that
// Poll can take a list's out-flags from a kept set (see listSet).
const exactKernelSet = true
