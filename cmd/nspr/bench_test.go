package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/nspr-go/nspr/internal/workload"
)

// TestBenchJSON runs a bench of each workload and checks that its JSON holds
// a positive figure for both implementations: tcp_pingpong_1B as --quick runs
// it, the others with 50 iterations and one round.
func TestBenchJSON(t *testing.T) {
	for _, name := range []string{"tcp_pingpong_1B", "tcp_bulk", "tcp_accept", "udp_pps", "poll_idle_1000_kept", "readline"} {
		t.Run(name, func(t *testing.T) {
			args := []string{"bench", "--quick", "--json", "--workload", name}
			n, rounds := workloadQuick(t, name), 3
			if name != "tcp_pingpong_1B" {
				n, rounds = 50, 1
				args = append(args, "--rounds", "1", "--n", "50")
			}
			r := runNSPR(t, "", args...)
			if r.code != 0 {
				t.Fatalf("exit code %d; stderr:\n%s", r.code, r.stderr)
			}
			var rep benchReport
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("stdout is not the JSON report: %v\n%s", err, r.stdout)
			}
			if len(rep.Results) != 1 {
				t.Fatalf("%d results, want 1:\n%s", len(rep.Results), r.stdout)
			}
			res := rep.Results[0]
			if res.Workload != name || res.N != n || res.Rounds != rounds || res.NSPR <= 0 || res.Net <= 0 || res.Ratio <= 0 {
				t.Errorf("result %+v, want %s with %d iterations, %d rounds and positive figures", res, name, n, rounds)
			}
			if !strings.HasPrefix(r.stderr, name+" ") {
				t.Errorf("no progress line for %s on stderr:\n%s", name, r.stderr)
			}
		})
	}
}

// TestBenchTable checks the table bench prints without --json.
func TestBenchTable(t *testing.T) {
	r := runNSPR(t, "", "bench", "--workload", "tcp_accept,udp_pps", "--rounds", "1", "--n", "40")
	if r.code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "workload") ||
		!strings.HasPrefix(lines[1], "tcp_accept ") || !strings.HasPrefix(lines[2], "udp_pps ") {
		t.Errorf("stdout is not the table of tcp_accept and udp_pps:\n%s", r.stdout)
	}
	if got := strings.Count(r.stderr, "\n"); got != 2 {
		t.Errorf("%d progress lines, want one per workload:\n%s", got, r.stderr)
	}
}

// workloadQuick returns the iterations of a --quick run of the workload.
func workloadQuick(t *testing.T, name string) int {
	w, ok := workload.Lookup(name)
	if !ok {
		t.Fatalf("no workload %s", name)
	}
	return w.Quick
}
