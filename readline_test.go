//go:build linux || darwin || freebsd

package nspr

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sendChunks writes chunks to s, each as its own Send with a short pause so
// that the reader sees them arrive separately, then closes s when close is
// set. It returns a channel with the first error.
func sendChunks(s *Socket, chunks []string, close bool) <-chan error {
	done := make(chan error, 1)
	go func() {
		var err error
		for _, c := range chunks {
			if _, err = s.Send([]byte(c), SecondsToInterval(5)); err != nil {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		if close {
			s.Close()
		}
		done <- err
	}()
	return done
}

// readAllLines reads lines with ReadLine until the end of the stream,
// failing after limit lines.
func readAllLines(t *testing.T, s *Socket, max, limit int) []string {
	t.Helper()
	var got []string
	for range limit {
		line, err := s.ReadLine(max, SecondsToInterval(5))
		if err != nil {
			t.Fatalf("ReadLine after %d lines: %v", len(got), err)
		}
		if len(line) == 0 {
			return got
		}
		got = append(got, string(line))
	}
	t.Fatalf("no end of stream after %d lines", limit)
	return nil
}

func TestReadLine(t *testing.T) {
	long := strings.Repeat("0123456789abcdef", 12<<10) // 192 KiB: three read-aheads
	var many []string
	for i := range 3000 { // 3000 lines of 41..44 bytes cross the 64 KiB buffer's end
		many = append(many, strings.Repeat("x", 40+i%4)+"\n")
	}
	tests := []struct {
		name   string
		chunks []string
		max    int
		want   []string
	}{
		{"lines across chunks", []string{"hel", "lo\nwor", "ld\n", "\n", "tail"}, 0, []string{"hello\n", "world\n", "\n", "tail"}},
		{"CR and NUL are data", []string{"ab\r\ncd\x00e\n", "\r\r\n"}, 0, []string{"ab\r\n", "cd\x00e\n", "\r\r\n"}},
		{"max bound", []string{"abcdefgh\nij\n"}, 3, []string{"abc", "def", "gh\n", "ij\n"}},
		{"max bound across chunks", []string{"ab", "cd", "e\n"}, 2, []string{"ab", "cd", "e\n"}},
		{"newline at the bound", []string{"abc\n"}, 4, []string{"abc\n"}},
		{"empty stream", nil, 0, nil},
		{"only newlines", []string{"\n\n", "\n"}, 0, []string{"\n", "\n", "\n"}},
		{"line longer than the read-ahead", []string{long[:100000], long[100000:] + "\nend\n"}, len(long) + 1, []string{long + "\n", "end\n"}},
		{"lines crossing the buffer end", []string{strings.Join(many, "")}, 0, many},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client, server := connectedPair(t, AFInet)
			done := sendChunks(client, tc.chunks, true)
			got := readAllLines(t, server, tc.max, len(tc.want)+2)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
				t.Errorf("got %d lines %.200q, want %d %.200q", len(got), got, len(tc.want), tc.want)
			}
			// At the end of the stream: empty lines, no error, again and again.
			for range 2 {
				if line, err := server.ReadLine(0, SecondsToInterval(5)); err != nil || len(line) != 0 {
					t.Errorf("after the end: %q, %v; want empty, nil", line, err)
				}
			}
		})
	}
}

