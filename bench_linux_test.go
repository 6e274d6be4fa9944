package nspr_test

import (
	"runtime"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/nspr-go/nspr"
)

// benchRawKernelSet times epoll_wait(2) from Go over an epoll set of the
// sockets of descs, the floor for Poller.Wait and Poll's kept sets.
func benchRawKernelSet(b *testing.B, descs []nspr.PollDesc) {
	b.Run("impl=epoll", func(b *testing.B) {
		ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
		if err != nil {
			b.Fatal(err)
		}
		defer unix.Close(ep)
		for _, d := range descs {
			fd, _ := d.Socket.Fileno()
			if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}); err != nil {
				b.Fatal(err)
			}
		}
		events := make([]unix.EpollEvent, 64)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if got, err := unix.EpollWait(ep, events, -1); err != nil || got != 1 {
				b.Fatalf("epoll_wait = %d, %v; want one socket readable", got, err)
			}
		}
		b.StopTimer()
		b.ReportMetric(b.Elapsed().Seconds()*1e6/float64(b.N), "us")
	})
}

// loopbackFD returns a non-blocking socket of typ bound to 127.0.0.1 (and
// listening, for a stream socket) with its address, closed when b ends: the
// raw floors' sockets, made with x/sys/unix alone.
func loopbackFD(b *testing.B, typ int) (fd int, addr unix.RawSockaddrAny) {
	fd, err := unix.Socket(unix.AF_INET, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		b.Fatal(err)
	}
	if typ == unix.SOCK_STREAM {
		if err := unix.Listen(fd, 128); err != nil {
			b.Fatal(err)
		}
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		b.Fatal(err)
	}
	in4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(&addr))
	in4.Family, in4.Addr = unix.AF_INET, sa.(*unix.SockaddrInet4).Addr
	port := (*[2]byte)(unsafe.Pointer(&in4.Port)) // network byte order
	port[0], port[1] = byte(sa.(*unix.SockaddrInet4).Port>>8), byte(sa.(*unix.SockaddrInet4).Port)
	return fd, addr
}

// rawRetry handles a raw call's errno e on fd that asks for the call again:
// nothing for EINTR; for EAGAIN, EINPROGRESS and EALREADY a poll(2) until
// fd is ready for events, as nspr waits in the runtime poller. Any other
// errno ends the benchmark.
func rawRetry(b *testing.B, e syscall.Errno, fd int, events int16) {
	switch e {
	case syscall.EINTR:
	case syscall.EAGAIN, syscall.EINPROGRESS, syscall.EALREADY:
		if _, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: events}}, -1); err != nil && err != syscall.EINTR {
			b.Fatal(err)
		}
	default:
		b.Fatal(e)
	}
}

// benchRawUDP times BenchmarkUDP's workload in the system calls nspr makes
// for it, raw from Go: per datagram one sendto(2) with the destination
// address and MSG_NOSIGNAL (SendTo) and one recvfrom(2) with an address
// buffer (RecvFrom), as strace -f -c counts for impl=nspr, on two
// non-blocking bound loopback sockets. It is the floor of udp_pps: what is
// left between it and nspr is nspr's, the rest is the kernel's.
func benchRawUDP(b *testing.B) {
	b.Run("impl=raw", func(b *testing.B) {
		tx, _ := loopbackFD(b, unix.SOCK_DGRAM)
		rx, to := loopbackFD(b, unix.SOCK_DGRAM)
		msg, buf := make([]byte, udpSize), make([]byte, 2048)
		var from unix.RawSockaddrAny
		var size uint32
		b.SetBytes(udpSize)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i += udpBurst {
			burst := min(udpBurst, b.N-i)
			for range burst {
				for {
					_, _, e := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(tx), uintptr(unsafe.Pointer(&msg[0])), uintptr(len(msg)),
						unix.MSG_NOSIGNAL, uintptr(unsafe.Pointer(&to)), unix.SizeofSockaddrInet4)
					if e == 0 {
						break
					}
					rawRetry(b, e, tx, unix.POLLOUT)
				}
			}
			for range burst {
				for {
					size = unix.SizeofSockaddrAny
					_, _, e := unix.RawSyscall6(unix.SYS_RECVFROM, uintptr(rx), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)),
						0, uintptr(unsafe.Pointer(&from)), uintptr(unsafe.Pointer(&size)))
					if e == 0 {
						break
					}
					rawRetry(b, e, rx, unix.POLLIN)
				}
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkt/s")
	})
}

