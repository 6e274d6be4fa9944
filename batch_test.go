package nspr

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/nspr-go/nspr/internal/workload"
)

// batchOf returns n datagrams of size bytes to addr, each filled with its
// index so the receiver can tell them apart.
func batchOf(n, size int, addr NetworkAddress) []Datagram {
	msgs := make([]Datagram, n)
	for i := range msgs {
		msgs[i] = Datagram{Buf: bytes.Repeat([]byte{byte(i)}, size), Addr: addr}
	}
	return msgs
}

// recvAll reads datagrams with RecvFromBatch until want have arrived.
func recvAll(t *testing.T, s *Socket, want, size int) []Datagram {
	t.Helper()
	var got []Datagram
	buf := make([]Datagram, 16)
	for len(got) < want {
		for i := range buf {
			buf[i] = Datagram{Buf: make([]byte, size+1)}
		}
		n, err := s.RecvFromBatch(buf, SecondsToInterval(5))
		if err != nil {
			t.Fatalf("RecvFromBatch after %d datagrams: %v", len(got), err)
		}
		if n < 1 || n > len(buf) {
			t.Fatalf("RecvFromBatch returned %d", n)
		}
		got = append(got, buf[:n]...)
	}
	return got
}

func TestBatchRoundTrip(t *testing.T) {
	for _, family := range []Family{AFInet, AFInet6} {
		t.Run(family.String(), func(t *testing.T) {
			a, aAddr, b, bAddr := udpPair(t, family)
			const count, size = 100, 48
			msgs := batchOf(count, size, bAddr)
			n, err := a.SendToBatch(msgs, SecondsToInterval(5))
			if err != nil || n != count {
				t.Fatalf("SendToBatch = %d, %v; want %d, nil", n, err, count)
			}
			for i, m := range msgs {
				if m.N != size {
					t.Fatalf("msgs[%d].N = %d, want %d", i, m.N, size)
				}
			}
			got := recvAll(t, b, count, size)
			for i, m := range got {
				if m.N != size || !bytes.Equal(m.Buf[:m.N], msgs[i].Buf) {
					t.Fatalf("datagram %d: %d bytes %v, want %v", i, m.N, m.Buf[:m.N], msgs[i].Buf)
				}
				if m.Addr != aAddr {
					t.Fatalf("datagram %d from %v, want %v", i, m.Addr, aAddr)
				}
			}
		})
	}
}

