package nspr

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// tcpCork is the option PR_SendFile sets around a header and trailer.
const tcpCork = unix.TCP_CORK

// rawSendfile sends up to count bytes of the file in from *off to the
// socket out; the kernel advances *off. Reading the file may wait for the
// disk, so the call goes through the scheduler's hand-off, unlike the raw
// calls on sockets.
func rawSendfile(out, in int, off *int64, count int) (int, syscall.Errno) {
	n, _, e := unix.Syscall6(unix.SYS_SENDFILE, uintptr(out), uintptr(in), uintptr(unsafe.Pointer(off)), uintptr(count), 0, 0)
	return int(n), e
}

// rawSplice moves up to count bytes from in to out, one of them a pipe,
// without waiting on either.
func rawSplice(in, out, count int) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall6(unix.SYS_SPLICE, uintptr(in), 0, uintptr(out), 0, uintptr(count),
		unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
	return int(n), e
}
