//go:build linux || darwin || freebsd

package nspr

import (
	"bytes"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The tests in this file replace the system-call hooks of hook_unix.go, which
// are package globals: they must not run in parallel, and each restores the
// hook it replaced with t.Cleanup.

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
// its NSPR code and a zero count: the system call is made once, not
// retried, and once the fault clears the pending data and the socket
// survive: the server still reads what was queued before, and a new send
// arrives.
func TestFaultErrnoMapped(t *testing.T) {
	tests := []struct {
		name  string
		errno syscall.Errno
		code  ErrorCode
		recv  bool // fail the server's read, else the client's write
	}{
		{"recv ECONNRESET", syscall.ECONNRESET, ConnectResetError, true},
		{"send EPIPE", syscall.EPIPE, ConnectResetError, false},
		{"send ECONNRESET", syscall.ECONNRESET, ConnectResetError, false},
		{"send ENOBUFS", syscall.ENOBUFS, InsufficientResourcesError, false},
	}
	wait := SecondsToInterval(1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := connectedPair(t, AFInet)
			const pending = "pending"
			if n, err := c.Send([]byte(pending), wait); err != nil || n != len(pending) {
				t.Fatalf("Send %q: %d, %v", pending, n, err) // makes the server readable
			}
			var calls int
			var n int
			var err error
			if tt.recv {
				hook(t, &sysRecv, func(fd int, p []byte) (int, syscall.Errno) {
					if calls++; calls == 1 {
						return -1, tt.errno
					}
					return rawRecv(fd, p)
				})
				n, err = s.Recv(make([]byte, 8), wait)
			} else {
				hook(t, &sysWrite, func(fd int, p []byte) (int, syscall.Errno) {
					if calls++; calls == 1 {
						return -1, tt.errno
					}
					return rawWrite(fd, p)
				})
				n, err = c.Send([]byte("x"), wait)
			}
			wantCode(t, tt.name, err, tt.code)
			if n != 0 || calls != 1 {
				t.Errorf("%s: count %d after %d system calls; want 0 after 1 (surfaces once)", tt.name, n, calls)
			}
			// The fault has cleared: nothing queued is lost, the socket works.
			got := make([]byte, 64)
			if n, err := s.Recv(got, wait); err != nil || string(got[:n]) != pending {
				t.Errorf("Recv after the fault: %q, %v; want %q", got[:n], err, pending)
			}
			if n, err := c.Send([]byte("after"), wait); err != nil || n != 5 {
				t.Errorf("Send after the fault: %d, %v; want 5, nil", n, err)
			}
			if n, err := s.Recv(got, wait); err != nil || string(got[:n]) != "after" {
				t.Errorf("Recv of the send after the fault: %q, %v; want %q", got[:n], err, "after")
			}
		})
	}
}

// TestFaultSendMidway injects an error after part of a send went out:
// every send call returns the count already sent with the error
// (docs/compat.md, Partial sends), and the peer receives exactly those
// bytes.
func TestFaultSendMidway(t *testing.T) {
	const first = 5 // bytes the kernel takes before the fault
	msg := []byte("0123456789abcdef")
	sends := []struct {
		name string
		send func(c *Socket, p []byte) (int, error)
	}{
		{"Send", func(c *Socket, p []byte) (int, error) { return c.Send(p, SecondsToInterval(1)) }},
		{"Sendall", func(c *Socket, p []byte) (int, error) { return c.Sendall(p, SecondsToInterval(1)) }},
		{"Write", func(c *Socket, p []byte) (int, error) { return c.Write(p) }},
		{"Conn.Write", func(c *Socket, p []byte) (int, error) { return c.Conn().Write(p) }},
	}
	faults := []struct {
		errno syscall.Errno
		code  ErrorCode
	}{
		{syscall.ECONNRESET, ConnectResetError},
		{syscall.ENOBUFS, InsufficientResourcesError},
	}
	for _, sd := range sends {
		for _, f := range faults {
			t.Run(sd.name+" "+f.errno.Error(), func(t *testing.T) {
				c, s := connectedPair(t, AFInet)
				var calls int
				hook(t, &sysWrite, func(fd int, p []byte) (int, syscall.Errno) {
					switch calls++; calls {
					case 1:
						return rawWrite(fd, p[:min(len(p), first)]) // a short write
					case 2:
						return -1, f.errno
					}
					return rawWrite(fd, p)
				})
				n, err := sd.send(c, msg)
				wantCode(t, sd.name, err, f.code)
				if n != first || calls != 2 {
					t.Errorf("%s: count %d after %d system calls; want %d after 2", sd.name, n, calls, first)
				}
				got := make([]byte, 64)
				m, err := s.Recv(got, SecondsToInterval(1))
				if err != nil || !bytes.Equal(got[:m], msg[:first]) {
					t.Errorf("peer received %q, %v; want %q", got[:m], err, msg[:first])
				}
			})
		}
	}
}