// benchRawAccept times BenchmarkTCPAccept's workload in the system calls
// nspr makes for it, raw from Go, on a listening socket made once. Per
// connection, as strace -f -c counts for impl=nspr and for this one: one
// socket(2) (SOCK_NONBLOCK|SOCK_CLOEXEC), two connect(2) (the first answers
// EINPROGRESS, the second 0; were it EALREADY or EINPROGRESS, poll(2) for
// writability and connect again, as nspr waits in the runtime poller and
// asks again), one accept4(2) (SOCK_NONBLOCK|SOCK_CLOEXEC, with an address
// buffer) and two close(2). impl=raw is the floor of tcp_accept.
//
// impl=raw-object adds what any Go socket that cannot leak its descriptor
// pays for it: an object a descriptor, allocated when the descriptor is made
// and holding it, with a finalizer set then and cleared at close (net's
// netFD and os.File do the same). It is the floor of a Go socket object: what
// lies between it and nspr is the library's own code.
func benchRawAccept(b *testing.B) {
	b.Run("impl=raw", func(b *testing.B) { rawAccept(b, false) })
	b.Run("impl=raw-object", func(b *testing.B) { rawAccept(b, true) })
}

// socketObject stands for the object a Go socket keeps for its descriptor:
// as large as an nspr.Socket, so in the same size class, and with pointers,
// so that the collector scans it as it does a Socket.
type socketObject struct {
	fd   uintptr
	self *socketObject
	_    [unsafe.Sizeof(nspr.Socket{}) - 16]byte
}

// newSocketObject wraps fd in a socketObject with a finalizer, or returns
// nil when objects is false.
func newSocketObject(fd uintptr, objects bool) *socketObject {
	if !objects {
		return nil
	}
	o := &socketObject{fd: fd}
	o.self = o
	runtime.SetFinalizer(o, func(o *socketObject) { unix.RawSyscall(unix.SYS_CLOSE, o.fd, 0, 0) })
	return o
}

// rawClose closes fd, first clearing its object's finalizer if it has one.
func rawClose(fd uintptr, o *socketObject) {
	if o != nil {
		runtime.SetFinalizer(o, nil)
	}
	unix.RawSyscall(unix.SYS_CLOSE, fd, 0, 0)
}

// rawAccept is benchRawAccept's loop, with a socketObject a descriptor when
// objects is set.
func rawAccept(b *testing.B, objects bool) {
	lfd, to := loopbackFD(b, unix.SOCK_STREAM)
	var from unix.RawSockaddrAny
	var size uint32
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		fd, _, e := unix.RawSyscall(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		if e != 0 {
			b.Fatal(e)
		}
		client := newSocketObject(fd, objects)
		_, _, e = unix.RawSyscall(unix.SYS_CONNECT, fd, uintptr(unsafe.Pointer(&to)), unix.SizeofSockaddrInet4)
		if e == syscall.EINTR {
			e = syscall.EINPROGRESS // the kernel goes on connecting
		}
		for e != 0 && e != syscall.EISCONN {
			if e != syscall.EINPROGRESS {
				b.Fatal(e)
			}
			_, _, e = unix.RawSyscall(unix.SYS_CONNECT, fd, uintptr(unsafe.Pointer(&to)), unix.SizeofSockaddrInet4)
			if e == syscall.EALREADY || e == syscall.EINPROGRESS || e == syscall.EINTR {
				rawRetry(b, e, int(fd), unix.POLLOUT)
				e = syscall.EINPROGRESS
			}
		}
		var nfd uintptr
		for {
			size = unix.SizeofSockaddrAny
			nfd, _, e = unix.RawSyscall6(unix.SYS_ACCEPT4, uintptr(lfd), uintptr(unsafe.Pointer(&from)), uintptr(unsafe.Pointer(&size)),
				unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
			if e == 0 {
				break
			}
			rawRetry(b, e, lfd, unix.POLLIN)
		}
		server := newSocketObject(nfd, objects)
		rawClose(nfd, server)
		rawClose(fd, client)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "conn/s")
}
