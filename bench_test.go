package nspr

import (
	"fmt"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nspr-go/nspr/internal/workload"
)

// The benchmarks run nspr and Go's net side by side in one process, so their
// ratio is measured under the same machine noise. bench/run.sh runs them with
// fixed counts next to the NSPR C program and the python-nss script; the
// workloads here and there are the same (see BENCHMARKS.md). The loops
// themselves are package workload's, which the nspr command's bench runs too.

const (
	bulkChunk = workload.BulkChunk // bytes per Send in BenchmarkTCPBulk
	lineLen   = workload.LineLen   // bytes per line in BenchmarkReadLine, newline included
	udpSize   = workload.UDPSize   // bytes per datagram in BenchmarkUDP
	udpBurst  = workload.UDPBurst  // datagrams sent before they are read back
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
	client, server, err := workload.Net{}.TCPPair()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { client.Close(); server.Close() })
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
	l, err := workload.Net{}.TCPListener()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	return l.ConnectAccept
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
	d, err := workload.Net{}.UDPPair()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d.Send, d.Recv
}

// BenchmarkTCPBulk streams 64 KiB chunks one way over loopback TCP; the
// receiver reads into a 64 KiB buffer. MB/s is the throughput.
func BenchmarkTCPBulk(b *testing.B) {
	forImpls(b, func(b *testing.B, impl benchImpl) {
		client, server := impl.stream(b)
		b.SetBytes(bulkChunk)
		b.ReportAllocs()
		b.ResetTimer()
		if err := workload.Bulk(client, server, b.N, bulkChunk); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
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
	rtt := make([]time.Duration, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	if err := workload.PingPong(client, server, b.N, size, rtt); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rt/s")
	reportLatency(b, rtt)
}

// reportLatency reports the percentiles of the round-trip times as metrics
// p50-us, p99-us and p99.9-us (microseconds), as the C program and the
// python script print them.
func reportLatency(b *testing.B, rtt []time.Duration) {
	slices.Sort(rtt)
	for _, p := range workload.LatencyPercentiles {
		b.ReportMetric(float64(workload.Percentile(rtt, p.P))/1e3, p.Name+"-us")
	}
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
		b.SetBytes(udpSize)
		b.ReportAllocs()
		b.ResetTimer()
		if err := workload.UDP(datagramFuncs{send, recv}, b.N, udpSize, udpBurst); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkt/s")
	})
}

// datagramFuncs makes a benchImpl's udp functions a workload.Datagrams.
type datagramFuncs struct{ send, recv func([]byte) error }

func (d datagramFuncs) Send(p []byte) error { return d.send(p) }
func (d datagramFuncs) Recv(p []byte) error { return d.recv(p) }
func (d datagramFuncs) Close() error        { return nil }

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

// BenchmarkPollIdle polls N idle sockets and one readable one for reading,
// scanning every descriptor each time. us is microseconds per poll. Go's net
// has no poll call; its column is poll(2) called from Go on the same
// descriptors. nspr's is the first Poll of a list, which is poll(2)'s scan
// too: each call polls a list it has not seen recently (the sockets
// rotated, so its first socket is none of the last N calls' first), so no
// epoll set is built or kept. BenchmarkPollIdleKept times the lists Poll
// has seen before.
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
			// Each run of the benchmark goes on where the last stopped,
			// so that no list comes back soon (a list polled twice gets a
			// kept set, however it was built).
			polled := 0
			b.Run("impl=nspr", func(b *testing.B) {
				// Window i of ring is the sockets rotated by i: every window
				// holds them all, and each starts at another socket.
				ring := make([]PollDesc, 2*len(socks))
				for i := range ring {
					ring[i] = PollDesc{Socket: socks[i%len(socks)], InFlags: PollRead}
				}
				out := make([]PollFlags, len(socks))
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					w := (polled + i) % len(socks)
					if got, err := PollInto(ring[w:w+len(socks)], out, IntervalNoTimeout); err != nil || got != 1 || out[n-w] != PollRead {
						b.Fatalf("Poll = %d, %v; want the last socket readable", got, err)
					}
				}
				b.StopTimer()
				polled += b.N
				b.ReportMetric(b.Elapsed().Seconds()*1e6/float64(b.N), "us")
			})
		})
	}
}

// BenchmarkPollIdleKept is BenchmarkPollIdle's workload polled as a
// server's loop does, the same list every time: nspr answers from the epoll
// set it keeps for the list. The first Poll (a scan) and the second (which
// builds the set) run before the timer starts, so neither they nor the
// set's allocations count. impl=epoll (Linux) is epoll_wait(2) called from
// Go on an epoll set of the same descriptors, the floor.
func BenchmarkPollIdleKept(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			socks := idleSockets(b, n)
			b.Run("impl=nspr", func(b *testing.B) {
				descs := make([]PollDesc, len(socks))
				for i, s := range socks {
					descs[i] = PollDesc{Socket: s, InFlags: PollRead}
				}
				out := make([]PollFlags, len(descs))
				poll := func() {
					if got, err := PollInto(descs, out, IntervalNoTimeout); err != nil || got != 1 || out[n] != PollRead {
						b.Fatalf("Poll = %d, %v; want the last socket readable", got, err)
					}
				}
				for range 3 { // the scan, the set's build, a first use of the set
					poll()
				}
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					poll()
				}
				b.StopTimer()
				b.ReportMetric(b.Elapsed().Seconds()*1e6/float64(b.N), "us")
			})
			benchRawKernelSet(b, socks)
		})
	}
}

