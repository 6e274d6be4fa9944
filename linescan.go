//go:build linux || darwin || freebsd

package nspr

import "bytes"

// lineEndsGeneric is lineEnds one bytes.IndexByte a line: where there is
// no vector scan, and the reference the vector scan is tested against.
func lineEndsGeneric(p []byte, ends []uint32) int {
	n, off := 0, 0
	for n < len(ends) {
		i := bytes.IndexByte(p[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
		ends[n] = uint32(off)
		n++
	}
	return n
}
