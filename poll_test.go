//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestPollFlags checks each out-flag as the original reports it on Linux
// (see the poll scenarios of diff_test.go).
func TestPollFlags(t *testing.T) {
	const r, w, e = PollRead, PollWrite, PollExcept
	tests := []struct {
		name  string
		setup func(t *testing.T) []PollDesc
		want  []PollFlags
	}{
		{"udp idle read", func(t *testing.T) []PollDesc { return []PollDesc{{Socket: udpSocket(t, false), InFlags: r}} }, []PollFlags{0}},
		{"udp idle read write", func(t *testing.T) []PollDesc { return []PollDesc{{Socket: udpSocket(t, false), InFlags: r | w}} }, []PollFlags{w}},
		{"udp readable", func(t *testing.T) []PollDesc { return []PollDesc{{Socket: udpSocket(t, true), InFlags: r}} }, []PollFlags{r}},
		{"udp readable read write", func(t *testing.T) []PollDesc { return []PollDesc{{Socket: udpSocket(t, true), InFlags: r | w}} }, []PollFlags{r | w}},
		{"udp readable write only", func(t *testing.T) []PollDesc { return []PollDesc{{Socket: udpSocket(t, true), InFlags: w}} }, []PollFlags{w}},
		{"nil and zero flags ignored", func(t *testing.T) []PollDesc {
			return []PollDesc{{Socket: nil, InFlags: r}, {Socket: udpSocket(t, true), InFlags: 0}, {Socket: udpSocket(t, true), InFlags: r}}
		}, []PollFlags{0, 0, r}},
		{"closed is NVAL", func(t *testing.T) []PollDesc {
			s := udpSocket(t, false)
			s.Close()
			return []PollDesc{{Socket: s, InFlags: r}, {Socket: udpSocket(t, false), InFlags: r}}
		}, []PollFlags{PollNval, 0}},
		{"zero Socket is NVAL", func(t *testing.T) []PollDesc { return []PollDesc{{Socket: &Socket{}, InFlags: r}} }, []PollFlags{PollNval}},
		{"connected", func(t *testing.T) []PollDesc {
			c, s := connectedPair(t, AFInet)
			return []PollDesc{{Socket: c, InFlags: w}, {Socket: s, InFlags: r}, {Socket: c, InFlags: r | w}}
		}, []PollFlags{w, 0, w}},
		{"peer closed", func(t *testing.T) []PollDesc {
			c, s := connectedPair(t, AFInet)
			c.Close()
			settlePoll(t, s, unix.POLLIN)
			return []PollDesc{{Socket: s, InFlags: r}, {Socket: s, InFlags: w}, {Socket: s, InFlags: r | w | e}}
		}, []PollFlags{r, w, r | w}},
		{"peer reset", func(t *testing.T) []PollDesc {
			c, s := connectedPair(t, AFInet)
			if _, err := s.Send([]byte("unread"), IntervalNoTimeout); err != nil {
				t.Fatal(err)
			}
			waitReadable(t, c)
			c.Close() // unread data: the kernel resets the connection
			settlePoll(t, s, unix.POLLIN)
			return []PollDesc{{Socket: s, InFlags: r}, {Socket: s, InFlags: r | w}}
		}, []PollFlags{r | PollErr | PollHup, r | w | PollErr | PollHup}},
		{"shut down both ways", func(t *testing.T) []PollDesc {
			_, s := connectedPair(t, AFInet)
			if err := s.Shutdown(ShutdownBoth); err != nil {
				t.Fatal(err)
			}
			return []PollDesc{{Socket: s, InFlags: r}, {Socket: s, InFlags: w}}
		}, []PollFlags{r | PollHup, w | PollHup}},
		{"listener with a pending connection", func(t *testing.T) []PollDesc {
			l, addr := listen(t, AFInet)
			c := newTestSocket(t, AFInet, DescSocketTCP)
			if err := c.Connect(addr, SecondsToInterval(5)); err != nil {
				t.Fatal(err)
			}
			waitReadable(t, l)
			return []PollDesc{{Socket: l, InFlags: r}, {Socket: l, InFlags: r | w}}
		}, []PollFlags{r, r}},
		{"listener idle", func(t *testing.T) []PollDesc {
			l, _ := listen(t, AFInet)
			return []PollDesc{{Socket: l, InFlags: r | w}}
		}, []PollFlags{0}},
		{"unconnected tcp", func(t *testing.T) []PollDesc {
			s := newTestSocket(t, AFInet, DescSocketTCP)
			return []PollDesc{{Socket: s, InFlags: r}, {Socket: s, InFlags: w}}
		}, []PollFlags{PollHup, w | PollHup}},
		{"out-of-band data", func(t *testing.T) []PollDesc {
			c, s := connectedPair(t, AFInet)
			fd, _ := c.Fileno()
			if err := unix.Sendto(fd, []byte("!"), unix.MSG_OOB, nil); err != nil {
				t.Fatal(err)
			}
			settlePoll(t, s, unix.POLLPRI)
			return []PollDesc{{Socket: s, InFlags: e}, {Socket: s, InFlags: r | e}, {Socket: s, InFlags: w}}
		}, []PollFlags{e, e, w}}, // the urgent byte is not in the stream: no READ
		{"unix stream pair", func(t *testing.T) []PollDesc {
			a, b, err := NewTCPPair()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close(); b.Close() })
			if _, err := a.Send([]byte("x"), IntervalNoTimeout); err != nil {
				t.Fatal(err)
			}
			return []PollDesc{{Socket: a, InFlags: r}, {Socket: b, InFlags: r}}
		}, []PollFlags{0, r}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			descs := tt.setup(t)
			for _, timeout := range []Interval{IntervalNoWait, MillisecondsToInterval(20)} {
				got, err := Poll(descs, timeout)
				if err != nil {
					t.Fatalf("Poll(%v): %v", timeout, err)
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Errorf("Poll(%v) = %v, want %v", timeout, got, tt.want)
				}
				out := make([]PollFlags, len(descs)+1)
				n, err := PollInto(descs, out, timeout)
				ready := 0
				for _, f := range tt.want {
					ready += int(min(f, 1))
				}
				if err != nil || n != ready {
					t.Errorf("PollInto(%v) = %d, %v; want %d ready", timeout, n, err, ready)
				}
			}
		})
	}
}

