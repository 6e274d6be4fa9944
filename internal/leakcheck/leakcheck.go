// Package leakcheck fails a test binary whose tests leave descriptors open or
// goroutines running. Every test package's TestMain calls Run.
package leakcheck

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/nspr-go/nspr/internal/idle"
)

// Run counts descriptors and goroutines, runs the tests, and returns the exit
// code: m.Run's, or 1 when the tests passed but left something behind. warm,
// if not nil, runs first to start what the package keeps for the life of the
// process (the runtime poller opens descriptors of its own on first use).
func Run(m interface{ Run() int }, warm func()) int {
	if warm != nil {
		warm()
	}
	fds := OpenFDs()
	goroutines := runtime.NumGoroutine()
	code := m.Run()
	idle.Release() // what the packages keep open for reuse is not a leak
	// The fuzzing engine keeps goroutines of its own; check only plain runs.
	if fuzz := flag.Lookup("test.fuzz"); code == 0 && (fuzz == nil || fuzz.Value.String() == "") {
		if err := Check(fds, goroutines); err != nil {
			fmt.Fprintln(os.Stderr, "leak check:", err)
			code = 1
		}
	}
	return code
}

// Check waits up to a second for stragglers to finish, then reports more
// descriptors or goroutines than fds and goroutines.
func Check(fds, goroutines int) error {
	var nowFDs, nowG int
	for range 50 {
		runtime.GC()
		nowFDs, nowG = OpenFDs(), runtime.NumGoroutine()
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

// OpenFDs counts this process's open descriptors (-1 where /proc is absent).
func OpenFDs() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}
