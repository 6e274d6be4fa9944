package nspr

import (
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
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
