//go:build linux || darwin || freebsd

package nspr

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// copyDst is a destination of io.Copy over an nspr stream: the Socket or
// its Conn view.
type copyDst struct {
	name string
	of   func(*Socket) io.Writer
}

var copyDsts = []copyDst{
	{"Socket", func(s *Socket) io.Writer { return s }},
	{"Conn", func(s *Socket) io.Writer { return s.Conn() }},
}

// TestReadFromFile checks io.Copy from a regular file to a socket: the
// bytes, the count, the file's offset after it, an io.LimitedReader's N,
// and that sendfile(2) carried them.
func TestReadFromFile(t *testing.T) {
	data := randomBytes(1<<20+333, 30)
	cases := []struct {
		name     string
		start    int64 // the file's offset before the copy
		limit    int64 // io.CopyN's count; 0: io.Copy
		wantSent int64
	}{
		{"whole", 0, 0, int64(len(data))},
		{"from-offset", 4095, 0, int64(len(data)) - 4095},
		{"limited", 1000, 5000, 5000},
		{"limited-past-end", int64(len(data)) - 10, 100, 10},
		{"at-end", int64(len(data)), 0, 0},
	}
	for _, d := range copyDsts {
		for _, tc := range cases {
			t.Run(d.name+"/"+tc.name, func(t *testing.T) {
				calls := countSendfile(t)
				f := testFile(t, data)
				if _, err := f.Seek(tc.start, io.SeekStart); err != nil {
					t.Fatal(err)
				}
				client, server := connectedPair(t, AFInet)
				got := drain(server)
				var n int64
				var err error
				if tc.limit > 0 {
					lr := &io.LimitedReader{R: f, N: tc.limit}
					n, err = io.Copy(d.of(client), lr)
					if lr.N != tc.limit-n {
						t.Errorf("LimitedReader.N = %d after %d of %d bytes", lr.N, n, tc.limit)
					}
				} else {
					n, err = io.Copy(d.of(client), f)
				}
				if err != nil || n != tc.wantSent {
					t.Fatalf("io.Copy: %d, %v; want %d", n, err, tc.wantSent)
				}
				if pos, _ := f.Seek(0, io.SeekCurrent); pos != tc.start+n {
					t.Errorf("file offset %d after the copy, want %d", pos, tc.start+n)
				}
				client.Shutdown(ShutdownSend)
				if b := received(t, got); !bytes.Equal(b, data[tc.start:tc.start+n]) {
					t.Fatalf("received %d bytes, want %d equal", len(b), n)
				}
				if n > 0 && *calls == 0 {
					t.Error("sendfile(2) never ran")
				}
			})
		}
	}
}

