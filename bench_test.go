package nspr

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// The benchmarks run nspr and Go's net side by side in one process, so their
// ratio is measured under the same machine noise. bench/run.sh runs them with
// fixed counts next to the NSPR C program and the python-nss script; the
// workloads here and there are the same (see BENCHMARKS.md).

const (
	bulkChunk = 64 << 10 // bytes per Send in BenchmarkTCPBulk
	lineLen   = 40       // bytes per line in BenchmarkReadLine, newline included
	udpSize   = 64       // bytes per datagram in BenchmarkUDP
	udpBurst  = 32       // datagrams sent before they are read back
)

// benchImpl is one implementation under comparison.
type benchImpl struct {
	name string
	// stream returns both ends of a loopback TCP connection with Nagle off.
	stream func(b *testing.B) (client, server io.ReadWriter)
	// accept makes one lock-step connection: connect, accept, close both.
	accept func(b *testing.B) func() error
	// udp returns a function that sends p to the peer and one that reads a
	// datagram, over a pair of loopback UDP sockets.
	udp func(b *testing.B) (send func(p []byte) error, recv func(p []byte) error)
}

var benchImpls = []benchImpl{
	{name: "nspr", stream: nsprStream, accept: nsprAccept, udp: nsprUDP},
	{name: "net", stream: netStream, accept: netAccept, udp: netUDP},
}

// forImpls runs bench once per implementation as sub-benchmark impl=NAME.
func forImpls(b *testing.B, bench func(b *testing.B, impl benchImpl)) {
	for _, impl := range benchImpls {
		b.Run("impl="+impl.name, func(b *testing.B) { bench(b, impl) })
	}
}

func nsprStream(b *testing.B) (io.ReadWriter, io.ReadWriter) {
	client, server := connectedPair(b, AFInet)
	for _, s := range []*Socket{client, server} {
		if err := s.SetNoDelay(true); err != nil {
			b.Fatalf("SetNoDelay: %v", err)
		}
	}
	return client, server
}

func netStream(b *testing.B) (io.ReadWriter, io.ReadWriter) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String()) // net turns Nagle off itself
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { client.Close() })
	server, err := ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { server.Close() })
	return client, server
}

func nsprAccept(b *testing.B) func() error {
	l, addr := listen(b, AFInet)
	return func() error {
		c, err := NewSocket(AFInet, DescSocketTCP)
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.Connect(addr, IntervalNoTimeout); err != nil {
			return err
		}
		s, _, err := l.Accept(IntervalNoTimeout)
		if err != nil {
			return err
		}
		return s.Close()
	}
}

func netAccept(b *testing.B) func() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	addr := ln.Addr().String()
	return func() error {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		defer c.Close()
		s, err := ln.Accept()
		if err != nil {
			return err
		}
		return s.Close()
	}
}

// nsprUDPPair returns two bound loopback UDP sockets and their addresses.
func nsprUDPPair(tb testing.TB) (a, b *Socket, aAddr, bAddr NetworkAddress) {
	tb.Helper()
	a = newTestSocket(tb, AFInet, DescSocketUDP)
	b = newTestSocket(tb, AFInet, DescSocketUDP)
	for _, s := range []*Socket{a, b} {
		if err := s.Bind(loopback(AFInet, 0)); err != nil {
			tb.Fatalf("bind: %v", err)
		}
	}
	var err error
	if aAddr, err = a.SockName(); err != nil {
		tb.Fatal(err)
	}
	if bAddr, err = b.SockName(); err != nil {
		tb.Fatal(err)
	}
	return a, b, aAddr, bAddr
}

func nsprUDP(b *testing.B) (func([]byte) error, func([]byte) error) {
	tx, rx, _, to := nsprUDPPair(b)
	send := func(p []byte) error {
		_, err := tx.SendTo(p, to, IntervalNoTimeout)
		return err
	}
	recv := func(p []byte) error {
		_, _, err := rx.RecvFrom(p, IntervalNoTimeout)
		return err
	}
	return send, recv
}

func netUDP(b *testing.B) (func([]byte) error, func([]byte) error) {
	lo := netip.MustParseAddrPort("127.0.0.1:0")
	tx, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(lo))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { tx.Close() })
	rx, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(lo))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { rx.Close() })
	to := rx.LocalAddr().(*net.UDPAddr).AddrPort()
	send := func(p []byte) error {
		_, err := tx.WriteToUDPAddrPort(p, to)
		return err
	}
	recv := func(p []byte) error {
		_, _, err := rx.ReadFromUDPAddrPort(p)
		return err
	}
	return send, recv
}

// BenchmarkTCPBulk streams 64 KiB chunks one way over loopback TCP; the
// receiver reads into a 64 KiB buffer. MB/s is the throughput.
func BenchmarkTCPBulk(b *testing.B) {
	forImpls(b, func(b *testing.B, impl benchImpl) {
		client, server := impl.stream(b)
		chunk := make([]byte, bulkChunk)
		total := int64(b.N) * bulkChunk
		var wg sync.WaitGroup
		var rerr error
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, bulkChunk)
			for got := int64(0); got < total; {
				n, err := server.Read(buf)
				if err != nil {
					rerr = err
					return
				}
				got += int64(n)
			}
		}()
		b.SetBytes(bulkChunk)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := client.Write(chunk); err != nil {
				b.Fatal(err)
			}
		}
		wg.Wait()
		b.StopTimer()
		if rerr != nil {
			b.Fatal(rerr)
		}
	})
}