// TestFaultSendToENOBUFS checks the datagram path maps ENOBUFS with a zero
// count, and that the socket sends again once the fault clears.
func TestFaultSendToENOBUFS(t *testing.T) {
	u, self := boundUDP(t)
	var calls int
	hook(t, &sysSendto, func(fd int, p []byte, rsa *unix.RawSockaddrAny, size uint32) (int, syscall.Errno) {
		if calls++; calls == 1 {
			return -1, syscall.ENOBUFS
		}
		return rawSendto(fd, p, rsa, size)
	})
	n, err := u.SendTo([]byte("x"), self, SecondsToInterval(1))
	wantCode(t, "SendTo", err, InsufficientResourcesError)
	if n != 0 || calls != 1 {
		t.Errorf("SendTo: count %d after %d system calls; want 0 after 1", n, calls)
	}
	if n, err := u.SendTo([]byte("again"), self, SecondsToInterval(1)); err != nil || n != 5 {
		t.Fatalf("SendTo after the fault: %d, %v; want 5, nil", n, err)
	}
	got := make([]byte, 16)
	if n, err := u.Recv(got, SecondsToInterval(1)); err != nil || string(got[:n]) != "again" {
		t.Errorf("Recv: %q, %v; want only the datagram sent after the fault", got[:n], err)
	}
}

