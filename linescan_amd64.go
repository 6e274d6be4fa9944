//go:build linux || darwin || freebsd

package nspr

import "golang.org/x/sys/cpu"

// lineEnds sets ends[i] to the offset just past the i-th '\n' of p, for as
// many of them as ends holds, and returns how many it set. p must be
// shorter than 4 GiB.
//
// ReadLinesInto finds every line of a batch with it. One bytes.IndexByte a
// line paid the call's setup for each 40 or so bytes and was the largest
// cost of a batch; this scan compares 32 bytes at a time and takes each
// '\n' from the comparison's bit mask.
func lineEnds(p []byte, ends []uint32) int {
	if useAVX2 {
		return lineEndsAVX2(p, ends)
	}
	return lineEndsGeneric(p, ends)
}

// useAVX2 says whether the processor has AVX2, for lineEnds and for the
// tests, which hold both paths to the definition where both run.
var useAVX2 = cpu.X86.HasAVX2

// lineEndsAVX2 is lineEnds with AVX2 (linescan_amd64.s).
//
//go:noescape
func lineEndsAVX2(p []byte, ends []uint32) int
