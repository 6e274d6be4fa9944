//go:build linux || darwin || freebsd

package nspr

import "golang.org/x/sys/unix"

// The mapping between PR_POLL_* flags and poll(2)'s events, which epoll
// shares (see pollset_linux.go).

// pollEvents maps PR_POLL_* in-flags to poll(2) events, as pt_poll does.
func pollEvents(f PollFlags) int16 {
	var ev int16
	if f&PollRead != 0 {
		ev |= unix.POLLIN
	}
	if f&PollWrite != 0 {
		ev |= unix.POLLOUT
	}
	if f&PollExcept != 0 {
		ev |= unix.POLLPRI
	}
	return ev
}

// pollOutFlags maps poll(2) revents to PR_POLL_* out-flags, as pt_poll does:
// POLLIN is READ, POLLOUT WRITE, POLLPRI EXCEPT, POLLERR ERR, POLLNVAL NVAL,
// POLLHUP HUP.
func pollOutFlags(rev int16) PollFlags {
	var f PollFlags
	for _, m := range pollRevents {
		if rev&m.rev != 0 {
			f |= m.flag
		}
	}
	return f
}

var pollRevents = [...]struct {
	rev  int16
	flag PollFlags
}{
	{unix.POLLIN, PollRead}, {unix.POLLOUT, PollWrite}, {unix.POLLPRI, PollExcept},
	{unix.POLLERR, PollErr}, {unix.POLLNVAL, PollNval}, {unix.POLLHUP, PollHup},
}