// BenchmarkTCPPingPong sends a message and waits for its echo, Nagle off.
// rt/s is round trips per second.
func BenchmarkTCPPingPong(b *testing.B) {
	for _, size := range []int{1, 64} {
		b.Run(map[int]string{1: "1B", 64: "64B"}[size], func(b *testing.B) {
			forImpls(b, func(b *testing.B, impl benchImpl) { pingPong(b, impl, size) })
		})
	}
}

func pingPong(b *testing.B, impl benchImpl, size int) {
	client, server := impl.stream(b)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // echo until the client stops
		defer wg.Done()
		buf := make([]byte, size)
		for range b.N {
			if _, err := io.ReadFull(server, buf); err != nil {
				return
			}
			if _, err := server.Write(buf); err != nil {
				return
			}
		}
	}()
	msg := make([]byte, size)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := client.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(client, msg); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rt/s")
}

// BenchmarkTCPAccept connects, accepts and closes both ends in lock-step, as
// a server handling short connections does. conn/s is connections a second.
func BenchmarkTCPAccept(b *testing.B) {
	forImpls(b, func(b *testing.B, impl benchImpl) {
		once := impl.accept(b)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if err := once(); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "conn/s")
	})
}

// BenchmarkUDP sends 64-byte datagrams between two loopback sockets in bursts
// of 32 and reads each burst back, one system call per datagram each way.
// pkt/s is datagrams a second.
func BenchmarkUDP(b *testing.B) {
	forImpls(b, func(b *testing.B, impl benchImpl) {
		send, recv := impl.udp(b)
		msg := make([]byte, udpSize)
		buf := make([]byte, 2048)
		b.SetBytes(udpSize)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i += udpBurst {
			burst := min(udpBurst, b.N-i)
			for range burst {
				if err := send(msg); err != nil {
					b.Fatal(err)
				}
			}
			for range burst {
				if err := recv(buf); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkt/s")
	})
}

// idleSockets returns n bound UDP sockets with nothing queued and, last, one
// that has sent itself a datagram and so stays readable.
func idleSockets(b *testing.B, n int) []*Socket {
	socks := make([]*Socket, n+1)
	for i := range socks {
		socks[i] = newTestSocket(b, AFInet, DescSocketUDP)
		if err := socks[i].Bind(loopback(AFInet, 0)); err != nil {
			b.Fatal(err)
		}
	}
	ready := socks[n]
	self, err := ready.SockName()
	if err == nil {
		_, err = ready.SendTo([]byte("x"), self, IntervalNoTimeout)
	}
	if err != nil {
		b.Fatal(err)
	}
	return socks
}

// BenchmarkPollIdle polls N idle sockets and one readable one for reading.
// us is microseconds per poll. Go's net has no poll call; its column is
// poll(2) called from Go on the same descriptors.
func BenchmarkPollIdle(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			socks := idleSockets(b, n)
			b.Run("impl=net", func(b *testing.B) {
				fds := make([]unix.PollFd, len(socks))
				for i, s := range socks {
					fd, _ := s.Fileno()
					fds[i] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
				}
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if got, err := unix.Poll(fds, -1); err != nil || got != 1 || fds[n].Revents&unix.POLLIN == 0 {
						b.Fatalf("poll = %d, %v; want the last socket readable", got, err)
					}
				}
				b.StopTimer()
				b.ReportMetric(b.Elapsed().Seconds()*1e6/float64(b.N), "us")
			})
		})
	}
}

// lineBlock returns 64 KiB worth of whole 40-byte lines.
func lineBlock() []byte {
	var blk bytes.Buffer
	for i := range bulkChunk / lineLen {
		blk.Write(bytes.Repeat([]byte{'a' + byte(i%26)}, lineLen-1))
		blk.WriteByte('\n')
	}
	return blk.Bytes()
}

// sendLines writes n 40-byte lines to w in 64 KiB blocks.
func sendLines(w io.Writer, n int) error {
	blk := lineBlock()
	per := len(blk) / lineLen
	for sent := 0; sent < n; sent += per {
		k := min(per, n-sent)
		if _, err := w.Write(blk[:k*lineLen]); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkReadLine reads 40-byte lines, each copied into the caller's
// buffer, from a loopback TCP connection fed in 64 KiB writes. lines/s is
// lines a second. net's entry is a 64 KiB bufio.Reader's ReadSlice.
func BenchmarkReadLine(b *testing.B) {
	b.Run("impl=net", func(b *testing.B) {
		client, server := netStream(b)
		r := bufio.NewReaderSize(server, bulkChunk)
		readLine := func(p []byte) (int, error) {
			line, err := r.ReadSlice('\n')
			return copy(p, line), err
		}
		readLines(b, client, readLine)
	})
}

// readLines times b.N calls of readLine while another goroutine sends them.
func readLines(b *testing.B, w io.Writer, readLine func(p []byte) (int, error)) {
	done := make(chan error, 1)
	b.ReportAllocs()
	b.ResetTimer()
	go func() { done <- sendLines(w, b.N) }()
	line := make([]byte, 256)
	for range b.N {
		if n, err := readLine(line); err != nil || n != lineLen {
			b.Fatalf("line of %d bytes, %v", n, err)
		}
	}
	b.StopTimer()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
