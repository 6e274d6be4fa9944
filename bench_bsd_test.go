//go:build darwin || freebsd

package nspr

import "testing"

// benchRawKernelSet would time kevent(2) from Go; the figures of record are
// taken on Linux.
func benchRawKernelSet(b *testing.B, socks []*Socket) {}

// benchRawBatch would time sendmmsg/recvmmsg from Go; Linux only.
func benchRawBatch(b *testing.B) {}