// BenchmarkPollerWait waits on a Poller holding N idle sockets and one
// readable one. us is microseconds per Wait; impl=epoll (Linux) is
// epoll_wait(2) called from Go on an epoll set of the same descriptors, the
// floor. Go's net has no such call.
func BenchmarkPollerWait(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			socks := idleSockets(b, n)
			b.Run("impl=nspr", func(b *testing.B) {
				p, err := NewPoller()
				if err != nil {
					b.Fatal(err)
				}
				defer p.Close()
				for _, s := range socks {
					if err := p.Add(s, PollRead); err != nil {
						b.Fatal(err)
					}
				}
				events := make([]PollEvent, 64)
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if got, err := p.Wait(events, IntervalNoTimeout); err != nil || got != 1 || events[0].Socket != socks[n] {
						b.Fatalf("Wait = %d, %v; want the last socket readable", got, err)
					}
				}
				b.StopTimer()
				b.ReportMetric(b.Elapsed().Seconds()*1e6/float64(b.N), "us")
			})
			benchRawKernelSet(b, socks)
		})
	}
}

// BenchmarkReadLine reads 40-byte lines, each copied into the caller's
// buffer, from a loopback TCP connection fed in 64 KiB writes. lines/s is
// lines a second. nspr's entry is ReadLineInto over the socket's 64 KiB
// read-ahead, nspr-reader's a LineReader's ReadLineInto on the same
// read-ahead, nspr-batch's ReadLinesInto (up to 256 lines a call into a
// 16 KiB buffer), net's a 64 KiB bufio.Reader's ReadSlice.
func BenchmarkReadLine(b *testing.B) {
	for _, lr := range lineReaders {
		b.Run("impl="+lr.name, func(b *testing.B) {
			client, server := lr.stream(b)
			readLines(b, client, lr.reader(b, server))
		})
	}
}

// BenchmarkReadLineBuffered times the reading side alone: 64 KiB of 40-byte
// lines written, then read, in turn, by the readers of BenchmarkReadLine.
// With no sender running beside the reader, the machine's other work and
// Go's scheduler skew it less, and the per-line cost of each reader shows.
func BenchmarkReadLineBuffered(b *testing.B) {
	blk := workload.LineBlock()
	per := len(blk) / lineLen
	for _, lr := range lineReaders {
		b.Run("impl="+lr.name, func(b *testing.B) {
			client, server := lr.stream(b)
			readLine := lr.reader(b, server)
			p := make([]byte, 256)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += per {
				if _, err := client.Write(blk); err != nil {
					b.Fatal(err)
				}
				for range per {
					if n, err := readLine(p); n != lineLen || err != nil {
						b.Fatalf("line of %d bytes, %v", n, err)
					}
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// lineReaders are the line readers the readline benchmarks compare.
var lineReaders = []struct {
	name   string
	stream func(b *testing.B) (client, server io.ReadWriter)
	reader func(b *testing.B, server io.ReadWriter) func(p []byte) (int, error)
}{
	{"nspr", nsprStream, func(b *testing.B, server io.ReadWriter) func([]byte) (int, error) {
		s := server.(*Socket)
		return func(p []byte) (int, error) { return s.ReadLineInto(p, IntervalNoTimeout) }
	}},
	{"nspr-reader", nsprStream, func(b *testing.B, server io.ReadWriter) func([]byte) (int, error) {
		r, err := server.(*Socket).LineReader()
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { r.Release() })
		return func(p []byte) (int, error) { return r.ReadLineInto(p, IntervalNoTimeout) }
	}},
	{"nspr-batch", nsprStream, func(b *testing.B, server io.ReadWriter) func([]byte) (int, error) {
		s := server.(*Socket)
		buf := make([]byte, 16<<10)
		var lines [256][]byte
		next, count := 0, 0
		return func(p []byte) (int, error) {
			if next == count {
				var err error
				if count, err = s.ReadLinesInto(buf, lines[:], IntervalNoTimeout); err != nil || count == 0 {
					return 0, err
				}
				next = 0
			}
			next++
			return len(lines[next-1]), nil // already in the caller's buffer
		}
	}},
	{"net", netStream, func(b *testing.B, server io.ReadWriter) func([]byte) (int, error) {
		return workload.Net{}.LineReader(server)
	}},
}

// BenchmarkReadLineCrossed swaps the ends of BenchmarkReadLine to tell a
// slow reader from a slow sender: net sending to nspr's ReadLineInto (the
// net end taken in with FromConn), and nspr sending to a 64 KiB
// bufio.Reader over nspr's Conn view, which reads through the same path
// as ReadLineInto's fills.
func BenchmarkReadLineCrossed(b *testing.B) {
	b.Run("send=net/read=nspr", func(b *testing.B) {
		client, server := netStream(b)
		s, err := FromConn(server.(net.Conn))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		readLines(b, client, func(p []byte) (int, error) { return s.ReadLineInto(p, IntervalNoTimeout) })
	})
	b.Run("send=nspr/read=bufio-over-nspr", func(b *testing.B) {
		client, server := nsprStream(b)
		readLines(b, client, workload.Net{}.LineReader(server.(*Socket).Conn()))
	})
}

// readLines times b.N calls of readLine while another goroutine sends them.
func readLines(b *testing.B, w io.Writer, readLine func(p []byte) (int, error)) {
	b.ReportAllocs()
	b.ResetTimer()
	if err := workload.ReadLines(w, readLine, b.N); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
