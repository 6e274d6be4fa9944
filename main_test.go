package nspr

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the package when its tests leave descriptors open or
// goroutines running.
func TestMain(m *testing.M) {
	// The runtime poller opens its own descriptors on first use; start it
	// before counting.
	if a, b, err := NewTCPPair(); err == nil {
		a.Close()
		b.Close()
	}
	fds := openFDs()
	goroutines := runtime.NumGoroutine()
	code := m.Run()
	// The fuzzing engine keeps goroutines of its own; check only plain runs.
	if fuzz := flag.Lookup("test.fuzz"); code == 0 && (fuzz == nil || fuzz.Value.String() == "") {
		if err := checkLeaks(fds, goroutines); err != nil {
			fmt.Fprintln(os.Stderr, "leak check:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// checkLeaks waits a little for stragglers to finish, then compares.
func checkLeaks(fds, goroutines int) error {
	var nowFDs, nowG int
	for range 50 {
		runtime.GC()
		nowFDs, nowG = openFDs(), runtime.NumGoroutine()
		if nowFDs <= fds && nowG <= goroutines {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	if nowFDs > fds {
		return fmt.Errorf("%d descriptors open after the tests, %d before", nowFDs, fds)
	}
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	return fmt.Errorf("%d goroutines after the tests, %d before:\n%s", nowG, goroutines, strings.TrimSpace(stacks))
}

// openFDs counts this process's open descriptors (-1 where /proc is absent).
func openFDs() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}
