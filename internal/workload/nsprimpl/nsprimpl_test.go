package nsprimpl

import (
	"os"
	"testing"
	"time"

	"github.com/nspr-go/nspr"
	"github.com/nspr-go/nspr/internal/leakcheck"
	"github.com/nspr-go/nspr/internal/workload"
)

// TestMain fails the package when its tests leave descriptors open or
// goroutines running.
func TestMain(m *testing.M) {
	os.Exit(leakcheck.Run(m, func() {
		// Start the runtime poller, which keeps descriptors of its own.
		if a, b, err := nspr.NewTCPPair(); err == nil {
			a.Recv(make([]byte, 1), nspr.MillisecondsToInterval(1))
			a.Close()
			b.Close()
		}
	}))
}

// TestWorkloads runs every workload a few times over both implementations
// and checks that each finishes with a positive figure.
func TestWorkloads(t *testing.T) {
	for _, impl := range []workload.Impl{Impl{}, workload.Net{}} {
		for _, w := range workload.Workloads {
			t.Run(impl.Name()+"/"+w.Name, func(t *testing.T) {
				const n = 64
				elapsed, err := w.Run(impl, n)
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				if f := w.Figure(n, elapsed); f <= 0 {
					t.Errorf("%d iterations in %v: figure %v %s, want a positive one", n, elapsed, f, w.Unit)
				}
			})
		}
	}
}

// TestBurst checks both implementations' Burst, the udp_pps loop.
func TestBurst(t *testing.T) {
	for _, impl := range []workload.Impl{Impl{}, workload.Net{}} {
		t.Run(impl.Name(), func(t *testing.T) {
			d, err := impl.UDPPair()
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if err := workload.CheckBurst(d, 10*time.Second); err != nil {
				t.Fatal(err)
			}
		})
	}
}
