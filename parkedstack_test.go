//go:build !race

// The race detector's instrumentation grows every frame, so the stack a
// goroutine keeps is measured without it.

package nspr

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestParkedStack checks that a goroutine waiting in the runtime poller in
// Read or Recv without a time limit, as a server's goroutine a connection
// does (bench/go/manyconns: io.ReadFull and Write), keeps the 2 KiB stack it
// started with, as one waiting in a net.Conn's Read does. Its deepest point
// is the wait itself, under Read or Recv, recv, run and the runtime's frames
// (its first wait registers the socket on another goroutine); a couple of
// hundred bytes more there and the runtime doubles the stack to 4 KiB for good
// (a goroutine parked that deep is never shrunk), 20 MB over 10,000
// connections. Each goroutine echoes once, then waits for more.
//
// The test runs in a process of its own with GODEBUG=adaptivestackstart=0:
// new goroutines then start at the runtime's fixed 2 KiB, not at the
// average of the stacks the last collection scanned, which in a test
// binary are the testing package's own deep goroutines.
func TestParkedStack(t *testing.T) {
	if os.Getenv(parkedStackEnv) == "" {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestParkedStack$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), parkedStackEnv+"=1", "GODEBUG="+os.Getenv("GODEBUG")+",adaptivestackstart=0")
		out, err := cmd.CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("--- PASS: TestParkedStack ")) {
			t.Fatalf("TestParkedStack with fixed starting stacks: %v\n%s", err, out)
		}
		t.Logf("with fixed starting stacks:\n%s", out)
		return
	}
	const (
		n        = 2000
		maxStack = 3 << 10 // per goroutine: 2 KiB and the runtime's rounding, not 4 KiB
		size     = 64
	)
	tests := []struct {
		name  string
		read  func(s *Socket, p []byte) (int, error)
		write func(s *Socket, p []byte) (int, error)
	}{
		{"Read", func(s *Socket, p []byte) (int, error) { return io.ReadFull(s, p) }, (*Socket).Write},
		{"Recv", func(s *Socket, p []byte) (int, error) { return s.Recv(p, IntervalNoTimeout) },
			func(s *Socket, p []byte) (int, error) { return s.Send(p, IntervalNoTimeout) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clients, servers := make([]*Socket, n), make([]*Socket, n)
			for i := range n {
				clients[i], servers[i] = connectedPair(t, AFInet)
			}
			before := stackInuse()
			var wg sync.WaitGroup
			for _, s := range servers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					p := make([]byte, size)
					for {
						if n, err := tt.read(s, p); n == 0 || err != nil {
							return
						}
						if _, err := tt.write(s, p); err != nil {
							return
						}
					}
				}()
			}
			time.Sleep(20 * time.Millisecond) // most wait for their first bytes
			p := make([]byte, size)
			for _, c := range clients {
				if _, err := c.Send(p, SecondsToInterval(5)); err != nil {
					t.Fatal(err)
				}
				if n, err := c.Recv(p, SecondsToInterval(5)); n != size || err != nil {
					t.Fatalf("echo: %d, %v", n, err)
				}
			}
			time.Sleep(20 * time.Millisecond) // every one waits again
			perGoroutine := (stackInuse() - before) / n
			for _, c := range clients {
				c.Close()
			}
			wg.Wait()
			t.Logf("%d bytes of stack a goroutine", perGoroutine)
			if perGoroutine > maxStack {
				t.Errorf("a goroutine waiting in %s keeps %d bytes of stack, want at most %d", tt.name, perGoroutine, maxStack)
			}
		})
	}
}

// parkedStackEnv marks the process TestParkedStack runs itself in.
const parkedStackEnv = "NSPR_TEST_PARKED_STACK"

// stackInuse is the runtime's stack memory in use after two collections,
// which shrink the stacks that can be.
func stackInuse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.StackInuse
}