// A datagram without an address goes to the connected peer, as Send does,
// and datagrams longer than the buffer are truncated, as RecvFrom does.
func TestBatchConnectedAndTruncated(t *testing.T) {
	a, b, aAddr, bAddr := nsprUDPPair(t)
	if err := a.Connect(bAddr, SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	msgs := batchOf(3, 10, NetworkAddress{})
	if n, err := a.SendToBatch(msgs, SecondsToInterval(5)); err != nil || n != 3 {
		t.Fatalf("SendToBatch to the connected peer = %d, %v", n, err)
	}
	recv := []Datagram{{Buf: make([]byte, 4)}, {Buf: make([]byte, 4)}, {Buf: make([]byte, 4)}}
	got := 0
	for got < 3 {
		n, err := b.RecvFromBatch(recv[got:], SecondsToInterval(5))
		if err != nil {
			t.Fatal(err)
		}
		got += n
	}
	for i, m := range recv {
		if m.N != 4 || !bytes.Equal(m.Buf, msgs[i].Buf[:4]) || m.Addr != aAddr {
			t.Errorf("datagram %d = %d bytes %v from %v; want the first 4 of %v from %v",
				i, m.N, m.Buf, m.Addr, msgs[i].Buf, aAddr)
		}
	}
}

func TestBatchErrors(t *testing.T) {
	_, _, _, to := nsprUDPPair(t)
	v6, err := NewNetworkAddress("::1", 9, AFInet6)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func(t *testing.T) (int, error)
		code ErrorCode
	}{
		{"send on a stream socket", func(t *testing.T) (int, error) {
			c, _ := connectedPair(t, AFInet)
			return c.SendToBatch(batchOf(1, 1, to), IntervalNoTimeout)
		}, InvalidMethodError},
		{"recv on a stream socket", func(t *testing.T) (int, error) {
			c, _ := connectedPair(t, AFInet)
			return c.RecvFromBatch(batchOf(1, 1, to), IntervalNoTimeout)
		}, InvalidMethodError},
		{"send on a closed socket", func(t *testing.T) (int, error) {
			s, _, _, _ := nsprUDPPair(t)
			s.Close()
			return s.SendToBatch(batchOf(1, 1, to), IntervalNoTimeout)
		}, BadDescriptorError},
		{"recv on a nil socket", func(t *testing.T) (int, error) {
			var s *Socket
			return s.RecvFromBatch(batchOf(1, 1, to), IntervalNoTimeout)
		}, BadDescriptorError},
		{"oversized datagram after a good one", func(t *testing.T) (int, error) {
			s, _, _, _ := nsprUDPPair(t)
			msgs := append(batchOf(1, 1, to), Datagram{Buf: make([]byte, maxDatagram+1), Addr: to})
			return s.SendToBatch(msgs, IntervalNoTimeout)
		}, InvalidArgumentError},
		{"IPv6 address on an IPv4 socket", func(t *testing.T) (int, error) {
			s, _, _, _ := nsprUDPPair(t)
			return s.SendToBatch(append(batchOf(1, 1, to), batchOf(1, 1, v6)...), IntervalNoTimeout)
		}, AddressNotSupportedError},
		{"recv with nothing queued, no wait", func(t *testing.T) (int, error) {
			s, _, _, _ := nsprUDPPair(t)
			return s.RecvFromBatch(batchOf(4, 8, NetworkAddress{}), IntervalNoWait)
		}, IOTimeoutError},
		{"recv with nothing queued, 50 ms", func(t *testing.T) (int, error) {
			s, _, _, _ := nsprUDPPair(t)
			start := time.Now()
			n, err := s.RecvFromBatch(batchOf(4, 8, NetworkAddress{}), MillisecondsToInterval(50))
			if d := time.Since(start); d < 50*time.Millisecond {
				t.Errorf("returned after %v, before the 50 ms interval", d)
			}
			return n, err
		}, IOTimeoutError},
		{"recv with nothing queued, non-blocking", func(t *testing.T) (int, error) {
			s, _, _, _ := nsprUDPPair(t)
			s.nonblocking.Store(true)
			return s.RecvFromBatch(batchOf(4, 8, NetworkAddress{}), IntervalNoTimeout)
		}, WouldBlockError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := tt.call(t)
			if n != 0 {
				t.Errorf("count = %d, want 0", n)
			}
			wantCode(t, tt.name, err, tt.code)
		})
	}
}

// Nothing is sent when one datagram of the batch is bad.
func TestBatchCheckedBeforeSending(t *testing.T) {
	a, b, _, bAddr := nsprUDPPair(t)
	msgs := append(batchOf(2, 8, bAddr), Datagram{Buf: make([]byte, maxDatagram+1), Addr: bAddr})
	if _, err := a.SendToBatch(msgs, IntervalNoTimeout); err == nil {
		t.Fatal("an oversized datagram was accepted")
	}
	n, err := b.RecvFromBatch(batchOf(4, 8, NetworkAddress{}), IntervalNoWait)
	if n != 0 || !errors.Is(err, IOTimeoutError) {
		t.Fatalf("after a refused batch the receiver got %d datagrams (%v), want none", n, err)
	}
}

func TestBatchEmpty(t *testing.T) {
	a, _, _, _ := nsprUDPPair(t)
	if n, err := a.SendToBatch(nil, IntervalNoWait); n != 0 || err != nil {
		t.Errorf("SendToBatch(nil) = %d, %v; want 0, nil", n, err)
	}
	if n, err := a.RecvFromBatch(nil, IntervalNoWait); n != 0 || err != nil {
		t.Errorf("RecvFromBatch(nil) = %d, %v; want 0, nil", n, err)
	}
}