// TestReadLineInto checks the zero-allocation form: the same lines, len(p)
// as the bound, and an empty p refused.
func TestReadLineInto(t *testing.T) {
	client, server := connectedPair(t, AFLocal)
	done := sendChunks(client, []string{"one\ntw", "o\nthree-is-long\n"}, true)
	p := make([]byte, 8)
	var got []string
	for range 10 {
		n, err := server.ReadLineInto(p, SecondsToInterval(5))
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		got = append(got, string(p[:n]))
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if want := "one\n|two\n|three-is|-long\n"; strings.Join(got, "|") != want {
		t.Errorf("got %q, want %q", strings.Join(got, "|"), want)
	}
	if _, err := server.ReadLineInto(nil, IntervalNoWait); !errors.Is(err, InvalidArgumentError) {
		t.Errorf("empty buffer: %v, want PR_INVALID_ARGUMENT_ERROR", err)
	}
}

// TestLineReader checks the held form: the same lines and bound as
// ReadLineInto, the read side held until Release (a Recv waits for it and
// then gets the bytes left in the read-ahead), and the released, datagram,
// closed and nil cases.
func TestLineReader(t *testing.T) {
	client, server := connectedPair(t, AFLocal)
	r, err := server.LineReader()
	if err != nil {
		t.Fatal(err)
	}
	if err := <-sendChunks(client, []string{"one\ntw", "o\nthree-is-long\ntail"}, false); err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 8)
	var got []string
	for range 4 {
		n, err := r.ReadLineInto(p, SecondsToInterval(5))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(p[:n]))
	}
	if want := "one\n|two\n|three-is|-long\n"; strings.Join(got, "|") != want {
		t.Errorf("got %q, want %q", strings.Join(got, "|"), want)
	}
	if _, err := r.ReadLineInto(nil, IntervalNoWait); !errors.Is(err, InvalidArgumentError) {
		t.Errorf("empty buffer: %v, want PR_INVALID_ARGUMENT_ERROR", err)
	}
	if n, err := r.ReadLineInto(p, IntervalNoWait); !errors.Is(err, IOTimeoutError) || n != 0 {
		t.Errorf("partial line, no wait: %d, %v; want PR_IO_TIMEOUT_ERROR", n, err)
	}
	recvd := make(chan string, 1)
	go func() {
		n, err := server.Recv(p, SecondsToInterval(10))
		recvd <- fmt.Sprintf("%q %v", p[:n], err)
	}()
	select {
	case got := <-recvd:
		t.Fatalf("Recv returned %s while a LineReader held the read side", got)
	case <-time.After(50 * time.Millisecond):
	}
	if err := r.Release(); err != nil {
		t.Fatal(err)
	}
	if got, want := <-recvd, fmt.Sprintf("%q <nil>", "tail"); got != want {
		t.Errorf("Recv after Release: %s, want %s", got, want)
	}
	if err := r.Release(); !errors.Is(err, InvalidStateError) {
		t.Errorf("second Release: %v, want PR_INVALID_STATE_ERROR", err)
	}
	if _, err := r.ReadLineInto(p, IntervalNoWait); !errors.Is(err, InvalidStateError) {
		t.Errorf("ReadLineInto after Release: %v, want PR_INVALID_STATE_ERROR", err)
	}
	var nilReader *LineReader
	if _, err := nilReader.ReadLineInto(p, IntervalNoWait); !errors.Is(err, InvalidStateError) {
		t.Errorf("nil LineReader: %v, want PR_INVALID_STATE_ERROR", err)
	}
	_, udp, _, _ := nsprUDPPair(t)
	var nilSock *Socket
	closed := newTestSocket(t, AFInet, DescSocketTCP)
	closed.Close()
	for _, tc := range []struct {
		name string
		s    *Socket
		want ErrorCode
	}{{"UDP", udp, InvalidMethodError}, {"nil", nilSock, BadDescriptorError}, {"closed", closed, BadDescriptorError}} {
		if _, err := tc.s.LineReader(); !errors.Is(err, tc.want) {
			t.Errorf("LineReader on a %s socket: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestReadLineDefaultCap feeds a line that never ends: ReadLine(0) returns
// it in DefaultMaxLine pieces and the read-ahead stays bounded.
func TestReadLineDefaultCap(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	const pieces = 16 // 1 MiB of 'x' without a newline
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		for range pieces * DefaultMaxLine / len(chunk) {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if _, err := client.Send(chunk, SecondsToInterval(5)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	defer func() { close(stop); <-done }()
	for i := range pieces {
		line, err := server.ReadLine(0, SecondsToInterval(5))
		if err != nil {
			t.Fatalf("piece %d: %v", i, err)
		}
		if len(line) != DefaultMaxLine {
			t.Fatalf("piece %d is %d bytes, want %d", i, len(line), DefaultMaxLine)
		}
		if c := cap(server.ra.buf); c > 2*DefaultMaxLine {
			t.Fatalf("read-ahead grew to %d bytes", c)
		}
	}
}

// TestReadLineKeepsPartialData checks that a call ending without a line
// loses nothing: half a line, a timeout or would-block, the rest, the whole
// line.
func TestReadLineKeepsPartialData(t *testing.T) {
	tests := []struct {
		name    string
		nonblk  bool
		timeout Interval
		code    ErrorCode
	}{
		{"no wait", false, IntervalNoWait, IOTimeoutError},
		{"finite timeout", false, MillisecondsToInterval(30), IOTimeoutError},
		{"non-blocking", true, IntervalNoTimeout, WouldBlockError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client, server := connectedPair(t, AFInet)
			if err := server.SetNonblocking(tc.nonblk); err != nil {
				t.Fatal(err)
			}
			if _, err := client.Send([]byte("first ha"), SecondsToInterval(5)); err != nil {
				t.Fatal(err)
			}
			// Until the half line has arrived and more is awaited, each
			// call ends with the code; none returns a line.
			for range 3 {
				line, err := server.ReadLine(0, tc.timeout)
				if !errors.Is(err, tc.code) || line != nil {
					t.Fatalf("half a line: %q, %v; want %v", line, err, tc.code)
				}
				time.Sleep(5 * time.Millisecond)
			}
			if _, err := client.Send([]byte("lf\nsecond\n"), SecondsToInterval(5)); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"first half\n", "second\n"} {
				var line []byte
				var err error
				for range 200 { // the rest arrives within 2 s
					if line, err = server.ReadLine(0, tc.timeout); !errors.Is(err, tc.code) {
						break
					}
					time.Sleep(10 * time.Millisecond)
				}
				if err != nil || string(line) != want {
					t.Fatalf("got %q, %v; want %q", line, err, want)
				}
			}
		})
	}
}

// TestReadAheadSharedWithRecv checks that Recv, ReadSize and ReadLine share
// one read-ahead: bytes read ahead for a line come first, without waiting.
func TestReadAheadSharedWithRecv(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	if _, err := client.Send([]byte("line\nrest of it"), SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	line, err := server.ReadLine(0, SecondsToInterval(5))
	if err != nil || string(line) != "line\n" {
		t.Fatalf("ReadLine: %q, %v", line, err)
	}
	if !server.readAheadReady() {
		t.Error("readAheadReady() = false with bytes buffered")
	}
	buf := make([]byte, 4)
	n, err := server.Recv(buf, IntervalNoWait)
	if err != nil || string(buf[:n]) != "rest" {
		t.Fatalf("Recv after ReadLine: %q, %v; want \"rest\"", buf[:n], err)
	}
	got, err := server.ReadSize(3, IntervalNoWait)
	if err != nil || string(got) != " of" {
		t.Fatalf("ReadSize after Recv: %q, %v; want \" of\"", got, err)
	}
	n, err = server.Read(buf)
	if err != nil || string(buf[:n]) != " it" {
		t.Fatalf("Read: %q, %v; want \" it\"", buf[:n], err)
	}
	if server.readAheadReady() {
		t.Error("readAheadReady() = true with nothing buffered")
	}
}

func TestReadLines(t *testing.T) {
	tests := []struct {
		name     string
		sizehint []int // one ReadLines call each
		want     [][]string
	}{
		{"until the end", []int{0, 0}, [][]string{{"a\n", "bb\n", "ccc\n", "last"}, nil}},
		{"size hint", []int{3, 1, -1}, [][]string{{"a\n", "bb\n"}, {"ccc\n"}, {"last"}}},
		{"hint past the end", []int{1000}, [][]string{{"a\n", "bb\n", "ccc\n", "last"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client, server := connectedPair(t, AFInet)
			done := sendChunks(client, []string{"a\nb", "b\nccc\nla", "st"}, true)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			for i, hint := range tc.sizehint {
				lines, err := server.ReadLines(hint, SecondsToInterval(5))
				if err != nil {
					t.Fatalf("ReadLines(%d): %v", hint, err)
				}
				var got []string
				for _, l := range lines {
					got = append(got, string(l))
				}
				if strings.Join(got, "|") != strings.Join(tc.want[i], "|") || len(got) != len(tc.want[i]) {
					t.Errorf("ReadLines(%d) = %q, want %q", hint, got, tc.want[i])
				}
			}
		})
	}
}

// TestReadLinesBound lowers MaxReadAll: ReadLines without a hint stops past
// it with PR_BUFFER_OVERFLOW_ERROR and the lines read; the rest stays.
func TestReadLinesBound(t *testing.T) {
	defer func(n int) { maxReadAll = n }(maxReadAll)
	maxReadAll = 10
	client, server := connectedPair(t, AFInet)
	if err := <-sendChunks(client, []string{"abc\ndef\nghi\njkl\nmno\n"}, true); err != nil {
		t.Fatal(err)
	}
	lines, err := server.ReadLines(0, SecondsToInterval(5))
	if !errors.Is(err, BufferOverflowError) || len(lines) != 3 {
		t.Fatalf("ReadLines past the bound: %q, %v; want 3 lines and PR_BUFFER_OVERFLOW_ERROR", lines, err)
	}
	lines, err = server.ReadLines(100, SecondsToInterval(5))
	if err != nil || len(lines) != 2 || string(lines[1]) != "mno\n" {
		t.Fatalf("the rest: %q, %v", lines, err)
	}
	// Appending to one line must not overwrite the next (lines share chunks).
	_ = append(lines[0], "XXXX"...)
	if string(lines[1]) != "mno\n" {
		t.Errorf("append to a line changed the next: %q", lines[1])
	}
}

// TestReadLinesTimeoutKeepsLines checks that lines read before a timeout
// come back with it and the partial line is kept.
func TestReadLinesTimeoutKeepsLines(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	if _, err := client.Send([]byte("one\ntwo\nthr"), SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	lines, err := server.ReadLines(0, MillisecondsToInterval(100))
	if !errors.Is(err, IOTimeoutError) || len(lines) != 2 {
		t.Fatalf("ReadLines: %q, %v; want 2 lines and PR_IO_TIMEOUT_ERROR", lines, err)
	}
	client.Send([]byte("ee\n"), SecondsToInterval(5))
	client.Close()
	lines, err = server.ReadLines(0, SecondsToInterval(5))
	if err != nil || len(lines) != 1 || string(lines[0]) != "three\n" {
		t.Fatalf("after the timeout: %q, %v; want [three]", lines, err)
	}
}

func TestLines(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	if err := <-sendChunks(client, []string{"x\ny\nz\nlast"}, true); err != nil {
		t.Fatal(err)
	}
	var got []string
	for line, err := range server.Lines(SecondsToInterval(5)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(line))
		if len(got) == 2 {
			break
		}
	}
	// Breaking out leaves the rest for the next reader.
	for line, err := range server.Lines(SecondsToInterval(5)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(line))
	}
	if want := "x\n|y\n|z\n|last"; strings.Join(got, "|") != want {
		t.Errorf("got %q, want %q", strings.Join(got, "|"), want)
	}
	// An error is yielded once and ends the loop.
	server.Close()
	count := 0
	for line, err := range server.Lines(IntervalNoWait) {
		count++
		if !errors.Is(err, net.ErrClosed) || line != nil {
			t.Errorf("closed: %q, %v", line, err)
		}
	}
	if count != 1 {
		t.Errorf("closed socket: %d iterations, want 1", count)
	}
}

func TestReadSize(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		close  bool
		calls  []int
		want   []string
	}{
		{"buffered first", []string{"hello world"}, true, []int{3, 100, 5, -1}, []string{"hel", "lo world", "", ""}},
		{"until the end", []string{"hel", "lo ", "world"}, true, []int{-1, -1}, []string{"hello world", ""}},
		{"zero", []string{"abc"}, false, []int{0, 3}, []string{"", "abc"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client, server := connectedPair(t, AFInet)
			if err := <-sendChunks(client, tc.chunks, tc.close); err != nil {
				t.Fatal(err)
			}
			for i, n := range tc.calls {
				got, err := server.ReadSize(n, SecondsToInterval(5))
				if err != nil || string(got) != tc.want[i] {
					t.Fatalf("ReadSize(%d) = %q, %v; want %q", n, got, err, tc.want[i])
				}
			}
		})
	}
}

// TestReadSizeBufferedAndOneReceive checks the original's read(size) with a
// short read-ahead: the buffered bytes plus what one receive brings; on a
// timeout the buffered bytes stay.
func TestReadSizeBufferedAndOneReceive(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	client.Send([]byte("x\nwor"), SecondsToInterval(5))
	if line, err := server.ReadLine(0, SecondsToInterval(5)); err != nil || string(line) != "x\n" {
		t.Fatalf("ReadLine: %q, %v", line, err)
	}
	if got, err := server.ReadSize(5, MillisecondsToInterval(30)); !errors.Is(err, IOTimeoutError) || got != nil {
		t.Fatalf("ReadSize(5) with 3 buffered, nothing coming: %q, %v; want PR_IO_TIMEOUT_ERROR", got, err)
	}
	client.Send([]byte("l"), SecondsToInterval(5))
	got, err := server.ReadSize(5, SecondsToInterval(5))
	if err != nil || string(got) != "worl" {
		t.Fatalf("ReadSize(5): %q, %v; want \"worl\"", got, err)
	}
}

// TestReadSizeAllBound lowers MaxReadAll: ReadSize(-1) stops with
// PR_BUFFER_OVERFLOW_ERROR and keeps every byte for Recv.
func TestReadSizeAllBound(t *testing.T) {
	defer func(n int) { maxReadAll = n }(maxReadAll)
	maxReadAll = 1000
	client, server := connectedPair(t, AFInet)
	msg := bytes.Repeat([]byte("0123456789"), 300)
	if err := <-sendChunks(client, []string{string(msg)}, true); err != nil {
		t.Fatal(err)
	}
	if got, err := server.ReadSize(-1, SecondsToInterval(5)); !errors.Is(err, BufferOverflowError) || got != nil {
		t.Fatalf("ReadSize(-1) past the bound: %d bytes, %v", len(got), err)
	}
	var all []byte
	for range 100 {
		got, err := server.ReadSize(500, SecondsToInterval(5))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			break
		}
		all = append(all, got...)
	}
	if !bytes.Equal(all, msg) {
		t.Errorf("drained %d bytes, want the %d sent", len(all), len(msg))
	}
}

// TestReadLineDatagram: line reading needs a stream; ReadSize(n) reads one
// datagram, truncated, as the original does.
func TestReadLineDatagram(t *testing.T) {
	a, b, _, bAddr := nsprUDPPair(t)
	for _, call := range []func() error{
		func() error { _, err := b.ReadLine(0, IntervalNoWait); return err },
		func() error { _, err := b.ReadLineInto(make([]byte, 8), IntervalNoWait); return err },
		func() error {
			_, err := b.ReadLinesInto(make([]byte, 8), make([][]byte, 1), IntervalNoWait)
			return err
		},
		func() error { _, err := b.ReadLines(0, IntervalNoWait); return err },
		func() error { _, err := b.ReadSize(-1, IntervalNoWait); return err },
	} {
		if err := call(); !errors.Is(err, InvalidMethodError) {
			t.Errorf("line call on UDP: %v, want PR_INVALID_METHOD_ERROR", err)
		}
	}
	a.SendTo([]byte("hello"), bAddr, SecondsToInterval(1))
	a.SendTo([]byte("world"), bAddr, SecondsToInterval(1))
	for _, want := range []string{"hel", "wor"} {
		got, err := b.ReadSize(3, SecondsToInterval(5))
		if err != nil || string(got) != want {
			t.Errorf("ReadSize(3) on UDP: %q, %v; want %q", got, err, want)
		}
	}
}

// TestReadLineClosedAndNil checks the entry tests of every reading call.
func TestReadLineClosedAndNil(t *testing.T) {
	var nilSock *Socket
	closed := newTestSocket(t, AFInet, DescSocketTCP)
	closed.Close()
	for _, s := range []*Socket{nilSock, closed} {
		for name, call := range map[string]func() error{
			"ReadLine":      func() error { _, err := s.ReadLine(0, 1); return err },
			"ReadLineInto":  func() error { _, err := s.ReadLineInto(make([]byte, 4), 1); return err },
			"ReadLinesInto": func() error { _, err := s.ReadLinesInto(make([]byte, 4), make([][]byte, 1), 1); return err },
			"ReadLines":     func() error { _, err := s.ReadLines(0, 1); return err },
			"ReadSize":      func() error { _, err := s.ReadSize(4, 1); return err },
			"ReadSize(-1)":  func() error { _, err := s.ReadSize(-1, 1); return err },
			"MakeFile":      func() error { _, err := s.MakeFile("r", 0); return err },
		} {
			err := call()
			if !errors.Is(err, BadDescriptorError) || (s == closed) != errors.Is(err, net.ErrClosed) {
				t.Errorf("%s on a %s socket: %v", name, map[bool]string{true: "nil", false: "closed"}[s == nil], err)
			}
		}
	}
}

// TestReadLineCloseWakes closes a socket under a blocked line read, which
// returns at once, as every later read does, with net.ErrClosed.
func TestReadLineCloseWakes(t *testing.T) {
	tests := []struct {
		name string
		// reader returns the line read to block in, on server.
		reader func(t *testing.T, server *Socket) func(timeout Interval) error
	}{
		{"ReadLine", func(t *testing.T, server *Socket) func(Interval) error {
			return func(timeout Interval) error { _, err := server.ReadLine(0, timeout); return err }
		}},
		{"LineReader", func(t *testing.T, server *Socket) func(Interval) error {
			r, err := server.LineReader()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Release() })
			return func(timeout Interval) error { _, err := r.ReadLineInto(make([]byte, 64), timeout); return err }
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, server := connectedPair(t, AFInet)
			read := tc.reader(t, server)
			done := make(chan error, 1)
			go func() { done <- read(IntervalNoTimeout) }()
			time.Sleep(50 * time.Millisecond)
			server.Close()
			select {
			case err := <-done:
				if !errors.Is(err, net.ErrClosed) {
					t.Errorf("woken by Close: %v, want net.ErrClosed", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("still blocked 5 s after Close")
			}
			if err := read(IntervalNoWait); !errors.Is(err, net.ErrClosed) {
				t.Errorf("after Close: %v, want net.ErrClosed", err)
			}
		})
	}
}

func TestMakeFileModes(t *testing.T) {
	tests := []struct {
		mode        string
		read, write bool
		valid       bool
	}{
		{"", true, false, true}, {"r", true, false, true}, {"rb", true, false, true},
		{"w", false, true, true}, {"wb", false, true, true}, {"a", false, true, true},
		{"rw", true, true, true}, {"r+", true, true, true}, {"w+b", true, true, true},
		{"rwb", true, true, true}, {"rt", true, false, true},
		{"x", false, false, false}, {"zz", false, false, false}, {"rr", false, false, false},
		{"+", false, false, false}, {"b", false, false, false}, {"rbt", false, false, false},
		{"wa", false, false, false}, {"r\xff", false, false, false}, {"U", false, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			client, server := connectedPair(t, AFInet)
			f, err := server.MakeFile(tc.mode, 0)
			if !tc.valid {
				if !errors.Is(err, InvalidArgumentError) || f != nil {
					t.Fatalf("MakeFile(%q): %v, want PR_INVALID_ARGUMENT_ERROR", tc.mode, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			client.Send([]byte("hi\n"), SecondsToInterval(5))
			_, werr := f.Write([]byte("ok\n"))
			line, rerr := f.ReadLine(0)
			for _, c := range []struct {
				allowed bool
				err     error
				what    string
			}{{tc.write, werr, "Write"}, {tc.read, rerr, "ReadLine"}} {
				switch {
				case c.allowed && c.err != nil:
					t.Errorf("%s: %v", c.what, c.err)
				case !c.allowed && (!errors.Is(c.err, BadDescriptorError) || !errors.Is(c.err, syscall.EBADF) || errors.Is(c.err, net.ErrClosed)):
					t.Errorf("%s not allowed by %q: %v, want PR_BAD_DESCRIPTOR_ERROR with EBADF", c.what, tc.mode, c.err)
				}
			}
			if tc.read && string(line) != "hi\n" {
				t.Errorf("ReadLine: %q", line)
			}
		})
	}
}

// TestFile checks the File's reading and its close semantics: closing the
// File ends its use but leaves the socket open.
func TestFile(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	f, err := server.MakeFile("r+", 4096)
	if err != nil {
		t.Fatal(err)
	}
	if f.Socket() != server || server.ra.allocSize() != 4096 {
		t.Errorf("Socket() = %p (want %p), read-ahead size %d (want 4096)", f.Socket(), server, server.ra.allocSize())
	}
	if err := <-sendChunks(client, []string{"one\ntwo\nthree\nfour\nfive"}, false); err != nil {
		t.Fatal(err)
	}
	if line, err := f.ReadLine(0); err != nil || string(line) != "one\n" {
		t.Fatalf("ReadLine: %q, %v", line, err)
	}
	if lines, err := f.ReadLines(4); err != nil || len(lines) != 1 || string(lines[0]) != "two\n" {
		t.Fatalf("ReadLines(4): %q, %v", lines, err)
	}
	for line, err := range f.Lines() {
		if err != nil || string(line) != "three\n" {
			t.Fatalf("Lines: %q, %v", line, err)
		}
		break
	}
	buf := make([]byte, 5)
	if n, err := f.Read(buf); err != nil || string(buf[:n]) != "four\n" {
		t.Fatalf("Read: %q, %v", buf[:n], err)
	}
	client.Close()
	if n, err := io.ReadFull(f, buf[:4]); err != nil || string(buf[:n]) != "five" {
		t.Fatalf("ReadFull: %q, %v", buf[:n], err)
	}
	if line, err := f.ReadLine(0); err != io.EOF || line != nil {
		t.Fatalf("ReadLine at the end: %q, %v; want io.EOF", line, err)
	}
	if n, err := f.Read(buf); err != io.EOF || n != 0 {
		t.Fatalf("Read at the end: %d, %v; want io.EOF", n, err)
	}

	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"Close": f.Close(),
		"Read":  func() error { _, err := f.Read(buf); return err }(),
		"Write": func() error { _, err := f.Write(buf); return err }(),
		"Lines": func() error {
			for _, err := range f.Lines() {
				return err
			}
			return nil
		}(),
	} {
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("%s on a closed File: %v, want net.ErrClosed", name, err)
		}
	}
	// The socket is still open.
	if _, err := server.SockName(); err != nil {
		t.Errorf("socket after File.Close: %v", err)
	}
	var nilFile *File
	if _, err := nilFile.Read(buf); !errors.Is(err, BadDescriptorError) {
		t.Errorf("nil File: %v", err)
	}
}

// TestReadLinesInto checks the batch form: the first line waited for and
// cut at len(buf), then only whole lines already buffered that fit.
// TestReadLinesIntoMany reads a thousand lines of 1 to 97 bytes in batches
// larger than a scan's 64 line ends, and gets every line, whole and in order.
func TestReadLinesIntoMany(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	var want []string
	for i := range 1000 {
		want = append(want, strings.Repeat(string(rune('a'+i%26)), i*37%97)+"\n")
	}
	if err := <-sendChunks(client, []string{strings.Join(want, "")}, true); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16<<10)
	lines := make([][]byte, 150)
	var got []string
	for range len(want) + 1 {
		n, err := server.ReadLinesInto(buf, lines, SecondsToInterval(5))
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		for _, l := range lines[:n] {
			got = append(got, string(l))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%d lines, want %d; first difference at %d", len(got), len(want), firstDifference(got, want))
	}
}

// firstDifference is the index of the first line where got and want differ.
func firstDifference(got, want []string) int {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return i
		}
	}
	return min(len(got), len(want))
}

