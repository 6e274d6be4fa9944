package nspr

import (
	"errors"
	"net"
	"os"
	"regexp"
	"strconv"
	"syscall"
	"testing"
)

// TestErrorTableMatchesHeader checks every code's name and number against
// NSPR's own header, so the table cannot drift from prerr.h.
func TestErrorTableMatchesHeader(t *testing.T) {
	const header = "/usr/include/nspr/prerr.h"
	src, err := os.ReadFile(header)
	if err != nil {
		t.Skipf("NSPR headers not installed (libnspr4-dev): %v", err)
	}
	defs := regexp.MustCompile(`#define (PR_\w+_ERROR)\s+\((-\d+)L\)`).FindAllStringSubmatch(string(src), -1)
	if len(defs) != len(errorTable) {
		t.Fatalf("prerr.h defines %d codes, the table has %d", len(defs), len(errorTable))
	}
	for _, d := range defs {
		n, _ := strconv.Atoi(d[2])
		if got := ErrorCode(n).String(); got != d[1] {
			t.Errorf("code %d is named %q here, %q in prerr.h", n, got, d[1])
		}
	}
}

func TestErrorCodeNumbers(t *testing.T) {
	tests := []struct {
		code ErrorCode
		want int32
		name string
	}{
		{OutOfMemoryError, -6000, "PR_OUT_OF_MEMORY_ERROR"},
		{WouldBlockError, -5998, "PR_WOULD_BLOCK_ERROR"},
		{IOTimeoutError, -5990, "PR_IO_TIMEOUT_ERROR"},
		{InvalidArgumentError, -5987, "PR_INVALID_ARGUMENT_ERROR"},
		{ConnectRefusedError, -5981, "PR_CONNECT_REFUSED_ERROR"},
		{DirectoryLookupError, -5973, "PR_DIRECTORY_LOOKUP_ERROR"},
		{NotTCPSocketError, -5968, "PR_NOT_TCP_SOCKET_ERROR"},
		{SocketAddressIsBoundError, -5967, "PR_SOCKET_ADDRESS_IS_BOUND_ERROR"},
		{ConnectResetError, -5961, "PR_CONNECT_RESET_ERROR"},
		{InProgressError, -5934, "PR_IN_PROGRESS_ERROR"},
		{MaxError, -5924, "PR_MAX_ERROR"},
		{-5000, -5000, "PR_ERROR(-5000)"},
	}
	for _, tt := range tests {
		if int32(tt.code) != tt.want || tt.code.String() != tt.name {
			t.Errorf("%s: got %d %q, want %d", tt.name, int32(tt.code), tt.code.String(), tt.want)
		}
	}
	if d := ErrorCode(-1).Description(); d != "unknown NSPR error" {
		t.Errorf("description of an unknown code: %q", d)
	}
}

func TestErrorMatching(t *testing.T) {
	timeout := timeoutError("recv")
	closed := closedError("send")
	refused := errnoError("connect", syscall.ECONNREFUSED)

	tests := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"code matches itself", refused, ConnectRefusedError, true},
		{"code does not match another", refused, ConnectResetError, false},
		{"timeout is a deadline", timeout, os.ErrDeadlineExceeded, true},
		{"timeout code", timeout, IOTimeoutError, true},
		{"refused is no deadline", refused, os.ErrDeadlineExceeded, false},
		{"closed is net.ErrClosed", closed, net.ErrClosed, true},
		{"closed code", closed, BadDescriptorError, true},
		{"errno reachable", refused, syscall.ECONNREFUSED, true},
		{"wrapped twice", wrap(refused), ConnectRefusedError, true},
	}
	for _, tt := range tests {
		if got := errors.Is(tt.err, tt.target); got != tt.want {
			t.Errorf("%s: errors.Is = %v, want %v", tt.name, got, tt.want)
		}
	}

	var ne net.Error
	if !errors.As(timeout, &ne) || !ne.Timeout() {
		t.Errorf("a timeout must be a net.Error with Timeout() true")
	}
	if errors.As(refused, &ne) && ne.Timeout() {
		t.Errorf("a refused connection is not a timeout")
	}
	var errno syscall.Errno
	if !errors.As(refused, &errno) || errno != syscall.ECONNREFUSED {
		t.Errorf("errors.As errno = %v", errno)
	}
	if ErrorCodeOf(wrap(refused)) != ConnectRefusedError || ErrorCodeOf(errors.New("x")) != 0 || ErrorCodeOf(nil) != 0 {
		t.Errorf("ErrorCodeOf does not find codes")
	}
}

