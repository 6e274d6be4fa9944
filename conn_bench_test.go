//go:build linux || darwin || freebsd

package nspr_test

import (
	"net"
	"testing"
	"time"

	"github.com/nspr-go/nspr"
	"github.com/nspr-go/nspr/internal/workload"
	"github.com/nspr-go/nspr/internal/workload/nsprimpl"
)

// BenchmarkConnPingPong runs 64-byte round trips through the net.Conn view
// and through net.TCPConn, Nagle off, without deadlines and with one far
// deadline set on both ends, as net/http and crypto/tls callers keep them.
// Beside BenchmarkTCPPingPong it shows what the view and its deadlines cost.
func BenchmarkConnPingPong(b *testing.B) {
	impls := []struct {
		name string
		pair func(b *testing.B) (net.Conn, net.Conn)
	}{
		{"nspr-conn", func(b *testing.B) (net.Conn, net.Conn) {
			c, s := tcpPair(b, nsprimpl.Impl{})
			return c.(*nspr.Socket).Conn(), s.(*nspr.Socket).Conn()
		}},
		{"net", func(b *testing.B) (net.Conn, net.Conn) {
			c, s := tcpPair(b, workload.Net{})
			return c.(net.Conn), s.(net.Conn)
		}},
	}
	for _, deadline := range []bool{false, true} {
		name := "deadline=none"
		if deadline {
			name = "deadline=set"
		}
		b.Run(name, func(b *testing.B) {
			for _, impl := range impls {
				b.Run("impl="+impl.name, func(b *testing.B) {
					client, server := impl.pair(b)
					if deadline {
						d := time.Now().Add(time.Hour)
						client.SetDeadline(d)
						server.SetDeadline(d)
					}
					b.ReportAllocs()
					b.ResetTimer()
					if err := workload.PingPong(client, server, b.N, 64, nil); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rt/s")
				})
			}
		})
	}
}