func TestPollManySockets(t *testing.T) {
	for _, n := range []int{65, 1000, 4000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			descs := pollDescsOf(t, n, true)
			got, err := Poll(descs, IntervalNoWait)
			if err != nil {
				t.Fatal(err)
			}
			for i, f := range got {
				if want := PollFlags(0); i == n {
					want = PollRead
					if f != want {
						t.Fatalf("entry %d: %v, want %v", i, f, want)
					}
				} else if f != want {
					t.Fatalf("entry %d: %v, want %v", i, f, want)
				}
			}
			// Now wait on the idle ones and wake the first through the
			// kernel set.
			idle := descs[:n]
			go func() {
				time.Sleep(20 * time.Millisecond)
				a, _ := idle[0].Socket.SockName()
				descs[n].Socket.SendTo([]byte("y"), a, SecondsToInterval(1))
			}()
			got, err = Poll(idle, SecondsToInterval(10))
			if err != nil || got[0] != PollRead {
				t.Fatalf("Poll woken by a datagram: %v, %v", got[:1], err)
			}
		})
	}
}

func TestPollBadArguments(t *testing.T) {
	s := udpSocket(t, true)
	for _, f := range []PollFlags{PollErr, PollNval, PollHup, 0x40, PollRead | 0x100, -1} {
		t.Run(f.String(), func(t *testing.T) {
			_, err := Poll([]PollDesc{{Socket: s, InFlags: f}}, IntervalNoWait)
			wantCode(t, "Poll", err, InvalidArgumentError)
			_, err = Poll([]PollDesc{{Socket: nil, InFlags: f}}, IntervalNoWait)
			wantCode(t, "Poll of nil", err, InvalidArgumentError)
		})
	}
	_, err := PollInto([]PollDesc{{Socket: s, InFlags: PollRead}}, nil, IntervalNoWait)
	wantCode(t, "PollInto with a short out", err, InvalidArgumentError)
	_, err = Poll(nil, IntervalNoTimeout)
	wantCode(t, "Poll of nothing forever", err, InvalidArgumentError)
	_, err = Poll([]PollDesc{{Socket: nil, InFlags: PollRead}}, IntervalNoTimeout)
	wantCode(t, "Poll of nil forever", err, InvalidArgumentError)
}

