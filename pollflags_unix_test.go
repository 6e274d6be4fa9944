//go:build linux || darwin || freebsd

package nspr

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestPollFlagsMapping checks the PR_POLL_* ↔ poll(2) mapping against
// NSPR's pt_poll: READ is POLLIN, WRITE POLLOUT, EXCEPT POLLPRI; revents
// map back the same way, plus POLLERR, POLLNVAL and POLLHUP.
func TestPollFlagsMapping(t *testing.T) {
	events := []struct {
		in   PollFlags
		want int16
	}{
		{0, 0},
		{PollRead, unix.POLLIN},
		{PollWrite, unix.POLLOUT},
		{PollExcept, unix.POLLPRI},
		{PollRead | PollWrite | PollExcept, unix.POLLIN | unix.POLLOUT | unix.POLLPRI},
		{PollErr | PollNval | PollHup, 0}, // out-only flags ask for nothing
	}
	for _, tt := range events {
		if got := pollEvents(tt.in); got != tt.want {
			t.Errorf("pollEvents(%v) = %#x, want %#x", tt.in, got, tt.want)
		}
	}
	revents := []struct {
		rev  int16
		want PollFlags
	}{
		{0, 0},
		{unix.POLLIN, PollRead},
		{unix.POLLOUT, PollWrite},
		{unix.POLLPRI, PollExcept},
		{unix.POLLERR, PollErr},
		{unix.POLLNVAL, PollNval},
		{unix.POLLHUP, PollHup},
		{unix.POLLIN | unix.POLLHUP | unix.POLLERR, PollRead | PollHup | PollErr},
	}
	for _, tt := range revents {
		if got := pollOutFlags(tt.rev); got != tt.want {
			t.Errorf("pollOutFlags(%#x) = %v, want %v", tt.rev, got, tt.want)
		}
	}
}
