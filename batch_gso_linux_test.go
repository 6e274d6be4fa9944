package nspr

import (
	"bytes"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sendmmsgLog records the messages of each sendmmsg: how many datagrams
// (I/O vectors) each carried and whether it had a UDP_SEGMENT message.
type sendmmsgLog struct {
	calls [][]int // per call, the datagrams of each message; negative: no UDP_SEGMENT on a run
}

// hookSendmmsg replaces sysSendmmsg for the test with fault (nil: the real
// call) and logs every call.
func hookSendmmsg(t *testing.T, fault func(call int, fd int, hdrs []unix.Mmsghdr) (int, syscall.Errno)) *sendmmsgLog {
	t.Helper()
	orig := sysSendmmsg
	t.Cleanup(func() { sysSendmmsg = orig })
	log := &sendmmsgLog{}
	sysSendmmsg = func(fd int, hdrs []unix.Mmsghdr) (int, syscall.Errno) {
		var msgs []int
		for _, h := range hdrs {
			n := int(h.Hdr.Iovlen)
			if n > 1 && h.Hdr.Control == nil {
				n = -n
			}
			msgs = append(msgs, n)
		}
		log.calls = append(log.calls, msgs)
		if fault != nil {
			return fault(len(log.calls), fd, hdrs)
		}
		return orig(fd, hdrs)
	}
	return log
}

// hookRecvmmsg counts recvmmsg calls for the test.
func hookRecvmmsg(t *testing.T) *int {
	t.Helper()
	orig := sysRecvmmsg
	t.Cleanup(func() { sysRecvmmsg = orig })
	calls := new(int)
	sysRecvmmsg = func(fd int, hdrs []unix.Mmsghdr) (int, syscall.Errno) {
		*calls++
		return orig(fd, hdrs)
	}
	return calls
}

// datagramsOf returns one datagram per size to addr, each filled with a
// pattern of its own (index and offset), so a shifted boundary shows.
func datagramsOf(sizes []int, addr NetworkAddress) []Datagram {
	msgs := make([]Datagram, len(sizes))
	for i, n := range sizes {
		buf := make([]byte, n)
		for j := range buf {
			buf[j] = byte(i*7 + j)
		}
		msgs[i] = Datagram{Buf: buf, Addr: addr}
	}
	return msgs
}

// repeatSizes returns n copies of size.
func repeatSizes(n, size int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = size
	}
	return s
}