// TestFaultAcceptEMFILE checks that running out of descriptors in accept
// surfaces as PR_PROC_DESC_TABLE_FULL_ERROR at once instead of spinning,
// and that the queued connection is accepted once descriptors free up.
func TestFaultAcceptEMFILE(t *testing.T) {
	l, addr := listen(t, AFInet)
	var calls int
	var full atomic.Bool
	full.Store(true)
	hook(t, &sysAccept, func(fd int, rsa *unix.RawSockaddrAny, size *uint32) (int, syscall.Errno) {
		calls++
		if full.Load() {
			return -1, syscall.EMFILE
		}
		return rawAccept(fd, rsa, size)
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
	full.Store(false)
	s, peer, err := l.Accept(SecondsToInterval(5))
	if err != nil {
		t.Fatalf("Accept after the fault cleared: %v", err)
	}
	defer s.Close()
	if local, _ := c.SockName(); peer != local {
		t.Errorf("accepted peer %v; want the queued client %v", peer, local)
	}
	if n, err := c.Send([]byte("hi"), SecondsToInterval(1)); err != nil || n != 2 {
		t.Fatalf("Send: %d, %v", n, err)
	}
	got := make([]byte, 8)
	if n, err := s.Recv(got, SecondsToInterval(5)); err != nil || string(got[:n]) != "hi" {
		t.Errorf("Recv on the accepted socket: %q, %v; want %q", got[:n], err, "hi")
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

// TestFaultDatagramAttempt checks the attempt RecvFrom and SendTo make
// themselves on a socket that never waited: EINTR is tried again, EAGAIN
// waits unless the call may not (then one system call and
// PR_IO_TIMEOUT_ERROR, or PR_WOULD_BLOCK_ERROR on a non-blocking socket),
// any other errno is the answer after one system call, and no datagram is
// lost or sent twice.
func TestFaultDatagramAttempt(t *testing.T) {
	const (
		recv = "RecvFrom"
		send = "SendTo"
	)
	tests := []struct {
		call        string
		faults      []syscall.Errno // what the first calls return, before the real one
		queued      bool            // a datagram waits for RecvFrom
		timeout     Interval
		nonblocking bool
		want        ErrorCode // 0: the datagram goes through
		calls       int
	}{
		{recv, []syscall.Errno{syscall.EINTR}, true, SecondsToInterval(5), false, 0, 2},
		{recv, []syscall.Errno{syscall.EAGAIN}, true, SecondsToInterval(5), false, 0, 2},
		{recv, nil, false, IntervalNoWait, false, IOTimeoutError, 1},
		{recv, nil, false, IntervalNoTimeout, true, WouldBlockError, 1},
		{recv, []syscall.Errno{syscall.ECONNREFUSED}, true, SecondsToInterval(5), false, ConnectRefusedError, 1},
		{send, []syscall.Errno{syscall.EINTR}, false, SecondsToInterval(5), false, 0, 2},
		{send, []syscall.Errno{syscall.EAGAIN}, false, SecondsToInterval(5), false, 0, 2},
		{send, []syscall.Errno{syscall.EAGAIN}, false, IntervalNoWait, false, IOTimeoutError, 1},
		{send, []syscall.Errno{syscall.EAGAIN}, false, IntervalNoTimeout, true, WouldBlockError, 1},
		{send, []syscall.Errno{syscall.ECONNREFUSED}, false, SecondsToInterval(5), false, ConnectRefusedError, 1},
	}
	for _, tt := range tests {
		name := tt.call
		for _, e := range tt.faults {
			name += "/" + unix.ErrnoName(e)
		}
		name += fmt.Sprintf("/nonblocking=%v/%v", tt.nonblocking, tt.timeout)
		t.Run(name, func(t *testing.T) {
			tx, rx, txAddr, rxAddr := nsprUDPPair(t)
			msg := []byte("one datagram")
			if tt.queued {
				if _, err := tx.SendTo(msg, rxAddr, SecondsToInterval(5)); err != nil {
					t.Fatal(err)
				}
			}
			calls := 0
			fault := func() syscall.Errno {
				if calls++; calls <= len(tt.faults) {
					return tt.faults[calls-1]
				}
				return 0
			}
			hook(t, &sysRecvfrom, func(fd int, p []byte, rsa *unix.RawSockaddrAny, size *uint32) (int, syscall.Errno) {
				if e := fault(); e != 0 {
					return -1, e
				}
				return rawRecvfrom(fd, p, rsa, size)
			})
			hook(t, &sysSendto, func(fd int, p []byte, rsa *unix.RawSockaddrAny, size uint32) (int, syscall.Errno) {
				if e := fault(); e != 0 {
					return -1, e
				}
				return rawSendto(fd, p, rsa, size)
			})
			var err error
			var n int
			buf := make([]byte, 64)
			switch tt.call {
			case recv:
				rx.SetNonblocking(tt.nonblocking)
				var from NetworkAddress
				n, from, err = rx.RecvFrom(buf, tt.timeout)
				if err == nil && (string(buf[:n]) != string(msg) || from.String() != txAddr.String()) {
					t.Errorf("RecvFrom: %q from %v; want %q from %v", buf[:n], from, msg, txAddr)
				}
			case send:
				tx.SetNonblocking(tt.nonblocking)
				n, err = tx.SendTo(msg, rxAddr, tt.timeout)
			}
			if tt.want == 0 && (err != nil || n != len(msg)) {
				t.Fatalf("%s: %d, %v; want %d bytes", tt.call, n, err, len(msg))
			}
			if tt.want != 0 {
				wantCode(t, tt.call, err, tt.want)
				if n != 0 {
					t.Errorf("%s: count %d with the error; want 0", tt.call, n)
				}
			}
			if calls != tt.calls {
				t.Errorf("%s made %d system calls; want %d", tt.call, calls, tt.calls)
			}
			// Afterwards rx holds the datagram SendTo sent or RecvFrom
			// left, and nothing else.
			rx.SetNonblocking(false)
			left := tt.queued != (tt.want == 0)
			n, _, err = rx.RecvFrom(buf, MillisecondsToInterval(200))
			switch {
			case left && (err != nil || string(buf[:n]) != string(msg)):
				t.Errorf("the datagram is lost: RecvFrom afterwards: %q, %v", buf[:n], err)
			case !left && err == nil:
				t.Errorf("a datagram too many afterwards: %q", buf[:n])
			}
		})
	}
}
