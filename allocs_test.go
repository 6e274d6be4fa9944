package nspr

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"runtime"
	"testing"
	"time"
	"unsafe"
)

// TestSteadyStateAllocs checks that the data path allocates nothing once a
// socket is set up: Send, Recv, SendTo and RecvFrom, blocking (with and
// without a time limit) and one-attempt, each paired with its counterpart so
// that every call moves data.
func TestSteadyStateAllocs(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	a, b, _, bAddr := nsprUDPPair(t)
	msg := make([]byte, 64)
	buf := make([]byte, 2048)
	timeouts := []struct {
		name    string
		timeout Interval
	}{
		{"no-timeout", IntervalNoTimeout},
		{"timeout", SecondsToInterval(5)},
		{"no-wait", IntervalNoWait},
	}
	type pair struct {
		name string
		send func(Interval) (int, error)
		recv func(Interval) (int, error)
	}
	pairs := []pair{
		{
			"Send/Recv",
			func(to Interval) (int, error) { return client.Send(msg, to) },
			func(to Interval) (int, error) { return server.Recv(buf, to) },
		},
		{
			"SendTo/RecvFrom",
			func(to Interval) (int, error) { return a.SendTo(msg, bAddr, to) },
			func(to Interval) (int, error) {
				n, _, err := b.RecvFrom(buf, to)
				return n, err
			},
		},
	}
	for _, p := range pairs {
		for _, tc := range timeouts {
			t.Run(p.name+"/"+tc.name, func(t *testing.T) {
				var err error
				step := func() {
					// A datagram or a 64-byte write is queued before the
					// read, so even a one-attempt Recv finds it.
					if _, e := p.send(tc.timeout); e != nil && err == nil {
						err = e
					}
					if n, e := p.recv(tc.timeout); (e != nil || n != len(msg)) && err == nil {
						err = e
						if err == nil {
							t.Errorf("read %d bytes, want %d", n, len(msg))
						}
					}
				}
				allocs := testing.AllocsPerRun(200, step)
				if err != nil {
					t.Fatal(err)
				}
				if allocs != 0 {
					t.Errorf("%v allocations per call, want 0", allocs)
				}
			})
		}
	}
}