// TestCopyFallback checks the copies the kernel cannot make: from readers
// that are neither files nor sockets (with and without WriteTo), from a
// pipe, to writers that are not sockets, and over UDP; none recurses, none
// calls sendfile(2), and every byte arrives once.
func TestCopyFallback(t *testing.T) {
	data := randomBytes(300_000, 31)
	calls := countSendfile(t)
	for _, d := range copyDsts {
		for _, tc := range []struct {
			name string
			r    func() io.Reader
		}{
			{"bytes.Reader", func() io.Reader { return bytes.NewReader(data) }},
			{"plain-reader", func() io.Reader { return onlyReader{bytes.NewReader(data)} }},
			{"limited-plain", func() io.Reader { return &io.LimitedReader{R: onlyReader{bytes.NewReader(data)}, N: int64(len(data))} }},
			{"pipe", func() io.Reader {
				pr, pw, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { pr.Close() })
				go func() {
					pw.Write(data)
					pw.Close()
				}()
				return pr
			}},
		} {
			t.Run(d.name+"/"+tc.name, func(t *testing.T) {
				client, server := connectedPair(t, AFInet)
				got := drain(server)
				if n, err := io.Copy(d.of(client), tc.r()); err != nil || n != int64(len(data)) {
					t.Fatalf("io.Copy: %d, %v", n, err)
				}
				client.Shutdown(ShutdownSend)
				if b := received(t, got); !bytes.Equal(b, data) {
					t.Fatalf("received %d bytes, want %d equal", len(b), len(data))
				}
			})
		}
	}
	if *calls != 0 {
		t.Errorf("sendfile(2) ran %d times for readers that are not files", *calls)
	}
	t.Run("WriteTo-buffer", func(t *testing.T) {
		for _, src := range []func(*Socket) io.Reader{func(s *Socket) io.Reader { return s }, func(s *Socket) io.Reader { return s.Conn() }} {
			client, server := connectedPair(t, AFInet)
			go func() {
				client.Send(data, IntervalNoTimeout)
				client.Shutdown(ShutdownSend)
			}()
			var buf bytes.Buffer
			if n, err := io.Copy(&buf, src(server)); err != nil || !bytes.Equal(buf.Bytes(), data) {
				t.Fatalf("io.Copy into a buffer: %d, %v", n, err)
			}
		}
	})
	t.Run("udp", func(t *testing.T) {
		a, b, _, bAddr := nsprUDPPair(t)
		if err := a.Connect(bAddr, SecondsToInterval(1)); err != nil {
			t.Fatal(err)
		}
		if n, err := io.Copy(a, strings.NewReader("one datagram")); err != nil || n != 12 {
			t.Fatalf("io.Copy to UDP: %d, %v", n, err)
		}
		buf := make([]byte, 64)
		if n, err := b.Recv(buf, SecondsToInterval(5)); err != nil || string(buf[:n]) != "one datagram" {
			t.Fatalf("received %q, %v", buf[:n], err)
		}
	})
	t.Run("closed", func(t *testing.T) {
		s := newTestSocket(t, AFInet, DescSocketTCP)
		s.Close()
		_, err := s.ReadFrom(strings.NewReader("x"))
		wantCode(t, "ReadFrom after Close", err, BadDescriptorError)
		_, err = s.WriteTo(io.Discard)
		wantCode(t, "WriteTo after Close", err, BadDescriptorError)
	})
}

// TestReadFromFileDeadline checks that the view's write deadline bounds a
// sendfile copy: a deadline already past fails at once with nothing sent,
// and one that passes while the peer does not read returns the count sent,
// which the peer then reads exactly.
func TestReadFromFileDeadline(t *testing.T) {
	data := randomBytes(32<<20, 32)
	f := testFile(t, data)
	client, server := connectedPair(t, AFInet)
	c := client.Conn()
	c.SetWriteDeadline(time.Now().Add(-time.Second))
	if n, err := io.Copy(c, f); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("io.Copy past the deadline: %d, %v", n, err)
	}
	c.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
	n, err := io.Copy(c, f)
	if n <= 0 || n >= int64(len(data)) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("io.Copy to a peer that does not read: %d, %v; want a part and a timeout", n, err)
	}
	if pos, _ := f.Seek(0, io.SeekCurrent); pos != n {
		t.Errorf("file offset %d, want %d, the count sent", pos, n)
	}
	client.Shutdown(ShutdownSend)
	if b := received(t, drain(server)); !bytes.Equal(b, data[:n]) {
		t.Fatalf("the peer read %d bytes, want the %d reported", len(b), n)
	}
}

// TestReadFromCloseMidTransfer closes the socket while io.Copy from a file
// waits for the peer: it returns at once with net.ErrClosed.
func TestReadFromCloseMidTransfer(t *testing.T) {
	f := testFile(t, randomBytes(32<<20, 33))
	client, _ := connectedPair(t, AFInet)
	time.AfterFunc(200*time.Millisecond, func() { client.Close() })
	n, err := io.Copy(client, f)
	if n <= 0 || !errors.Is(err, net.ErrClosed) {
		t.Fatalf("io.Copy closed under it: %d, %v", n, err)
	}
}
