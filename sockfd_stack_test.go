//go:build !race

// The race detector enlarges stack frames, so the stack size is checked only
// without it.

package nspr

import (
	"io"
	"runtime"
	"sync"
	"testing"
)

// A goroutine per connection waiting in Read keeps the smallest stack
// (2 KiB), although its first wait registers the socket with the poller:
// the registration runs deep in the runtime, on a goroutine of its own.
func TestWaitingReadKeepsSmallStack(t *testing.T) {
	const n = 500
	l, addr := listen(t, AFInet)
	clients := make([]*Socket, n)
	servers := make([]*Socket, n)
	for i := range n {
		clients[i] = newTestSocket(t, AFInet, DescSocketTCP)
		if err := clients[i].Connect(addr, SecondsToInterval(5)); err != nil {
			t.Fatal(err)
		}
		s, _, err := l.Accept(SecondsToInterval(5))
		if err != nil {
			t.Fatal(err)
		}
		servers[i] = s
		t.Cleanup(func() { s.Close() })
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.StackInuse
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Add(1)
		go func() { // echo until the client closes
			defer wg.Done()
			buf := make([]byte, 64)
			for {
				if _, err := io.ReadFull(s, buf); err != nil {
					return
				}
				if _, err := s.Write(buf); err != nil {
					return
				}
			}
		}()
	}
	msg := make([]byte, 64)
	for _, c := range clients {
		if _, err := c.Send(msg, SecondsToInterval(5)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Recv(msg, SecondsToInterval(5)); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&ms)
	perGoroutine := (int64(ms.StackInuse) - int64(before)) / n
	for _, c := range clients {
		c.Close()
	}
	wg.Wait()
	for _, s := range servers {
		if !registered(s) {
			t.Fatal("a server socket never waited; the test measures nothing")
		}
	}
	if perGoroutine > 3<<10 {
		t.Errorf("%d bytes of stack per goroutine waiting in Read, want about 2 KiB", perGoroutine)
	}
}
