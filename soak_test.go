//go:build linux || darwin || freebsd

package nspr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSoak pushes framed messages of random sizes through many loopback
// connections with Send and Recv and checks each frame's sequence number and
// checksum: nothing lost, duplicated, reordered or corrupted. The full run is
// 200 connections × 5,000 messages, bounded to 60 s (senders stop at the
// deadline and the receivers check what was sent); -short scales it down.
// Half the receivers read each frame's length with ReadLineInto, which fills
// the read-ahead and stops early at a '\n' byte, and the rest with Recv,
// which must return the read-ahead first.
func TestSoak(t *testing.T) {
	conns, msgs, budget := 200, 5000, 60*time.Second
	if testing.Short() {
		conns, msgs, budget = 50, 1000, 15*time.Second
	}
	deadline := time.Now().Add(budget)
	l, addr := listen(t, AFInet)
	if err := l.Listen(conns); err != nil {
		t.Fatal(err)
	}
	var sentTotal, recvTotal atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 2*conns)
	for i := range conns {
		c := newTestSocket(t, AFInet, DescSocketTCP)
		if err := c.Connect(addr, SecondsToInterval(10)); err != nil {
			t.Fatalf("connect %d: %v", i, err)
		}
		s, _, err := l.Accept(SecondsToInterval(10))
		if err != nil {
			t.Fatalf("accept %d: %v", i, err)
		}
		t.Cleanup(func() { s.Close() })
		wg.Add(2)
		go func() {
			defer wg.Done()
			n, err := soakSend(c, uint64(i), msgs, deadline)
			sentTotal.Add(int64(n))
			if err != nil {
				errs <- fmt.Errorf("conn %d send: %w", i, err)
			}
		}()
		go func() {
			defer wg.Done()
			n, err := soakRecv(s, i%2 == 1)
			recvTotal.Add(int64(n))
			if err != nil {
				errs <- fmt.Errorf("conn %d recv after %d messages: %w", i, n, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if sentTotal.Load() != recvTotal.Load() {
		t.Errorf("sent %d messages, received %d", sentTotal.Load(), recvTotal.Load())
	}
	t.Logf("%d connections, %d messages each at most: %d messages delivered intact", conns, msgs, recvTotal.Load())
	if recvTotal.Load() < int64(conns) {
		t.Errorf("only %d messages in %v", recvTotal.Load(), budget)
	}
}

// A frame is: length (4 bytes), sequence number (4), payload, CRC-32 of the
// sequence number and payload (4).
const soakMaxPayload = 4096

func soakSend(c *Socket, seed uint64, msgs int, deadline time.Time) (int, error) {
	rng := rand.New(rand.NewPCG(seed, 1))
	buf := make([]byte, 12+soakMaxPayload)
	sent := 0
	for ; sent < msgs && time.Now().Before(deadline); sent++ {
		n := rng.IntN(soakMaxPayload + 1)
		binary.BigEndian.PutUint32(buf, uint32(n))
		binary.BigEndian.PutUint32(buf[4:], uint32(sent))
		for j := range n {
			buf[8+j] = byte(rng.Uint32())
		}
		binary.BigEndian.PutUint32(buf[8+n:], crc32.ChecksumIEEE(buf[4:8+n]))
		if k, err := c.Send(buf[:12+n], SecondsToInterval(30)); err != nil || k != 12+n {
			return sent, fmt.Errorf("message %d: sent %d of %d: %v", sent, k, 12+n, err)
		}
	}
	return sent, c.Shutdown(ShutdownSend)
}

func soakRecv(s *Socket, lines bool) (int, error) {
	buf := make([]byte, 12+soakMaxPayload)
	for got := 0; ; got++ {
		if err := recvFull(s, buf[:4], lines); err != nil {
			if errors.Is(err, errSoakEOF) {
				return got, nil
			}
			return got, err
		}
		n := int(binary.BigEndian.Uint32(buf))
		if n > soakMaxPayload {
			return got, fmt.Errorf("frame length %d: stream corrupted", n)
		}
		if err := recvFull(s, buf[4:12+n], false); err != nil {
			return got, err
		}
		if seq := binary.BigEndian.Uint32(buf[4:]); seq != uint32(got) {
			return got, fmt.Errorf("sequence %d, want %d: lost, duplicated or reordered", seq, got)
		}
		if crc32.ChecksumIEEE(buf[4:8+n]) != binary.BigEndian.Uint32(buf[8+n:]) {
			return got, fmt.Errorf("message %d: checksum mismatch", got)
		}
	}
}

var errSoakEOF = errors.New("end of stream")

// recvFull fills p with Recv, or with ReadLineInto when lines is set, or
// returns errSoakEOF at a clean end of stream.
func recvFull(s *Socket, p []byte, lines bool) error {
	read := s.Recv
	if lines {
		read = s.ReadLineInto
	}
	for off := 0; off < len(p); {
		n, err := read(p[off:], SecondsToInterval(30))
		if err != nil {
			return err
		}
		if n == 0 {
			if off == 0 {
				return errSoakEOF
			}
			return fmt.Errorf("end of stream inside a frame (%d of %d bytes)", off, len(p))
		}
		off += n
	}
	return nil
}
