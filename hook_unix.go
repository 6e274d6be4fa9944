//go:build linux || darwin || freebsd

package nspr

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The system calls on the data path are variables so that tests can inject
// faults (EINTR, EAGAIN storms, ECONNRESET, short reads and writes), as Go's
// net package does in hook_unix.go. They return the errno rather than an
// error so that the hot path never allocates.
//
// They are raw system calls, without the scheduler's hand-off around a call
// that may block: every descriptor is non-blocking, so none of them waits
// (waiting is the poller's job), and the hand-off cost about 8% of the
// datagram rate and 3% of the ping-pong rate. They call package syscall's
// RawSyscall6 directly: x/sys/unix's is an assembly jump to it through an ABI
// wrapper, two more calls on every system call.
var (
	sysRecv     = rawRecv
	sysWrite    = rawWrite
	sysRecvfrom = rawRecvfrom
	sysSendto   = rawSendto
	sysAccept   = rawAccept
	sysConnect  = rawConnect
	sysPollNow  = rawPollNow // poll(2) with a zero timeout

	sysSendmsg  = rawSendmsg  // Writev: sendmsg(2) of an I/O vector
	sysSendfile = rawSendfile // SendFile and ReadFrom a file: sendfile(2), advancing *off
	sysSplice   = rawSplice   // ReadFrom and WriteTo between sockets: splice(2), Linux only
)

// rawRecv is recv(2), as PR_Recv calls it, rather than read(2): a socket's
// read(2) answers an empty buffer with 0 at once, which reads as the end of
// the stream, where recv(2) waits for data as for any other receive.
func rawRecv(fd int, p []byte) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(bufPtr(p)), uintptr(len(p)), 0, 0, 0)
	return int(n), e
}

func rawWrite(fd int, p []byte) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(bufPtr(p)), uintptr(len(p)), msgNoSignal, 0, 0)
	return int(n), e
}

func rawRecvfrom(fd int, p []byte, rsa *unix.RawSockaddrAny, size *uint32) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(bufPtr(p)), uintptr(len(p)), 0,
		uintptr(unsafe.Pointer(rsa)), uintptr(unsafe.Pointer(size)))
	return int(n), e
}

func rawSendto(fd int, p []byte, rsa *unix.RawSockaddrAny, size uint32) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(bufPtr(p)), uintptr(len(p)), msgNoSignal,
		uintptr(unsafe.Pointer(rsa)), uintptr(size))
	return int(n), e
}

func rawConnect(fd int, rsa *unix.RawSockaddrAny, size uint32) syscall.Errno {
	_, _, e := syscall.RawSyscall(unix.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(rsa)), uintptr(size))
	return e
}

// rawSendmsg sends the vector iov with msg as its header.
func rawSendmsg(fd int, msg *unix.Msghdr, iov []unix.Iovec) (int, syscall.Errno) {
	if len(iov) > 0 {
		msg.Iov = &iov[0]
	}
	msg.SetIovlen(len(iov))
	n, _, e := syscall.RawSyscall(unix.SYS_SENDMSG, uintptr(fd), uintptr(unsafe.Pointer(msg)), msgNoSignal)
	return int(n), e
}

// bufPtr returns the address of p's first byte, or a valid dummy address for
// an empty buffer (the kernel rejects NULL with EFAULT on some systems).
func bufPtr(p []byte) unsafe.Pointer {
	if len(p) == 0 {
		return unsafe.Pointer(&zeroByte)
	}
	return unsafe.Pointer(&p[0])
}

var zeroByte byte

// sysFileRead and sysFileWrite are read(2) and write(2) on a descriptor
// that is not a socket (a PollableEvent's); variables so that tests can
// inject faults.
var (
	sysFileRead  = rawFileRead
	sysFileWrite = rawFileWrite
)

func rawFileRead(fd int, p []byte) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(bufPtr(p)), uintptr(len(p)))
	return int(n), e
}

func rawFileWrite(fd int, p []byte) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(bufPtr(p)), uintptr(len(p)))
	return int(n), e
}