// primeGRO makes s's first batch receive, which turns UDP_GRO on, before
// anything is sent to it.
func primeGRO(t *testing.T, s *Socket, on bool) {
	t.Helper()
	if !on {
		if err := s.SetUDPOffload(false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.RecvFromBatch(batchOf(1, 1, NetworkAddress{}), IntervalNoWait); ErrorCodeOf(err) != IOTimeoutError {
		t.Fatalf("RecvFromBatch on an empty socket: %v, want PR_IO_TIMEOUT_ERROR", err)
	}
	if got := s.rd.batchOrNil().coalesces(); got != on {
		t.Fatalf("GRO on = %v, want %v", got, on)
	}
}

// expectDatagrams receives len(want) datagrams on s with batches of slots
// and checks each byte for byte, in order, with its sender.
func expectDatagrams(t *testing.T, s *Socket, want []Datagram, from NetworkAddress, slots int) {
	t.Helper()
	got := 0
	recv := make([]Datagram, slots)
	for i := range recv {
		recv[i].Buf = make([]byte, 2000)
	}
	for calls := 0; got < len(want); calls++ {
		if calls > len(want) {
			t.Fatalf("%d calls for %d datagrams", calls, len(want))
		}
		n, err := s.RecvFromBatch(recv[:min(slots, len(want)-got)], SecondsToInterval(5))
		if err != nil {
			t.Fatalf("RecvFromBatch after %d of %d datagrams: %v", got, len(want), err)
		}
		for _, d := range recv[:n] {
			w := want[got].Buf
			if d.N != len(w) || !bytes.Equal(d.Buf[:d.N], w) || d.Addr != from {
				t.Fatalf("datagram %d: %d bytes from %v, want %d bytes from %v (equal: %v)",
					got, d.N, d.Addr, len(w), from, bytes.Equal(d.Buf[:min(d.N, len(w))], w[:min(d.N, len(w))]))
			}
			got++
		}
	}
	if n, err := s.RecvFromBatch(recv, IntervalNoWait); n != 0 || err == nil {
		t.Fatalf("%d datagrams more than sent (%v)", n, err)
	}
}

// SendToBatch groups runs of equal datagrams to one destination into one
// UDP_SEGMENT message, and the receiver sees the same datagrams with GRO on
// and off.
func TestBatchGSORuns(t *testing.T) {
	tests := []struct {
		name    string
		sizes   []int
		dest    []int // receiver of each datagram (0 or 1); nil: all to 0
		offload bool
		want    []int // datagrams of each message of the one sendmmsg
	}{
		{"32 equal datagrams are one message", repeatSizes(32, 1200), nil, true, []int{32}},
		{"the last of a run may be shorter", append(repeatSizes(10, 1200), 500), nil, true, []int{11}},
		{"a shorter one ends the run", []int{1200, 1200, 500, 1200, 1200}, nil, true, []int{3, 2}},
		{"a longer one starts a run", []int{100, 200, 300, 300}, nil, true, []int{1, 1, 2}},
		{"at most 64 a message", repeatSizes(100, 100), nil, true, []int{64, 36}},
		{"at most 65,507 bytes a message", repeatSizes(60, 1200), nil, true, []int{54, 6}},
		{"empty datagrams stand alone", []int{10, 0, 10, 10, 0}, nil, true, []int{1, 1, 2, 1}},
		{"alternating destinations", repeatSizes(4, 64), []int{0, 1, 0, 1}, true, []int{1, 1, 1, 1}},
		{"runs per destination", repeatSizes(8, 64), []int{0, 0, 0, 1, 1, 1, 1, 0}, true, []int{3, 4, 1}},
		{"offload off", repeatSizes(32, 1200), nil, false, repeatSizes(32, 1)},
	}
	for _, tt := range tests {
		for _, gro := range []bool{true, false} {
			name := tt.name + "/GRO off"
			if gro {
				name = tt.name + "/GRO on"
			}
			t.Run(name, func(t *testing.T) {
				a, b, aAddr, bAddr := nsprUDPPair(t)
				c := newTestSocket(t, AFInet, DescSocketUDP)
				if err := c.Bind(loopback(AFInet, 0)); err != nil {
					t.Fatal(err)
				}
				cAddr, _ := c.SockName()
				for _, s := range []*Socket{b, c} {
					s.SetRecvBufferSize(4 << 20)
					primeGRO(t, s, gro)
				}
				if !tt.offload {
					if err := a.SetUDPOffload(false); err != nil {
						t.Fatal(err)
					}
				}
				msgs := datagramsOf(tt.sizes, bAddr)
				var toB, toC []Datagram
				for i := range msgs {
					if tt.dest != nil && tt.dest[i] == 1 {
						msgs[i].Addr = cAddr
						toC = append(toC, msgs[i])
					} else {
						toB = append(toB, msgs[i])
					}
				}
				log := hookSendmmsg(t, nil)
				n, err := a.SendToBatch(msgs, SecondsToInterval(5))
				if err != nil || n != len(msgs) {
					t.Fatalf("SendToBatch = %d, %v; want %d, nil", n, err, len(msgs))
				}
				if len(log.calls) != 1 || !slices.Equal(log.calls[0], tt.want) {
					t.Fatalf("sendmmsg calls %v, want one of %v", log.calls, tt.want)
				}
				for i, m := range msgs {
					if m.N != len(m.Buf) {
						t.Fatalf("msgs[%d].N = %d, want %d", i, m.N, len(m.Buf))
					}
				}
				expectDatagrams(t, b, toB, aAddr, 16)
				expectDatagrams(t, c, toC, aAddr, 16)
			})
		}
	}
}

// With GRO on, a run of 32 arrives with one recvmmsg, and callers with
// fewer slots get the rest without another system call, RecvFrom and Recv
// included.
func TestBatchGROSplitsRuns(t *testing.T) {
	a, b, aAddr, bAddr := nsprUDPPair(t)
	primeGRO(t, b, true)
	msgs := datagramsOf(repeatSizes(32, 1200), bAddr)
	if n, err := a.SendToBatch(msgs, SecondsToInterval(5)); err != nil || n != 32 {
		t.Fatalf("SendToBatch = %d, %v", n, err)
	}
	calls := hookRecvmmsg(t)
	recv := batchOf(32, 1500, NetworkAddress{})
	n, err := b.RecvFromBatch(recv, SecondsToInterval(5))
	if err != nil || n != 32 || *calls != 1 {
		t.Fatalf("RecvFromBatch = %d, %v after %d recvmmsg; want 32 after 1", n, err, *calls)
	}
	for i := range n {
		if !bytes.Equal(recv[i].Buf[:recv[i].N], msgs[i].Buf) || recv[i].Addr != aAddr {
			t.Fatalf("datagram %d differs", i)
		}
	}

	// Leftovers of a run come first, in any receive call, with no system call.
	if _, err := a.SendToBatch(msgs, SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	*calls = 0
	next := 0
	check := func(what string, p []byte, n int, from NetworkAddress) {
		t.Helper()
		if !bytes.Equal(p[:n], msgs[next].Buf) || from != aAddr {
			t.Fatalf("%s: datagram %d differs (%d bytes from %v)", what, next, n, from)
		}
		next++
	}
	if n, err := b.RecvFromBatch(recv[:5], SecondsToInterval(5)); err != nil || n != 5 {
		t.Fatalf("RecvFromBatch of 5 = %d, %v", n, err)
	}
	for i := range 5 {
		check("RecvFromBatch", recv[i].Buf, recv[i].N, recv[i].Addr)
	}
	// The kernel's queue is empty, but Poll sees what is left of the run.
	if out, err := Poll([]PollDesc{{Socket: b, InFlags: PollRead}}, IntervalNoWait); err != nil || out[0]&PollRead == 0 {
		t.Fatalf("Poll with datagrams left of a run = %v, %v; want PR_POLL_READ", out, err)
	}
	p := make([]byte, 1500)
	n, from, err := b.RecvFrom(p, IntervalNoWait)
	if err != nil {
		t.Fatal(err)
	}
	check("RecvFrom", p, n, from)
	if n, err := b.Recv(p, IntervalNoWait); err != nil {
		t.Fatal(err)
	} else {
		check("Recv", p, n, aAddr)
	}
	if d, err := b.ReadSize(1500, IntervalNoWait); err != nil {
		t.Fatal(err)
	} else {
		check("ReadSize", d, len(d), aAddr)
	}
	short := make([]byte, 100) // truncated, as recvfrom(2) truncates
	if n, _, err := b.RecvFrom(short, IntervalNoWait); err != nil || n != 100 || !bytes.Equal(short, msgs[next].Buf[:100]) {
		t.Fatalf("RecvFrom into 100 bytes = %d, %v", n, err)
	}
	next++
	for next < 32 {
		n, err := b.RecvFromBatch(recv[:7], IntervalNoWait)
		if err != nil {
			t.Fatalf("after %d datagrams: %v", next, err)
		}
		for i := range n {
			check("RecvFromBatch", recv[i].Buf, recv[i].N, recv[i].Addr)
		}
	}
	if *calls != 1 {
		t.Errorf("%d recvmmsg calls for one run, want 1", *calls)
	}
	if out, err := Poll([]PollDesc{{Socket: b, InFlags: PollRead}}, IntervalNoWait); err != nil || out[0]&PollRead != 0 {
		t.Fatalf("Poll with the run handed out = %v, %v; want not readable", out, err)
	}
}

// A socket holds a run buffer (groSpace, 513 KiB) only while datagrams of
// the runs it received are left to hand out: not while it waits, not once
// the runs are handed out, not once it is closed, so that many sockets with
// GRO on keep a buffer each only while they have datagrams to hand out.
func TestBatchGROSpaceHeldOnlyWithLeftovers(t *testing.T) {
	a, b, _, bAddr := nsprUDPPair(t)
	primeGRO(t, b, true)
	held := func() bool { return b.rd.batchOrNil().sys.runs.space != nil }
	if held() {
		t.Fatal("a run buffer held after a receive that found nothing")
	}
	msgs := datagramsOf(repeatSizes(32, 1200), bAddr)
	if n, err := a.SendToBatch(msgs, SecondsToInterval(5)); err != nil || n != 32 {
		t.Fatalf("SendToBatch = %d, %v", n, err)
	}
	recv := batchOf(32, 1500, NetworkAddress{})
	if n, err := b.RecvFromBatch(recv[:5], SecondsToInterval(5)); err != nil || n != 5 {
		t.Fatalf("RecvFromBatch of 5 = %d, %v", n, err)
	}
	if !held() {
		t.Fatal("no run buffer held with 27 datagrams of the run left")
	}
	if n, err := b.RecvFromBatch(recv, IntervalNoWait); err != nil || n != 27 {
		t.Fatalf("RecvFromBatch of the rest = %d, %v; want 27", n, err)
	}
	if held() {
		t.Fatal("a run buffer held with the runs handed out")
	}

	// Closed with datagrams of a run unread, the socket gives the buffer
	// back: no call can read them any more.
	if n, err := a.SendToBatch(msgs, SecondsToInterval(5)); err != nil || n != 32 {
		t.Fatalf("SendToBatch = %d, %v", n, err)
	}
	if n, err := b.RecvFromBatch(recv[:5], SecondsToInterval(5)); err != nil || n != 5 || !held() {
		t.Fatalf("RecvFromBatch of 5 = %d, %v, run buffer held %v; want 5, nil, true", n, err, held())
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if held() {
		t.Fatal("a run buffer held by a closed socket")
	}
}

// Sockets with GRO on that received a batch and handed it out keep no run
// buffer, not even through a pointer left behind: a hundred of them hold far
// less than a hundred buffers. The heap is read after two collections, which
// empty the pool the buffers go back to (what the pool keeps is the
// runtime's to decide); each socket receives after two more, so that each
// gets a buffer of its own, as sockets of a busy server would.
func TestBatchGROSpaceShared(t *testing.T) {
	const sockets = 100
	a, _, _, _ := nsprUDPPair(t)
	var before, after runtime.MemStats
	heap := func(m *runtime.MemStats) {
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(m)
	}
	heap(&before)
	recv := batchOf(8, 1500, NetworkAddress{})
	for range sockets {
		b, to := boundUDP(t)
		heap(&after) // the pool emptied: this socket's buffer is a new one
		primeGRO(t, b, true)
		if _, err := a.SendTo([]byte("x"), to, SecondsToInterval(5)); err != nil {
			t.Fatal(err)
		}
		if n, err := b.RecvFromBatch(recv, SecondsToInterval(5)); err != nil || n != 1 {
			t.Fatalf("RecvFromBatch = %d, %v", n, err)
		}
	}
	heap(&after)
	const most = sockets * unsafe.Sizeof(groSpace{}) / 10
	if grown := after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc); grown > uint64(most) {
		t.Errorf("%d sockets that received a batch with GRO hold %d KiB more heap, want at most %d KiB",
			sockets, grown>>10, most>>10)
	}
}

// EIO (no checksum offload on the device) and EINVAL (a segment the path
// cannot carry) on a UDP_SEGMENT message: the socket sends a datagram a
// message from then on, and nothing is lost. Other errors are reported.
func TestBatchGSOFallback(t *testing.T) {
	tests := []struct {
		name      string
		errno     syscall.Errno
		wantCalls [][]int
		wantCode  ErrorCode // 0: all sent
	}{
		{"EIO", syscall.EIO, [][]int{{8}, {1, 1, 1, 1, 1, 1, 1, 1}}, 0},
		{"EINVAL", syscall.EINVAL, [][]int{{8}, {1, 1, 1, 1, 1, 1, 1, 1}}, 0},
		{"ENOBUFS is an error", syscall.ENOBUFS, [][]int{{8}}, InsufficientResourcesError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b, aAddr, bAddr := nsprUDPPair(t)
			log := hookSendmmsg(t, func(call, fd int, hdrs []unix.Mmsghdr) (int, syscall.Errno) {
				if hdrs[0].Hdr.Control != nil {
					return 0, tt.errno
				}
				return rawSendmmsg(fd, hdrs)
			})
			msgs := datagramsOf(repeatSizes(8, 1200), bAddr)
			n, err := a.SendToBatch(msgs, SecondsToInterval(5))
			if !slices.Equal(flatten(log.calls), flatten(tt.wantCalls)) || len(log.calls) != len(tt.wantCalls) {
				t.Fatalf("sendmmsg calls %v, want %v", log.calls, tt.wantCalls)
			}
			if tt.wantCode != 0 {
				if n != 0 {
					t.Errorf("sent %d, want 0", n)
				}
				wantCode(t, tt.name, err, tt.wantCode)
				return
			}
			if err != nil || n != 8 {
				t.Fatalf("SendToBatch = %d, %v; want 8, nil", n, err)
			}
			expectDatagrams(t, b, msgs, aAddr, 16)
			// The socket stays on single messages.
			log.calls = nil
			if n, err := a.SendToBatch(msgs[:2], SecondsToInterval(5)); err != nil || n != 2 {
				t.Fatalf("second SendToBatch = %d, %v", n, err)
			}
			if len(log.calls) != 1 || !slices.Equal(log.calls[0], []int{1, 1}) {
				t.Fatalf("second SendToBatch: sendmmsg calls %v, want [[1 1]]", log.calls)
			}
			expectDatagrams(t, b, msgs[:2], aAddr, 16)
		})
	}
}

func flatten(calls [][]int) []int {
	var all []int
	for _, c := range calls {
		all = append(all, c...)
	}
	return all
}

// A short sendmmsg counts the datagrams of the messages that went, and the
// rest follow from the first datagram not sent.
func TestBatchGSOShortSend(t *testing.T) {
	a, b, aAddr, bAddr := nsprUDPPair(t)
	log := hookSendmmsg(t, func(call, fd int, hdrs []unix.Mmsghdr) (int, syscall.Errno) {
		if call == 1 {
			return rawSendmmsg(fd, hdrs[:1])
		}
		return rawSendmmsg(fd, hdrs)
	})
	msgs := datagramsOf(append(repeatSizes(4, 200), repeatSizes(4, 300)...), bAddr)
	n, err := a.SendToBatch(msgs, SecondsToInterval(5))
	if err != nil || n != 8 {
		t.Fatalf("SendToBatch = %d, %v", n, err)
	}
	if len(log.calls) != 2 || !slices.Equal(log.calls[0], []int{4, 4}) || !slices.Equal(log.calls[1], []int{4}) {
		t.Fatalf("sendmmsg calls %v, want [[4 4] [4]]", log.calls)
	}
	expectDatagrams(t, b, msgs, aAddr, 16)
}

// Where getsockopt(UDP_SEGMENT) and getsockopt(UDP_GRO) fail (a Unix-domain
// datagram socket), the batch calls send and receive a datagram a message.
func TestBatchOffloadUnsupported(t *testing.T) {
	dir := t.TempDir()
	var socks [2]*Socket
	var addrs [2]NetworkAddress
	for i := range socks {
		socks[i] = newTestSocket(t, AFLocal, DescSocketUDP)
		addr, err := NewNetworkAddress(filepath.Join(dir, string(rune('a'+i))), 0, AFLocal)
		if err != nil {
			t.Fatal(err)
		}
		if err := socks[i].Bind(addr); err != nil {
			t.Fatal(err)
		}
		addrs[i] = addr
	}
	if _, err := socks[1].RecvFromBatch(batchOf(1, 1, NetworkAddress{}), IntervalNoWait); ErrorCodeOf(err) != IOTimeoutError {
		t.Fatalf("RecvFromBatch on an empty socket: %v", err)
	}
	if socks[1].rd.batchOrNil().coalesces() {
		t.Fatal("UDP_GRO is on for a Unix-domain socket")
	}
	log := hookSendmmsg(t, nil)
	msgs := datagramsOf(repeatSizes(4, 100), addrs[1])
	if n, err := socks[0].SendToBatch(msgs, SecondsToInterval(5)); err != nil || n != 4 {
		t.Fatalf("SendToBatch = %d, %v", n, err)
	}
	if len(log.calls) != 1 || !slices.Equal(log.calls[0], []int{1, 1, 1, 1}) {
		t.Fatalf("sendmmsg calls %v, want [[1 1 1 1]]", log.calls)
	}
	expectDatagrams(t, socks[1], msgs, addrs[0], 16)
}
