package nspr

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestBenchReportRows runs bench/report.py on fixed raw results
// (testdata/bench/results.txt, in bench/run.sh's format) and checks that
// each figure lands in the row and column that say what it measured: Poll's
// scan and kept-set figures in rows of their own, the raw floors beside the
// calls they bound (and never taken for the summary's best peer, though
// faster than every peer), the bytes allocated beside the allocations, the
// floor's own standing beside a target, and a label on every row whose peer
// columns are another row's figures.
func TestBenchReportRows(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed; bench/report.py needs it")
	}
	out, err := exec.Command(py, "bench/report.py", "testdata/bench/results.txt").CombinedOutput()
	if err != nil {
		t.Fatalf("bench/report.py: %v\n%s", err, out)
	}
	// The full table: the one whose header names every implementation.
	var header []string
	rows := map[string][]string{} // by workload, without its label
	labels := map[string]string{}
	bestPeer := map[string]string{} // the summary's best-peer cell, by workload
	full, summary := false, false
	for line := range strings.Lines(string(out)) {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "| "), " | ")
		if cells[0] == "workload" {
			if full = slices.Contains(cells, "go-nspr"); full {
				header = cells
			}
			summary = slices.Contains(cells, "best peer")
			continue
		}
		if summary && len(cells) > 3 {
			bestPeer[cells[0]] = cells[3]
		}
		if full {
			name, label, _ := strings.Cut(cells[0], " ")
			rows[name], labels[name] = cells, label
		}
	}
	cell := func(row, col string) string {
		i := slices.Index(header, col)
		if i < 0 || rows[row] == nil {
			return "no row " + row + " or column " + col
		}
		return rows[row][i]
	}
	for _, c := range []struct{ row, col, want string }{
		{"poll_idle_100", "go-nspr", "9.42 ±0%"}, // the first Poll of a list: a scan
		{"poll_idle_100", "go-net", "12.1 ±0%"},
		{"poll_idle_100", "nspr allocs/op (B/op)", "0 (18700 B)"},
		{"poll_idle_100_kept", "go-nspr", "2.39 ±0%"},
		{"poll_idle_100_kept", "raw", "1.58 ±0%"}, // epoll_wait beside the kept set
		{"poll_idle_100_kept", "nspr-c", "11.5 ±0%"},
		{"poll_idle_100_poller", "go-nspr", "1.44 ±0%"},
		{"poll_idle_100_poller", "raw", "1.44 ±0%"},
		{"udp_pps_batch", "go-nspr", "874.8k ±0%"},
		{"udp_pps_batch", "raw", "921.7k ±0%"}, // sendmmsg/recvmmsg from Go
		{"udp_pps_batch", "nspr-c", "245.2k ±0%"},
		{"udp_pps_batch_cpu", "raw", "1.66 ±0%"},
		{"udp_pps", "raw", "260.0k ±0%"}, // nspr's sendto/recvfrom from Go
		{"udp_pps_cpu", "raw", "3.91 ±0%"},
		{"tcp_accept", "go-nspr", "20.8k ±0%"},
		{"tcp_accept", "raw", "25.2k ±0%"}, // nspr's socket/connect/accept4/close from Go
		{"tcp_accept_cpu", "raw", "50.4 ±0%"},
		{"tcp_accept", "raw-object", "23.5k ±0%"}, // the floor with a Go object a descriptor
		{"tcp_accept_cpu", "raw-object", "54.1 ±0%"},
		{"tcp_accept_nomptcp", "raw-object", "23.5k ±0%"},
		{"udp_pps", "raw-object", "—"},
		{"tcp_accept_nomptcp", "go-net", "14.0k ±0%"},
		{"tcp_accept_nomptcp", "raw", "25.2k ±0%"},        // repeated from tcp_accept
		{"udp_gso", "go-nspr", "2.75M ±0%"},               // with UDP_SEGMENT and UDP_GRO
		{"udp_gso", "target", "≥1.5× udp_gso_plain: met"}, // no floor: no note
		// A row with a floor says where the floor stands against the
		// target's peer, and nspr against the floor.
		// A row with a second, object floor says where both stand.
		{"tcp_accept", "target", "≥1.2× nspr-c: MISSED (floor 1.15×, with a Go object a descriptor 1.07×; " +
			"nspr 0.82× the floor, 0.88× the object floor)"},
		{"udp_pps", "target", "≥1× nspr-c: MISSED (floor 1.06×; nspr 0.83× the floor)"}, // one floor: no object note
		{"udp_pps_batch", "target", "≥2× nspr-c: met (floor 3.76×; nspr 0.95× the floor)"},
		{"udp_gso_plain", "go-nspr", "792.2k ±0%"},
		{"udp_gso_cpu", "go-nspr", "0.61 ±0%"},
	} {
		if got := cell(c.row, c.col); got != c.want {
			t.Errorf("%s, %s: %q, want %q", c.row, c.col, got, c.want)
		}
	}
	// The floor is no peer: the best peer of a row is its fastest peer.
	for _, c := range []struct{ row, want string }{
		{"udp_pps", "nspr-c 245.2k"},
		{"tcp_accept", "nspr-c 22.0k"},
		{"udp_pps_batch", "nspr-c 245.2k"},
		{"poll_idle_100_kept", "nspr-c 11.5"},
	} {
		if got := bestPeer[c.row]; got != c.want {
			t.Errorf("summary's best peer of %s: %q, want %q", c.row, got, c.want)
		}
	}
	// A row whose peer columns repeat another row's must say so.
	peers := []string{"go-net", "nspr-c", "python-nss"}
	for a := range rows {
		for b := range rows {
			if a == b || strings.HasSuffix(a, "_cpu") != strings.HasSuffix(b, "_cpu") {
				continue
			}
			same := true
			for _, p := range peers {
				same = same && cell(a, p) != "—" && cell(a, p) == cell(b, p)
			}
			if same && len(a) > len(b) && !strings.Contains(labels[a], "peers:") {
				t.Errorf("%s repeats %s's peer figures without a label saying so (%q)", a, b, labels[a])
			}
		}
	}
	if len(rows) < 10 {
		t.Errorf("%d rows, want every workload of the results", len(rows))
	}
}
