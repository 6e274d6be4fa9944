//go:build linux || darwin || freebsd

package nspr

import (
	"testing"
	"time"
)

// waitEvents runs one Wait and returns its events as socket → flags.
func waitEvents(t *testing.T, p *Poller, timeout Interval) map[*Socket]PollFlags {
	t.Helper()
	events := make([]PollEvent, 8)
	n, err := p.Wait(events, timeout)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	got := map[*Socket]PollFlags{}
	for _, e := range events[:n] {
		if _, dup := got[e.Socket]; dup {
			t.Errorf("Wait reported %p twice", e.Socket)
		}
		got[e.Socket] = e.OutFlags
	}
	return got
}

func TestPoller(t *testing.T) {
	p := newTestPoller(t)
	idle, ready := udpSocket(t, false), udpSocket(t, true)
	for _, s := range []*Socket{idle, ready} {
		if err := p.Add(s, PollRead); err != nil {
			t.Fatalf("Add: %v", err)
		}
	}
	if got := waitEvents(t, p, IntervalNoWait); len(got) != 1 || got[ready] != PollRead {
		t.Errorf("Wait = %v, want only the readable socket", got)
	}
	if err := p.Modify(idle, PollRead|PollWrite); err != nil {
		t.Fatalf("Modify: %v", err)
	}
	if got := waitEvents(t, p, SecondsToInterval(1)); len(got) != 2 || got[idle] != PollWrite || got[ready] != PollRead {
		t.Errorf("Wait after Modify = %v", got)
	}
	if err := p.Remove(ready); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if err := p.Modify(idle, PollRead); err != nil {
		t.Fatalf("Modify: %v", err)
	}
	start := time.Now()
	if got := waitEvents(t, p, MillisecondsToInterval(100)); len(got) != 0 {
		t.Errorf("Wait after Remove = %v, want a timeout", got)
	}
	if elapsed := time.Since(start); elapsed < 100*time.Millisecond || elapsed > 2*time.Second {
		t.Errorf("Wait timed out after %v, want 100ms", elapsed)
	}
	// Data arriving while Wait is parked wakes it.
	go func() {
		time.Sleep(30 * time.Millisecond)
		a, _ := idle.SockName()
		ready.SendTo([]byte("x"), a, SecondsToInterval(1))
	}()
	if got := waitEvents(t, p, IntervalNoTimeout); got[idle] != PollRead {
		t.Errorf("Wait woken by data = %v", got)
	}
}

func TestPollerErrors(t *testing.T) {
	p := newTestPoller(t)
	s := udpSocket(t, false)
	closed := udpSocket(t, false)
	closed.Close()
	if err := p.Add(s, PollRead); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  error
		want ErrorCode
	}{
		{"add twice", p.Add(s, PollWrite), InvalidArgumentError},
		{"add no flags", p.Add(udpSocket(t, false), 0), InvalidArgumentError},
		{"add bad flags", p.Add(udpSocket(t, false), PollHup), InvalidArgumentError},
		{"modify bad flags", p.Modify(s, PollRead|0x40), InvalidArgumentError},
		{"modify non-member", p.Modify(udpSocket(t, false), PollRead), InvalidArgumentError},
		{"remove non-member", p.Remove(udpSocket(t, false)), InvalidArgumentError},
		{"add closed", p.Add(closed, PollRead), BadDescriptorError},
		{"add nil", p.Add(nil, PollRead), BadDescriptorError},
		{"wait no room", func() error { _, err := p.Wait(nil, IntervalNoWait); return err }(), InvalidArgumentError},
		{"nil poller", (*Poller)(nil).Add(s, PollRead), BadDescriptorError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantCode(t, tt.name, tt.err, tt.want) })
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for name, err := range map[string]error{
		"add after close":    p.Add(udpSocket(t, false), PollRead),
		"remove after close": p.Remove(s),
		"wait after close":   func() error { _, err := p.Wait(make([]PollEvent, 1), IntervalNoWait); return err }(),
		"close twice":        p.Close(),
	} {
		t.Run(name, func(t *testing.T) { wantCode(t, name, err, BadDescriptorError) })
	}
	// The socket outlives the Poller and can join another.
	q := newTestPoller(t)
	if err := q.Add(s, PollRead); err != nil {
		t.Errorf("Add to a second poller after the first closed: %v", err)
	}
}

// TestPollerClosedMember checks that a member closed from another goroutine
// wakes Wait, is reported once with NVAL, and leaves the Poller; a new
// socket on its descriptor number is a new member, not the old one.
func TestPollerClosedMember(t *testing.T) {
	p := newTestPoller(t)
	idle, victim := udpSocket(t, false), udpSocket(t, false)
	for _, s := range []*Socket{idle, victim} {
		if err := p.Add(s, PollRead); err != nil {
			t.Fatal(err)
		}
	}
	vfd, _ := victim.Fileno()
	go func() {
		time.Sleep(30 * time.Millisecond)
		victim.Close()
	}()
	start := time.Now()
	if got := waitEvents(t, p, SecondsToInterval(10)); len(got) != 1 || got[victim] != PollNval {
		t.Errorf("Wait after Close of a member = %v, want NVAL for it", got)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Wait returned %v after the Close", elapsed)
	}
	if got := waitEvents(t, p, MillisecondsToInterval(20)); len(got) != 0 {
		t.Errorf("second Wait = %v, want nothing", got)
	}
	if err := p.Remove(victim); err == nil {
		t.Error("Remove of a closed member already reported: nil error")
	}
	fresh := udpSocket(t, true)
	if ffd, _ := fresh.Fileno(); ffd != vfd {
		t.Skipf("the new socket got descriptor %d, not the closed one's %d", ffd, vfd)
	}
	if got := waitEvents(t, p, MillisecondsToInterval(20)); len(got) != 0 {
		t.Errorf("Wait with a non-member on a reused number = %v", got)
	}
	if err := p.Add(fresh, PollRead); err != nil {
		t.Fatalf("Add on a reused number: %v", err)
	}
	if got := waitEvents(t, p, SecondsToInterval(1)); len(got) != 1 || got[fresh] != PollRead {
		t.Errorf("Wait = %v, want the new socket readable", got)
	}
}

