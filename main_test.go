package nspr

import (
	"os"
	"testing"

	"github.com/nspr-go/nspr/internal/leakcheck"
)

// pythonNSS runs the original, Debian's python3-nss, for the tests that
// compare with it (diff_test.go, mapping_test.go).
const pythonNSS = "/usr/bin/python3"

// TestMain fails the package when its tests leave descriptors open or
// goroutines running.
func TestMain(m *testing.M) {
	os.Exit(leakcheck.Run(m, func() {
		// The runtime poller opens its own descriptors on first use; start
		// it before counting. A socket joins the poller only when a call
		// waits, so make one wait.
		if a, b, err := NewTCPPair(); err == nil {
			a.Recv(make([]byte, 1), MillisecondsToInterval(1))
			a.Close()
			b.Close()
		}
	}))
}
