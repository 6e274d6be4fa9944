package nspr

import (
	"errors"
	"net"
	"os"
	"strconv"
	"syscall"
)

// ErrorCode is an NSPR error code (PRErrorCode), such as IOTimeoutError
// (PR_IO_TIMEOUT_ERROR, -5990). An ErrorCode is itself an error, so it can be
// the target of errors.Is:
//
//	if errors.Is(err, nspr.IOTimeoutError) { … }
type ErrorCode int32

const firstErrorCode = OutOfMemoryError

func (c ErrorCode) entry() (name, desc string, ok bool) {
	i := int(c - firstErrorCode)
	if i < 0 || i >= len(errorTable) {
		return "", "", false
	}
	e := errorTable[i]
	return e.name, e.desc, true
}

// String returns the bare NSPR name, e.g. "PR_IO_TIMEOUT_ERROR", or the
// number for a code outside NSPR's table. An ErrorCode is an error, so fmt's
// %v and %s print what Error prints, the name with its description; call
// String for the name alone:
//
//	fmt.Println(nspr.IOTimeoutError)          // PR_IO_TIMEOUT_ERROR: the operation did not finish within its interval
//	fmt.Println(nspr.IOTimeoutError.String()) // PR_IO_TIMEOUT_ERROR
func (c ErrorCode) String() string {
	if name, _, ok := c.entry(); ok {
		return name
	}
	return "PR_ERROR(" + strconv.Itoa(int(c)) + ")"
}

// Description returns a short description of the code in plain words.
func (c ErrorCode) Description() string {
	if _, desc, ok := c.entry(); ok {
		return desc
	}
	return "unknown NSPR error"
}

// Error returns the NSPR name followed by the description; it is also what
// %v prints.
func (c ErrorCode) Error() string { return c.String() + ": " + c.Description() }

// Error is the error every nspr function returns. It records the operation
// that failed, the NSPR code (what PR_GetError would return), the
// underlying cause: a syscall.Errno (PR_GetOSError), a resolver error, a
// context error, or nil where NSPR itself decided; and, as net.OpError
// does, the addresses of the call where it has them.
type Error struct {
	Op   string    // the operation, e.g. "connect" or "getaddrinfo"
	Code ErrorCode // the NSPR error code
	Err  error     // the cause, or nil

	// Local is the socket's own address: the address being bound (Bind),
	// the listener's (Accept), the receiver's (RecvFrom), and the local end
	// of a view's connection. Remote is the peer's: the address connected
	// to (Connect, Dial) or sent to (SendTo), and the far end of a view's
	// connection. Each is the zero NetworkAddress where the call has none,
	// or where the kernel could no longer tell (after Close).
	Local, Remote NetworkAddress
}

// Error prints the operation, the NSPR name and description, the cause,
// then the addresses, the NSPR name first:
//
//	nspr: connect: PR_CONNECT_REFUSED_ERROR: the peer refused the connection (connection refused), remote 127.0.0.1:1
func (e *Error) Error() string {
	if e == nil {
		return "<nil>"
	}
	s := "nspr: " + e.Op + ": " + e.Code.Error()
	if e.Err != nil {
		s += " (" + e.Err.Error() + ")"
	}
	if a := e.Local.String(); a != "" {
		s += ", local " + a
	}
	if a := e.Remote.String(); a != "" {
		s += ", remote " + a
	}
	return s
}

// withAddrs returns err, if it is an *Error, with the call's addresses.
// Calls add them only on their error path, so a call that succeeds builds
// no address; the copy leaves err itself as it was.
func withAddrs(err error, local, remote NetworkAddress) error {
	e, ok := err.(*Error)
	if !ok || e == nil {
		return err
	}
	c := *e
	c.Local, c.Remote = local, remote
	return &c
}

// Unwrap returns the cause, so errors.As(err, &errno) reaches the OS error.
func (e *Error) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// Is reports whether the error matches target: its own ErrorCode, and for a
// timeout also os.ErrDeadlineExceeded, and for a use after Close
// net.ErrClosed.
func (e *Error) Is(target error) bool {
	if e == nil {
		return false
	}
	switch target {
	case e.Code:
		return true
	case os.ErrDeadlineExceeded:
		return e.Code == IOTimeoutError
	}
	return false
}

// Timeout reports whether the operation ran out of time (net.Error).
func (e *Error) Timeout() bool { return e != nil && e.Code == IOTimeoutError }

// Temporary reports whether retrying may succeed: a timeout, a would-block,
// or an interrupted call (net.Error; deprecated there, kept for callers that
// still ask).
func (e *Error) Temporary() bool {
	if e == nil {
		return false
	}
	switch e.Code {
	case IOTimeoutError, WouldBlockError, PendingInterruptError, InsufficientResourcesError:
		return true
	}
	return false
}

var _ net.Error = (*Error)(nil)

// ErrorCodeOf returns the NSPR code carried by err (PR_GetError), or 0 when
// err is nil or not an nspr error.
func ErrorCodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// newError builds an *Error; it is the one place errors are made. It and
// errnoError stay out of line: errors are the cold path, and inlined into
// the calls on the blocking path their temporaries would grow those calls'
// frames, and with them the stack a goroutine keeps while it waits in one
// (see TestParkedStack).
//
//go:noinline
func newError(op string, code ErrorCode, cause error) error {
	return &Error{Op: op, Code: code, Err: cause}
}

// errnoError maps an errno returned by the system call behind op to its NSPR
// code as NSPR does on Unix, and wraps the errno. Out of line, as newError.
//
//go:noinline
func errnoError(op string, errno syscall.Errno) error {
	return &Error{Op: op, Code: mapErrno(op, errno), Err: errno}
}

// closedError is the error of any call on a closed socket: PR_BAD_DESCRIPTOR_ERROR
// wrapping net.ErrClosed, so both errors.Is checks hold.
func closedError(op string) error { return newError(op, BadDescriptorError, net.ErrClosed) }

// timeoutError is the error of a call whose interval ran out.
func timeoutError(op string) error { return newError(op, IOTimeoutError, os.ErrDeadlineExceeded) }
