package nspr

import (
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/nspr-go/nspr/internal/workload"
)

// The batch calls go on after a short sendmmsg, retry on EINTR, split
// batches longer than maxBatch, and report an error with the count sent
// (a datagram a message: segmentation offload is off here).
func TestSendmmsgHook(t *testing.T) {
	orig := sysSendmmsg
	t.Cleanup(func() { sysSendmmsg = orig })
	tests := []struct {
		name      string
		count     int
		hook      func(calls int, fd int, hdrs []unix.Mmsghdr) (int, syscall.Errno)
		wantSent  int
		wantCode  ErrorCode // 0: no error
		wantCalls []int     // vlen of each sendmmsg
	}{
		{"split at maxBatch", maxBatch + 476, func(_, fd int, hdrs []unix.Mmsghdr) (int, syscall.Errno) {
			return orig(fd, hdrs)
		}, maxBatch + 476, 0, []int{maxBatch, 476}},
		{"short batch sends the rest", 10, func(calls, fd int, hdrs []unix.Mmsghdr) (int, syscall.Errno) {
			if calls == 1 {
				return orig(fd, hdrs[:3])
			}
			return orig(fd, hdrs)
		}, 10, 0, []int{10, 7}},
		{"EINTR is retried", 5, func(calls, fd int, hdrs []unix.Mmsghdr) (int, syscall.Errno) {
			if calls == 1 {
				return 0, syscall.EINTR
			}
			return orig(fd, hdrs)
		}, 5, 0, []int{5, 5}},
		{"error after some went", 6, func(calls, fd int, hdrs []unix.Mmsghdr) (int, syscall.Errno) {
			if calls == 1 {
				return orig(fd, hdrs[:2])
			}
			return 0, syscall.ENOBUFS
		}, 2, InsufficientResourcesError, []int{6, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b, _, bAddr := nsprUDPPair(t)
			if err := a.SetUDPOffload(false); err != nil {
				t.Fatal(err)
			}
			var calls []int
			sysSendmmsg = func(fd int, hdrs []unix.Mmsghdr) (int, syscall.Errno) {
				calls = append(calls, len(hdrs))
				return tt.hook(len(calls), fd, hdrs)
			}
			t.Cleanup(func() { sysSendmmsg = orig })
			msgs := batchOf(tt.count, 1, bAddr)
			n, err := a.SendToBatch(msgs, SecondsToInterval(5))
			sysSendmmsg = orig
			if n != tt.wantSent {
				t.Errorf("sent %d, want %d", n, tt.wantSent)
			}
			if tt.wantCode == 0 && err != nil {
				t.Errorf("error %v, want none", err)
			} else if tt.wantCode != 0 {
				wantCode(t, tt.name, err, tt.wantCode)
			}
			if len(calls) != len(tt.wantCalls) {
				t.Fatalf("sendmmsg calls %v, want %v", calls, tt.wantCalls)
			}
			for i := range calls {
				if calls[i] != tt.wantCalls[i] {
					t.Fatalf("sendmmsg calls %v, want %v", calls, tt.wantCalls)
				}
			}
			for i, m := range msgs {
				if want := min(1, max(0, tt.wantSent-i)); m.N != want {
					t.Fatalf("msgs[%d].N = %d, want %d", i, m.N, want)
				}
			}
			if tt.count <= 16 { // all fit in the receive queue
				if got := recvAll(t, b, tt.wantSent, 1); len(got) != tt.wantSent {
					t.Errorf("received %d, want %d", len(got), tt.wantSent)
				}
			}
		})
	}
}

func TestRecvmmsgHookRetriesEINTR(t *testing.T) {
	orig := sysRecvmmsg
	t.Cleanup(func() { sysRecvmmsg = orig })
	a, b, _, bAddr := nsprUDPPair(t)
	if _, err := a.SendToBatch(batchOf(3, 5, bAddr), SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	calls := 0
	sysRecvmmsg = func(fd int, hdrs []unix.Mmsghdr) (int, syscall.Errno) {
		calls++
		if calls == 1 {
			return 0, syscall.EINTR
		}
		return orig(fd, hdrs)
	}
	n, err := b.RecvFromBatch(batchOf(8, 5, NetworkAddress{}), SecondsToInterval(5))
	sysRecvmmsg = orig
	if err != nil || n != 3 || calls != 2 {
		t.Fatalf("RecvFromBatch = %d, %v after %d calls; want 3, nil after 2", n, err, calls)
	}
}

// benchRawBatch times BenchmarkUDPBatch's workload in raw sendmmsg(2) and
// recvmmsg(2) calls from Go on the same non-blocking sockets, with one
// destination address for every datagram: the floor for SendToBatch and
// RecvFromBatch.
func benchRawBatch(b *testing.B) {
	b.Run("impl=mmsg", func(b *testing.B) {
		tx, rx, _, to := nsprUDPPair(b)
		txFd, _ := tx.Fileno()
		rxFd, _ := rx.Fileno()
		dst := unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: to.AddrPort().Addr().As4()}
		port := (*[2]byte)(unsafe.Pointer(&dst.Port))
		port[0], port[1] = byte(to.Port()>>8), byte(to.Port())
		sends := make([]unix.Mmsghdr, workload.UDPBurst)
		recvs := make([]unix.Mmsghdr, workload.UDPBurst)
		iovs := make([]unix.Iovec, 2*workload.UDPBurst)
		froms := make([]unix.RawSockaddrAny, workload.UDPBurst)
		for i := range workload.UDPBurst {
			iovs[i].Base = &make([]byte, workload.UDPSize)[0]
			iovs[i].SetLen(workload.UDPSize)
			sends[i].Hdr.Iov, sends[i].Hdr.Iovlen = &iovs[i], 1
			sends[i].Hdr.Name, sends[i].Hdr.Namelen = (*byte)(unsafe.Pointer(&dst)), unix.SizeofSockaddrInet4
			iovs[workload.UDPBurst+i].Base = &make([]byte, 2048)[0]
			iovs[workload.UDPBurst+i].SetLen(2048)
			recvs[i].Hdr.Iov, recvs[i].Hdr.Iovlen = &iovs[workload.UDPBurst+i], 1
			recvs[i].Hdr.Name = (*byte)(unsafe.Pointer(&froms[i]))
		}
		// mmsg makes one call on fd for hdrs, waiting in poll(2) while it
		// would block.
		mmsg := func(trap uintptr, fd int, hdrs []unix.Mmsghdr, events int16) int {
			for {
				n, _, e := unix.RawSyscall6(trap, uintptr(fd), uintptr(unsafe.Pointer(&hdrs[0])), uintptr(len(hdrs)), 0, 0, 0)
				switch e {
				case 0:
					return int(n)
				case syscall.EAGAIN:
					if _, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: events}}, -1); err != nil && err != syscall.EINTR {
						b.Fatal(err)
					}
				case syscall.EINTR:
				default:
					b.Fatal(e)
				}
			}
		}
		b.SetBytes(workload.UDPSize)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i += workload.UDPBurst {
			burst := min(workload.UDPBurst, b.N-i)
			for sent := 0; sent < burst; {
				sent += mmsg(unix.SYS_SENDMMSG, txFd, sends[sent:burst], unix.POLLOUT)
			}
			for got := 0; got < burst; {
				for j := range burst - got {
					recvs[j].Hdr.Namelen = unix.SizeofSockaddrAny
				}
				got += mmsg(unix.SYS_RECVMMSG, rxFd, recvs[:burst-got], unix.POLLIN)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkt/s")
	})
}
