//go:build darwin || freebsd

package nspr

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// A PollableEvent on darwin and freebsd is a pipe, as in NSPR: Set writes a
// byte, which makes the read end readable, and Wait reads until it is empty.

// eventSetBytes is what Set writes: NSPR's byte.
var eventSetBytes = []byte{0x38}

func newEventFDs() (rfd, wfd int, err error) {
	var p [2]int
	syscall.ForkLock.RLock()
	err = unix.Pipe(p[:])
	if err == nil {
		unix.CloseOnExec(p[0])
		unix.CloseOnExec(p[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, -1, err
	}
	for _, fd := range p {
		if err := unix.SetNonblock(fd, true); err != nil {
			closeEventFDs(p[0], p[1])
			return -1, -1, err
		}
	}
	return p[0], p[1], nil
}

func closeEventFDs(rfd, wfd int) {
	unix.Close(rfd)
	unix.Close(wfd)
}

// eventReadTakesAll: a read takes at most its buffer's worth of Sets.
const eventReadTakesAll = false
