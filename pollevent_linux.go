package nspr

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// A PollableEvent on Linux is one eventfd(2): Set adds 1 to its counter,
// which makes it readable, and one read returns the counter and resets it.

// eventSetBytes is what Set writes: the 64-bit count 1.
var eventSetBytes = binary.NativeEndian.AppendUint64(nil, 1)

func newEventFDs() (rfd, wfd int, err error) {
	fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	return fd, fd, err
}

func closeEventFDs(rfd, _ int) { unix.Close(rfd) }

// eventReadTakesAll: one read returns the counter and resets it.
const eventReadTakesAll = true
