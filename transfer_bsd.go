//go:build darwin || freebsd

package nspr

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// tcpCork is 0: NSPR corks the header and trailer of PR_SendFile on Linux
// only.
const tcpCork = 0

// rawSendfile sends up to count bytes of the file in from *off to the
// socket out and advances *off by the count sent, which the BSDs report
// also with EAGAIN and EINTR.
func rawSendfile(out, in int, off *int64, count int) (int, syscall.Errno) {
	n, err := unix.Sendfile(out, in, off, count)
	*off += int64(n)
	if err != nil {
		e, ok := err.(syscall.Errno)
		if !ok {
			e = syscall.EIO
		}
		return n, e
	}
	return n, 0
}

// rawSplice is missing: splice(2) is Linux's; ReadFrom and WriteTo copy.
func rawSplice(in, out, count int) (int, syscall.Errno) { return 0, syscall.ENOSYS }
