package nspr

import (
	"bytes"
	"errors"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Tests of sockio.go: Recv, Send, RecvFrom, SendTo, Accept, AcceptRead,
// Connect and ConnectContinue, with their intervals and the non-blocking flag.

func TestStreamEcho(t *testing.T) {
	for _, family := range streamFamilies {
		t.Run(family.String(), func(t *testing.T) {
			client, server := connectedPair(t, family)
			msg := bytes.Repeat([]byte("0123456789"), 10000)
			done := make(chan error, 1)
			go func() {
				_, err := client.Send(msg, SecondsToInterval(5))
				done <- err
			}()
			got := make([]byte, 0, len(msg))
			buf := make([]byte, 4096)
			for len(got) < len(msg) {
				n, err := server.Recv(buf, SecondsToInterval(5))
				if err != nil || n == 0 {
					t.Fatalf("recv after %d bytes: n=%d err=%v", len(got), n, err)
				}
				got = append(got, buf[:n]...)
			}
			if err := <-done; err != nil {
				t.Fatalf("send: %v", err)
			}
			if !bytes.Equal(got, msg) {
				t.Fatal("received bytes differ from those sent")
			}
			// Echo back, then EOF after shutdown.
			if n, err := server.Send([]byte("pong"), SecondsToInterval(5)); n != 4 || err != nil {
				t.Fatalf("send pong: %d, %v", n, err)
			}
			if err := server.Shutdown(ShutdownSend); err != nil {
				t.Fatalf("shutdown: %v", err)
			}
			n, err := client.Recv(buf, SecondsToInterval(5))
			if string(buf[:n]) != "pong" || err != nil {
				t.Fatalf("recv pong: %q, %v", buf[:n], err)
			}
			if n, err := client.Recv(buf, SecondsToInterval(5)); n != 0 || err != nil {
				t.Fatalf("recv at EOF = %d, %v; want 0, nil", n, err)
			}
		})
	}
}

func TestDatagramEcho(t *testing.T) {
	for _, family := range streamFamilies {
		t.Run(family.String(), func(t *testing.T) {
			a, aAddr, b, bAddr := udpPair(t, family)
			if n, err := a.SendTo([]byte("ping"), bAddr, SecondsToInterval(5)); n != 4 || err != nil {
				t.Fatalf("sendto: %d, %v", n, err)
			}
			buf := make([]byte, 64)
			n, from, err := b.RecvFrom(buf, SecondsToInterval(5))
			if err != nil || string(buf[:n]) != "ping" {
				t.Fatalf("recvfrom: %q, %v", buf[:n], err)
			}
			if from != aAddr {
				t.Fatalf("sender %v, want %v", from, aAddr)
			}
			// Connected UDP: Send and Recv with the default peer.
			if err := b.Connect(aAddr, SecondsToInterval(5)); err != nil {
				t.Fatalf("connect udp: %v", err)
			}
			if _, err := b.Send([]byte("pong"), SecondsToInterval(5)); err != nil {
				t.Fatalf("send: %v", err)
			}
			n, err = a.Recv(buf, SecondsToInterval(5))
			if err != nil || string(buf[:n]) != "pong" {
				t.Fatalf("recv: %q, %v", buf[:n], err)
			}
			// An empty datagram is a datagram.
			if _, err := b.Send(nil, SecondsToInterval(5)); err != nil {
				t.Fatalf("send empty: %v", err)
			}
			if n, err := a.Recv(buf, SecondsToInterval(5)); n != 0 || err != nil {
				t.Fatalf("recv empty datagram = %d, %v", n, err)
			}
		})
	}
}

func TestSendAfterPeerClosedIsResetNotSIGPIPE(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	server.Close()
	var err error
	for range 100 { // the first sends may still be accepted by the kernel
		if _, err = client.Send([]byte("x"), SecondsToInterval(1)); err != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	wantCode(t, "send after peer closed", err, ConnectResetError)
}

func TestDatagramAtLimitIsSent(t *testing.T) {
	a := newTestSocket(t, AFInet, DescSocketUDP)
	b := newTestSocket(t, AFInet, DescSocketUDP)
	b.Bind(loopback(AFInet, 0))
	bAddr, _ := b.SockName()
	if n, err := a.SendTo(make([]byte, maxDatagram), bAddr, SecondsToInterval(1)); n != maxDatagram || err != nil {
		t.Fatalf("sendto %d bytes: %d, %v", maxDatagram, n, err)
	}
	buf := make([]byte, 70000)
	if n, _, err := b.RecvFrom(buf, SecondsToInterval(5)); n != maxDatagram || err != nil {
		t.Fatalf("recvfrom: %d, %v", n, err)
	}
}

func TestTimeouts(t *testing.T) {
	const timeout = 150 * time.Millisecond
	iv := DurationToInterval(timeout)
	tests := []struct {
		name string
		call func(t *testing.T, iv Interval) error
	}{
		{"accept", func(t *testing.T, iv Interval) error {
			l, _ := listen(t, AFInet)
			_, _, err := l.Accept(iv)
			return err
		}},
		{"recv", func(t *testing.T, iv Interval) error {
			c, _ := connectedPair(t, AFInet)
			_, err := c.Recv(make([]byte, 8), iv)
			return err
		}},
		{"recvfrom", func(t *testing.T, iv Interval) error {
			s := newTestSocket(t, AFInet, DescSocketUDP)
			s.Bind(loopback(AFInet, 0))
			_, _, err := s.RecvFrom(make([]byte, 8), iv)
			return err
		}},
		{"acceptread", func(t *testing.T, iv Interval) error {
			l, addr := listen(t, AFInet)
			c := newTestSocket(t, AFInet, DescSocketTCP)
			if err := c.Connect(addr, SecondsToInterval(5)); err != nil {
				t.Fatal(err)
			}
			_, _, _, err := l.AcceptRead(16, iv)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			err := tt.call(t, iv)
			within(t, tt.name, start, timeout, err)
		})
		t.Run(tt.name+"/NoWait", func(t *testing.T) {
			start := time.Now()
			err := tt.call(t, IntervalNoWait)
			wantCode(t, tt.name, err, IOTimeoutError)
			if tt.name != "acceptread" && time.Since(start) > 500*time.Millisecond {
				t.Errorf("a no-wait %s waited %v", tt.name, time.Since(start))
			}
		})
	}
}

func TestNoWaitStillTriesOnce(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	client.Send([]byte("ready"), SecondsToInterval(1))
	buf := make([]byte, 16)
	var n int
	var err error
	for range 100 { // until the bytes cross loopback
		if n, err = server.Recv(buf, IntervalNoWait); err == nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if string(buf[:n]) != "ready" || err != nil {
		t.Fatalf("no-wait recv with data present = %q, %v", buf[:n], err)
	}
}

func TestSendTimeoutReturnsCountSent(t *testing.T) {
	client, _ := connectedPair(t, AFInet)
	fd, _ := client.Fileno()
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
	big := make([]byte, 16<<20) // far more than the peer, which never reads, can buffer
	start := time.Now()
	n, err := client.Send(big, MillisecondsToInterval(200))
	within(t, "send", start, 200*time.Millisecond, err)
	if n <= 0 || n >= len(big) {
		t.Fatalf("send returned %d of %d bytes with the timeout; want the partial count", n, len(big))
	}
}

func TestNonblockingMode(t *testing.T) {
	l, addr := listen(t, AFInet)
	l.nonblocking.Store(true)
	_, _, err := l.Accept(IntervalNoTimeout)
	wantCode(t, "non-blocking accept", err, WouldBlockError)

	c := newTestSocket(t, AFInet, DescSocketTCP)
	c.nonblocking.Store(true)
	err = c.Connect(addr, IntervalNoTimeout)
	if err != nil {
		wantCode(t, "non-blocking connect", err, InProgressError)
		deadline := time.Now().Add(5 * time.Second)
		for (errors.Is(err, InProgressError) || errors.Is(err, AlreadyInitiatedError)) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
			err = c.Connect(addr, IntervalNoTimeout)
		}
		if err != nil {
			t.Fatalf("connecting again after PR_IN_PROGRESS_ERROR: %v", err)
		}
	}
	var s *Socket
	deadline := time.Now().Add(5 * time.Second)
	for s == nil && time.Now().Before(deadline) {
		if s, _, err = l.Accept(IntervalNoTimeout); errors.Is(err, WouldBlockError) {
			time.Sleep(time.Millisecond)
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if s == nil {
		t.Fatal("no connection accepted")
	}
	defer s.Close()
	if s.nonblocking.Load() {
		t.Error("an accepted socket must start in blocking mode")
	}
	_, err = c.Recv(make([]byte, 1), IntervalNoTimeout)
	wantCode(t, "non-blocking recv", err, WouldBlockError)
	if !errors.Is(err, syscall.EAGAIN) {
		t.Errorf("would-block does not wrap EAGAIN: %v", err)
	}
	// A partial send is a success; a full buffer is would-block.
	fd, _ := c.Fileno()
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
	total := 0
	for range 10000 {
		n, err := c.Send(make([]byte, 1<<16), IntervalNoTimeout)
		total += n
		if err != nil {
			wantCode(t, "non-blocking send on a full buffer", err, WouldBlockError)
			break
		}
		if n == 0 {
			t.Fatal("non-blocking send returned 0 without an error")
		}
	}
	if total == 0 {
		t.Error("nothing was sent before the buffer filled")
	}
}

func TestConnectContinue(t *testing.T) {
	_, addr := listen(t, AFInet)
	c := newTestSocket(t, AFInet, DescSocketTCP)
	c.nonblocking.Store(true)
	err := c.Connect(addr, IntervalNoTimeout)
	if err != nil {
		wantCode(t, "connect", err, InProgressError)
	}
	wantCode(t, "continue without poll flags", c.ConnectContinue(0), InProgressError)
	wantCode(t, "continue on NVAL", c.ConnectContinue(PollNval), BadDescriptorError)
	deadline := time.Now().Add(5 * time.Second)
	for {
		err = c.ConnectContinue(PollWrite)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err != nil {
		t.Fatalf("ConnectContinue: %v", err)
	}
	if _, err := c.PeerName(); err != nil {
		t.Fatalf("not connected after ConnectContinue: %v", err)
	}

	refused := newTestSocket(t, AFInet, DescSocketTCP)
	l2, addr2 := listen(t, AFInet)
	l2.Close()
	refused.nonblocking.Store(true)
	if err := refused.Connect(addr2, IntervalNoTimeout); err != nil && !errors.Is(err, InProgressError) {
		wantCode(t, "non-blocking connect to a closed port", err, ConnectRefusedError)
		return
	}
	time.Sleep(50 * time.Millisecond)
	wantCode(t, "continue after refusal", refused.ConnectContinue(PollWrite|PollErr|PollHup), ConnectRefusedError)
}

// Blocked calls park goroutines in the runtime poller, not OS threads.
func TestBlockedCallsDoNotHoldThreads(t *testing.T) {
	const n = 1000 // 500 pairs blocked in Recv, 500 listeners blocked in Accept
	before := threadCount(t)
	var wg sync.WaitGroup
	var socks []*Socket
	for range n / 2 {
		a, b, err := NewTCPPair()
		if err != nil {
			t.Fatal(err)
		}
		socks = append(socks, a, b)
		wg.Add(1)
		go func() { defer wg.Done(); a.Recv(make([]byte, 1), IntervalNoTimeout) }()
	}
	for range n / 2 {
		l := newTestSocket(t, AFInet, DescSocketTCP)
		l.Bind(loopback(AFInet, 0))
		l.Listen(1)
		socks = append(socks, l)
		wg.Add(1)
		go func() { defer wg.Done(); l.Accept(IntervalNoTimeout) }()
	}
	time.Sleep(200 * time.Millisecond)
	during := threadCount(t)
	for _, s := range socks {
		s.Close()
	}
	wg.Wait()
	if during > before+10 {
		t.Fatalf("%d goroutines blocked in Recv/Accept used %d OS threads (%d before)", n, during, before)
	}
}

func TestAcceptRead(t *testing.T) {
	l, addr := listen(t, AFInet)
	c := newTestSocket(t, AFInet, DescSocketTCP)
	if err := c.Connect(addr, SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	c.Send([]byte("first bytes"), SecondsToInterval(1))
	s, peer, data, err := l.AcceptRead(5, SecondsToInterval(5))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	local, _ := c.SockName()
	if string(data) != "first" || peer != local {
		t.Errorf("AcceptRead = %q from %v; want \"first\" from %v", data, peer, local)
	}
	rest := make([]byte, 16)
	if n, _ := s.Recv(rest, SecondsToInterval(1)); string(rest[:n]) != " bytes" {
		t.Errorf("the rest: %q", rest[:n])
	}
}

func TestAcceptReadClosesConnectionOnFailedRead(t *testing.T) {
	l, addr := listen(t, AFInet)
	c := newTestSocket(t, AFInet, DescSocketTCP)
	if err := c.Connect(addr, SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	_, _, _, err := l.AcceptRead(8, MillisecondsToInterval(50))
	wantCode(t, "acceptread", err, IOTimeoutError)
	// The server side was closed: the client sees EOF.
	if n, err := c.Recv(make([]byte, 1), SecondsToInterval(5)); n != 0 || err != nil {
		t.Fatalf("client after a failed AcceptRead: %d, %v; want EOF", n, err)
	}
}
