package leakcheck

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	os.Exit(Run(m, func() {
		// Start the runtime poller, which keeps descriptors of its own.
		if r, w, err := os.Pipe(); err == nil {
			r.Close()
			w.Close()
		}
	}))
}

// fakeM stands in for testing.M.
type fakeM func() int

func (f fakeM) Run() int { return f() }

func TestCheckFindsLeaks(t *testing.T) {
	if OpenFDs() < 0 {
		t.Skip("no /proc/self/fd on this system")
	}
	fds, g := OpenFDs(), runtime.NumGoroutine()
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(fds, g); err == nil || !strings.Contains(err.Error(), "descriptors") {
		t.Errorf("Check with an open file: %v, want a descriptor leak", err)
	}
	f.Close()
	stop := make(chan struct{})
	go func() { <-stop }()
	if err := Check(fds, g); err == nil || !strings.Contains(err.Error(), "goroutines") {
		t.Errorf("Check with a blocked goroutine: %v, want a goroutine leak", err)
	}
	close(stop)
	if err := Check(fds, g); err != nil {
		t.Errorf("Check after cleaning up: %v", err)
	}
}

func TestRunPassesCode(t *testing.T) {
	if code := Run(fakeM(func() int { return 3 }), nil); code != 3 {
		t.Errorf("Run = %d, want the tests' code 3", code)
	}
	warmed := false
	if code := Run(fakeM(func() int { return 0 }), func() { warmed = true }); code != 0 || !warmed {
		t.Errorf("Run = %d, warmed %v; want 0 and the warm-up run", code, warmed)
	}
}
