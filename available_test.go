//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"testing"
	"time"
)

// TestAvailable checks PR_Available on each kind of socket against what
// NSPR returns: the kernel's count plus the read-ahead bytes on a stream,
// the size of the next datagram on UDP, PR_BAD_DESCRIPTOR_ERROR on a
// listening socket.
func TestAvailable(t *testing.T) {
	// avail asks both calls, which must agree while nothing moves the
	// bytes; settle waits until they agree on want, as bytes on their way
	// through the kernel may arrive between the two calls, and then asks
	// once more.
	avail := func(t *testing.T, s *Socket) int {
		t.Helper()
		n, err := s.Available()
		n64, err64 := s.Available64()
		if err != nil || err64 != nil || int64(n) != n64 {
			t.Fatalf("Available: %d, %v; Available64: %d, %v", n, err, n64, err64)
		}
		return n
	}
	// parkedWith waits until a line call waits on s with n bytes read
	// ahead: from then on nothing moves until more bytes arrive.
	parkedWith := func(t *testing.T, s *Socket, n int) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); s.ra.waiting.Load() != int32(n)+1; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no line call waits with %d bytes read ahead", n)
			}
		}
	}
	settle := func(t *testing.T, s *Socket, want int) int {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			n, err := s.Available()
			n64, err64 := s.Available64()
			if err != nil || err64 != nil {
				t.Fatalf("Available: %v; Available64: %v", err, err64)
			}
			if n == want && n64 == int64(want) {
				break
			}
		}
		return avail(t, s)
	}
	t.Run("stream", func(t *testing.T) {
		client, server := connectedPair(t, AFInet)
		if n := avail(t, server); n != 0 {
			t.Errorf("empty: %d", n)
		}
		client.Send(make([]byte, 77), IntervalNoTimeout)
		if n := settle(t, server, 77); n != 77 {
			t.Errorf("after 77 bytes: %d", n)
		}
		server.Recv(make([]byte, 77), IntervalNoTimeout)
		client.Send([]byte("line\npartial"), IntervalNoTimeout)
		if _, err := server.ReadLine(0, SecondsToInterval(5)); err != nil {
			t.Fatal(err)
		}
		if n := avail(t, server); n != len("partial") {
			t.Errorf("with 7 bytes read ahead: %d", n)
		}
		client.Send([]byte("123"), IntervalNoTimeout)
		if n := settle(t, server, 10); n != 10 {
			t.Errorf("with 7 read ahead and 3 in the kernel: %d", n)
		}
	})
	t.Run("while-a-line-waits", func(t *testing.T) {
		client, server := connectedPair(t, AFInet)
		done := make(chan error, 1)
		go func() {
			_, err := server.ReadLine(0, SecondsToInterval(10))
			done <- err
		}()
		client.Send([]byte("no newline yet"), IntervalNoTimeout)
		parkedWith(t, server, len("no newline yet"))
		if n := avail(t, server); n != len("no newline yet") {
			t.Errorf("while ReadLine waits with 14 bytes: %d", n)
		}
		client.Send([]byte("\n"), IntervalNoTimeout)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
	t.Run("line-reader", func(t *testing.T) {
		client, server := connectedPair(t, AFInet)
		lr, err := server.LineReader()
		if err != nil {
			t.Fatal(err)
		}
		defer lr.Release()
		client.Send([]byte("line\nrest"), IntervalNoTimeout)
		p := make([]byte, 64)
		if _, err := lr.ReadLineInto(p, SecondsToInterval(5)); err != nil {
			t.Fatal(err)
		}
		// Held between its calls: the 4 bytes read ahead are not counted,
		// and Available does not wait for the reader.
		start := time.Now()
		if n := avail(t, server); n != 0 || time.Since(start) > time.Second {
			t.Errorf("with a LineReader holding 4 bytes between calls: %d after %v, want 0 at once", n, time.Since(start))
		}
		done := make(chan error, 1)
		go func() {
			_, err := lr.ReadLineInto(p, SecondsToInterval(10))
			done <- err
		}()
		parkedWith(t, server, 4)
		if n := avail(t, server); n != 4 {
			t.Errorf("while the LineReader waits with 4 bytes: %d", n)
		}
		client.Send([]byte("\n"), IntervalNoTimeout)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
	t.Run("udp", func(t *testing.T) {
		a, b, _, bAddr := nsprUDPPair(t)
		if n := avail(t, b); n != 0 {
			t.Errorf("empty: %d", n)
		}
		a.SendTo(make([]byte, 100), bAddr, IntervalNoTimeout)
		a.SendTo(make([]byte, 200), bAddr, IntervalNoTimeout)
		if n := settle(t, b, 100); n != 100 {
			t.Errorf("with datagrams of 100 and 200 bytes queued: %d, want the first's size", n)
		}
	})
	t.Run("listening", func(t *testing.T) {
		l, _ := listen(t, AFInet)
		_, err := l.Available()
		wantCode(t, "Available on a listening socket", err, BadDescriptorError)
	})
	t.Run("closed", func(t *testing.T) {
		s := newTestSocket(t, AFInet, DescSocketTCP)
		if n := avail(t, s); n != 0 {
			t.Errorf("unconnected: %d", n)
		}
		s.Close()
		_, err := s.Available64()
		wantCode(t, "Available64 after Close", err, BadDescriptorError)
	})
}

// TestAvailableCountsNoByteTwice moves bytes from the kernel into the
// read-ahead between Available's two looks, as a reader beside it may:
// Available may then miss them, but must not count them in both places.
func TestAvailableCountsNoByteTwice(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	send := func(part string) {
		t.Helper()
		if _, err := client.Send([]byte(part), IntervalNoTimeout); err != nil {
			t.Fatal(err)
		}
	}
	// readAhead reads what has arrived into the read-ahead until it holds
	// want bytes: no line ends, so ReadLine keeps them and reports that it
	// would wait.
	readAhead := func(want int) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); server.ra.buffered() != want; time.Sleep(time.Millisecond) {
			if _, err := server.ReadLine(64, IntervalNoWait); !errors.Is(err, IOTimeoutError) {
				t.Fatalf("ReadLine of a part line: %v, want PR_IO_TIMEOUT_ERROR", err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d bytes read ahead, want %d", server.ra.buffered(), want)
			}
		}
	}
	send("abc")
	readAhead(3)
	send("def")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		if n, err := server.Available(); err != nil || n == 6 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second part did not arrive")
		}
	}
	hook(t, &availableMidway, func() {
		availableMidway = nil // once: the reader's own calls below do not recurse
		readAhead(6)
	})
	if n, err := server.Available(); err != nil || n > 6 {
		t.Errorf("Available while 3 bytes moved into the read-ahead = %d, %v; 6 bytes are there", n, err)
	}
	if n, err := server.Available(); err != nil || n != 6 {
		t.Errorf("Available once nothing moves = %d, %v, want 6", n, err)
	}
}
