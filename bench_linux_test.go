package nspr_test

import (
	"testing"

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
