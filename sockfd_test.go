package nspr

import (
	"errors"
	"net"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// registered reports whether s has joined the runtime poller.
func registered(s *Socket) bool { return s.own.reg.Load() != nil }

// A socket joins the poller only when a call has to wait: connecting and
// accepting on loopback, and moving data that is already there, do not.
func TestSocketRegistersOnFirstWait(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	if registered(client) || registered(server) {
		t.Fatal("connect or accept registered a socket that never waited")
	}
	buf := make([]byte, 8)
	if _, err := client.Send([]byte("hi"), SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	if n, err := server.Recv(buf, SecondsToInterval(5)); err != nil || n != 2 {
		t.Fatalf("Recv = %d, %v", n, err)
	}
	if registered(client) || registered(server) {
		t.Fatal("a call that did not wait registered the socket")
	}
	// One-attempt and non-blocking calls never wait, so never register.
	if _, err := server.Recv(buf, IntervalNoWait); !errors.Is(err, IOTimeoutError) {
		t.Fatalf("Recv(IntervalNoWait) with nothing queued = %v", err)
	}
	if registered(server) {
		t.Fatal("a one-attempt call registered the socket")
	}
	// A call that waits registers, and is woken by data sent later.
	done := make(chan error, 1)
	go func() {
		n, err := server.Recv(buf, SecondsToInterval(5))
		if err == nil && n != 5 {
			err = errors.New("short read")
		}
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	if _, err := client.Send([]byte("later"), SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("waiting Recv: %v", err)
	}
	if !registered(server) {
		t.Fatal("a call that waited did not register the socket")
	}
}

// fdInode returns the inode of the file fd refers to, or 0 when fd is closed.
func fdInode(fd int) uint64 {
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil {
		return 0
	}
	return uint64(st.Ino)
}

// Close waits for a direct system call in flight, so the number is never
// released (and reused) under it.
func TestCloseWaitsForDirectCall(t *testing.T) {
	_, server := connectedPair(t, AFInet)
	fd, _ := server.Fileno()
	ino := fdInode(fd)
	entered := make(chan struct{})
	stillOpen := make(chan bool, 1)
	hook(t, &sysRecv, func(fd int, p []byte) (int, syscall.Errno) {
		close(entered)
		time.Sleep(50 * time.Millisecond) // Close runs meanwhile
		stillOpen <- fdInode(fd) == ino
		return rawRecv(fd, p)
	})
	go server.Recv(make([]byte, 1), IntervalNoWait)
	<-entered
	start := time.Now()
	if err := server.Close(); err != nil {
		t.Fatal(err)
	}
	if !<-stillOpen {
		t.Fatal("Close released the descriptor under a running call")
	}
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("Close returned after %v, before the call in flight ended", d)
	}
	if fdInode(fd) == ino {
		t.Error("descriptor still open after Close")
	}
}

// A socket dropped without Close has its descriptor closed by the garbage
// collector, registered with the poller or not, as an os.File would, and
// also while one of Poll's kept kernel sets holds it. So is a dropped
// PollableEvent's that waited: its socket is not kept by the event.
func TestDroppedSocketIsClosed(t *testing.T) {
	for _, mode := range []string{"never waited", "registered", "in a kept poll set", "a pollable event's"} {
		t.Run(mode, func(t *testing.T) {
			fd, ino := func() (int, uint64) {
				s, err := NewSocket(AFInet, DescSocketUDP)
				if err != nil {
					t.Fatal(err)
				}
				switch mode {
				case "registered":
					s.Bind(loopback(AFInet, 0))
					s.RecvFrom(make([]byte, 1), MillisecondsToInterval(1))
					if !registered(s) {
						t.Fatal("a RecvFrom that waited did not register")
					}
				case "in a kept poll set":
					s.Bind(loopback(AFInet, 0))
					Poll([]PollDesc{{Socket: s, InFlags: PollRead}}, MillisecondsToInterval(1))
					if keptSetsHolding(s) == 0 {
						t.Fatal("a Poll that waited left the socket in no kept set")
					}
				case "a pollable event's":
					s.Close()
					e, err := NewPollableEvent()
					if err != nil {
						t.Fatal(err)
					}
					e.Wait(MillisecondsToInterval(1))
					if s = e.socket(); !registered(s) {
						t.Fatal("a Wait that waited did not register")
					}
				}
				fd, _ := s.Fileno()
				return fd, fdInode(fd)
			}()
			for i := 0; i < 100 && fdInode(fd) == ino; i++ {
				runtime.GC()
				time.Sleep(10 * time.Millisecond)
			}
			if fdInode(fd) == ino {
				t.Fatal("the descriptor of a dropped socket stayed open")
			}
		})
	}
}

// Close drops the Socket's finalizer, as net drops its descriptor's: one
// collection frees a closed socket, where a finalizer would keep it for a
// second one and run once for every connection.
func TestCloseDropsFinalizer(t *testing.T) {
	freed := make(chan struct{})
	func() {
		s, err := NewSocket(AFInet, DescSocketTCP)
		if err != nil {
			t.Fatal(err)
		}
		runtime.AddCleanup(s, func(ch chan struct{}) { close(ch) }, freed)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}()
	runtime.GC() // once: with a finalizer set, the socket would survive it
	select {
	case <-freed:
	case <-time.After(5 * time.Second):
		t.Fatal("a closed socket outlived one collection")
	}
}

// Close from another goroutine wakes a call that registered the socket on
// its way to waiting, whichever comes first.
func TestCloseRacesRegistration(t *testing.T) {
	for range 50 {
		s, _, _, _ := nsprUDPPair(t)
		done := make(chan error, 1)
		go func() {
			_, _, err := s.RecvFrom(make([]byte, 1), SecondsToInterval(5))
			done <- err
		}()
		runtime.Gosched()
		s.Close()
		select {
		case err := <-done:
			if !errors.Is(err, net.ErrClosed) {
				t.Fatalf("RecvFrom closed under it returned %v, want net.ErrClosed", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not wake RecvFrom")
		}
	}
}

// Registration runs deep into the runtime (os.NewFile); on the stack of the
// goroutine that first waits it would double that stack for good (2 KiB to
// 4 KiB, 20 MB over 10,000 connections), so it runs on a goroutine of its own.
func TestRegistrationRunsOffTheCallersStack(t *testing.T) {
	var frames []string
	hook(t, &newPollFile, func(fd uintptr, name string) *os.File {
		pcs := make([]uintptr, 64)
		callers := runtime.CallersFrames(pcs[:runtime.Callers(1, pcs)])
		for {
			f, more := callers.Next()
			frames = append(frames, f.Function)
			if !more {
				break
			}
		}
		return os.NewFile(fd, name)
	})
	client, server := connectedPair(t, AFInet)
	go func() {
		time.Sleep(20 * time.Millisecond)
		client.Send([]byte("x"), SecondsToInterval(5))
	}()
	if _, err := server.Recv(make([]byte, 1), SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	if len(frames) == 0 {
		t.Fatal("the waiting Recv did not register the socket")
	}
	for _, f := range frames {
		if strings.Contains(f, "(*Socket).Recv") {
			t.Fatalf("registered on the stack of the waiting goroutine:\n%s", strings.Join(frames, "\n"))
		}
	}
}

// While its socket registers, the call that waits is parked, not yielding
// in a loop that keeps a P busy: its goroutine waits on a channel inside
// register until the registering goroutine is done.
func TestRegistrationParksCaller(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	hook(t, &newPollFile, func(fd uintptr, name string) *os.File {
		close(entered)
		<-release
		return os.NewFile(fd, name)
	})
	client, server := connectedPair(t, AFInet)
	recvd := make(chan error, 1)
	go func() {
		_, err := server.Recv(make([]byte, 1), SecondsToInterval(5))
		recvd <- err
	}()
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("Recv did not register its socket")
	}
	// The caller parks at once after handing its request over; give it
	// a bounded while to get there.
	var state string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if state = goroutineStateIn("(*sockFD).register"); state == "chan receive" {
			break
		}
	}
	close(release)
	if state != "chan receive" {
		t.Errorf("the registering call's goroutine is %q, want parked in \"chan receive\"", state)
	}
	if _, err := client.Send([]byte("x"), SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	if err := <-recvd; err != nil {
		t.Fatalf("Recv after registering: %v", err)
	}
}

// goroutineStateIn returns the state the runtime gives the goroutine whose
// stack holds a function named fn ("chan receive", "runnable", ...), or ""
// when none does.
func goroutineStateIn(fn string) string {
	buf := make([]byte, 1<<20)
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if !strings.Contains(g, fn) {
			continue
		}
		header, _, _ := strings.Cut(g, "\n") // goroutine 7 [chan receive]:
		if i, j := strings.Index(header, "["), strings.Index(header, "]"); i >= 0 && j > i {
			state, _, _ := strings.Cut(header[i+1:j], ",") // [chan receive, 2 minutes]
			return state
		}
	}
	return ""
}

// A registration that fails reaches the call that waits as an *Error and
// gives back the channel its caller waited on (a second call fails the same
// way): the runtime refusing the descriptor is PR_BAD_DESCRIPTOR_ERROR
// wrapping EBADF; a socket closed between the call's attempt and its
// registration is the closed socket's error.
func TestRegistrationFails(t *testing.T) {
	tests := []struct {
		name      string
		fault     func(t *testing.T, s *Socket)
		wantErrno bool // EBADF, else net.ErrClosed
	}{
		{"refused", func(t *testing.T, _ *Socket) {
			hook(t, &newPollFile, func(uintptr, string) *os.File { return nil })
		}, true},
		{"closed meanwhile", func(t *testing.T, s *Socket) {
			closed := make(chan error, 1)
			t.Cleanup(func() {
				select {
				case <-closed:
				case <-time.After(5 * time.Second):
					t.Error("Close did not return")
				}
			})
			hook(t, &sysRecv, func(int, []byte) (int, syscall.Errno) {
				if s.own.open.Load() {
					// Close marks the socket closed at once, then waits
					// for this attempt to end before closing it.
					go func() { closed <- s.Close() }()
					for s.own.open.Load() {
						runtime.Gosched()
					}
				}
				return 0, syscall.EAGAIN
			})
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, server := connectedPair(t, AFInet)
			tt.fault(t, server)
			for i := range 2 {
				_, err := server.Recv(make([]byte, 1), SecondsToInterval(5))
				var e *Error
				if !errors.As(err, &e) || e.Code != BadDescriptorError {
					t.Fatalf("Recv %d = %v, want PR_BAD_DESCRIPTOR_ERROR", i, err)
				}
				if got := errors.Is(err, syscall.EBADF); got != tt.wantErrno {
					t.Errorf("Recv %d = %v: wraps EBADF %v, want %v", i, err, got, tt.wantErrno)
				}
				if got := errors.Is(err, net.ErrClosed); got == tt.wantErrno {
					t.Errorf("Recv %d = %v: wraps net.ErrClosed %v, want %v", i, err, got, !tt.wantErrno)
				}
				if len(registerDone) != cap(registerDone) {
					t.Fatalf("Recv %d kept a registration's channel: %d of %d free", i, len(registerDone), cap(registerDone))
				}
			}
			if !tt.wantErrno {
				unix.Close(server.own.fd) // what the interrupted Close would have closed
			}
		})
	}
}

// TestCloseLingers checks which close a socket that never waited takes: the
// raw one, which cannot leave its P to the other goroutines while it runs,
// unless SO_LINGER may be on with a time, when closing can wait.
func TestCloseLingers(t *testing.T) {
	lingering := Linger{On: true, Interval: SecondsToInterval(5)}
	tests := []struct {
		name string
		open func(t *testing.T) *Socket
		wait bool // the close that may wait is used
	}{
		{"new", func(t *testing.T) *Socket { return newTestSocket(t, AFInet, DescSocketTCP) }, false},
		{"udp", func(t *testing.T) *Socket { return newTestSocket(t, AFInet, DescSocketUDP) }, false},
		{"linger with a time", func(t *testing.T) *Socket {
			s := newTestSocket(t, AFInet, DescSocketTCP)
			if err := s.SetLinger(lingering); err != nil {
				t.Fatal(err)
			}
			return s
		}, true},
		{"linger with no time resets", func(t *testing.T) *Socket {
			s := newTestSocket(t, AFInet, DescSocketTCP)
			if err := s.SetLinger(Linger{On: true}); err != nil {
				t.Fatal(err)
			}
			return s
		}, false},
		{"linger turned off", func(t *testing.T) *Socket {
			s := newTestSocket(t, AFInet, DescSocketTCP)
			for _, l := range []Linger{lingering, {}} {
				if err := s.SetLinger(l); err != nil {
					t.Fatal(err)
				}
			}
			return s
		}, false},
		{"accepted from a lingering listener", func(t *testing.T) *Socket {
			l, addr := listen(t, AFInet)
			if err := l.SetLinger(lingering); err != nil {
				t.Fatal(err)
			}
			c := newTestSocket(t, AFInet, DescSocketTCP)
			if err := c.Connect(addr, SecondsToInterval(5)); err != nil {
				t.Fatal(err)
			}
			s, _, err := l.Accept(SecondsToInterval(5))
			if err != nil {
				t.Fatal(err)
			}
			if got, err := s.Linger(); err != nil || got != lingering {
				t.Fatalf("accepted socket's Linger = %v, %v; want it inherited", got, err)
			}
			return s
		}, true},
		{"imported", func(t *testing.T) *Socket {
			fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
			if err != nil {
				t.Fatal(err)
			}
			s, err := ImportTCPSocket(fd)
			if err != nil {
				unix.Close(fd)
				t.Fatal(err)
			}
			return s
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.open(t)
			var now, wait int
			hook(t, &sysCloseNow, func(fd int) syscall.Errno {
				if fd == s.own.fd {
					now++
				}
				return rawClose(fd)
			})
			hook(t, &sysCloseWait, func(fd int) error {
				if fd == s.own.fd {
					wait++
				}
				return unix.Close(fd)
			})
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if want := map[bool][2]int{false: {1, 0}, true: {0, 1}}[tc.wait]; [2]int{now, wait} != want {
				t.Errorf("raw closes %d, closes that may wait %d; want %d and %d", now, wait, want[0], want[1])
			}
		})
	}
}