func TestPollEmptySleeps(t *testing.T) {
	const timeout = 100 * time.Millisecond
	for _, descs := range [][]PollDesc{nil, {{Socket: nil, InFlags: PollRead}}, {{Socket: udpSocket(t, true), InFlags: 0}}} {
		start := time.Now()
		got, err := Poll(descs, DurationToInterval(timeout))
		elapsed := time.Since(start)
		if err != nil || len(got) != len(descs) {
			t.Fatalf("Poll(%d entries) = %v, %v", len(descs), got, err)
		}
		if elapsed < timeout || elapsed > timeout+time.Second {
			t.Errorf("Poll(%d ignored entries) slept %v, want %v", len(descs), elapsed, timeout)
		}
		if got, err := Poll(descs, IntervalNoWait); err != nil || len(got) != len(descs) {
			t.Errorf("Poll(NoWait) = %v, %v", got, err)
		}
	}
}

// TestPollWakes checks that a waiting Poll returns when a socket becomes
// ready or is closed from another goroutine, whatever the timeout.
func TestPollWakes(t *testing.T) {
	for _, timeout := range []Interval{IntervalNoTimeout, SecondsToInterval(20)} {
		t.Run("data/"+timeout.String(), func(t *testing.T) {
			c, s := connectedPair(t, AFInet)
			idle := udpSocket(t, false)
			go func() {
				time.Sleep(30 * time.Millisecond)
				c.Send([]byte("x"), IntervalNoTimeout)
			}()
			got, err := Poll([]PollDesc{{Socket: idle, InFlags: PollRead}, {Socket: s, InFlags: PollRead}}, timeout)
			if err != nil || got[0] != 0 || got[1] != PollRead {
				t.Errorf("Poll = %v, %v; want [0 READ]", got, err)
			}
		})
		t.Run("close/"+timeout.String(), func(t *testing.T) {
			idle := udpSocket(t, false)
			victim := udpSocket(t, false)
			closed := make(chan time.Time, 1)
			go func() {
				time.Sleep(30 * time.Millisecond)
				closed <- time.Now()
				victim.Close()
			}()
			got, err := Poll([]PollDesc{{Socket: idle, InFlags: PollRead}, {Socket: victim, InFlags: PollRead}}, timeout)
			woke := time.Since(<-closed)
			if err != nil || got[0] != 0 || got[1] != PollNval {
				t.Errorf("Poll = %v, %v; want [0 NVAL]", got, err)
			}
			if woke > time.Second {
				t.Errorf("Poll returned %v after the Close", woke)
			}
		})
	}
}

// TestPollCloseRace closes sockets at random moments of Polls in flight:
// every Poll ends, with NVAL for the closed socket or before the Close.
func TestPollCloseRace(t *testing.T) {
	for i := range 50 {
		idle := udpSocket(t, false)
		victim := udpSocket(t, false)
		done := make(chan struct{})
		go func() {
			defer close(done)
			time.Sleep(time.Duration(i%5) * 100 * time.Microsecond)
			victim.Close()
		}()
		got, err := Poll([]PollDesc{{Socket: idle, InFlags: PollRead}, {Socket: victim, InFlags: PollRead}}, SecondsToInterval(10))
		<-done
		if err != nil || got[0] != 0 || got[1] != PollNval {
			t.Fatalf("round %d: Poll = %v, %v; want [0 NVAL]", i, got, err)
		}
	}
}

