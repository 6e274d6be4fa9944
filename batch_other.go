//go:build darwin || freebsd

package nspr

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// batchSys is empty where the batch calls are a loop of single calls.
type batchSys struct{}

func (*batchSys) grow(int)             {}
func (*batchSys) release()             {}
func (*batchSys) coalescing() bool     { return false }
func (*batchSys) runsLeft() bool       { return false }
func (*batchSys) dropRuns()            {}
func (*batchOp) split() int            { return 0 }
func (*Socket) startGSO(*batchOp)      {}
func (*Socket) startGRO(*batchOp)      {}
func (*Socket) stopGRO(*batchOp) error { return nil }

// send sends msgs[start:] one sendto(2) at a time, stopping at the first
// datagram that would block or fails once at least one went.
func (b *batchOp) send(fd, start int) (int, syscall.Errno) {
	for i := start; i < len(b.msgs); i++ {
		var e syscall.Errno
		if b.sizes[i] == 0 {
			_, e = sysWrite(fd, b.msgs[i].Buf)
		} else {
			_, e = sysSendto(fd, b.msgs[i].Buf, &b.rsas[i], b.sizes[i])
		}
		if e != 0 {
			if i > start {
				return i - start, 0 // the caller retries from here
			}
			return 0, e
		}
	}
	return len(b.msgs) - start, 0
}

// recv receives what is queued, up to len(msgs), one recvfrom(2) at a time.
func (b *batchOp) recv(fd int) (int, syscall.Errno) {
	for i := range b.msgs {
		b.sizes[i] = unix.SizeofSockaddrAny
		n, e := sysRecvfrom(fd, b.msgs[i].Buf, &b.rsas[i], &b.sizes[i])
		if e == syscall.EINTR {
			return i, 0 // the caller retries what is left
		}
		if e != 0 {
			if i > 0 {
				return i, 0
			}
			return 0, e
		}
		b.msgs[i].N = n
	}
	return len(b.msgs), 0
}
