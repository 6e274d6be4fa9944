//go:build linux || darwin || freebsd

package nspr

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The tests of Writev, SendFile, TransmitFile and Available. Some replace
// the system-call hooks to count the calls that ran (the proof that the
// fast path did), so none runs in parallel.

// countSendmsg counts the calls through sysSendmsg until the end of the
// test.
func countSendmsg(t *testing.T) *int {
	n, raw := new(int), sysSendmsg
	hook(t, &sysSendmsg, func(fd int, msg *unix.Msghdr, iov []unix.Iovec) (int, syscall.Errno) {
		*n++
		return raw(fd, msg, iov)
	})
	return n
}

// TestSendFileByteExact sends header, file range and trailer for ranges and
// buffers on both sides of a page boundary, over TCP and Unix sockets, and
// checks the bytes, the count, that sendfile(2) ran and that the file's
// offset did not move.
func TestSendFileByteExact(t *testing.T) {
	const page = 4096
	data := randomBytes(3*page+123, 1)
	hdr, trl := randomBytes(page+1, 2), randomBytes(page-1, 3)
	cases := []struct {
		name          string
		off, n        int64
		header, trail []byte
	}{
		{"whole", 0, 0, nil, nil},
		{"whole+header+trailer", 0, 0, hdr, trl},
		{"across-page", page - 1, 2, hdr[:7], trl[:5]},
		{"from-page-to-end", page, 0, nil, trl},
		{"tail-1", int64(len(data)) - 1, 0, hdr, nil},
		{"empty-range", int64(len(data)), 0, hdr, trl},
		{"one-byte-file-part", 0, 1, nil, nil},
	}
	for _, family := range []Family{AFInet, AFLocal} {
		for _, tc := range cases {
			t.Run(family.String()+"/"+tc.name, func(t *testing.T) {
				calls := countSendfile(t)
				f := testFile(t, data)
				client, server := connectedPair(t, family)
				got := drain(server)
				n, err := client.SendFile(SendFileData{File: f, FileOffset: tc.off, FileNbytes: tc.n, Header: tc.header, Trailer: tc.trail},
					TransmitFileKeepOpen, SecondsToInterval(20))
				end := int64(len(data))
				if tc.n > 0 {
					end = tc.off + tc.n
				}
				want := append(append(append([]byte{}, tc.header...), data[tc.off:end]...), tc.trail...)
				if err != nil || n != int64(len(want)) {
					t.Fatalf("SendFile: %d, %v; want %d", n, err, len(want))
				}
				client.Shutdown(ShutdownSend)
				if b := received(t, got); !bytes.Equal(b, want) {
					t.Fatalf("received %d bytes (sha256 %x), want %d (sha256 %x)", len(b), sha256.Sum256(b), len(want), sha256.Sum256(want))
				}
				if end > tc.off && *calls == 0 {
					t.Error("sendfile(2) never ran")
				}
				if pos, _ := f.Seek(0, io.SeekCurrent); pos != 0 {
					t.Errorf("the file's offset moved to %d", pos)
				}
			})
		}
	}
}

// TestTransmitFile checks PR_TransmitFile: headers and the whole file, and
// the socket closed after a full success with TransmitFileCloseSocket.
func TestTransmitFile(t *testing.T) {
	data := randomBytes(100_000, 4)
	f := testFile(t, data)
	client, server := connectedPair(t, AFInet)
	got := drain(server)
	n, err := client.TransmitFile(f, []byte("HEAD"), TransmitFileCloseSocket, SecondsToInterval(20))
	if err != nil || n != int64(len(data))+4 {
		t.Fatalf("TransmitFile: %d, %v", n, err)
	}
	if b := received(t, got); !bytes.Equal(b, append([]byte("HEAD"), data...)) {
		t.Fatalf("received %d bytes, want %d", len(b), len(data)+4)
	}
	_, err = client.Send([]byte("x"), IntervalNoWait)
	wantCode(t, "Send after TransmitFileCloseSocket", err, BadDescriptorError)
}

