//go:build linux || darwin || freebsd

package nspr

import (
	"sync/atomic"
	"testing"
	"time"
)

// busyCore keeps one goroutine spinning until the test ends, bounded to ten
// seconds, so that timeouts are measured with the other core busy.
func busyCore(t *testing.T) {
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		end := time.Now().Add(10 * time.Second)
		for x := 0; !stop.Load() && time.Now().Before(end); x++ {
			_ = x * x
		}
	}()
	t.Cleanup(func() { stop.Store(true); <-done })
}

// TestTimeoutsUnderLoad checks that accept, recv and connect never return
// before their timeout and return soon after it, idle and with a busy core.
func TestTimeoutsUnderLoad(t *testing.T) {
	const timeout = 200 * time.Millisecond
	tick := DurationToInterval(timeout)
	calls := []struct {
		name string
		call func(t *testing.T) error
	}{
		{"accept", func(t *testing.T) error {
			l, _ := listen(t, AFInet)
			_, _, err := l.Accept(tick)
			return err
		}},
		{"recv", func(t *testing.T) error {
			_, s := connectedPair(t, AFInet)
			_, err := s.Recv(make([]byte, 8), tick)
			return err
		}},
		{"udp recv", func(t *testing.T) error {
			u := newTestSocket(t, AFInet, DescSocketUDP)
			if err := u.Bind(loopback(AFInet, 0)); err != nil {
				t.Fatal(err)
			}
			_, _, err := u.RecvFrom(make([]byte, 8), tick)
			return err
		}},
		{"connect", connectBlocked(tick)},
	}
	names := make([]string, len(calls))
	for i, c := range calls {
		names[i] = c.name
	}
	underLoad(t, names, func(t *testing.T, i int) {
		start := time.Now()
		err := calls[i].call(t)
		within(t, calls[i].name, start, timeout, err)
	})
}

// underLoad runs each named case idle, then with a busy core.
func underLoad(t *testing.T, names []string, run func(t *testing.T, i int)) {
	for _, load := range []string{"idle", "busy"} {
		for i, name := range names {
			t.Run(load+"/"+name, func(t *testing.T) {
				if load == "busy" {
					busyCore(t)
				}
				run(t, i)
			})
		}
	}
}

// connectBlocked connects to a listener whose backlog is full and which
// never accepts, so that the handshake stalls: the connect must time out.
func connectBlocked(tick Interval) func(t *testing.T) error {
	return func(t *testing.T) error {
		c, addr := stalledConnect(t)
		return c.Connect(addr, tick)
	}
}

// stalledConnect returns a fresh socket and the address of a listener whose
// backlog is full and which never accepts, so that connecting to it stalls.
// On loopback the kernel drops the SYN once the queue is full, without the
// external network a black-hole address would need.
func stalledConnect(t testing.TB) (*Socket, NetworkAddress) {
	t.Helper()
	l := newTestSocket(t, AFInet, DescSocketTCP)
	if err := l.Bind(loopback(AFInet, 0)); err != nil {
		t.Fatal(err)
	}
	if err := l.Listen(1); err != nil {
		t.Fatal(err)
	}
	addr, err := l.SockName()
	if err != nil {
		t.Fatal(err)
	}
	// Fill the queue with clients whose handshake completes.
	for i := range 16 {
		c := newTestSocket(t, AFInet, DescSocketTCP)
		err := c.Connect(addr, MillisecondsToInterval(100))
		if err != nil {
			if i == 0 {
				t.Fatalf("the first connect failed: %v", err)
			}
			break // the queue is full
		}
	}
	return newTestSocket(t, AFInet, DescSocketTCP), addr
}

// TestPollTimeoutUnderLoad checks that Poll and Poller.Wait never return
// before their timeout and return soon after it with nothing ready, idle and
// with a busy core.
func TestPollTimeoutUnderLoad(t *testing.T) {
	const timeout = 200 * time.Millisecond
	tick := DurationToInterval(timeout)
	calls := []struct {
		name string
		call func(t *testing.T) (ready int, err error)
	}{
		{"poll one", func(t *testing.T) (int, error) {
			return PollInto([]PollDesc{{Socket: udpSocket(t, false), InFlags: PollRead}}, make([]PollFlags, 1), tick)
		}},
		{"poll 100", func(t *testing.T) (int, error) {
			descs := pollDescsOf(t, 100, false)
			out := make([]PollFlags, len(descs))
			n, err := PollInto(descs, out, tick)
			for i, f := range out {
				if f != 0 {
					t.Errorf("entry %d: %v after a timeout, want 0", i, f)
				}
			}
			return n, err
		}},
		{"poll empty", func(t *testing.T) (int, error) { return PollInto(nil, nil, tick) }},
		{"poller wait", func(t *testing.T) (int, error) {
			p := newTestPoller(t)
			if err := p.Add(udpSocket(t, false), PollRead); err != nil {
				t.Fatal(err)
			}
			return p.Wait(make([]PollEvent, 4), tick)
		}},
	}
	names := make([]string, len(calls))
	for i, c := range calls {
		names[i] = c.name
	}
	underLoad(t, names, func(t *testing.T, i int) {
		start := time.Now()
		n, err := calls[i].call(t)
		elapsed := time.Since(start)
		if n != 0 || err != nil {
			t.Errorf("%s = %d, %v; want 0 ready and no error", calls[i].name, n, err)
		}
		if elapsed < timeout || elapsed > timeout+time.Second {
			t.Errorf("%s returned after %v, want %v", calls[i].name, elapsed, timeout)
		}
	})
}
