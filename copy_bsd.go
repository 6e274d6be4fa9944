//go:build darwin || freebsd

package nspr

import "io"

// spliceFrom does nothing where there is no splice(2): ReadFrom copies.
func (s *Socket) spliceFrom(string, io.Reader, int64, *wait) (int64, bool, error) {
	return 0, false, nil
}

// spliceTo does nothing where there is no splice(2): WriteTo copies.
func (s *Socket) spliceTo(string, io.Writer, *wait) (int64, bool, error) { return 0, false, nil }
