//go:build linux || darwin || freebsd

package nspr

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

// The fuzz targets below run briefly in .ci/fuzz; their seed corpora live in
// testdata/fuzz. Name lookups go to the test resolver, which refuses the
// system's DNS server (resolver_test.go), so no input reaches the network.

// FuzzNetworkAddress parses arbitrary host strings: the result is an address
// of the family asked for with the port given, or a *Error; a numeric
// address's text parses back to the same address.
func FuzzNetworkAddress(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "::1", "fe80::1%lo", "::ffff:1.2.3.4", "localhost", "1.2.3", "", "[::1]", "0x7f.1", "255.255.255.256", "%", "::%25"} {
		f.Add(s, uint16(80), int(AFInet))
		f.Add(s, uint16(0), int(AFInet6))
	}
	f.Fuzz(func(t *testing.T, host string, port uint16, family int) {
		fam := Family(family)
		a, err := NewNetworkAddress(host, port, fam)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("NewNetworkAddress(%q, %d, %v): %T %v, want *nspr.Error", host, port, fam, err, err)
			}
			return
		}
		if a.Port() != port && fam != AFLocal {
			t.Fatalf("NewNetworkAddress(%q, %d, %v).Port() = %d", host, port, fam, a.Port())
		}
		if (fam == AFInet || fam == AFInet6) && a.Family() != fam {
			t.Fatalf("NewNetworkAddress(%q, %d, %v) has family %v", host, port, fam, a.Family())
		}
		if _, perr := netip.ParseAddr(host); perr == nil && a.Family() != AFLocal {
			b, err := NewNetworkAddress(a.Address(), port, a.Family())
			if err != nil || b.AddrPort() != a.AddrPort() {
				t.Fatalf("%q -> %v -> %v, %v: no round trip", host, a, b, err)
			}
		}
		_ = a.String()
	})
}

// FuzzUnixAddress checks the Unix path rules: a valid path is kept as given,
// an invalid one is a *Error, never a panic.
func FuzzUnixAddress(f *testing.F) {
	for _, s := range []string{"/tmp/s", "", "a\x00b", "@abstract", "relative/path", string(make([]byte, 200))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		a, err := NewUnixAddress(path)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("NewUnixAddress(%q): %T %v, want *nspr.Error", path, err, err)
			}
			return
		}
		if a.Path() != path || a.Family() != AFLocal {
			t.Fatalf("NewUnixAddress(%q) = path %q family %v", path, a.Path(), a.Family())
		}
		for i := range len(path) {
			if path[i] == 0 {
				t.Fatalf("NewUnixAddress accepted a path with NUL: %q", path)
			}
		}
	})
}

// FuzzReadLineChunking checks that line reading does not depend on how the
// stream arrives: whatever the chunks (cuts gives their sizes; a 0 is a
// timeout between two chunks, after which reading resumes), the line bound
// and the read-ahead size, the lines are those of splitting the whole
// stream at once, and no byte is lost or left over.
func FuzzReadLineChunking(f *testing.F) {
	f.Add([]byte("hello\nworld\n\nlast"), []byte{3, 0, 4, 1}, 0, uint16(0))
	f.Add([]byte("abcdefgh\nij\n"), []byte{1, 1, 1}, 3, uint16(2))
	f.Add([]byte("\r\n\x00\n\n"), []byte{0, 0, 2}, 1, uint16(1))
	f.Fuzz(func(t *testing.T, data, cuts []byte, max int, size uint16) {
		if max <= 0 {
			max = DefaultMaxLine
		} else {
			max = 1 + max%4096
		}
		var b readAhead
		b.size.Store(int32(size % 512)) // small sizes make it compact and grow often; 0 is the default
		src := data
		fill := func(p []byte) (int, error) {
			n := len(src)
			if len(cuts) > 0 {
				n, cuts = int(cuts[0]), cuts[1:]
				if n == 0 {
					return 0, timeoutError("fuzz")
				}
			}
			n = copy(p, src[:min(n, len(src))])
			src = src[n:]
			return n, nil
		}
		var got [][]byte
		limit := len(data) + len(cuts) + 1 // each call takes a byte or a cut, or ends
		for steps := 0; ; steps++ {
			if steps > limit {
				t.Fatalf("no end after %d calls", steps)
			}
			n, err := b.line(max, fill)
			if err != nil {
				continue // a timeout: the bytes stay buffered
			}
			if n == 0 {
				break
			}
			line := make([]byte, n)
			b.take(line)
			got = append(got, line)
		}
		want := splitLines(data, max)
		if len(got) != len(want) {
			t.Fatalf("%d lines %q, want %d %q", len(got), got, len(want), want)
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("line %d is %q, want %q", i, got[i], want[i])
			}
		}
		if len(src) != 0 || b.buffered() != 0 || b.pending.Load() {
			t.Fatalf("%d bytes unread, %d buffered, pending %v at the end", len(src), b.buffered(), b.pending.Load())
		}
	})
}

