//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"
)

// newTestEvent returns a PollableEvent closed at the end of the test.
func newTestEvent(t *testing.T) *PollableEvent {
	t.Helper()
	e, err := NewPollableEvent()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// setLater sets e from another goroutine after a pause, so that the waiter
// is parked by then.
func setLater(t *testing.T, e *PollableEvent) chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		time.Sleep(30 * time.Millisecond)
		done <- e.Set()
	}()
	return done
}

// Set from another goroutine ends a Poll with no timeout, a Poller's Wait
// and a Wait, and only the event is reported.
func TestPollableEventWakes(t *testing.T) {
	tests := []struct {
		name string
		wait func(t *testing.T, e *PollableEvent, idle *Socket) error
	}{
		{"Poll", func(t *testing.T, e *PollableEvent, idle *Socket) error {
			out, err := Poll([]PollDesc{{Socket: idle, InFlags: PollRead}, {Event: e, InFlags: PollRead}}, IntervalNoTimeout)
			if err == nil && (out[0] != 0 || out[1] != PollRead) {
				t.Errorf("Poll = %v, want [0 PR_POLL_READ]", out)
			}
			return err
		}},
		{"Poller", func(t *testing.T, e *PollableEvent, idle *Socket) error {
			p, err := NewPoller()
			if err != nil {
				return err
			}
			defer p.Close()
			if err := p.Add(idle, PollRead); err != nil {
				return err
			}
			if err := p.AddEvent(e, PollRead); err != nil {
				return err
			}
			events := make([]PollEvent, 4)
			n, err := p.Wait(events, IntervalNoTimeout)
			if err == nil && (n != 1 || events[0].Event != e || events[0].Socket != nil || events[0].OutFlags != PollRead) {
				t.Errorf("Wait = %d %+v, want the event readable", n, events[:n])
			}
			return err
		}},
		{"Wait", func(t *testing.T, e *PollableEvent, _ *Socket) error { return e.Wait(IntervalNoTimeout) }},
		{"Poll of a kept list", func(t *testing.T, e *PollableEvent, idle *Socket) error {
			// A list polled again is answered from a kernel set kept for it.
			descs := make([]PollDesc, listSetMin+1)
			for i := range descs[:listSetMin] {
				descs[i] = PollDesc{Socket: udpSocket(t, false), InFlags: PollRead}
			}
			descs[listSetMin] = PollDesc{Event: e, InFlags: PollRead}
			out := make([]PollFlags, len(descs))
			for range 3 {
				n, err := PollInto(descs, out, IntervalNoTimeout)
				if err != nil {
					return err
				}
				if n != 1 || out[listSetMin] != PollRead {
					t.Errorf("PollInto = %d, event %v; want 1, PR_POLL_READ", n, out[listSetMin])
				}
				if err := e.Wait(IntervalNoWait); err != nil {
					return err
				}
				if err := e.Set(); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEvent(t)
			idle := udpSocket(t, false)
			set := setLater(t, e)
			start := time.Now()
			if err := tt.wait(t, e, idle); err != nil {
				t.Fatal(err)
			}
			if err := <-set; err != nil {
				t.Fatalf("Set: %v", err)
			}
			if d := time.Since(start); d < 20*time.Millisecond {
				t.Errorf("returned after %v, before the Set", d)
			}
		})
	}
}

// Wait consumes the event: every Set before it at once, as
// PR_WaitForPollableEvent reads them all; a Wait with nothing set times out.
func TestPollableEventWaitConsumes(t *testing.T) {
	tests := []struct {
		name    string
		sets    int
		timeout Interval
		want    []ErrorCode // each Wait's outcome; 0 is success
	}{
		{"not set, no wait", 0, IntervalNoWait, []ErrorCode{IOTimeoutError}},
		{"not set, 50 ms", 0, MillisecondsToInterval(50), []ErrorCode{IOTimeoutError}},
		{"set once", 1, IntervalNoWait, []ErrorCode{0, IOTimeoutError}},
		{"set twice, consumed once", 2, IntervalNoWait, []ErrorCode{0, IOTimeoutError}},
		{"set 5,000 times", 5000, MillisecondsToInterval(10), []ErrorCode{0, IOTimeoutError}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEvent(t)
			for range tt.sets {
				if err := e.Set(); err != nil {
					t.Fatal(err)
				}
			}
			for i, want := range tt.want {
				start := time.Now()
				err := e.Wait(tt.timeout)
				if want == 0 {
					if err != nil {
						t.Fatalf("Wait %d: %v, want success", i, err)
					}
					continue
				}
				wantCode(t, "Wait", err, want)
				if d := time.Since(start); d < tt.timeout.Duration() {
					t.Errorf("Wait %d timed out after %v, before %v", i, d, tt.timeout.Duration())
				}
			}
			// Consumed: Poll no longer reports it.
			out, err := Poll([]PollDesc{{Event: e, InFlags: PollRead}}, IntervalNoWait)
			if err != nil || out[0] != 0 {
				t.Errorf("Poll after Wait = %v, %v; want [0]", out, err)
			}
		})
	}
}

