package nspr

import "golang.org/x/sys/unix"

// darwin has no MSG_NOSIGNAL; prepareSocketFD sets SO_NOSIGPIPE instead.
const msgNoSignal = 0

func prepareSocketFD(fd int) error {
	return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_NOSIGPIPE, 1)
}