// FuzzTakeLine runs a read-ahead through arbitrary fills (which compact and
// grow it), line takes into buffers of arbitrary sizes and plain takes, as
// the line calls, Recv and ReadLinesInto interleave them on a socket, and
// holds each result to what the bytes say.
func FuzzTakeLine(f *testing.F) {
	f.Add([]byte("a\nbb\nccc\n\ndddd\neeeee"), []byte{0, 1, 1, 2, 0, 1, 3, 1, 1})
	f.Add(bytes.Repeat([]byte("0123456\n"), 40), []byte{0, 0, 1, 5, 2, 1, 0, 1, 1, 1, 4})
	f.Fuzz(func(t *testing.T, stream, ops []byte) {
		var b readAhead
		b.size.Store(64) // small, so fills compact and grow often
		src := stream
		var model []byte // the bytes b should hold, in order
		for i, op := range ops {
			arg := int(op / 3)
			switch op % 3 {
			case 0: // fill: up to arg+1 more bytes of the stream
				if b.buffered() >= 4096 {
					continue
				}
				b.makeRoom(4096)
				n := copy(b.buf[b.w:], src[:min(arg+1, len(src))])
				src = src[n:]
				model = append(model, b.buf[b.w:b.w+n]...)
				b.filled(n)
			case 1: // a line call's fast path into arg+1 bytes
				p := make([]byte, arg+1)
				n := b.takeLine(p)
				want := 0
				if j := bytes.IndexByte(model[:min(len(p), len(model))], '\n'); j >= 0 {
					want = j + 1
				}
				if n != want || !bytes.Equal(p[:n], model[:want]) {
					t.Fatalf("op %d: takeLine into %d bytes: %q, want %q", i, len(p), p[:n], model[:want])
				}
				model = model[n:]
			case 2: // Recv, ReadLinesInto's batch or a cut line: up to arg+1 bytes
				p := make([]byte, arg+1)
				n := b.take(p)
				if want := min(len(p), len(model)); n != want || !bytes.Equal(p[:n], model[:n]) {
					t.Fatalf("op %d: take %d: %q, want %q", i, len(p), p[:n], model[:want])
				}
				model = model[n:]
			}
			if b.buffered() != len(model) || !bytes.Equal(b.buf[b.r:b.w], model) {
				t.Fatalf("op %d: buffered %q, want %q", i, b.buf[b.r:b.w], model)
			}
		}
	})
}

// splitLines splits data at once into lines of at most max bytes, each
// ending after '\n' or at the bound, the last one possibly at the end.
func splitLines(data []byte, max int) [][]byte {
	var lines [][]byte
	for len(data) > 0 {
		n := min(len(data), max)
		if i := bytes.IndexByte(data[:n], '\n'); i >= 0 {
			n = i + 1
		}
		lines = append(lines, data[:n])
		data = data[n:]
	}
	return lines
}

// FuzzPollDescs polls arbitrary lists of nil, closed, idle and readable
// sockets with arbitrary flag bytes: Poll never panics or hangs, returns one
// out-flags value per entry, reports only what was asked for (plus ERR, HUP
// and NVAL), NVAL exactly for closed sockets, and refuses unknown in-flags.
func FuzzPollDescs(f *testing.F) {
	for _, seed := range [][]byte{{}, {0x41}, {0xc1, 0x82, 0x43}, {0x01, 0x88}, {0x7f}, bytes.Repeat([]byte{0xc1, 0x83}, 40)} {
		f.Add(seed, uint8(0))
		f.Add(seed, uint8(1))
	}
	f.Fuzz(func(t *testing.T, spec []byte, wait uint8) {
		if len(spec) > 128 {
			spec = spec[:128]
		}
		closed := udpSocket(t, false)
		closed.Close()
		idle, readable := udpSocket(t, false), udpSocket(t, true)
		kinds := []*Socket{nil, closed, idle, readable}
		descs := make([]PollDesc, len(spec))
		bad := false
		for i, b := range spec {
			descs[i] = PollDesc{Socket: kinds[b>>6], InFlags: PollFlags(b & 0x3f)}
			bad = bad || descs[i].InFlags&^(PollRead|PollWrite|PollExcept) != 0
		}
		timeout := []Interval{IntervalNoWait, MillisecondsToInterval(1), MillisecondsToInterval(5)}[wait%3]
		out, err := Poll(descs, timeout)
		if bad {
			if ErrorCodeOf(err) != InvalidArgumentError {
				t.Fatalf("Poll with unknown in-flags: %v, want PR_INVALID_ARGUMENT_ERROR", err)
			}
			return
		}
		if err != nil || len(out) != len(descs) {
			t.Fatalf("Poll = %v, %v; want %d out-flags", out, err, len(descs))
		}
		readyOne := false
		for _, d := range descs {
			readyOne = readyOne || (d.Socket != nil && d.Socket != idle && d.InFlags != 0) || (d.Socket == idle && d.InFlags&PollWrite != 0)
		}
		for i, d := range descs {
			got := out[i]
			switch {
			case d.Socket == nil || d.InFlags == 0:
				if got != 0 {
					t.Fatalf("ignored entry %d: %v", i, got)
				}
			case d.Socket == closed:
				if got != PollNval {
					t.Fatalf("closed entry %d: %v, want NVAL", i, got)
				}
			default:
				if extra := got &^ (d.InFlags | PollErr | PollHup); extra != 0 || got&PollNval != 0 {
					t.Fatalf("entry %d asked %v got %v", i, d.InFlags, got)
				}
				if !readyOne {
					break
				}
				if d.Socket == readable && d.InFlags&PollRead != 0 && got&PollRead == 0 {
					t.Fatalf("readable entry %d asked %v got %v", i, d.InFlags, got)
				}
				if d.InFlags&PollWrite != 0 && got&PollWrite == 0 {
					t.Fatalf("writable entry %d asked %v got %v", i, d.InFlags, got)
				}
			}
		}
	})
}
