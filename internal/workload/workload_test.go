package workload

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

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

func TestSendLines(t *testing.T) {
	per := BulkChunk / LineLen
	for _, n := range []int{0, 1, per - 1, per, per + 1, 3 * per} {
		var buf bytes.Buffer
		if err := SendLines(&buf, n); err != nil {
			t.Fatal(err)
		}
		lines := bytes.Split(buf.Bytes(), []byte("\n"))
		if got := len(lines) - 1; got != n || len(lines[n]) != 0 {
			t.Fatalf("SendLines(%d) wrote %d lines", n, got)
		}
		for i, l := range lines[:n] {
			if len(l) != LineLen-1 {
				t.Fatalf("SendLines(%d): line %d is %d bytes, want %d", n, i, len(l)+1, LineLen)
			}
		}
	}
}

// TestReadLineBatches checks that the batch harness counts every line of
// every batch and fails on a short line, an empty batch or a reader's error.
func TestReadLineBatches(t *testing.T) {
	errRead := errors.New("read failed")
	tests := []struct {
		name    string
		n       int
		batch   func(r *bufio.Reader) ([][]byte, error) // over the lines arriving
		wantErr string
	}{
		{"whole", 3*(BulkChunk/LineLen) + 5, func(r *bufio.Reader) ([][]byte, error) { return readBatch(r, 7) }, ""},
		{"short line", 10, func(r *bufio.Reader) ([][]byte, error) {
			lines, err := readBatch(r, 3)
			lines[1] = lines[1][:LineLen-1]
			return lines, err
		}, "line 1: 39 bytes"},
		{"empty batch", 10, func(*bufio.Reader) ([][]byte, error) { return nil, nil }, "line 0: no lines"},
		{"reader error", 10, func(*bufio.Reader) ([][]byte, error) { return nil, errRead }, errRead.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, server, err := Net{}.TCPPair()
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			defer server.Close()
			// A harness that asked for more lines than were sent fails
			// here instead of waiting for ever.
			server.(net.Conn).SetReadDeadline(time.Now().Add(10 * time.Second))
			r := bufio.NewReader(server)
			handed := 0
			err = ReadLineBatches(client, func() ([][]byte, error) {
				lines, err := tt.batch(r)
				handed += len(lines)
				return lines, err
			}, tt.n)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("ReadLineBatches: %v", err)
			case tt.wantErr == "" && handed != tt.n:
				t.Fatalf("ReadLineBatches returned after %d lines of %d", handed, tt.n)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("ReadLineBatches = %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}

// readBatch reads up to max lines from r, stopping early at the end of what
// r has buffered after the first.
func readBatch(r *bufio.Reader, max int) ([][]byte, error) {
	var lines [][]byte
	for len(lines) < max && (len(lines) == 0 || r.Buffered() > 0) {
		line, err := r.ReadBytes('\n')
		if err != nil {
			return lines, err
		}
		lines = append(lines, line)
	}
	return lines, nil
}

func TestFigure(t *testing.T) {
	bulk, _ := Lookup("tcp_bulk")
	pp, _ := Lookup("tcp_pingpong_1B")
	tests := []struct {
		w       Workload
		n       int
		elapsed time.Duration
		want    float64
	}{
		{bulk, 1000, time.Second, 65.536},
		{pp, 5000, 500 * time.Millisecond, 10000},
		{pp, 5000, 0, 0},
	}
	for _, tt := range tests {
		if got := tt.w.Figure(tt.n, tt.elapsed); got != tt.want {
			t.Errorf("%s.Figure(%d, %v) = %v, want %v", tt.w.Name, tt.n, tt.elapsed, got, tt.want)
		}
	}
	if _, ok := Lookup("no_such_workload"); ok {
		t.Error("Lookup found a workload that does not exist")
	}
}

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i + 1)
	}
	tests := []struct {
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{hundred, 0.50, 50},
		{hundred, 0.99, 99},
		{hundred, 0.999, 100},
		{hundred, 0, 1},
		{hundred[:1], 0.999, 1},
		{[]time.Duration{1, 2, 3}, 0.5, 2},
		{nil, 0.5, 0},
	}
	for _, tt := range tests {
		if got := Percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("Percentile(%d values, %v) = %v, want %v", len(tt.sorted), tt.p, got, tt.want)
		}
	}
}

// TestPingPongRTT checks that PingPong records one time per round trip,
// each positive, and that they add up to no more than the whole run.
func TestPingPongRTT(t *testing.T) {
	c, s, err := Net{}.TCPPair()
	if err != nil {
		t.Fatal(err)
	}
	defer CloseAll(c, s)
	rtt := make([]time.Duration, 200)
	start := time.Now()
	if err := PingPong(c, s, len(rtt), 64, rtt); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	var sum time.Duration
	for i, d := range rtt {
		if d <= 0 {
			t.Fatalf("round trip %d took %v", i, d)
		}
		sum += d
	}
	if sum > elapsed {
		t.Errorf("round trips add up to %v, more than the run's %v", sum, elapsed)
	}
}

// TestNetWorkloads runs each workload over the standard library, the
// implementation this package holds; package nsprimpl runs them over both.
func TestNetWorkloads(t *testing.T) {
	for _, w := range Workloads {
		if _, err := w.Run(Net{}, 16); err != nil {
			t.Errorf("%s: %v", w.Name, err)
		}
	}
}
