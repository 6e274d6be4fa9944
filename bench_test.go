package nspr_test

import (
	"fmt"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/nspr-go/nspr"
	"github.com/nspr-go/nspr/internal/workload"
	"github.com/nspr-go/nspr/internal/workload/nsprimpl"
)

// The benchmarks run nspr and Go's net side by side in one process, so their
// ratio is measured under the same machine noise. bench/run.sh runs them with
// fixed counts next to the NSPR C program and the python-nss script; the
// workloads here and there are the same (see BENCHMARKS.md). The loops
// themselves and the adapters that run them over each implementation are
// package workload's, which the nspr command's bench runs too.

const (
	bulkChunk = workload.BulkChunk // bytes per Send in BenchmarkTCPBulk
	lineLen   = workload.LineLen   // bytes per line in BenchmarkReadLine, newline included
	udpSize   = workload.UDPSize   // bytes per datagram in BenchmarkUDP
	udpBurst  = workload.UDPBurst  // datagrams sent before they are read back
)

// benchImpls are the implementations under comparison, package workload's
// adapters: the nspr command's bench runs the same.
var benchImpls = []workload.Impl{nsprimpl.Impl{}, workload.Net{}}

// forImpls runs bench once per implementation as sub-benchmark impl=NAME.
func forImpls(b *testing.B, bench func(b *testing.B, impl workload.Impl)) {
	for _, impl := range benchImpls {
		b.Run("impl="+impl.Name(), func(b *testing.B) { bench(b, impl) })
	}
}

// tcpPair returns both ends of a loopback TCP connection of impl with Nagle
// off, closed when b ends.
func tcpPair(b *testing.B, impl workload.Impl) (client, server io.ReadWriter) {
	c, s, err := impl.TCPPair()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { workload.CloseAll(c, s) })
	return c, s
}

// BenchmarkTCPBulk streams 64 KiB chunks one way over loopback TCP; the
// receiver reads into a 64 KiB buffer. MB/s is the throughput.
func BenchmarkTCPBulk(b *testing.B) {
	forImpls(b, func(b *testing.B, impl workload.Impl) {
		client, server := tcpPair(b, impl)
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
			forImpls(b, func(b *testing.B, impl workload.Impl) { pingPong(b, impl, size) })
		})
	}
}

func pingPong(b *testing.B, impl workload.Impl, size int) {
	client, server := tcpPair(b, impl)
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
// impl=raw (Linux) is the floor: the system calls nspr makes for it, raw
// from Go; impl=raw-object adds the object and finalizer any Go socket keeps
// for a descriptor (benchRawAccept).
func BenchmarkTCPAccept(b *testing.B) {
	forImpls(b, func(b *testing.B, impl workload.Impl) {
		l, err := impl.TCPListener()
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		benchLoop(b, l.ConnectAccept)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "conn/s")
	})
	benchRawAccept(b)
}

// BenchmarkUDP sends 64-byte datagrams between two loopback sockets in bursts
// of 32 and reads each burst back, one system call per datagram each way.
// pkt/s is datagrams a second. impl=raw (Linux) is the floor: nspr's
// sendto(2) and recvfrom(2) calls, raw from Go (benchRawUDP).
func BenchmarkUDP(b *testing.B) {
	forImpls(b, func(b *testing.B, impl workload.Impl) {
		d, err := impl.UDPPair()
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		b.SetBytes(udpSize)
		b.ReportAllocs()
		b.ResetTimer()
		if err := workload.UDP(d, b.N, udpSize, udpBurst); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkt/s")
	})
	benchRawUDP(b)
}