// Close ends a Poll, a Poller's Wait and a Wait blocked on the event; they
// report it as a closed socket.
func TestPollableEventCloseWhilePolled(t *testing.T) {
	tests := []struct {
		name string
		wait func(t *testing.T, e *PollableEvent) error
	}{
		{"Poll", func(t *testing.T, e *PollableEvent) error {
			out, err := Poll([]PollDesc{{Event: e, InFlags: PollRead}}, IntervalNoTimeout)
			if err == nil && out[0] != PollNval {
				t.Errorf("Poll = %v, want [PR_POLL_NVAL]", out)
			}
			return err
		}},
		{"Poller", func(t *testing.T, e *PollableEvent) error {
			p, err := NewPoller()
			if err != nil {
				return err
			}
			defer p.Close()
			if err := p.AddEvent(e, PollRead); err != nil {
				return err
			}
			events := make([]PollEvent, 2)
			n, err := p.Wait(events, IntervalNoTimeout)
			if err == nil && (n != 1 || events[0].Event != e || events[0].OutFlags != PollNval) {
				t.Errorf("Wait = %d %+v, want the event closed", n, events[:n])
			}
			return err
		}},
		{"Wait", func(t *testing.T, e *PollableEvent) error {
			err := e.Wait(IntervalNoTimeout)
			if !errors.Is(err, net.ErrClosed) {
				t.Errorf("Wait = %v, want net.ErrClosed", err)
			}
			wantCode(t, "Wait", err, BadDescriptorError)
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := NewPollableEvent()
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- tt.wait(t, e) }()
			time.Sleep(30 * time.Millisecond)
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Close did not end the wait")
			}
		})
	}
}

// A closed or nil event is PR_BAD_DESCRIPTOR_ERROR everywhere; Set treats a
// full descriptor (EAGAIN) as set and reports other errors; Wait retries
// EINTR and reports other errors.
func TestPollableEventErrors(t *testing.T) {
	closed, err := NewPollableEvent()
	if err != nil {
		t.Fatal(err)
	}
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	var null *PollableEvent
	p, err := NewPoller()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for name, e := range map[string]*PollableEvent{"closed": closed, "nil": null} {
		for op, call := range map[string]func() error{
			"Set":      e.Set,
			"Wait":     func() error { return e.Wait(IntervalNoWait) },
			"Close":    e.Close,
			"AddEvent": func() error { return p.AddEvent(e, PollRead) },
		} {
			wantCode(t, name+" "+op, call(), BadDescriptorError)
		}
	}
	out, err := Poll([]PollDesc{{Event: closed, InFlags: PollRead}, {Event: null, InFlags: PollRead}}, IntervalNoWait)
	if err != nil || out[0] != PollNval || out[1] != 0 {
		t.Errorf("Poll of a closed and a nil event = %v, %v; want [PR_POLL_NVAL 0]", out, err)
	}

	orig := sysFileWrite
	t.Cleanup(func() { sysFileWrite = orig })
	e := newTestEvent(t)
	for _, tc := range []struct {
		errno syscall.Errno
		code  ErrorCode
	}{{syscall.EAGAIN, 0}, {syscall.EINTR, PendingInterruptError}, {syscall.EBADF, BadDescriptorError}} {
		sysFileWrite = func(int, []byte) (int, syscall.Errno) { return 0, tc.errno }
		err := e.Set()
		sysFileWrite = orig
		if tc.code == 0 {
			if err != nil {
				t.Errorf("Set with %v: %v, want success", tc.errno, err)
			}
			continue
		}
		wantCode(t, "Set with "+tc.errno.Error(), err, tc.code)
	}

	origRead := sysFileRead
	t.Cleanup(func() { sysFileRead = origRead })
	if err := e.Set(); err != nil {
		t.Fatal(err)
	}
	calls := 0
	sysFileRead = func(fd int, p []byte) (int, syscall.Errno) {
		if calls++; calls == 1 {
			return 0, syscall.EINTR
		}
		return origRead(fd, p)
	}
	err = e.Wait(IntervalNoWait)
	sysFileRead = origRead
	if err != nil || calls != 2 {
		t.Errorf("Wait after EINTR = %v after %d reads; want success after 2", err, calls)
	}
	sysFileRead = func(int, []byte) (int, syscall.Errno) { return 0, syscall.EIO }
	err = e.Wait(IntervalNoWait)
	sysFileRead = origRead
	wantCode(t, "Wait with EIO", err, IOError)
}
