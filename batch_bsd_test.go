//go:build darwin || freebsd

package nspr

import "testing"

// benchRawBatch would time sendmmsg/recvmmsg from Go; Linux only.
func benchRawBatch(b *testing.B) {}
