//go:build linux || darwin || freebsd

package nspr

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// lineEndsWant is lineEnds by definition: the offset past each '\n' of p,
// at most max of them.
func lineEndsWant(p []byte, max int) []uint32 {
	var ends []uint32
	for i, c := range p {
		if c == '\n' && len(ends) < max {
			ends = append(ends, uint32(i+1))
		}
	}
	return ends
}

// checkLineEnds compares lineEnds, by each path this machine has, with the
// definition, for p and room for max ends. Each ends slice is followed by a
// guard value the scan must leave alone.
func checkLineEnds(t *testing.T, p []byte, max int) {
	t.Helper()
	want := lineEndsWant(p, max)
	for _, avx2 := range []bool{false, true} {
		if avx2 && !useAVX2 {
			continue
		}
		buf := make([]uint32, max+1)
		buf[max] = 0xdeadbeef
		var n int
		if avx2 {
			n = lineEnds(p, buf[:max])
		} else {
			n = lineEndsGeneric(p, buf[:max])
		}
		if got := buf[:n]; !slices.Equal(got, want) {
			t.Fatalf("avx2 %v, %d bytes %q, room for %d: %v, want %v", avx2, len(p), p, max, got, want)
		}
		if buf[max] != 0xdeadbeef {
			t.Fatalf("avx2 %v, %d bytes, room for %d: wrote past the end of ends", avx2, len(p), max)
		}
	}
}

func TestLineEnds(t *testing.T) {
	block := func(at ...int) []byte { // 100 bytes with '\n' at the offsets given
		p := bytes.Repeat([]byte{'a'}, 100)
		for _, i := range at {
			p[i] = '\n'
		}
		return p
	}
	for _, c := range []struct {
		name string
		p    []byte
		max  int
	}{
		{"empty", nil, 4},
		{"no room", []byte("a\nb\n"), 0},
		{"no newline", block(), 8},
		{"one at each end of a block", block(0, 31, 32, 63, 64, 95, 96, 99), 16},
		{"every byte", bytes.Repeat([]byte{'\n'}, 70), 100},
		{"every byte, room for fewer", bytes.Repeat([]byte{'\n'}, 70), 33},
		{"room runs out mid-block", block(1, 2, 3, 4, 5), 3},
		{"room runs out in the tail", block(97, 98, 99), 2},
		{"only in the tail", block(97, 99), 4},
		{"lines of 40 bytes", []byte(strings.Repeat(strings.Repeat("x", 39)+"\n", 50)), 256},
		{"other bytes alike", []byte("\x0a\x8a\x0b\x09\x00\xff\n"), 8},
	} {
		t.Run(c.name, func(t *testing.T) { checkLineEnds(t, c.p, c.max) })
	}
}

// FuzzLineEnds checks lineEnds against its definition on arbitrary bytes,
// from each offset of the first 32 (the vector scan's alignment) and with
// room for any number of ends.
func FuzzLineEnds(f *testing.F) {
	f.Add([]byte("hello\nworld\n\nlast"), uint8(0), uint8(8))
	f.Add(bytes.Repeat([]byte("0123456789abcde\n"), 9), uint8(7), uint8(5))
	f.Fuzz(func(t *testing.T, p []byte, skip, max uint8) {
		p = p[min(int(skip%32), len(p)):]
		checkLineEnds(t, p, int(max))
	})
}