// TestPollSetMembership checks the rule that makes kept kernel sets safe:
// Close of a socket takes its entries out of every set holding it before
// its descriptor closes, whether the set idles in Poll's cache, the number
// is reused at once, or a Poll holding the socket is waiting on the set.
func TestPollSetMembership(t *testing.T) {
	// released checks that no kept set names s's descriptor owner and the
	// owner lists no set.
	released := func(t *testing.T, what string, s *Socket) {
		t.Helper()
		if n := setsHolding(s); n != 0 {
			t.Errorf("%s: the closed socket still lists %d sets", what, n)
		}
		if n := keptSetsHolding(s); n != 0 {
			t.Errorf("%s: %d kept sets still hold the closed socket", what, n)
		}
	}
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"closed while in an idle kept set", func(t *testing.T) {
			a := udpSocket(t, false)
			if got, err := Poll([]PollDesc{{Socket: a, InFlags: PollRead}}, MillisecondsToInterval(10)); err != nil || got[0] != 0 {
				t.Fatalf("Poll(a) = %v, %v", got, err)
			}
			if n := keptSetsHolding(a); n != 1 || setsHolding(a) != 1 {
				t.Fatalf("after a Poll that waited: %d kept sets hold a, a lists %d; want 1 and 1", n, setsHolding(a))
			}
			// A copy of the descriptor keeps the file open: an entry
			// left behind would report it readable.
			afd, _ := a.Fileno()
			aAddr, _ := a.SockName()
			copyFD, err := unix.Dup(afd)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Close(copyFD)
			a.Close()
			released(t, "Close", a)
			sender := udpSocket(t, false)
			if _, err := sender.SendTo([]byte("z"), aAddr, SecondsToInterval(1)); err != nil {
				t.Fatal(err)
			}
			fds := []unix.PollFd{{Fd: int32(copyFD), Events: unix.POLLIN}}
			if n, err := unix.Poll(fds, 5000); n != 1 || err != nil {
				t.Fatalf("the copy never became readable: %d, %v", n, err)
			}
			if n := keptSetEvents(); n != 0 {
				t.Errorf("the kept sets report %d events for a closed socket's file", n)
			}
		}},
		{"descriptor number reused at once", func(t *testing.T) {
			a := udpSocket(t, false)
			if got, err := Poll([]PollDesc{{Socket: a, InFlags: PollRead}}, MillisecondsToInterval(10)); err != nil || got[0] != 0 {
				t.Fatalf("Poll(a) = %v, %v", got, err)
			}
			afd, _ := a.Fileno()
			a.Close()
			b := udpSocket(t, true)
			if bfd, _ := b.Fileno(); bfd != afd {
				t.Skipf("the new socket got descriptor %d, not the closed one's %d", bfd, afd)
			}
			released(t, "Close", a)
			for range 3 {
				if got, err := Poll([]PollDesc{{Socket: b, InFlags: PollRead}}, SecondsToInterval(5)); err != nil || got[0] != PollRead {
					t.Fatalf("Poll(b) on a's number = %v, %v; want READ", got, err)
				}
			}
			if _, _, err := b.RecvFrom(make([]byte, 8), SecondsToInterval(1)); err != nil {
				t.Fatal(err)
			}
			if got, err := Poll([]PollDesc{{Socket: b, InFlags: PollRead}}, MillisecondsToInterval(20)); err != nil || got[0] != 0 {
				t.Errorf("Poll(b) drained = %v, %v; want a timeout", got, err)
			}
			if n := keptSetsHolding(b); n != 1 {
				t.Errorf("%d kept sets hold b, want 1", n)
			}
		}},
		{"Close racing a Poll that holds it", func(t *testing.T) {
			idle := udpSocket(t, false)
			for i := range 40 {
				victim := udpSocket(t, false)
				done := make(chan struct{})
				go func() {
					defer close(done)
					if i%4 != 0 {
						time.Sleep(time.Duration(i%4) * 200 * time.Microsecond)
					}
					victim.Close()
				}()
				start := time.Now()
				got, err := Poll([]PollDesc{{Socket: idle, InFlags: PollRead}, {Socket: victim, InFlags: PollRead}}, SecondsToInterval(10))
				<-done
				if err != nil || got[0] != 0 || got[1] != PollNval {
					t.Fatalf("round %d: Poll = %v, %v; want [0 NVAL]", i, got, err)
				}
				if elapsed := time.Since(start); elapsed > 5*time.Second {
					t.Fatalf("round %d: Poll returned %v after the Close", i, elapsed)
				}
				released(t, fmt.Sprint("round ", i), victim)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			closeIdlePollSets()
			tt.run(t)
		})
	}
}

