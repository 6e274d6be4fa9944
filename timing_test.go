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
	for _, load := range []string{"idle", "busy"} {
		for _, c := range calls {
			t.Run(load+"/"+c.name, func(t *testing.T) {
				if load == "busy" {
					busyCore(t)
				}
				start := time.Now()
				err := c.call(t)
				within(t, c.name, start, timeout, err)
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
