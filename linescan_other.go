//go:build (linux || darwin || freebsd) && !amd64

package nspr

// lineEnds sets ends[i] to the offset just past the i-th '\n' of p, for as
// many of them as ends holds, and returns how many it set (see
// linescan_amd64.go, which scans with vectors).
func lineEnds(p []byte, ends []uint32) int { return lineEndsGeneric(p, ends) }

// useAVX2 is false: there is no vector scan here (the tests read it).
var useAVX2 = false
