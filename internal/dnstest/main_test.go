package dnstest

import (
	"net"
	"os"
	"testing"

	"github.com/nspr-go/nspr/internal/leakcheck"
)

// TestMain fails the package when its tests leave descriptors open or
// goroutines running.
func TestMain(m *testing.M) {
	os.Exit(leakcheck.Run(m, func() {
		// Start the runtime poller, which keeps descriptors of its own.
		if c, err := net.ListenPacket("udp", "127.0.0.1:0"); err == nil {
			c.Close()
		}
	}))
}