// idleSockets returns nsprimpl's poll_idle sockets: n idle bound UDP
// sockets and, last, one that has sent itself a datagram and so stays
// readable, closed when b ends.
func idleSockets(b *testing.B, n int) *nsprimpl.IdleSet {
	set, err := nsprimpl.NewIdleSet(n)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { set.Close() })
	return set
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
			set := idleSockets(b, n)
			b.Run("impl=net", func(b *testing.B) {
				fds := make([]int, len(set.Descs))
				for i, d := range set.Descs {
					fds[i], _ = d.Socket.Fileno()
				}
				benchPolls(b, workload.NewPollFDs(fds))
			})
			// Each run of the benchmark goes on where the last stopped,
			// so that no list comes back soon (a list polled twice gets a
			// kept set, however it was built).
			polled := 0
			b.Run("impl=nspr", func(b *testing.B) {
				// Window i of ring is the sockets rotated by i: every window
				// holds them all, and each starts at another socket.
				k := len(set.Descs)
				ring := append(slices.Clip(set.Descs), set.Descs...)
				out := make([]nspr.PollFlags, k)
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					w := (polled + i) % k
					if got, err := nspr.PollInto(ring[w:w+k], out, nspr.IntervalNoTimeout); err != nil || got != 1 || out[n-w] != nspr.PollRead {
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

// benchPolls times b.N polls of set, each of which must find the last
// socket alone readable, in microseconds a poll (us).
func benchPolls(b *testing.B, set interface{ Poll() error }) {
	benchLoop(b, set.Poll)
	b.ReportMetric(b.Elapsed().Seconds()*1e6/float64(b.N), "us")
}

// benchLoop times b.N calls of once, stopping at its first error.
func benchLoop(b *testing.B, once func() error) {
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := once(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
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
			set := idleSockets(b, n)
			b.Run("impl=nspr", func(b *testing.B) {
				for range 3 { // the scan, the set's build, a first use of the set
					if err := set.Poll(); err != nil {
						b.Fatal(err)
					}
				}
				benchPolls(b, set)
			})
			benchRawKernelSet(b, set.Descs)
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
			set := idleSockets(b, n)
			b.Run("impl=nspr", func(b *testing.B) {
				p, err := nspr.NewPoller()
				if err != nil {
					b.Fatal(err)
				}
				defer p.Close()
				for _, d := range set.Descs {
					if err := p.Add(d.Socket, d.InFlags); err != nil {
						b.Fatal(err)
					}
				}
				events := make([]nspr.PollEvent, 64)
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if got, err := p.Wait(events, nspr.IntervalNoTimeout); err != nil || got != 1 || events[0].Socket != set.Descs[n].Socket {
						b.Fatalf("Wait = %d, %v; want the last socket readable", got, err)
					}
				}
				b.StopTimer()
				b.ReportMetric(b.Elapsed().Seconds()*1e6/float64(b.N), "us")
			})
			benchRawKernelSet(b, set.Descs)
		})
	}
}