func TestReadLinesInto(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	if err := <-sendChunks(client, []string{"a\nbb\nccc\ndddd\n0123456789abcdef\ntail"}, true); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 9)
	lines := make([][]byte, 3)
	var calls []string
	for range 10 {
		n, err := server.ReadLinesInto(buf, lines, SecondsToInterval(5))
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		var got []string
		for _, l := range lines[:n] {
			got = append(got, string(l))
		}
		calls = append(calls, strings.Join(got, "|"))
	}
	// Three lines fill both buf and lines; the 17-byte line does not fit
	// after "dddd\n" and waits, then is cut at 9; "tail" has no '\n'.
	want := []string{"a\n|bb\n|ccc\n", "dddd\n", "012345678", "9abcdef\n", "tail"}
	if strings.Join(calls, " / ") != strings.Join(want, " / ") {
		t.Errorf("batches %q, want %q", calls, want)
	}
	if cap(lines[0]) != len(lines[0]) {
		t.Errorf("a line's capacity reaches into the next")
	}
	for _, tc := range []struct {
		buf   []byte
		lines [][]byte
	}{{nil, lines}, {buf, nil}} {
		if _, err := server.ReadLinesInto(tc.buf, tc.lines, IntervalNoWait); !errors.Is(err, InvalidArgumentError) {
			t.Errorf("empty argument: %v, want PR_INVALID_ARGUMENT_ERROR", err)
		}
	}
}