// TestSendFileErrors checks each bad argument and the codes NSPR reports
// (bench/c/sendfile_probe.c checks them against the original).
func TestSendFileErrors(t *testing.T) {
	f := testFile(t, []byte("0123456789"))
	closedFile := testFile(t, []byte("x"))
	closedFile.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	dir, err := os.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	udp := newTestSocket(t, AFInet, DescSocketUDP)
	closed := newTestSocket(t, AFInet, DescSocketTCP)
	closed.Close()
	nonblocking, _ := connectedPair(t, AFInet)
	if err := nonblocking.SetNonblocking(true); err != nil {
		t.Fatal(err)
	}
	client, _ := connectedPair(t, AFInet)
	cases := []struct {
		name  string
		s     *Socket
		sfd   SendFileData
		flags TransmitFileFlags
		code  ErrorCode
	}{
		{"udp", udp, SendFileData{File: f}, 0, InvalidMethodError},
		{"nonblocking", nonblocking, SendFileData{File: f}, 0, InvalidArgumentError},
		{"closed-socket", closed, SendFileData{File: f}, 0, BadDescriptorError},
		{"nil-socket", nil, SendFileData{File: f}, 0, BadDescriptorError},
		{"nil-file", client, SendFileData{}, 0, InvalidArgumentError},
		{"closed-file", client, SendFileData{File: closedFile}, 0, BadDescriptorError},
		{"directory", client, SendFileData{File: dir, FileNbytes: 5}, 0, InvalidArgumentError},
		{"pipe", client, SendFileData{File: pr, FileNbytes: 5}, 0, InvalidMethodError},
		{"offset-past-end", client, SendFileData{File: f, FileOffset: 11}, 0, InvalidArgumentError},
		{"range-past-end", client, SendFileData{File: f, FileOffset: 4, FileNbytes: 7}, 0, InvalidArgumentError},
		{"negative-offset", client, SendFileData{File: f, FileOffset: -1}, 0, InvalidArgumentError},
		{"negative-length", client, SendFileData{File: f, FileNbytes: -1}, 0, InvalidArgumentError},
		{"unknown-flags", client, SendFileData{File: f}, 2, InvalidArgumentError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := tc.s.SendFile(tc.sfd, tc.flags, SecondsToInterval(1))
			if n != 0 {
				t.Errorf("sent %d bytes before failing", n)
			}
			wantCode(t, "SendFile", err, tc.code)
		})
	}
	if n, err := client.TransmitFile(nil, nil, 0, SecondsToInterval(1)); n != 0 {
		t.Errorf("TransmitFile(nil): %d, %v", n, err)
	} else {
		wantCode(t, "TransmitFile(nil)", err, InvalidArgumentError)
	}
}

// TestSendFileTimeoutReturnsCount fills a peer that does not read: SendFile
// returns PR_IO_TIMEOUT_ERROR with the count sent, leaves the socket open
// despite TransmitFileCloseSocket, and the peer then reads exactly that
// many bytes, the first ones of the data.
func TestSendFileTimeoutReturnsCount(t *testing.T) {
	data := randomBytes(32<<20, 5)
	f := testFile(t, data)
	client, server := connectedPair(t, AFInet)
	hdr := []byte("header")
	n, err := client.SendFile(SendFileData{File: f, Header: hdr}, TransmitFileCloseSocket, MillisecondsToInterval(300))
	wantCode(t, "SendFile to a full peer", err, IOTimeoutError)
	if n <= int64(len(hdr)) || n >= int64(len(data)+len(hdr)) {
		t.Fatalf("sent %d of %d bytes; want a part past the header", n, len(data)+len(hdr))
	}
	if err := client.Shutdown(ShutdownSend); err != nil {
		t.Fatalf("the socket was closed after a failed SendFile: %v", err)
	}
	want := append(append([]byte{}, hdr...), data...)[:n]
	if b := received(t, drain(server)); !bytes.Equal(b, want) {
		t.Fatalf("the peer read %d bytes, want the %d reported, equal", len(b), n)
	}
}

