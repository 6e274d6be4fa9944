//go:build darwin || freebsd

package nspr

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// The kernel back end of pollSet on darwin and freebsd: a kqueue.

type kernelEvent = unix.Kevent_t

// zeroTimespec makes kevent return at once; a global, so no call allocates.
var zeroTimespec unix.Timespec

// kernelSetOpen creates a kqueue, close-on-exec and non-blocking so that the
// runtime poller accepts it.
func kernelSetOpen() (int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	kfd, err := unix.Kqueue()
	if err != nil {
		return -1, err
	}
	unix.CloseOnExec(kfd)
	if err := unix.SetNonblock(kfd, true); err != nil {
		unix.Close(kfd)
		return -1, err
	}
	return kfd, nil
}

// kqFilters maps PR_POLL_* flags to kqueue filters. kqueue has no filter for
// out-of-band data alone; it makes a socket readable, so EXCEPT uses the read
// filter.
func kqRead(f PollFlags) bool  { return f&(PollRead|PollExcept) != 0 }
func kqWrite(f PollFlags) bool { return f&PollWrite != 0 }

// kernelSetCtl sets fd's filters from old to flags (0 removes it).
func kernelSetCtl(kfd, fd int, old, flags PollFlags) syscall.Errno {
	var changes [2]unix.Kevent_t
	n := 0
	for _, f := range []struct {
		filter   int
		was, now bool
	}{{unix.EVFILT_READ, kqRead(old), kqRead(flags)}, {unix.EVFILT_WRITE, kqWrite(old), kqWrite(flags)}} {
		switch {
		case f.now:
			unix.SetKevent(&changes[n], fd, f.filter, unix.EV_ADD|unix.EV_ENABLE)
		case f.was:
			unix.SetKevent(&changes[n], fd, f.filter, unix.EV_DELETE)
		default:
			continue
		}
		n++
	}
	if n == 0 {
		return 0
	}
	_, err := unix.Kevent(kfd, changes[:n], nil, &zeroTimespec)
	if err != nil {
		if e, ok := err.(syscall.Errno); ok {
			return e
		}
		return syscall.EINVAL
	}
	return 0
}

// kernelSetWait collects ready events into buf without waiting.
func kernelSetWait(kfd int, buf []kernelEvent) (int, syscall.Errno) {
	n, err := unix.Kevent(kfd, nil, buf, &zeroTimespec)
	if err != nil {
		if e, ok := err.(syscall.Errno); ok {
			return 0, e
		}
		return 0, syscall.EINVAL
	}
	return n, 0
}

// eventOf decodes a kqueue event: the read filter is READ (and EXCEPT, which
// the slot's flags narrow), the write filter WRITE; EOF on the write filter
// is HUP, an error ERR.
func eventOf(e *kernelEvent) (fd int, out PollFlags) {
	switch e.Filter {
	case unix.EVFILT_READ:
		out = PollRead | PollExcept
	case unix.EVFILT_WRITE:
		out = PollWrite
		if e.Flags&unix.EV_EOF != 0 {
			out |= PollHup
		}
	}
	if e.Flags&unix.EV_ERROR != 0 {
		out |= PollErr
	}
	return int(e.Ident), out
}

// exactKernelSet is false: kqueue's filters do not give poll(2)'s revents
// (EXCEPT, HUP and ERR differ), so Poll always asks poll(2) for flags.
const exactKernelSet = false
