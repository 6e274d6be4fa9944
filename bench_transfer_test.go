//go:build linux || darwin || freebsd

package nspr_test

import (
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/nspr-go/nspr"
	"github.com/nspr-go/nspr/internal/workload"
	"github.com/nspr-go/nspr/internal/workload/nsprimpl"
)

// The benchmarks of the kernel's offloads: a file sent to a socket
// (sendfile(2)), a socket relayed to a socket (splice(2)) and a vector of
// small buffers in one call (sendmsg(2)), each beside Go's net doing the
// same; bench/run.sh runs them next to NSPR's PR_TransmitFile in C.

// fileSendDefault is the size of the file BenchmarkFileSend makes when
// NSPR_BENCH_FILE does not name one.
const fileSendDefault = 64 << 20

// benchFile returns the file BenchmarkFileSend sends: NSPR_BENCH_FILE
// (bench/run.sh makes one of 1 GiB, shared with the C program) or a new
// one of fileSendDefault bytes, and its size.
func benchFile(b *testing.B) (*os.File, int64) {
	path := os.Getenv("NSPR_BENCH_FILE")
	if path == "" {
		path = filepath.Join(b.TempDir(), "file")
		data := make([]byte, fileSendDefault)
		rand.NewChaCha8([32]byte{50}).Read(data)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	return f, st.Size()
}

// BenchmarkFileSend sends a whole file to a loopback TCP connection once
// per op, while the peer reads it into a 64 KiB buffer: nspr's io.Copy
// (ReadFrom), nspr's SendFile, and net's io.Copy (its own sendfile path).
// MB/s is the throughput.
func BenchmarkFileSend(b *testing.B) {
	f, size := benchFile(b)
	copyFile := func(w io.ReadWriter) error {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		_, err := io.Copy(w, f)
		return err
	}
	benchSends(b, size, []string{"nspr", "nspr-sendfile", "net"}, map[string]func(w io.ReadWriter) error{
		"nspr": copyFile,
		"nspr-sendfile": func(w io.ReadWriter) error {
			_, err := w.(*nspr.Socket).SendFile(nspr.SendFileData{File: f}, nspr.TransmitFileKeepOpen, nspr.IntervalNoTimeout)
			return err
		},
		"net": copyFile,
	})
}

// benchSends runs each named implementation's op b.N times as
// sub-benchmark impl=NAME over a loopback TCP connection (net's for "net",
// nspr's otherwise) whose peer reads the perOp bytes each op writes, and
// reports MB/s and ops/s.
func benchSends(b *testing.B, perOp int64, names []string, ops map[string]func(w io.ReadWriter) error) {
	for _, name := range names {
		b.Run("impl="+name, func(b *testing.B) {
			var impl workload.Impl = nsprimpl.Impl{}
			if name == "net" {
				impl = workload.Net{}
			}
			client, server := tcpPair(b, impl)
			done := make(chan error, 1)
			go func() {
				done <- sink(server, perOp*int64(b.N))
			}()
			b.SetBytes(perOp)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := ops[name](client); err != nil {
					b.Fatal(err)
				}
			}
			if err := <-done; err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}

// BenchmarkProxy relays a stream from one loopback TCP connection to
// another with io.Copy, as a proxy does: a writer sends 64 KiB chunks into
// the first, the relay copies, a reader drains the second. nspr's relay
// splices through its ReadFrom; net's splices through *net.TCPConn's. MB/s
// is the throughput.
func BenchmarkProxy(b *testing.B) {
	forImpls(b, func(b *testing.B, impl workload.Impl) {
		srcClient, srcServer := tcpPair(b, impl)
		dstClient, dstServer := tcpPair(b, impl)
		total := int64(b.N) * bulkChunk
		relayed := make(chan error, 1)
		go func() {
			_, err := io.Copy(dstClient, srcServer)
			if err == nil {
				err = endStream(dstClient)
			}
			relayed <- err
		}()
		drained := make(chan error, 1)
		go func() {
			drained <- sink(dstServer, total)
		}()
		chunk := make([]byte, bulkChunk)
		b.SetBytes(bulkChunk)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := srcClient.Write(chunk); err != nil {
				b.Fatal(err)
			}
		}
		if err := endStream(srcClient); err != nil {
			b.Fatal(err)
		}
		if err := <-relayed; err != nil {
			b.Fatal(err)
		}
		if err := <-drained; err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
	})
}

// writevCount and writevSize shape BenchmarkWritev's vector.
const (
	writevCount = 16
	writevSize  = 64
)

// BenchmarkWritev writes 16 buffers of 64 bytes per op to a loopback TCP
// connection whose peer reads them: nspr's Writev (one sendmsg(2)), 16 of
// nspr's Sends, and net.Buffers over a *net.TCPConn (net's writev).
// ops/s counts the vectors.
func BenchmarkWritev(b *testing.B) {
	bufs := make([][]byte, writevCount)
	for i := range bufs {
		bufs[i] = make([]byte, writevSize)
	}
	nb := make(net.Buffers, writevCount)
	benchSends(b, writevCount*writevSize, []string{"nspr", "nspr-sends", "net"}, map[string]func(w io.ReadWriter) error{
		"nspr": func(w io.ReadWriter) error {
			_, err := w.(*nspr.Socket).Writev(bufs, nspr.IntervalNoTimeout)
			return err
		},
		"nspr-sends": func(w io.ReadWriter) error {
			for _, p := range bufs {
				if _, err := w.(*nspr.Socket).Send(p, nspr.IntervalNoTimeout); err != nil {
					return err
				}
			}
			return nil
		},
		"net": func(w io.ReadWriter) error {
			// WriteTo consumes the vector, clearing its entries: give it
			// a copy.
			copy(nb, bufs)
			v := nb
			_, err := v.WriteTo(w.(net.Conn))
			return err
		},
	})
}

// endStream ends the stream w writes, as a proxy passes on the end of its
// source.
func endStream(w io.Writer) error {
	if s, ok := w.(*nspr.Socket); ok {
		return s.Shutdown(nspr.ShutdownSend)
	}
	return w.(*net.TCPConn).CloseWrite()
}

// sink reads total bytes from r into a 64 KiB buffer, as the peers of
// bench/run.sh's other bulk workloads do.
func sink(r io.Reader, total int64) error {
	buf := make([]byte, bulkChunk)
	for total > 0 {
		n, err := r.Read(buf[:min(int64(len(buf)), total)])
		total -= int64(n)
		if err != nil {
			if err == io.EOF && total > 0 {
				err = io.ErrUnexpectedEOF
			}
			if total > 0 {
				return err
			}
		}
	}
	return nil
}