// keptSetsHolding returns the number of Poll's kept sets with an entry for
// s's descriptor owner.
func keptSetsHolding(s *Socket) int {
	keptSets.mu.Lock()
	defer keptSets.mu.Unlock()
	n := 0
	for _, e := range keptSets.lru {
		if e.set == nil {
			continue
		}
		e.set.mu.Lock()
		for _, fd := range e.set.fds {
			if e.set.slots[fd].id == s.own.knownPollID() {
				n++
			}
		}
		e.set.mu.Unlock()
	}
	return n
}

// keptSetEvents returns the number of events the kernel reports now on
// Poll's kept sets.
func keptSetEvents() int {
	keptSets.mu.Lock()
	defer keptSets.mu.Unlock()
	n := 0
	buf := make([]kernelEvent, 16)
	for _, e := range keptSets.lru {
		if e.set != nil {
			k, _ := kernelSetWait(e.set.kfd, buf)
			n += k
		}
	}
	return n
}

// TestPollReadAhead checks that bytes read ahead but not returned make a
// socket readable although the kernel has nothing.
func TestPollReadAhead(t *testing.T) {
	c, s := connectedPair(t, AFInet)
	if _, err := c.Send([]byte("one\ntwo\n"), IntervalNoTimeout); err != nil {
		t.Fatal(err)
	}
	if line, err := s.ReadLine(0, SecondsToInterval(5)); err != nil || string(line) != "one\n" {
		t.Fatalf("ReadLine = %q, %v", line, err)
	}
	// "two\n" waits in the read-ahead; the kernel has nothing.
	got, err := Poll([]PollDesc{{Socket: s, InFlags: PollRead}, {Socket: s, InFlags: PollWrite}, {Socket: s, InFlags: PollRead | PollWrite}}, SecondsToInterval(5))
	if want := []PollFlags{PollRead, PollWrite, PollRead | PollWrite}; err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Poll = %v, %v; want %v", got, err, want)
	}
	if line, err := s.ReadLine(0, IntervalNoWait); err != nil || string(line) != "two\n" {
		t.Fatalf("ReadLine = %q, %v", line, err)
	}
	if got, err := Poll([]PollDesc{{Socket: s, InFlags: PollRead}}, IntervalNoWait); err != nil || got[0] != 0 {
		t.Errorf("Poll after the bytes were read = %v, %v; want 0", got, err)
	}
}

// TestPollPartialLine checks that a partial line in the read-ahead does not
// make Poll spin: once a line call found the bytes an incomplete line, Poll
// waits on the kernel, and reports the socket again as soon as the rest of
// the line arrives or the peer closes, which completes the line.
func TestPollPartialLine(t *testing.T) {
	const quiet = time.Second
	tests := []struct {
		name string
		end  func(c *Socket) error
		want string
	}{
		{"rest of the line", func(c *Socket) error { _, err := c.Send([]byte("def\n"), SecondsToInterval(5)); return err }, "abcdef\n"},
		{"peer closes", func(c *Socket) error { return c.Close() }, "abc"},
	}
	// The line calls: ReadLine, and a LineReader's ReadLineInto.
	readers := map[string]func(t *testing.T, s *Socket) func() ([]byte, error){
		"ReadLine": func(t *testing.T, s *Socket) func() ([]byte, error) {
			return func() ([]byte, error) { return s.ReadLine(0, IntervalNoWait) }
		},
		"LineReader": func(t *testing.T, s *Socket) func() ([]byte, error) {
			r, err := s.LineReader()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Release() })
			p := make([]byte, 256)
			return func() ([]byte, error) {
				n, err := r.ReadLineInto(p, IntervalNoWait)
				return p[:n], err
			}
		},
	}
	for _, tt := range tests {
		for rname, reader := range readers {
			t.Run(tt.name+"/"+rname, func(t *testing.T) { partialLine(t, quiet, tt.end, tt.want, reader) })
		}
	}
}

