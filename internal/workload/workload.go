// Package workload holds the loopback workloads that compare nspr with Go's
// net: the loops themselves, written once over small interfaces that each
// implementation satisfies, so that the nspr command's bench and the Go
// benchmarks of the root package time the same code.
//
// This package does not import nspr, so the root package's own tests can
// use it; the nspr implementation lives in package nsprimpl below it, the
// standard library's here (Net). The root package's benchmarks run over
// both from package nspr_test, which may import nsprimpl.
package workload

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"time"
)

// Impl is one implementation under comparison: the loopback sockets the
// workloads run over.
type Impl interface {
	// Name is the implementation's column in reports: "nspr" or "net".
	Name() string
	// TCPPair returns both ends of a loopback TCP connection with Nagle's
	// algorithm off.
	TCPPair() (client, server io.ReadWriteCloser, err error)
	// TCPListener returns a listener on a loopback TCP port.
	TCPListener() (Listener, error)
	// UDPPair returns two bound loopback UDP sockets, one sending to the
	// other.
	UDPPair() (Datagrams, error)
	// LineReader returns a function that reads the next line from server,
	// the server end of a TCPPair, into p and returns its length.
	LineReader(server io.Reader) func(p []byte) (int, error)
	// IdleSockets returns n idle bound loopback UDP sockets and one more
	// that holds a datagram, ready to be polled.
	IdleSockets(n int) (IdleSet, error)
}

// IdleSet is a set of sockets of which only the last is readable.
type IdleSet interface {
	// Poll polls every socket for reading once, and fails unless exactly
	// the last one is reported readable.
	Poll() error
	Close() error
}

// PollIdleN is the number of idle sockets in the poll_idle_1000_kept workload.
const PollIdleN = 1000

// Listener is a loopback TCP listener of one implementation.
type Listener interface {
	// ConnectAccept connects to the listener, accepts the connection and
	// closes both ends, as a server handling short connections does.
	ConnectAccept() error
	Close() error
}

// Datagrams is a pair of loopback UDP sockets of one implementation.
type Datagrams interface {
	// Burst sends msg k times to the other socket, a call a datagram, then
	// receives the k datagrams into buf, a call each. The implementation
	// loops itself, so that nothing but its own calls runs between two of
	// them, as in the C program's loop and the raw floor's.
	Burst(msg, buf []byte, k int) error
	Close() error
}

// Sizes of the workloads, the same in bench/run.sh, the NSPR C program and
// the python-nss script (see BENCHMARKS.md).
const (
	BulkChunk = 64 << 10 // bytes per write in Bulk
	LineLen   = 40       // bytes per line of SendLines, newline included
	UDPSize   = 64       // bytes per datagram in UDP
	UDPBurst  = 32       // datagrams sent before they are read back
)

// Bulk writes n chunks of size bytes to w while another goroutine reads
// them from r into a buffer of the same size. On an error the caller closes
// the connection, which ends the reading goroutine.
func Bulk(w io.Writer, r io.Reader, n, size int) error {
	total := int64(n) * int64(size)
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, size)
		for got := int64(0); got < total; {
			k, err := r.Read(buf)
			if err != nil {
				done <- err
				return
			}
			got += int64(k)
		}
		done <- nil
	}()
	chunk := make([]byte, size)
	for range n {
		if _, err := w.Write(chunk); err != nil {
			return err
		}
	}
	return <-done
}

// PingPong sends n messages of size bytes from client, each echoed by
// server, waiting for every echo before the next message: n round trips.
// When rtt is not nil (len(rtt) >= n), rtt[i] is set to the time round trip
// i took: one clock reading a round trip, into memory allocated beforehand,
// so that recording costs the loop next to nothing.
func PingPong(client, server io.ReadWriter, n, size int, rtt []time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- echo(server, n, size) }()
	msg := make([]byte, size)
	start := time.Now()
	prev := time.Duration(0)
	for i := range n {
		if _, err := client.Write(msg); err != nil {
			return err
		}
		if _, err := io.ReadFull(client, msg); err != nil {
			return err
		}
		if rtt != nil {
			now := time.Since(start)
			rtt[i], prev = now-prev, now
		}
	}
	return <-done
}

// LatencyPercentiles are the percentiles of the round-trip time that the
// ping-pong rows report, in every implementation (bench/c, bench/python).
var LatencyPercentiles = []struct {
	Name string  // the suffix of the row: p50, p99, p99.9
	P    float64 // the fraction of round trips at or under it
}{{"p50", 0.50}, {"p99", 0.99}, {"p99.9", 0.999}}