// TestSendFileCloseMidTransfer closes the socket while SendFile waits for
// the peer: it returns at once with net.ErrClosed and the count sent.
func TestSendFileCloseMidTransfer(t *testing.T) {
	f := testFile(t, randomBytes(32<<20, 6))
	client, _ := connectedPair(t, AFInet)
	time.AfterFunc(200*time.Millisecond, func() { client.Close() })
	start := time.Now()
	n, err := client.SendFile(SendFileData{File: f}, TransmitFileKeepOpen, IntervalNoTimeout)
	if !errors.Is(err, net.ErrClosed) || n <= 0 {
		t.Fatalf("SendFile closed under it: %d, %v; want a count and net.ErrClosed", n, err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("returned %v after the close", d)
	}
}

// TestSendFileSparseGiB sends 1 GiB of a sparse file with data at both ends
// and around a page boundary in the middle, compares checksums, and sends
// a range from an offset past 2^32 of a larger sparse file, which NSPR's
// 32-bit offset cannot reach.
func TestSendFileSparseGiB(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sparse")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const size = 1 << 30
	islands := map[int64][]byte{0: randomBytes(5000, 7), size/2 - 2048: randomBytes(4096, 8), size - 3000: randomBytes(3000, 9), 5<<30 + 1: []byte("past 32 bits")}
	for off, p := range islands {
		if _, err := f.WriteAt(p, off); err != nil {
			t.Skipf("no sparse file of 5 GiB here: %v", err)
		}
	}
	sumOf := func(off, n int64) [32]byte {
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(f, off, n)); err != nil {
			t.Fatal(err)
		}
		return [32]byte(h.Sum(nil))
	}
	for _, tc := range []struct{ off, n int64 }{{0, size}, {5 << 30, 13}} {
		client, server := connectedPair(t, AFInet)
		sum := make(chan [32]byte, 1)
		go func() {
			h := sha256.New()
			io.Copy(h, server)
			sum <- [32]byte(h.Sum(nil))
		}()
		n, err := client.SendFile(SendFileData{File: f, FileOffset: tc.off, FileNbytes: tc.n}, TransmitFileKeepOpen, SecondsToInterval(120))
		if err != nil || n != tc.n {
			t.Fatalf("SendFile(%d, %d): %d, %v", tc.off, tc.n, n, err)
		}
		client.Shutdown(ShutdownSend)
		select {
		case got := <-sum:
			if want := sumOf(tc.off, tc.n); got != want {
				t.Fatalf("range %d+%d: received sha256 %x, want %x", tc.off, tc.n, got, want)
			}
		case <-time.After(120 * time.Second):
			t.Fatal("the receiver did not finish")
		}
	}
}

// TestWritevByteExact sends vectors of every shape (empty buffers, more
// buffers than one sendmsg(2) takes) and checks the bytes and the calls.
func TestWritevByteExact(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 10))
	vector := func(count, maxLen int) [][]byte {
		bufs := make([][]byte, count)
		for i := range bufs {
			bufs[i] = randomBytes(r.IntN(maxLen+1), uint64(i))
		}
		return bufs
	}
	cases := []struct {
		name     string
		bufs     [][]byte
		maxCalls int // sendmsg(2) calls when the peer keeps up; 0: do not check
	}{
		{"none", nil, 1},
		{"empty-buffers", [][]byte{{}, {}, {}}, 1},
		{"16x64", vector16x64(), 1},
		{"one-group", vector(maxIOV, 64), 1},
		{"three-groups", vector(2*maxIOV+5, 64), 3},
		{"large", vector(40, 200_000), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls := countSendmsg(t)
			client, server := connectedPair(t, AFInet)
			got := drain(server)
			n, err := client.Writev(tc.bufs, SecondsToInterval(20))
			want := bytes.Join(tc.bufs, nil)
			if err != nil || n != len(want) {
				t.Fatalf("Writev: %d, %v; want %d", n, err, len(want))
			}
			client.Shutdown(ShutdownSend)
			if b := received(t, got); !bytes.Equal(b, want) {
				t.Fatalf("received %d bytes, want %d", len(b), len(want))
			}
			if *calls == 0 || tc.maxCalls > 0 && *calls > tc.maxCalls {
				t.Errorf("%d sendmsg(2) calls, want 1 to %d", *calls, tc.maxCalls)
			}
		})
	}
}

func vector16x64() [][]byte {
	bufs := make([][]byte, 16)
	for i := range bufs {
		bufs[i] = bytes.Repeat([]byte{byte('a' + i)}, 64)
	}
	return bufs
}