// partialLine runs TestPollPartialLine's loop with one line call.
func partialLine(t *testing.T, quiet time.Duration, end func(c *Socket) error, want string, reader func(t *testing.T, s *Socket) func() ([]byte, error)) {
	c, s := connectedPair(t, AFInet)
	readLine := reader(t, s)
	if _, err := c.Send([]byte("abc"), SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	ended := make(chan time.Time, 1)
	go func() {
		time.Sleep(quiet)
		now := time.Now()
		if err := end(c); err != nil {
			t.Error(err)
		}
		ended <- now
	}()
	polls := 0
	var line []byte
	for start := time.Now(); line == nil && time.Since(start) < 10*time.Second; {
		polls++
		if out, err := Poll([]PollDesc{{Socket: s, InFlags: PollRead}}, SecondsToInterval(5)); err != nil {
			t.Fatalf("Poll = %v, %v", out, err)
		}
		l, err := readLine()
		switch {
		case err == nil:
			line = l
		case ErrorCodeOf(err) != IOTimeoutError:
			t.Fatalf("ReadLine: %v", err)
		}
	}
	got := time.Now()
	if string(line) != want {
		t.Fatalf("line %q, want %q", line, want)
	}
	if late := got.Sub(<-ended); late > quiet/2 {
		t.Errorf("the line came %v after its end", late)
	}
	if polls > 4 {
		t.Errorf("%d Polls in %v with a partial line buffered, want at most 4", polls, quiet)
	}
}

// TestPollEINTR checks that an interrupted poll(2) is retried.
func TestPollEINTR(t *testing.T) {
	s := udpSocket(t, true)
	calls := 0
	sysPollNow = func(fds []unix.PollFd) (int, syscall.Errno) {
		if calls++; calls <= 3 {
			return -1, syscall.EINTR
		}
		return rawPollNow(fds)
	}
	defer func() { sysPollNow = rawPollNow }()
	got, err := Poll([]PollDesc{{Socket: s, InFlags: PollRead}}, SecondsToInterval(1))
	if err != nil || got[0] != PollRead || calls != 4 {
		t.Errorf("Poll = %v, %v after %d calls; want READ after 4", got, err, calls)
	}
	sysPollNow = func([]unix.PollFd) (int, syscall.Errno) { return -1, syscall.ENOMEM }
	_, err = Poll([]PollDesc{{Socket: s, InFlags: PollRead}}, SecondsToInterval(1))
	wantCode(t, "Poll with ENOMEM", err, OutOfMemoryError)
}

// TestPollConnectContinue runs NSPR's non-blocking connect: Connect says
// PR_IN_PROGRESS_ERROR, Poll waits for PollWrite, ConnectContinue finishes.
func TestPollConnectContinue(t *testing.T) {
	refused := func(t *testing.T) NetworkAddress {
		b := newTestSocket(t, AFInet, DescSocketTCP)
		if err := b.Bind(loopback(AFInet, 0)); err != nil {
			t.Fatal(err)
		}
		a, _ := b.SockName()
		return a
	}
	tests := []struct {
		name string
		addr func(t *testing.T) NetworkAddress
		want ErrorCode // of ConnectContinue; 0 = connected
	}{
		{"listening", func(t *testing.T) NetworkAddress { _, a := listen(t, AFInet); return a }, 0},
		{"refused", refused, ConnectRefusedError},
	}
	t.Run("stalled", func(t *testing.T) {
		// The connect stays in progress: Poll times out with 0, and
		// ConnectContinue says so.
		c, addr := stalledConnect(t)
		c.SetNonblocking(true)
		if err := c.Connect(addr, IntervalNoTimeout); ErrorCodeOf(err) != InProgressError {
			t.Fatalf("Connect to a full listener: %v, want PR_IN_PROGRESS_ERROR", err)
		}
		out, err := Poll([]PollDesc{{Socket: c, InFlags: PollWrite | PollExcept}}, MillisecondsToInterval(50))
		if err != nil || out[0] != 0 {
			t.Fatalf("Poll of a stalled connect = %v, %v; want a timeout", out, err)
		}
		if err := c.ConnectContinue(out[0]); ErrorCodeOf(err) != InProgressError {
			t.Fatalf("ConnectContinue(0) = %v, want PR_IN_PROGRESS_ERROR", err)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestSocket(t, AFInet, DescSocketTCP)
			if err := c.SetNonblocking(true); err != nil {
				t.Fatal(err)
			}
			err := c.Connect(tt.addr(t), IntervalNoTimeout)
			if ErrorCodeOf(err) == tt.want {
				return // finished at once (loopback usually does): nothing to continue
			}
			if ErrorCodeOf(err) != InProgressError {
				t.Fatalf("Connect: %v", err)
			}
			for range 100 {
				out, err := Poll([]PollDesc{{Socket: c, InFlags: PollWrite | PollExcept}}, SecondsToInterval(5))
				if err != nil || out[0] == 0 {
					t.Fatalf("Poll = %v, %v", out, err)
				}
				err = c.ConnectContinue(out[0])
				if ErrorCodeOf(err) == InProgressError {
					continue
				}
				if ErrorCodeOf(err) != tt.want {
					t.Fatalf("ConnectContinue(%v) = %v, want %v", out[0], err, tt.want)
				}
				return
			}
			t.Fatal("still connecting after 100 polls")
		})
	}
}

// TestPollFDReuse checks that a set kept from an earlier Poll never takes a
// new socket for a closed one on the same descriptor number, even when a
// copy of the closed one's descriptor keeps its kernel entry alive.
func TestPollFDReuse(t *testing.T) {
	for _, dup := range []bool{false, true} {
		t.Run(fmt.Sprint("dup=", dup), func(t *testing.T) {
			closeIdlePollSets()
			a := udpSocket(t, false)
			if got, err := Poll([]PollDesc{{Socket: a, InFlags: PollRead}}, MillisecondsToInterval(10)); err != nil || got[0] != 0 {
				t.Fatalf("Poll(a) = %v, %v", got, err)
			}
			afd, _ := a.Fileno()
			aAddr, _ := a.SockName()
			copyFD := -1
			if dup {
				var err error
				if copyFD, err = unix.Dup(afd); err != nil {
					t.Fatal(err)
				}
				defer unix.Close(copyFD)
			}
			a.Close()
			b := udpSocket(t, false)
			if bfd, _ := b.Fileno(); bfd != afd {
				t.Skipf("the new socket got descriptor %d, not the closed one's %d", bfd, afd)
			}
			if dup { // the closed socket's file becomes readable
				sender := udpSocket(t, false)
				if _, err := sender.SendTo([]byte("z"), aAddr, SecondsToInterval(1)); err != nil {
					t.Fatal(err)
				}
				fds := []unix.PollFd{{Fd: int32(copyFD), Events: unix.POLLIN}}
				unix.Poll(fds, 2000)
			}
			start := time.Now()
			got, err := Poll([]PollDesc{{Socket: b, InFlags: PollRead}}, MillisecondsToInterval(100))
			if err != nil || got[0] != 0 {
				t.Errorf("Poll(b) = %v, %v; want a timeout", got, err)
			}
			if elapsed := time.Since(start); elapsed < 100*time.Millisecond {
				t.Errorf("Poll(b) returned after %v, before its timeout", elapsed)
			}
			bAddr, _ := b.SockName()
			go func() {
				time.Sleep(20 * time.Millisecond)
				b.SendTo([]byte("b"), bAddr, SecondsToInterval(1))
			}()
			if got, err := Poll([]PollDesc{{Socket: b, InFlags: PollRead}}, SecondsToInterval(10)); err != nil || got[0] != PollRead {
				t.Errorf("Poll(b) woken by data = %v, %v", got, err)
			}
		})
	}
}

// TestPollParksGoroutines checks that many waiting Polls hold few threads.
func TestPollParksGoroutines(t *testing.T) {
	const n = 200
	socks := make([]*Socket, n)
	for i := range socks {
		socks[i] = udpSocket(t, false)
	}
	threads := func() int { c, _ := runtime.ThreadCreateProfile(nil); return c }
	before := threads()
	done := make(chan error, n)
	for _, s := range socks {
		go func() {
			_, err := Poll([]PollDesc{{Socket: s, InFlags: PollRead}}, SecondsToInterval(20))
			done <- err
		}()
	}
	time.Sleep(100 * time.Millisecond)
	grew := threads() - before
	for _, s := range socks {
		s.Close()
	}
	for range n {
		if err := <-done; err != nil {
			t.Errorf("Poll: %v", err)
		}
	}
	if grew > 20 {
		t.Errorf("%d waiting Polls started %d threads", n, grew)
	}
}

func TestPollFlagsString(t *testing.T) {
	if got := (PollRead | PollHup).String(); got != "PR_POLL_READ|PR_POLL_HUP" {
		t.Errorf("String = %q", got)
	}
	var e *Error
	_, err := Poll([]PollDesc{{Socket: nil, InFlags: 0x40}}, IntervalNoWait)
	if !errors.As(err, &e) || e.Op != "poll" {
		t.Errorf("error %v, want an *Error of op poll", err)
	}
}

// TestPollFromKeptSet runs the Poll tests again with every list answered
// from a kept kernel set from its second Poll on, as long lists are.
func TestPollFromKeptSet(t *testing.T) {
	if !exactKernelSet {
		t.Skip("lists are answered by poll(2) on this system")
	}
	defer func(n int) { listSetMin = n }(listSetMin)
	listSetMin = 1
	for name, test := range map[string]func(*testing.T){
		"flags": TestPollFlags, "many": TestPollManySockets, "wakes": TestPollWakes,
		"close race": TestPollCloseRace, "read-ahead": TestPollReadAhead, "fd reuse": TestPollFDReuse,
		"connect": TestPollConnectContinue, "membership": TestPollSetMembership, "partial line": TestPollPartialLine,
	} {
		t.Run(name, test)
	}
	// A kept list whose socket is closed and replaced on the same number,
	// while a copy of the old descriptor keeps its kernel entry alive and
	// readable.
	for _, dup := range []bool{false, true} {
		t.Run(fmt.Sprint("reuse/dup=", dup), func(t *testing.T) {
			closeIdlePollSets()
			a := udpSocket(t, false)
			descs := []PollDesc{{Socket: a, InFlags: PollRead}}
			for range 3 {
				if got, err := Poll(descs, IntervalNoWait); err != nil || got[0] != 0 {
					t.Fatalf("Poll(a) = %v, %v", got, err)
				}
			}
			afd, _ := a.Fileno()
			aAddr, _ := a.SockName()
			if dup {
				copyFD, err := unix.Dup(afd)
				if err != nil {
					t.Fatal(err)
				}
				defer unix.Close(copyFD)
			}
			a.Close()
			if got, err := Poll(descs, IntervalNoWait); err != nil || got[0] != PollNval {
				t.Errorf("Poll(closed a) = %v, %v; want NVAL", got, err)
			}
			b := udpSocket(t, false)
			if bfd, _ := b.Fileno(); bfd != afd {
				t.Skipf("the new socket got descriptor %d, not the closed one's %d", bfd, afd)
			}
			if dup {
				sender := udpSocket(t, false)
				if _, err := sender.SendTo([]byte("z"), aAddr, SecondsToInterval(1)); err != nil {
					t.Fatal(err)
				}
				time.Sleep(20 * time.Millisecond)
			}
			descs[0].Socket = b
			for range 3 {
				if got, err := Poll(descs, MillisecondsToInterval(20)); err != nil || got[0] != 0 {
					t.Errorf("Poll(b) = %v, %v; want a timeout", got, err)
				}
			}
			bAddr, _ := b.SockName()
			if _, err := b.SendTo([]byte("b"), bAddr, SecondsToInterval(1)); err != nil {
				t.Fatal(err)
			}
			waitReadable(t, b)
			if got, err := Poll(descs, SecondsToInterval(5)); err != nil || got[0] != PollRead {
				t.Errorf("Poll(b) with data = %v, %v", got, err)
			}
		})
	}
}
