//go:build linux || darwin || freebsd

package nspr

import (
	"bytes"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The tests in this file replace the system-call hooks of hook_unix.go, which
// are package globals: they must not run in parallel, and each restores the
// hook it replaced with t.Cleanup.

// hook swaps *v for f until the end of the test.
func hook[F any](t *testing.T, v *F, f F) {
	t.Helper()
	old := *v
	*v = f
	t.Cleanup(func() { *v = old })
}

// TestFaultEINTRRetried checks that an interrupted call is retried, not
// reported, and that no byte is lost or duplicated.
func TestFaultEINTRRetried(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	var reads, writes int
	hook(t, &sysRecv, func(fd int, p []byte) (int, syscall.Errno) {
		if reads++; reads%2 == 1 {
			return -1, syscall.EINTR
		}
		return rawRecv(fd, p)
	})
	hook(t, &sysWrite, func(fd int, p []byte) (int, syscall.Errno) {
		if writes++; writes%2 == 1 {
			return -1, syscall.EINTR
		}
		return rawWrite(fd, p)
	})
	msg := []byte("interrupted but whole")
	if n, err := client.Send(msg, SecondsToInterval(5)); err != nil || n != len(msg) {
		t.Fatalf("Send: %d, %v", n, err)
	}
	got := make([]byte, 64)
	n, err := server.Recv(got, SecondsToInterval(5))
	if err != nil || !bytes.Equal(got[:n], msg) {
		t.Fatalf("Recv: %q, %v; want %q", got[:n], err, msg)
	}
	if reads < 2 || writes < 2 {
		t.Errorf("hooks called %d reads, %d writes; want the EINTR retried", reads, writes)
	}
}

// TestFaultEINTRAcceptConnect checks that EINTR on accept and connect is
// retried.
func TestFaultEINTRAcceptConnect(t *testing.T) {
	l, addr := listen(t, AFInet)
	var accepts, connects int
	hook(t, &sysAccept, func(fd int, rsa *unix.RawSockaddrAny, size *uint32) (int, syscall.Errno) {
		if accepts++; accepts == 1 {
			return -1, syscall.EINTR
		}
		return rawAccept(fd, rsa, size)
	})
	hook(t, &sysConnect, func(fd int, rsa *unix.RawSockaddrAny, size uint32) syscall.Errno {
		if connects++; connects == 1 {
			return syscall.EINTR
		}
		return rawConnect(fd, rsa, size)
	})
	c := newTestSocket(t, AFInet, DescSocketTCP)
	if err := c.Connect(addr, SecondsToInterval(5)); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	s, _, err := l.Accept(SecondsToInterval(5))
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	s.Close()
	if accepts < 2 || connects < 2 {
		t.Errorf("accept tried %d times, connect %d; want the EINTR retried", accepts, connects)
	}
}

// TestFaultEAGAINStorm injects EAGAIN before each chunk the peer sends: the
// reader must park in the poller (no error, no busy loop) and still get every
// byte in order.
func TestFaultEAGAINStorm(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	const chunks = 20
	var calls, fakes int
	var storm atomic.Bool // a fake EAGAIN needs a later readiness edge: stop before the last one
	storm.Store(true)
	hook(t, &sysRecv, func(fd int, p []byte) (int, syscall.Errno) {
		calls++
		if storm.Load() && calls%3 != 0 { // two fake EAGAINs, then the real call
			fakes++
			return -1, syscall.EAGAIN
		}
		return rawRecv(fd, p)
	})
	done := make(chan error, 1)
	go func() {
		for i := range chunks {
			if _, err := client.Send([]byte{byte(i)}, SecondsToInterval(5)); err != nil {
				done <- err
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
		storm.Store(false)
		done <- client.Shutdown(ShutdownSend)
	}()
	var got []byte
	buf := make([]byte, 8)
	for range 10 * chunks {
		n, err := server.Recv(buf, SecondsToInterval(5))
		if err != nil {
			t.Fatalf("Recv after %d bytes: %v", len(got), err)
		}
		if n == 0 {
			break
		}
		got = append(got, buf[:n]...)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for i, b := range got {
		if int(b) != i {
			t.Fatalf("byte %d is %d: data lost, duplicated or reordered (%v)", i, b, got)
		}
	}
	if len(got) != chunks || fakes == 0 {
		t.Errorf("got %d bytes with %d fake EAGAINs; want %d bytes", len(got), fakes, chunks)
	}
	if calls > 30*chunks {
		t.Errorf("%d read calls for %d chunks: busy loop", calls, chunks)
	}
}

// TestFaultErrnoMapped checks that each injected failure surfaces once with
// its NSPR code.
func TestFaultErrnoMapped(t *testing.T) {
	tests := []struct {
		name  string
		errno syscall.Errno
		code  ErrorCode
		op    func(t *testing.T, c, s *Socket) error
		set   func(t *testing.T, e syscall.Errno)
	}{
		{"recv ECONNRESET", syscall.ECONNRESET, ConnectResetError,
			func(t *testing.T, c, s *Socket) error {
				_, err := s.Recv(make([]byte, 8), SecondsToInterval(1))
				return err
			},
			func(t *testing.T, e syscall.Errno) {
				hook(t, &sysRecv, func(int, []byte) (int, syscall.Errno) { return -1, e })
			}},
		{"send EPIPE", syscall.EPIPE, ConnectResetError,
			func(t *testing.T, c, s *Socket) error {
				_, err := c.Send([]byte("x"), SecondsToInterval(1))
				return err
			},
			func(t *testing.T, e syscall.Errno) {
				hook(t, &sysWrite, func(int, []byte) (int, syscall.Errno) { return -1, e })
			}},
		{"send ECONNRESET", syscall.ECONNRESET, ConnectResetError,
			func(t *testing.T, c, s *Socket) error {
				_, err := c.Send([]byte("x"), SecondsToInterval(1))
				return err
			},
			func(t *testing.T, e syscall.Errno) {
				hook(t, &sysWrite, func(int, []byte) (int, syscall.Errno) { return -1, e })
			}},
		{"send ENOBUFS", syscall.ENOBUFS, InsufficientResourcesError,
			func(t *testing.T, c, s *Socket) error {
				_, err := c.Send([]byte("x"), SecondsToInterval(1))
				return err
			},
			func(t *testing.T, e syscall.Errno) {
				hook(t, &sysWrite, func(int, []byte) (int, syscall.Errno) { return -1, e })
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := connectedPair(t, AFInet)
			c.Send([]byte("pending"), SecondsToInterval(1)) // make the server readable
			tt.set(t, tt.errno)
			wantCode(t, tt.name, tt.op(t, c, s), tt.code)
		})
	}
}

// TestFaultSendToENOBUFS checks the datagram path maps ENOBUFS.
func TestFaultSendToENOBUFS(t *testing.T) {
	u := newTestSocket(t, AFInet, DescSocketUDP)
	hook(t, &sysSendto, func(int, []byte, *unix.RawSockaddrAny, uint32) (int, syscall.Errno) {
		return -1, syscall.ENOBUFS
	})
	_, err := u.SendTo([]byte("x"), loopback(AFInet, 9), SecondsToInterval(1))
	wantCode(t, "SendTo", err, InsufficientResourcesError)
}

// TestFaultAcceptEMFILE checks that running out of descriptors in accept
// surfaces as PR_PROC_DESC_TABLE_FULL_ERROR at once instead of spinning.
func TestFaultAcceptEMFILE(t *testing.T) {
	l, addr := listen(t, AFInet)
	var calls int
	hook(t, &sysAccept, func(int, *unix.RawSockaddrAny, *uint32) (int, syscall.Errno) {
		calls++
		return -1, syscall.EMFILE
	})
	c := newTestSocket(t, AFInet, DescSocketTCP)
	if err := c.Connect(addr, SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, _, err := l.Accept(SecondsToInterval(5))
	wantCode(t, "Accept", err, ProcDescTableFullError)
	if d := time.Since(start); d > 2*time.Second || calls > 2 {
		t.Errorf("Accept took %v and %d calls to report EMFILE", d, calls)
	}
}

// TestFaultShortIO forces one-byte reads and three-byte writes: a large
// message still arrives whole and in order.
func TestFaultShortIO(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	hook(t, &sysWrite, func(fd int, p []byte) (int, syscall.Errno) {
		return rawWrite(fd, p[:min(len(p), 3)])
	})
	hook(t, &sysRecv, func(fd int, p []byte) (int, syscall.Errno) {
		return rawRecv(fd, p[:min(len(p), 1)])
	})
	msg := make([]byte, 3000)
	for i := range msg {
		msg[i] = byte(i * 7)
	}
	if n, err := client.Send(msg, SecondsToInterval(5)); err != nil || n != len(msg) {
		t.Fatalf("Send: %d, %v; want the whole message sent", n, err)
	}
	got := make([]byte, 0, len(msg))
	buf := make([]byte, 512)
	for len(got) < len(msg) {
		n, err := server.Recv(buf, SecondsToInterval(5))
		if err != nil || n == 0 {
			t.Fatalf("Recv after %d bytes: %d, %v", len(got), n, err)
		}
		if n != 1 {
			t.Fatalf("Recv returned %d bytes from a one-byte read", n)
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, msg) {
		t.Fatal("data differs after short reads and partial writes")
	}
}
