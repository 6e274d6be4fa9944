//go:build linux || darwin || freebsd

package nspr

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

func sockName(trap uintptr, fd int, rsa *unix.RawSockaddrAny, size *uint32) syscall.Errno {
	_, _, e := syscall.RawSyscall(trap, uintptr(fd), uintptr(unsafe.Pointer(rsa)), uintptr(unsafe.Pointer(size)))
	return e
}

func bindRaw(fd int, rsa *unix.RawSockaddrAny, size uint32) error {
	_, _, e := syscall.RawSyscall(unix.SYS_BIND, uintptr(fd), uintptr(unsafe.Pointer(rsa)), uintptr(size))
	if e != 0 {
		return e
	}
	return nil
}
