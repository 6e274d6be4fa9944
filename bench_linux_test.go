package nspr

import (
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// benchRawKernelSet times epoll_wait(2) from Go over an epoll set of socks,
// the floor for Poller.Wait.
func benchRawKernelSet(b *testing.B, socks []*Socket) {
	b.Run("impl=epoll", func(b *testing.B) {
		ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
		if err != nil {
			b.Fatal(err)
		}
		defer unix.Close(ep)
		for _, s := range socks {
			fd, _ := s.Fileno()
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
		sends := make([]unix.Mmsghdr, udpBurst)
		recvs := make([]unix.Mmsghdr, udpBurst)
		iovs := make([]unix.Iovec, 2*udpBurst)
		froms := make([]unix.RawSockaddrAny, udpBurst)
		for i := range udpBurst {
			iovs[i].Base = &make([]byte, udpSize)[0]
			iovs[i].SetLen(udpSize)
			sends[i].Hdr.Iov, sends[i].Hdr.Iovlen = &iovs[i], 1
			sends[i].Hdr.Name, sends[i].Hdr.Namelen = (*byte)(unsafe.Pointer(&dst)), unix.SizeofSockaddrInet4
			iovs[udpBurst+i].Base = &make([]byte, 2048)[0]
			iovs[udpBurst+i].SetLen(2048)
			recvs[i].Hdr.Iov, recvs[i].Hdr.Iovlen = &iovs[udpBurst+i], 1
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
		b.SetBytes(udpSize)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i += udpBurst {
			burst := min(udpBurst, b.N-i)
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