// BenchmarkReadLine reads 40-byte lines, each copied into the caller's
// buffer, from a loopback TCP connection fed in 64 KiB writes. lines/s is
// lines a second. nspr's entry is ReadLineInto over the socket's 64 KiB
// read-ahead, nspr-reader's a LineReader's ReadLineInto on the same
// read-ahead, nspr-batch's ReadLinesInto (up to 256 lines a call into a
// 16 KiB buffer, each batch walked in a loop), net's a 64 KiB bufio.Reader's
// ReadSlice.
func BenchmarkReadLine(b *testing.B) {
	for _, lr := range lineReaders {
		b.Run("impl="+lr.name, func(b *testing.B) {
			client, server := tcpPair(b, lr.impl)
			if lr.batch != nil {
				readBatch := lr.batch(b, server)
				timeLines(b, func() error { return workload.ReadLineBatches(client, readBatch, b.N) })
				return
			}
			timeLineCalls(b, client, lr.reader(b, server))
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
			client, server := tcpPair(b, lr.impl)
			readChunk := lr.chunkReader(b, server, per)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += per {
				if _, err := client.Write(blk); err != nil {
					b.Fatal(err)
				}
				readChunk()
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// lineReaders are the line readers the readline benchmarks compare, each
// over a TCP pair of impl: nspr's and net's are package workload's readers.
var lineReaders = []lineReader{
	{"nspr", nsprimpl.Impl{}, implLineReader(nsprimpl.Impl{}), nil},
	{"nspr-reader", nsprimpl.Impl{}, func(b *testing.B, server io.ReadWriter) func([]byte) (int, error) {
		r, err := server.(*nspr.Socket).LineReader()
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { r.Release() })
		return func(p []byte) (int, error) { return r.ReadLineInto(p, nspr.IntervalNoTimeout) }
	}, nil},
	{name: "nspr-batch", impl: nsprimpl.Impl{}, batch: func(b *testing.B, server io.ReadWriter) func() ([][]byte, error) {
		s := server.(*nspr.Socket)
		buf := make([]byte, 16<<10)
		lines := make([][]byte, 256)
		return func() ([][]byte, error) {
			n, err := s.ReadLinesInto(buf, lines, nspr.IntervalNoTimeout)
			return lines[:n], err
		}
	}},
	{"net", workload.Net{}, implLineReader(workload.Net{}), nil},
}

// A lineReader is a line reader the readline benchmarks compare, over a TCP
// pair of impl. reader returns one that reads a line a call; batch, set
// instead, one that reads a batch of lines a call, whose caller walks the
// batch in a loop (workload.ReadLineBatches) instead of calling a function
// a line.
type lineReader struct {
	name   string
	impl   workload.Impl
	reader func(b *testing.B, server io.ReadWriter) func(p []byte) (int, error)
	batch  func(b *testing.B, server io.ReadWriter) func() ([][]byte, error)
}

// chunkReader returns a function that reads per lines from server, already
// sent, and fails b on a line that is not lineLen bytes.
func (lr lineReader) chunkReader(b *testing.B, server io.ReadWriter, per int) func() {
	if lr.batch != nil {
		readBatch := lr.batch(b, server)
		return func() {
			if err := workload.TakeLineBatches(readBatch, per); err != nil {
				b.Fatal(err)
			}
		}
	}
	readLine, p := lr.reader(b, server), make([]byte, 256)
	return func() {
		for range per {
			if n, err := readLine(p); n != lineLen || err != nil {
				b.Fatalf("line of %d bytes, %v", n, err)
			}
		}
	}
}

// implLineReader returns impl's own line reader, for lineReaders.
func implLineReader(impl workload.Impl) func(b *testing.B, server io.ReadWriter) func([]byte) (int, error) {
	return func(b *testing.B, server io.ReadWriter) func([]byte) (int, error) { return impl.LineReader(server) }
}

// BenchmarkReadLineCrossed swaps the ends of BenchmarkReadLine to tell a
// slow reader from a slow sender: net sending to nspr's ReadLineInto (the
// net end taken in with FromConn), and nspr sending to a 64 KiB
// bufio.Reader over nspr's Conn view, which reads through the same path
// as ReadLineInto's fills.
func BenchmarkReadLineCrossed(b *testing.B) {
	b.Run("send=net/read=nspr", func(b *testing.B) {
		client, server := tcpPair(b, workload.Net{})
		s, err := nspr.FromConn(server.(net.Conn))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		timeLineCalls(b, client, func(p []byte) (int, error) { return s.ReadLineInto(p, nspr.IntervalNoTimeout) })
	})
	b.Run("send=nspr/read=bufio-over-nspr", func(b *testing.B) {
		client, server := tcpPair(b, nsprimpl.Impl{})
		timeLineCalls(b, client, workload.Net{}.LineReader(server.(*nspr.Socket).Conn()))
	})
}

// timeLineCalls times b.N calls of readLine, a line a call, while another
// goroutine sends the lines to w.
func timeLineCalls(b *testing.B, w io.Writer, readLine func(p []byte) (int, error)) {
	timeLines(b, func() error { return workload.ReadLines(w, readLine, b.N) })
}

// timeLines times read, which reads b.N lines while another goroutine sends
// them, and reports lines a second.
func timeLines(b *testing.B, read func() error) {
	b.ReportAllocs()
	b.ResetTimer()
	if err := read(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
