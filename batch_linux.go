package nspr

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// batchSys holds sendmmsg/recvmmsg's message headers and I/O vectors.
type batchSys struct {
	hdrs []unix.Mmsghdr
	iovs []unix.Iovec
}

func (b *batchSys) grow(n int) {
	if n > len(b.hdrs) {
		b.hdrs = make([]unix.Mmsghdr, n)
		b.iovs = make([]unix.Iovec, n)
	}
}

// release clears the pointers into the caller's buffers.
func (b *batchSys) release() { clear(b.iovs) }

// The batch system calls are variables so that tests can inject short
// batches and errors.
var (
	sysSendmmsg = rawSendmmsg
	sysRecvmmsg = rawRecvmmsg
)

func rawSendmmsg(fd int, hdrs []unix.Mmsghdr) (int, syscall.Errno) {
	n, _, e := unix.RawSyscall6(unix.SYS_SENDMMSG, uintptr(fd), uintptr(unsafe.Pointer(&hdrs[0])), uintptr(len(hdrs)),
		msgNoSignal, 0, 0)
	return int(n), e
}

func rawRecvmmsg(fd int, hdrs []unix.Mmsghdr) (int, syscall.Errno) {
	n, _, e := unix.RawSyscall6(unix.SYS_RECVMMSG, uintptr(fd), uintptr(unsafe.Pointer(&hdrs[0])), uintptr(len(hdrs)),
		0, 0, 0)
	return int(n), e
}

// header points message i's header at its buffer and address slot.
func (b *batchOp) header(i int, addrLen uint32) {
	h, iov := &b.sys.hdrs[i], &b.sys.iovs[i]
	iov.Base = (*byte)(bufPtr(b.msgs[i].Buf))
	iov.SetLen(len(b.msgs[i].Buf))
	*h = unix.Mmsghdr{}
	h.Hdr.Iov = iov
	h.Hdr.SetIovlen(1)
	if addrLen > 0 {
		h.Hdr.Name = (*byte)(unsafe.Pointer(&b.rsas[i]))
		h.Hdr.Namelen = addrLen
	}
}

// send sends msgs[start:] with one sendmmsg(2) and returns how many went.
func (b *batchOp) send(fd, start int) (int, syscall.Errno) {
	for i := start; i < len(b.msgs); i++ {
		b.header(i, b.sizes[i])
	}
	return sysSendmmsg(fd, b.sys.hdrs[start:len(b.msgs)])
}

// recv receives what is queued, up to len(msgs), with one recvmmsg(2); for
// each datagram it records the length and the sender's address length.
func (b *batchOp) recv(fd int) (int, syscall.Errno) {
	for i := range b.msgs {
		b.header(i, unix.SizeofSockaddrAny)
	}
	n, e := sysRecvmmsg(fd, b.sys.hdrs[:len(b.msgs)])
	if e != 0 {
		return 0, e
	}
	for i := range n {
		b.msgs[i].N = int(b.sys.hdrs[i].Len)
		b.sizes[i] = b.sys.hdrs[i].Hdr.Namelen
	}
	return n, 0
}