// TestPollerCloseRace closes members while Wait runs and while Add runs:
// every closed member is reported once or was never added.
func TestPollerCloseRace(t *testing.T) {
	p := newTestPoller(t)
	const n = 40
	socks := make([]*Socket, n)
	for i := range socks {
		socks[i] = udpSocket(t, false)
	}
	go func() {
		for i, s := range socks {
			p.Add(s, PollRead)
			if i%3 == 0 {
				time.Sleep(time.Millisecond)
			}
			s.Close()
		}
	}()
	seen := map[*Socket]bool{}
	events := make([]PollEvent, 4)
	deadline := time.Now().Add(10 * time.Second)
	for len(seen) < n && time.Now().Before(deadline) {
		k, err := p.Wait(events, MillisecondsToInterval(200))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events[:k] {
			if e.OutFlags != PollNval || seen[e.Socket] {
				t.Fatalf("event %v for %p (seen before: %v)", e.OutFlags, e.Socket, seen[e.Socket])
			}
			seen[e.Socket] = true
		}
		if k == 0 && !socks[n-1].own.open.Load() {
			break
		}
	}
	for i, s := range socks {
		if !seen[s] && setsHolding(s) != 0 {
			t.Errorf("socket %d closed, not reported, still counted", i)
		}
	}
}

func TestPollerCloseWakesWait(t *testing.T) {
	p, err := NewPoller()
	if err != nil {
		t.Fatal(err)
	}
	s := udpSocket(t, false)
	if err := p.Add(s, PollRead); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(30 * time.Millisecond)
		p.Close()
	}()
	_, err = p.Wait(make([]PollEvent, 1), IntervalNoTimeout)
	wantCode(t, "Wait during Close", err, BadDescriptorError)
	if setsHolding(s) != 0 {
		t.Error("the socket still counts the closed Poller")
	}
	if got, err := Poll([]PollDesc{{Socket: s, InFlags: PollWrite}}, IntervalNoWait); err != nil || got[0] != PollWrite {
		t.Errorf("the member after Close of the Poller: %v, %v", got, err)
	}
}

// TestPollerMany fills a Poller with thousands of sockets and more ready
// ones than fit in events: successive Waits report each.
func TestPollerMany(t *testing.T) {
	p := newTestPoller(t)
	descs := pollDescsOf(t, 2000, false)
	for _, d := range descs {
		if err := p.Add(d.Socket, PollRead); err != nil {
			t.Fatal(err)
		}
	}
	sender := udpSocket(t, false)
	const ready = 10
	for _, d := range descs[:ready] {
		a, _ := d.Socket.SockName()
		if _, err := sender.SendTo([]byte("x"), a, SecondsToInterval(1)); err != nil {
			t.Fatal(err)
		}
		waitReadable(t, d.Socket)
	}
	events := make([]PollEvent, 3)
	seen := map[*Socket]bool{}
	for range 20 {
		n, err := p.Wait(events, IntervalNoWait)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events[:n] {
			seen[e.Socket] = true
			e.Socket.Recv(make([]byte, 8), IntervalNoWait)
		}
	}
	for i, d := range descs[:ready] {
		if !seen[d.Socket] {
			t.Errorf("ready socket %d never reported", i)
		}
	}
	if len(seen) != ready {
		t.Errorf("%d sockets reported, want %d", len(seen), ready)
	}
}

func TestPollerWaitAllocs(t *testing.T) {
	p := newTestPoller(t)
	s := udpSocket(t, true)
	if err := p.Add(s, PollRead); err != nil {
		t.Fatal(err)
	}
	events := make([]PollEvent, 4)
	for _, timeout := range []Interval{IntervalNoWait, IntervalNoTimeout, SecondsToInterval(1)} {
		allocs := testing.AllocsPerRun(100, func() {
			if n, err := p.Wait(events, timeout); n != 1 || err != nil {
				t.Fatalf("Wait = %d, %v", n, err)
			}
		})
		if allocs != 0 {
			t.Errorf("Wait(%v) allocates %v times", timeout, allocs)
		}
	}
	descs := []PollDesc{{Socket: s, InFlags: PollRead}}
	out := make([]PollFlags, 1)
	if allocs := testing.AllocsPerRun(100, func() { PollInto(descs, out, IntervalNoTimeout) }); allocs != 0 {
		t.Errorf("PollInto allocates %v times", allocs)
	}
}

func TestPollerFlags(t *testing.T) {
	c, s := connectedPair(t, AFInet)
	p := newTestPoller(t)
	if err := p.Add(s, PollRead|PollWrite); err != nil {
		t.Fatal(err)
	}
	c.Close()
	settlePoll(t, s, 1)
	got := waitEvents(t, p, SecondsToInterval(1))
	if want := PollRead | PollWrite; got[s] != want {
		t.Errorf("Wait after the peer closed = %v, want %v", got[s], want)
	}
}