// Percentile returns the nearest-rank p-quantile of sorted, a sorted
// list: the smallest value that at least a fraction p of the list is at or
// under. The C program and the python script compute it the same way.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// echo sends back n messages of size bytes.
func echo(rw io.ReadWriter, n, size int) error {
	buf := make([]byte, size)
	for range n {
		if _, err := io.ReadFull(rw, buf); err != nil {
			return err
		}
		if _, err := rw.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// Accept makes n short connections to l in lock-step.
func Accept(l Listener, n int) error {
	for range n {
		if err := l.ConnectAccept(); err != nil {
			return err
		}
	}
	return nil
}

// UDP sends n datagrams of size bytes in bursts of burst and reads each
// burst back: a system call per datagram each way.
func UDP(d Datagrams, n, size, burst int) error {
	msg := make([]byte, size)
	buf := make([]byte, 2048)
	for i := 0; i < n; i += burst {
		if err := d.Burst(msg, buf, min(burst, n-i)); err != nil {
			return err
		}
	}
	return nil
}

// CheckBurst checks an implementation's Burst: each burst receives the
// datagrams it sent, whole, and leaves none behind for the next. A Burst
// that waits for more than it sent fails after timeout, with d closed.
func CheckBurst(d Datagrams, timeout time.Duration) error {
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 2048)
		// A datagram left behind by a burst is received by the next in
		// place of one of its own, and the last, a single datagram, would
		// hold it instead of its own message.
		for i, k := range []int{5, UDPBurst, 1} {
			msg := bytes.Repeat([]byte{'a' + byte(i)}, UDPSize)
			clear(buf)
			if err := d.Burst(msg, buf, k); err != nil {
				done <- fmt.Errorf("burst of %d: %v", k, err)
				return
			}
			if !bytes.Equal(buf[:UDPSize], msg) || buf[UDPSize] != 0 {
				done <- fmt.Errorf("burst of %d of %q received %q last", k, msg[:1], bytes.TrimRight(buf, "\x00"))
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		d.Close()
		<-done
		return fmt.Errorf("bursts not done in %v: a burst waited for more datagrams than it sent", timeout)
	}
}

// LineBlock returns BulkChunk worth of whole LineLen-byte lines, a new slice.
func LineBlock() []byte {
	var blk bytes.Buffer
	for i := range BulkChunk / LineLen {
		blk.Write(bytes.Repeat([]byte{'a' + byte(i%26)}, LineLen-1))
		blk.WriteByte('\n')
	}
	return blk.Bytes()
}

// SendLines writes n LineLen-byte lines to w in BulkChunk blocks.
func SendLines(w io.Writer, n int) error {
	blk := LineBlock()
	per := len(blk) / LineLen
	for sent := 0; sent < n; sent += per {
		k := min(per, n-sent)
		if _, err := w.Write(blk[:k*LineLen]); err != nil {
			return err
		}
	}
	return nil
}

// ReadLines reads n lines of LineLen bytes with readLine while another
// goroutine sends them to w, the other end of the connection.
func ReadLines(w io.Writer, readLine func(p []byte) (int, error), n int) error {
	done := sendLinesAside(w, n)
	line := make([]byte, 256)
	for i := range n {
		if k, err := readLine(line); err != nil || k != LineLen {
			return fmt.Errorf("line %d: %d bytes, want %d (%v)", i, k, LineLen, err)
		}
	}
	return <-done
}

// ReadLineBatches is ReadLines for a reader that returns a batch of lines a
// call: the caller walks each batch in a loop, checking every line's length,
// as a program using a batch call would, with no function call a line.
func ReadLineBatches(w io.Writer, readBatch func() ([][]byte, error), n int) error {
	done := sendLinesAside(w, n)
	if err := TakeLineBatches(readBatch, n); err != nil {
		return err
	}
	return <-done
}

// TakeLineBatches reads n lines of LineLen bytes with readBatch, a batch a
// call, checking each line in a loop over its batch.
func TakeLineBatches(readBatch func() ([][]byte, error), n int) error {
	for got := 0; got < n; {
		lines, err := readBatch()
		if err != nil || len(lines) == 0 {
			return fmt.Errorf("line %d: no lines (%v)", got, err)
		}
		for _, l := range lines {
			if len(l) != LineLen {
				return fmt.Errorf("line %d: %d bytes, want %d", got, len(l), LineLen)
			}
			got++
		}
	}
	return nil
}

// sendLinesAside starts SendLines(w, n) on a goroutine of its own and
// returns where its result arrives.
func sendLinesAside(w io.Writer, n int) <-chan error {
	done := make(chan error, 1)
	go func() { done <- SendLines(w, n) }()
	return done
}

// A Workload is one of the loopback workloads, by the name bench/run.sh and
// BENCHMARKS.md give it.
type Workload struct {
	Name string
	// Unit is the unit of the figure Run's result gives, always a rate:
	// higher is better.
	Unit string
	// Quick and Full are the iterations of one run in a quick and in a full
	// bench.
	Quick, Full int
	// Desc says what one iteration is.
	Desc string
	// per is how much of Unit's quantity one iteration is.
	per float64
	run func(impl Impl, n int) (time.Duration, error)
}

// Figure converts n iterations in elapsed time to the workload's unit.
func (w Workload) Figure(n int, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return float64(n) * w.per / elapsed.Seconds()
}

// Run runs n iterations of the workload over impl and returns how long they
// took, setting up and tearing down outside the time measured.
func (w Workload) Run(impl Impl, n int) (time.Duration, error) { return w.run(impl, n) }

// Workloads are the workloads every implementation supports, in the order
// of bench/run.sh.
var Workloads = []Workload{
	{
		Name: "tcp_bulk", Unit: "MB/s", Quick: 1 << 12, Full: 1 << 14, per: BulkChunk / 1e6,
		Desc: "one 64 KiB chunk streamed one way over loopback TCP",
		run: func(impl Impl, n int) (time.Duration, error) {
			return timeStream(impl, func(c, s io.ReadWriter) error { return Bulk(c, s, n, BulkChunk) })
		},
	},
	{
		Name: "tcp_pingpong_1B", Unit: "rt/s", Quick: 2000, Full: 20000, per: 1,
		Desc: "one 1-byte round trip over loopback TCP, Nagle off",
		run: func(impl Impl, n int) (time.Duration, error) {
			return timeStream(impl, func(c, s io.ReadWriter) error { return PingPong(c, s, n, 1, nil) })
		},
	},
	{
		Name: "tcp_accept", Unit: "conn/s", Quick: 600, Full: 20000, per: 1,
		Desc: "one connect, accept and close of both ends on loopback TCP",
		run: func(impl Impl, n int) (time.Duration, error) {
			l, err := impl.TCPListener()
			if err != nil {
				return 0, err
			}
			return timed(func() error { return Accept(l, n) }, l)
		},
	},
	{
		Name: "udp_pps", Unit: "pkt/s", Quick: 10000, Full: 200000, per: 1,
		Desc: "one 64-byte datagram sent and received on loopback UDP, in bursts of 32",
		run: func(impl Impl, n int) (time.Duration, error) {
			d, err := impl.UDPPair()
			if err != nil {
				return 0, err
			}
			return timed(func() error { return UDP(d, n, UDPSize, UDPBurst) }, d)
		},
	},
	{
		Name: "poll_idle_1000_kept", Unit: "polls/s", Quick: 200, Full: 2000, per: 1,
		Desc: "one poll for reading of the same list of 1,000 idle UDP sockets and a readable one, again and again " +
			"(nspr's from the epoll set it keeps for the list); net's is poll(2) from Go, a scan",
		run: func(impl Impl, n int) (time.Duration, error) {
			set, err := impl.IdleSockets(PollIdleN)
			if err == nil {
				err = set.Poll() // a first poll may register the sockets: not timed
			}
			if err != nil {
				if set != nil {
					set.Close()
				}
				return 0, err
			}
			return timed(func() error {
				for range n {
					if err := set.Poll(); err != nil {
						return err
					}
				}
				return nil
			}, set)
		},
	},
	{
		Name: "readline", Unit: "lines/s", Quick: 2000000, Full: 20000000, per: 1,
		Desc: "one 40-byte line read from loopback TCP fed in 64 KiB writes",
		run: func(impl Impl, n int) (time.Duration, error) {
			return timeStream(impl, func(c, s io.ReadWriter) error { return ReadLines(c, impl.LineReader(s), n) })
		},
	},
}

// Lookup returns the workload with the given name.
func Lookup(name string) (Workload, bool) {
	for _, w := range Workloads {
		if w.Name == name {
			return w, true
		}
	}
	return Workload{}, false
}

// timeStream times f over a fresh TCP pair of impl.
func timeStream(impl Impl, f func(client, server io.ReadWriter) error) (time.Duration, error) {
	c, s, err := impl.TCPPair()
	if err != nil {
		return 0, err
	}
	return timed(func() error { return f(c, s) }, c, s)
}

// timed times f, then closes what it ran over. An error of f comes first.
func timed(f func() error, closers ...io.Closer) (time.Duration, error) {
	start := time.Now()
	err := f()
	elapsed := time.Since(start)
	if cerr := CloseAll(closers...); err == nil {
		err = cerr
	}
	return elapsed, err
}

// CloseAll closes each of closers and returns the first error.
func CloseAll(closers ...io.Closer) error {
	var err error
	for _, c := range closers {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
