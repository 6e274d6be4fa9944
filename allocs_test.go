package nspr

import (
	"testing"
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
