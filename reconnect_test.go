//go:build linux || darwin || freebsd

package nspr

import (
	"testing"

	"golang.org/x/sys/unix"
)

// waitWritable waits up to five seconds for s to be writable, as a caller
// of a non-blocking Connect polls for PollWrite.
func waitWritable(t *testing.T, s *Socket) PollFlags {
	t.Helper()
	fd, err := s.Fileno()
	if err != nil {
		t.Fatal(err)
	}
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
	for range 100 {
		n, err := unix.Poll(pfd, 5000)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n != 1 {
			t.Fatalf("poll for writing: %d, %v", n, err)
		}
		return PollWrite
	}
	t.Fatal("poll interrupted 100 times")
	return 0
}

// wantResult fails unless err is nil (code 0) or carries code.
func wantResult(t *testing.T, what string, err error, code ErrorCode) {
	t.Helper()
	if code == 0 {
		if err != nil {
			t.Errorf("%s: %v, want success", what, err)
		}
		return
	}
	wantCode(t, what, err, code)
}

// TestConnectAgain pins down a second Connect on one socket. NSPR passes
// connect(2)'s answer through, and Linux answers 0 to the first connect(2)
// after a connection finished by other means (NSPR's blocking connect and
// PR_ConnectContinue read SO_ERROR), for any address: the original reports
// success once, even for another peer, and PR_IS_CONNECTED_ERROR after.
// Connect instead reports PR_IS_CONNECTED_ERROR for a connected TCP socket
// (docs/compat.md), except the call that completes a non-blocking connect to
// the same address, which NSPR and the original also report as success.
func TestConnectAgain(t *testing.T) {
	twoListeners := func(t *testing.T) (a, b NetworkAddress) {
		_, a = listen(t, AFInet)
		_, b = listen(t, AFInet)
		return a, b
	}
	tests := []struct {
		name  string
		steps func(t *testing.T, c *Socket, a, b NetworkAddress) // c is a fresh TCP socket
	}{
		{"blocking, same peer", func(t *testing.T, c *Socket, a, b NetworkAddress) {
			wantResult(t, "connect", c.Connect(a, SecondsToInterval(5)), 0)
			wantResult(t, "connect again", c.Connect(a, SecondsToInterval(5)), IsConnectedError)
		}},
		{"blocking, other peer", func(t *testing.T, c *Socket, a, b NetworkAddress) {
			wantResult(t, "connect", c.Connect(a, SecondsToInterval(5)), 0)
			wantResult(t, "connect elsewhere", c.Connect(b, SecondsToInterval(5)), IsConnectedError)
		}},
		{"non-blocking, connect again", func(t *testing.T, c *Socket, a, b NetworkAddress) {
			c.SetNonblocking(true)
			wantResult(t, "connect", c.Connect(a, IntervalNoTimeout), InProgressError)
			waitWritable(t, c)
			wantResult(t, "connect again when writable", c.Connect(a, IntervalNoTimeout), 0)
			wantResult(t, "connect a third time", c.Connect(a, IntervalNoTimeout), IsConnectedError)
		}},
		{"non-blocking, connect again elsewhere", func(t *testing.T, c *Socket, a, b NetworkAddress) {
			c.SetNonblocking(true)
			wantResult(t, "connect", c.Connect(a, IntervalNoTimeout), InProgressError)
			waitWritable(t, c)
			wantResult(t, "connect elsewhere", c.Connect(b, IntervalNoTimeout), IsConnectedError)
		}},
		{"non-blocking, ConnectContinue then connect", func(t *testing.T, c *Socket, a, b NetworkAddress) {
			c.SetNonblocking(true)
			wantResult(t, "connect", c.Connect(a, IntervalNoTimeout), InProgressError)
			wantResult(t, "ConnectContinue", c.ConnectContinue(waitWritable(t, c)), 0)
			wantResult(t, "connect same", c.Connect(a, IntervalNoTimeout), IsConnectedError)
			wantResult(t, "connect elsewhere", c.Connect(b, IntervalNoTimeout), IsConnectedError)
		}},
		{"non-blocking, stalled", func(t *testing.T, c *Socket, a, b NetworkAddress) {
			_, stalled := stalledConnect(t)
			c.SetNonblocking(true)
			wantResult(t, "connect", c.Connect(stalled, IntervalNoTimeout), InProgressError)
			wantResult(t, "connect again", c.Connect(stalled, IntervalNoTimeout), AlreadyInitiatedError)
			// NSPR trusts the flags and reports success; the handshake has not finished.
			wantResult(t, "ConnectContinue with a false PollWrite", c.ConnectContinue(PollWrite), InProgressError)
		}},
		{"blocking, timed out", func(t *testing.T, c *Socket, a, b NetworkAddress) {
			_, stalled := stalledConnect(t)
			wantResult(t, "connect", c.Connect(stalled, MillisecondsToInterval(50)), IOTimeoutError)
			wantResult(t, "connect again", c.Connect(stalled, IntervalNoWait), AlreadyInitiatedError)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := twoListeners(t)
			c := newTestSocket(t, AFInet, DescSocketTCP)
			tt.steps(t, c, a, b)
			if peer, err := c.PeerName(); err == nil && !samePeer(peer, a) {
				t.Errorf("connected to %v, want %v", peer, a)
			}
		})
	}
	t.Run("UDP moves to another peer", func(t *testing.T) {
		a, b := loopback(AFInet, 7), loopback(AFInet, 9)
		u := newTestSocket(t, AFInet, DescSocketUDP)
		wantResult(t, "connect", u.Connect(a, IntervalNoWait), 0)
		wantResult(t, "connect elsewhere", u.Connect(b, IntervalNoWait), 0)
		if peer, err := u.PeerName(); err != nil || peer.Port() != 9 {
			t.Errorf("peer %v, %v; want port 9", peer, err)
		}
	})
}