// TestReadLineConcurrentReaders runs readers of every kind on one socket at
// once: each line reaches exactly one of them, whole.
func TestReadLineConcurrentReaders(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	const lines = 20000
	done := make(chan error, 1)
	go func() {
		var b strings.Builder
		for i := range lines {
			fmt.Fprintf(&b, "line %08d\n", i) // 14 bytes
		}
		_, err := client.Send([]byte(b.String()), SecondsToInterval(10))
		client.Close()
		done <- err
	}()
	readers := []func() ([][]byte, error){
		func() ([][]byte, error) { l, err := server.ReadLine(0, SecondsToInterval(10)); return [][]byte{l}, err },
		func() ([][]byte, error) {
			p := make([]byte, 64)
			n, err := server.ReadLineInto(p, SecondsToInterval(10))
			return [][]byte{p[:n]}, err
		},
		func() ([][]byte, error) {
			buf, ls := make([]byte, 200), make([][]byte, 8)
			n, err := server.ReadLinesInto(buf, ls, SecondsToInterval(10))
			return ls[:n], err
		},
		func() ([][]byte, error) { return server.ReadLines(100, SecondsToInterval(10)) },
		func() ([][]byte, error) { // a LineReader held for three lines
			r, err := server.LineReader()
			if err != nil {
				return nil, err
			}
			defer r.Release()
			var ls [][]byte
			for range 3 {
				p := make([]byte, 64)
				n, err := r.ReadLineInto(p, SecondsToInterval(10))
				if err != nil || n == 0 {
					return ls, err
				}
				ls = append(ls, p[:n])
			}
			return ls, nil
		},
	}
	results := make(chan []string, len(readers))
	for _, read := range readers {
		go func() {
			var got []string
			for range lines {
				ls, err := read()
				if err != nil {
					t.Error(err)
					break
				}
				if len(ls) == 0 || len(ls[0]) == 0 {
					break // the end of the stream
				}
				for _, l := range ls {
					got = append(got, string(l))
				}
			}
			results <- got
		}()
	}
	var all []string
	for range readers {
		all = append(all, <-results...)
	}
	seen := make(map[string]bool)
	for _, l := range all {
		if len(l) != 14 || seen[l] {
			t.Fatalf("line %q torn or read twice", l)
		}
		seen[l] = true
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(seen) != lines {
		t.Errorf("%d distinct lines read, want %d", len(seen), lines)
	}
}
