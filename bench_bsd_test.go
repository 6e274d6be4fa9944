//go:build darwin || freebsd

package nspr_test

import (
	"testing"

	"github.com/nspr-go/nspr"
)

// benchRawKernelSet would time kevent(2) from Go; the figures of record are
// taken on Linux.
func benchRawKernelSet(b *testing.B, descs []nspr.PollDesc) {}

// benchRawUDP and benchRawAccept would time the calls of udp_pps and
// tcp_accept raw from Go; the figures of record are taken on Linux.
func benchRawUDP(b *testing.B)    {}
func benchRawAccept(b *testing.B) {}