func TestBatchCloseUnblocksRecv(t *testing.T) {
	s, _, _, _ := nsprUDPPair(t)
	done := make(chan error, 1)
	go func() {
		_, err := s.RecvFromBatch(batchOf(4, 8, NetworkAddress{}), IntervalNoTimeout)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // let it block
	s.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("blocked RecvFromBatch returned %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake the blocked RecvFromBatch")
	}
}

// A blocked RecvFromBatch returns as soon as one datagram arrives.
func TestBatchRecvWaitsForOne(t *testing.T) {
	a, b, _, bAddr := nsprUDPPair(t)
	done := make(chan error, 1)
	recv := batchOf(8, 8, NetworkAddress{})
	go func() {
		n, err := b.RecvFromBatch(recv, SecondsToInterval(5))
		if err == nil && n != 1 {
			err = fmt.Errorf("received %d datagrams, want 1", n)
		}
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	if _, err := a.SendTo([]byte("x"), bAddr, SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// The batch calls allocate nothing per call, with segmentation offload
// (runs out and in) and without.
func TestBatchSteadyStateAllocs(t *testing.T) {
	for _, offload := range []bool{true, false} {
		t.Run(fmt.Sprintf("offload=%v", offload), func(t *testing.T) {
			a, b, _, bAddr := nsprUDPPair(t)
			for _, s := range []*Socket{a, b} {
				if err := s.SetUDPOffload(offload); err != nil {
					t.Fatal(err)
				}
			}
			send := batchOf(32, 64, bAddr)
			recv := batchOf(32, 64, NetworkAddress{})
			var err error
			allocs := testing.AllocsPerRun(50, func() {
				if _, e := a.SendToBatch(send, IntervalNoTimeout); e != nil && err == nil {
					err = e
				}
				for got := 0; got < len(send) && err == nil; {
					n, e := b.RecvFromBatch(recv, SecondsToInterval(5))
					got, err = got+n, e
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if allocs != 0 {
				t.Errorf("%v allocations per batch round trip, want 0", allocs)
			}
		})
	}
}

// BenchmarkUDPBatch is BenchmarkUDP with the batch calls: bursts of 32
// datagrams, one sendmmsg and (usually) one recvmmsg per burst. impl=mmsg
// (Linux) is the same workload in raw sendmmsg(2) and recvmmsg(2) calls
// from Go, the floor; nspr's side runs without segmentation offload, so
// that both make the same system calls (BenchmarkUDPGSO measures the
// offload).
func BenchmarkUDPBatch(b *testing.B) {
	b.Run("impl=nspr", func(b *testing.B) { benchBatch(b, workload.UDPSize, false) })
	benchRawBatch(b)
}

// BenchmarkUDPGSO is the batch calls on 1,200-byte datagrams (a QUIC-sized
// packet) with segmentation offload (impl=nspr: one UDP_SEGMENT message out
// and one coalesced run in per burst) and without (impl=nspr-plain).
func BenchmarkUDPGSO(b *testing.B) {
	b.Run("impl=nspr", func(b *testing.B) { benchBatch(b, 1200, true) })
	b.Run("impl=nspr-plain", func(b *testing.B) { benchBatch(b, 1200, false) })
}

// benchBatch sends and receives bursts of workload.UDPBurst datagrams of size bytes
// with the batch calls, segmentation offload on or off.
func benchBatch(b *testing.B, size int, offload bool) {
	tx, rx, _, to := nsprUDPPair(b)
	for _, s := range []*Socket{tx, rx} {
		if err := s.SetUDPOffload(offload); err != nil {
			b.Fatal(err)
		}
	}
	send := batchOf(workload.UDPBurst, size, to)
	recv := batchOf(workload.UDPBurst, 2048, NetworkAddress{})
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += workload.UDPBurst {
		burst := min(workload.UDPBurst, b.N-i)
		if _, err := tx.SendToBatch(send[:burst], IntervalNoTimeout); err != nil {
			b.Fatal(err)
		}
		for got := 0; got < burst; {
			n, err := rx.RecvFromBatch(recv[:burst-got], IntervalNoTimeout)
			if err != nil {
				b.Fatal(err)
			}
			got += n
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkt/s")
}