func wrap(err error) error { return &os.PathError{Op: "wrap", Path: "x", Err: err} }

func TestErrorText(t *testing.T) {
	err := errnoError("connect", syscall.ECONNREFUSED)
	want := "nspr: connect: PR_CONNECT_REFUSED_ERROR: the peer refused the connection (connection refused)"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	if got := newError("poll", InvalidArgumentError, nil).Error(); got != "nspr: poll: PR_INVALID_ARGUMENT_ERROR: an argument is not valid" {
		t.Errorf("Error() without a cause = %q", got)
	}
	var nilErr *Error
	if nilErr.Error() != "<nil>" {
		t.Errorf("nil *Error prints %q", nilErr.Error())
	}
}

func TestTemporary(t *testing.T) {
	tests := []struct {
		code ErrorCode
		want bool
	}{
		{IOTimeoutError, true},
		{WouldBlockError, true},
		{PendingInterruptError, true},
		{ConnectResetError, false},
	}
	for _, tt := range tests {
		if got := (&Error{Code: tt.code}).Temporary(); got != tt.want {
			t.Errorf("%v.Temporary() = %v", tt.code, got)
		}
	}
}

// The mapping is NSPR's on Unix: _MD_unix_map_default_error plus the
// per-operation overrides.
func TestErrnoMapping(t *testing.T) {
	tests := []struct {
		op    string
		errno syscall.Errno
		want  ErrorCode
	}{
		{"bind", syscall.EINVAL, SocketAddressIsBoundError},
		{"listen", syscall.EINVAL, InvalidArgumentError},
		{"getsockopt", syscall.EINVAL, BufferOverflowError},
		{"setsockopt", syscall.EINVAL, BufferOverflowError},
		{"setsockopt", syscall.ENOMEM, InsufficientResourcesError},
		{"socket", syscall.ENOMEM, InsufficientResourcesError},
		{"recv", syscall.ENOMEM, OutOfMemoryError},
		{"accept", syscall.ENODEV, NotTCPSocketError},
		{"connect", syscall.ENXIO, IOError},
		{"close", syscall.ETIMEDOUT, RemoteFileError},
		{"send", syscall.EPIPE, ConnectResetError},
		{"recv", syscall.ECONNRESET, ConnectResetError},
		{"connect", syscall.ETIMEDOUT, IOTimeoutError},
		{"listen", syscall.EOPNOTSUPP, NotTCPSocketError},
		{"connect", syscall.ECONNREFUSED, ConnectRefusedError},
		{"bind", syscall.EADDRINUSE, AddressInUseError},
		{"bind", syscall.EADDRNOTAVAIL, AddressNotAvailableError},
		{"connect", syscall.EAFNOSUPPORT, AddressNotSupportedError},
		{"connect", syscall.EISCONN, IsConnectedError},
		{"recv", syscall.ENOTCONN, NotConnectedError},
		{"recv", syscall.EAGAIN, WouldBlockError},
		{"recv", syscall.EINTR, PendingInterruptError},
		{"sendto", syscall.EMSGSIZE, InvalidArgumentError},
		{"accept", syscall.EMFILE, ProcDescTableFullError},
		{"accept", syscall.ENFILE, SysDescTableFullError},
		{"send", syscall.ENOBUFS, InsufficientResourcesError},
		{"connect", syscall.ENETUNREACH, NetworkUnreachableError},
		{"connect", syscall.EHOSTUNREACH, HostUnreachableError},
		{"import", syscall.ENOTSOCK, NotSocketError},
		{"recv", syscall.EBADF, BadDescriptorError},
		{"recv", syscall.Errno(4095), UnknownError},
	}
	for _, tt := range tests {
		if got := mapErrno(tt.op, tt.errno); got != tt.want {
			t.Errorf("%s %v → %v, want %v", tt.op, tt.errno, got, tt.want)
		}
	}
}