// TestWritevShortAndErrors checks a Writev cut short by a timeout (the
// count sent, which the peer then reads exactly), a non-blocking partial
// send, and the UDP limits.
func TestWritevShortAndErrors(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		client, server := connectedPair(t, AFInet)
		bufs := [][]byte{randomBytes(20<<20, 11), randomBytes(20<<20, 12)}
		n, err := client.Writev(bufs, MillisecondsToInterval(300))
		wantCode(t, "Writev to a full peer", err, IOTimeoutError)
		if n <= 0 || n >= 40<<20 {
			t.Fatalf("sent %d bytes; want a part", n)
		}
		client.Shutdown(ShutdownSend)
		if b := received(t, drain(server)); !bytes.Equal(b, bytes.Join(bufs, nil)[:n]) {
			t.Fatalf("the peer read %d bytes, want the %d reported", len(b), n)
		}
	})
	t.Run("nonblocking", func(t *testing.T) {
		client, _ := connectedPair(t, AFInet)
		client.SetNonblocking(true)
		n, err := client.Writev([][]byte{make([]byte, 20<<20), make([]byte, 20<<20)}, IntervalNoTimeout)
		if err != nil || n <= 0 || n >= 40<<20 {
			t.Fatalf("non-blocking Writev: %d, %v; want a partial count and no error", n, err)
		}
		n, err = client.Writev([][]byte{make([]byte, 1<<20)}, IntervalNoTimeout)
		if n != 0 {
			t.Fatalf("Writev to a full socket: %d, %v", n, err)
		}
		wantCode(t, "non-blocking Writev to a full socket", err, WouldBlockError)
	})
	t.Run("udp", func(t *testing.T) {
		a, b, _, bAddr := nsprUDPPair(t)
		if err := a.Connect(bAddr, SecondsToInterval(1)); err != nil {
			t.Fatal(err)
		}
		if n, err := a.Writev([][]byte{[]byte("one "), []byte("datagram")}, SecondsToInterval(1)); err != nil || n != 12 {
			t.Fatalf("Writev on UDP: %d, %v", n, err)
		}
		buf := make([]byte, 64)
		if n, err := b.Recv(buf, SecondsToInterval(5)); err != nil || string(buf[:n]) != "one datagram" {
			t.Fatalf("received %q, %v", buf[:n], err)
		}
		_, err := a.Writev(make([][]byte, maxIOV+1), SecondsToInterval(1))
		wantCode(t, "Writev of 1,025 buffers on UDP", err, InvalidArgumentError)
		_, err = a.Writev([][]byte{make([]byte, 65000), make([]byte, 508)}, SecondsToInterval(1))
		wantCode(t, "Writev of 65,508 bytes on UDP", err, InvalidArgumentError)
	})
	t.Run("closed", func(t *testing.T) {
		s := newTestSocket(t, AFInet, DescSocketTCP)
		s.Close()
		_, err := s.Writev([][]byte{[]byte("x")}, IntervalNoWait)
		wantCode(t, "Writev after Close", err, BadDescriptorError)
		var nilSocket *Socket
		_, err = nilSocket.Writev(nil, IntervalNoWait)
		wantCode(t, "Writev on nil", err, BadDescriptorError)
	})
}

// TestConnWriteBuffers checks that a net.Buffers goes out in one sendmsg(2)
// through the view, is consumed as net.Buffers.WriteTo consumes it, and
// honours the write deadline.
func TestConnWriteBuffers(t *testing.T) {
	calls := countSendmsg(t)
	client, server := connectedPair(t, AFInet)
	got := drain(server)
	bufs := net.Buffers(vector16x64())
	want := bytes.Join(bufs, nil)
	c := client.Conn()
	if n, err := c.WriteBuffers(&bufs); err != nil || n != int64(len(want)) || len(bufs) != 0 {
		t.Fatalf("WriteBuffers: %d, %v, %d buffers left", n, err, len(bufs))
	}
	if *calls != 1 {
		t.Errorf("%d sendmsg(2) calls, want 1", *calls)
	}
	c.SetWriteDeadline(time.Now().Add(-time.Second))
	more := net.Buffers{[]byte("late")}
	n, err := c.WriteBuffers(&more)
	if n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) || len(more) != 1 {
		t.Errorf("WriteBuffers past the deadline: %d, %v, %d buffers left", n, err, len(more))
	}
	c.SetWriteDeadline(time.Time{})
	client.Shutdown(ShutdownSend)
	if b := received(t, got); !bytes.Equal(b, want) {
		t.Fatalf("received %d bytes, want %d", len(b), len(want))
	}
	partial := net.Buffers{[]byte("abc"), []byte("def")}
	consumeBuffers(&partial, 4)
	if len(partial) != 1 || string(partial[0]) != "ef" {
		t.Errorf("consumeBuffers(4) left %q", partial)
	}
}