// TestReadLineAllocs checks that ReadLineInto, a LineReader's ReadLineInto
// and ReadLinesInto allocate nothing per line, whether the line is already read ahead or needs a read,
// and that ReadLine allocates only the line it returns.
func TestReadLineAllocs(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	line := []byte("a line of forty bytes, newline included\n")
	p := make([]byte, 256)
	for _, tc := range []struct {
		name    string
		timeout Interval
		perRun  int // lines sent per step: 1 needs a read per line, 8 reads ahead
	}{
		{"no-timeout", IntervalNoTimeout, 1},
		{"timeout", SecondsToInterval(5), 1},
		{"no-wait", IntervalNoWait, 1},
		{"read-ahead", IntervalNoWait, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			burst := bytes.Repeat(line, tc.perRun)
			var err error
			fail := func(e error) {
				if err == nil {
					err = e
				}
			}
			allocs := testing.AllocsPerRun(200, func() {
				if _, e := client.Send(burst, tc.timeout); e != nil {
					fail(e)
				}
				for range tc.perRun {
					if n, e := server.ReadLineInto(p, tc.timeout); e != nil || n != len(line) {
						fail(fmt.Errorf("line of %d bytes, %v", n, e))
					}
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if allocs != 0 {
				t.Errorf("%v allocations per step, want 0", allocs)
			}
		})
	}
	t.Run("LineReader", func(t *testing.T) {
		r, err := server.LineReader()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Release()
		burst := bytes.Repeat(line, 8)
		allocs := testing.AllocsPerRun(200, func() {
			client.Send(burst, IntervalNoTimeout)
			for range 8 {
				if n, e := r.ReadLineInto(p, IntervalNoTimeout); (e != nil || n != len(line)) && err == nil {
					err = fmt.Errorf("line of %d bytes, %v", n, e)
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if allocs != 0 {
			t.Errorf("%v allocations per 8 lines, want 0", allocs)
		}
	})
	t.Run("ReadLinesInto", func(t *testing.T) {
		burst := bytes.Repeat(line, 8)
		buf := make([]byte, 1024)
		lines := make([][]byte, 16)
		var err error
		allocs := testing.AllocsPerRun(200, func() {
			client.Send(burst, IntervalNoTimeout)
			for got := 0; got < 8 && err == nil; {
				n, e := server.ReadLinesInto(buf, lines, IntervalNoTimeout)
				if e != nil || n == 0 {
					err = fmt.Errorf("batch of %d lines, %v", n, e)
				}
				got += n
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if allocs != 0 {
			t.Errorf("%v allocations per batch, want 0", allocs)
		}
	})
	t.Run("ReadLine", func(t *testing.T) {
		var err error
		allocs := testing.AllocsPerRun(200, func() {
			client.Send(line, IntervalNoTimeout)
			if l, e := server.ReadLine(0, IntervalNoTimeout); (e != nil || len(l) != len(line)) && err == nil {
				err = fmt.Errorf("line of %d bytes, %v", len(l), e)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if allocs != 1 {
			t.Errorf("%v allocations per line, want 1 (the line)", allocs)
		}
	})
}

// TestConnViewAllocs checks that Read and Write through the view allocate
// nothing, with and without a deadline.
func TestConnViewAllocs(t *testing.T) {
	c1, c2, stop, err := nsprPipe(t, AFInet)()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	msg, buf := make([]byte, 64), make([]byte, 64)
	for _, deadline := range []time.Time{{}, time.Now().Add(time.Hour)} {
		c1.SetDeadline(deadline)
		c2.SetDeadline(deadline)
		var err error
		allocs := testing.AllocsPerRun(200, func() {
			if _, e := c1.Write(msg); e != nil {
				err = e
			}
			if _, e := io.ReadFull(c2, buf); e != nil {
				err = e
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if allocs != 0 {
			t.Errorf("deadline %v: %v allocations per Write and Read, want 0", deadline, allocs)
		}
	}
}

// TestAcceptAllocs checks what a short connection costs the allocator: a
// connect, an accept and the close of both ends allocate the two Sockets,
// nothing more (their descriptor owners are part of them, and the
// finalizer allocates nothing, where a cleanup costs two allocations), and
// each Socket fits in 512 bytes: the largest object with pointers that Go
// allocates without a header word, on the allocator's faster path (a
// 568-byte Socket spent 6% of accept's user time in that slower path).
// What only some sockets use lives in ioCold and pollMember, allocated on
// first use.
func TestAcceptAllocs(t *testing.T) {
	const (
		runs     = 200
		maxBytes = 2 * 512 // two Sockets
	)
	l, addr := listen(t, AFInet)
	var err error
	once := func() {
		c, e := NewSocket(AFInet, DescSocketTCP)
		if e != nil {
			err = e
			return
		}
		defer c.Close()
		if e := c.Connect(addr, IntervalNoTimeout); e != nil && err == nil {
			err = e
			return
		}
		s, _, e := l.Accept(IntervalNoTimeout)
		if e != nil {
			if err == nil {
				err = e
			}
			return
		}
		s.Close()
	}
	allocs := testing.AllocsPerRun(runs, once)
	if err != nil {
		t.Fatal(err)
	}
	if allocs > 2 {
		t.Errorf("%v allocations per connection, want at most 2", allocs)
	}
	// AllocsPerRun counts objects, not bytes: measure those the same way.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		once()
	}
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if perConn := (after.TotalAlloc - before.TotalAlloc) / runs; perConn > maxBytes {
		t.Errorf("%d bytes allocated per connection, want at most %d (Socket is %d bytes)", perConn, maxBytes, unsafe.Sizeof(Socket{}))
	}
}

// TestWritevAllocs checks that Writev of 16 buffers of 64 bytes, and the
// view's WriteBuffers, allocate nothing once the socket has written a vector.
func TestWritevAllocs(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	bufs := make([][]byte, 16)
	for i := range bufs {
		bufs[i] = make([]byte, 64)
	}
	nb := make(net.Buffers, len(bufs))
	buf := make([]byte, 16*64)
	for _, tc := range []struct {
		name  string
		write func() (int64, error)
	}{
		{"Writev/no-timeout", func() (int64, error) { n, err := client.Writev(bufs, IntervalNoTimeout); return int64(n), err }},
		{"Writev/timeout", func() (int64, error) { n, err := client.Writev(bufs, SecondsToInterval(5)); return int64(n), err }},
		{"Writev/no-wait", func() (int64, error) { n, err := client.Writev(bufs, IntervalNoWait); return int64(n), err }},
		{"WriteBuffers", func() (int64, error) {
			copy(nb, bufs)
			v := nb
			return client.Conn().WriteBuffers(&v)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			allocs := testing.AllocsPerRun(200, func() {
				if n, e := tc.write(); (e != nil || n != int64(len(buf))) && err == nil {
					err = fmt.Errorf("wrote %d bytes, %v", n, e)
				}
				if _, e := io.ReadFull(server, buf); e != nil && err == nil {
					err = e
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if allocs != 0 {
				t.Errorf("%v allocations per call, want 0", allocs)
			}
		})
	}
}
