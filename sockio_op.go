//go:build linux || darwin || freebsd

package nspr

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// opKind selects the system call an ioOp makes.
type opKind uint8

const (
	opRead      opKind = iota // recv(2): Recv on a stream or connected socket
	opRecvFrom                // recvfrom(2) with the sender's address
	opAccept                  // accept4(2)
	opWrite                   // send(2), looping until the buffer is sent
	opSendTo                  // sendto(2) of one datagram
	opConnect                 // connect(2) again, to learn whether it finished
	opSendBatch               // sendmmsg(2) (a sendto loop elsewhere), until all are sent
	opRecvBatch               // recvmmsg(2) (a recvfrom loop elsewhere) of what is queued
	opRaw                     // the function of a RawConn's Read or Write
	opWritev                  // sendmsg(2) of an I/O vector, until all is sent (transfer.go)
	opSendFile                // sendfile(2), until the count is sent or the file ends (transfer.go)
	opSplice                  // splice(2) between the socket and a pipe (transfer.go)
)

// ioOp is one direction (read or write) of a socket: the arguments and
// results of the call in progress, kept in the socket so that the callbacks
// handed to the runtime poller are built once and no call allocates.
type ioOp struct {
	mu sync.Mutex // one call at a time per direction

	kind  opKind
	size  uint32
	p     []byte
	n     int
	errno syscall.Errno
	rsa   unix.RawSockaddrAny

	callback *pollCallback // io.try for the runtime poller, built once the direction waits

	// coldp holds what only some sockets use (see ioCold), allocated on
	// first use so that an accepted connection stays small.
	coldp atomic.Pointer[ioCold]
}

// try runs the system call until it completes or would block. It returns
// false on EAGAIN, which parks the goroutine in the poller until the
// descriptor is ready and the runtime calls it again.
func (io *ioOp) try(fd uintptr) bool {
	for {
		var n int
		var e syscall.Errno
		switch io.kind {
		case opRead:
			n, e = sysRecv(int(fd), io.p)
		case opRecvFrom:
			io.size = unix.SizeofSockaddrAny
			n, e = sysRecvfrom(int(fd), io.p, &io.rsa, &io.size)
		case opAccept:
			io.size = unix.SizeofSockaddrAny
			n, e = sysAccept(int(fd), &io.rsa, &io.size)
		case opWrite, opSendBatch:
			total := len(io.p)
			if io.kind == opWrite {
				n, e = sysWrite(int(fd), io.p[io.n:])
			} else {
				b := io.coldp.Load().batch
				n, e = b.send(int(fd), io.n)
				total = len(b.msgs)
			}
			if e == 0 {
				io.n += n
				if io.n < total {
					continue // a short write: send the rest
				}
				io.errno = 0
				return true
			}
		case opRecvBatch:
			n, e = io.coldp.Load().batch.recv(int(fd))
		case opWritev, opSendFile, opSplice:
			return io.tryTransfer(fd)
		case opRaw:
			if !io.coldp.Load().raw(fd) {
				return false
			}
			io.errno = 0
			return true
		case opSendTo:
			n, e = sysSendto(int(fd), io.p, &io.rsa, io.size)
		case opConnect:
			e = sysConnect(int(fd), &io.rsa, io.size)
			switch e {
			case 0, syscall.EISCONN:
				io.errno = 0
				return true
			case syscall.EALREADY, syscall.EINPROGRESS:
				return false
			}
		}
		switch e {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		if io.kind != opWrite && io.kind != opSendBatch {
			io.n = n
		}
		io.errno = e
		return true
	}
}

// run is the one path every blocking call takes: it tries the system call,
// waits in the runtime poller when it would block (parking the goroutine, not
// a thread), honours the wait, and turns the outcome into an NSPR error. The
// caller holds io.mu and has set io's arguments.
//
// Until the socket first waits, the call goes straight to the descriptor
// (see sockFD); only a call that would block registers it with the poller.
// A one-attempt call always goes straight to the descriptor, because the
// runtime does not try the call at all once a deadline has passed.
func (s *Socket) run(op string, io *ioOp, write bool, w *wait) error {
	io.errno = 0
	reg := s.own.reg.Load()
	if reg == nil || w.once {
		if !s.own.acquire() {
			return closedError(op)
		}
		done := io.try(uintptr(s.own.fd))
		s.own.release()
		switch {
		case done && io.errno != 0:
			return errnoError(op, io.errno)
		case done:
			return nil
		case w.once:
			return w.wouldBlock(op)
		}
	}
	if reg == nil || io.callback == nil {
		var err error
		if reg, err = s.own.register(io); err != nil {
			return s.pollError(op, err)
		}
	}
	var err error
	if w.sticky || w.call != nil {
		err = s.waitCut(reg, io, write, w)
	} else if err = io.setDeadline(reg, write, w.deadline); err == nil {
		err = io.waitReady(reg, write)
	}
	if err != nil {
		return s.pollError(op, err)
	}
	if io.errno != 0 {
		return errnoError(op, io.errno)
	}
	return nil
}

// direct says whether a datagram call's own attempt that failed with e, on
// a socket that never waited, settled the call, and with what error: it did
// unless the call would block and may wait, or was interrupted, when run
// takes over and tries again. RecvFrom and SendTo, one call a datagram, make
// that attempt in their own frame, as run does through try: two frames
// fewer to run through after each system call (see TestDataPathLayout).
func direct(op string, e syscall.Errno, w *wait) (bool, error) {
	switch {
	case e == syscall.EINTR, e == syscall.EAGAIN && !w.once:
		return false, nil
	case e == syscall.EAGAIN:
		return true, w.wouldBlock(op)
	}
	return true, errnoError(op, e)
}

// wouldBlock is the error of a one-attempt call that would block:
// PR_WOULD_BLOCK_ERROR on a non-blocking socket, else PR_IO_TIMEOUT_ERROR.
func (w *wait) wouldBlock(op string) error {
	if w.nonblock {
		return newError(op, WouldBlockError, syscall.EAGAIN)
	}
	return timeoutError(op)
}

// wait says how long a call may wait for its descriptor. The calls of the
// blocking path take it by pointer and never write through it: copied at
// each of their frames, its 48 bytes made the stack of a goroutine waiting
// in Read or Recv outgrow 2 KiB (see TestParkedStack).
type wait struct {
	once     bool      // one attempt, no waiting
	nonblock bool      // the socket is non-blocking: report would-block, not timeout
	deadline time.Time // zero: no limit
	sticky   bool      // a view's call: the deadline is the direction's sticky one, read when the call waits
	call     *ctxCall  // a context's call: its cancellation cuts the wait short
}

// parkedCall records, under ioCold.dmu, which call waits in the poller,
// so that a deadline change or a cancellation reaches that call and no
// other.
type parkedCall struct {
	sticky bool
	call   *ctxCall
}

// ctxCall ties one blocking call to its context.
type ctxCall struct {
	ctx context.Context
}

// aLongTimeAgo is a deadline in the past: handed to the poller it wakes a
// waiting call at once with a timeout.
var aLongTimeAgo = time.Unix(1, 0)

// stickyTime encodes a view's deadline for ioCold.sticky: 0 is none.
func stickyTime(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	if n := t.UnixNano(); n != 0 {
		return n
	}
	return -1 // the epoch itself, long past
}

// stickyDeadline decodes ioCold.sticky.
func (x *ioCold) stickyDeadline() time.Time {
	if n := x.sticky.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// dir returns the read or the write direction of s.
func (s *Socket) dir(write bool) *ioOp {
	if write {
		return &s.wr
	}
	return &s.rd
}

// waitOf turns a call's interval into a wait, honouring the socket's
// non-blocking flag first, as NSPR does. A nil s is left to the call's own
// check.
func (s *Socket) waitOf(timeout Interval) wait {
	switch {
	case s != nil && s.nonblocking.Load():
		return wait{once: true, nonblock: true}
	case timeout == IntervalNoWait:
		return wait{once: true}
	case timeout == IntervalNoTimeout:
		return wait{}
	}
	return wait{deadline: time.Now().Add(timeout.Duration())}
}

// The waits of a call without a time limit, on a blocking and on a
// non-blocking socket, shared by every such call: the calls of the blocking
// path take a *wait and only read it.
var (
	waitNoLimit     = wait{}
	waitNonblocking = wait{once: true, nonblock: true}
)

// noTimeoutWait is waitOf(IntervalNoTimeout) without a copy in the caller's
// frame, for Read, Write, Recv and Send without a limit and the io.Copy
// methods.
func (s *Socket) noTimeoutWait() *wait {
	if s != nil && s.nonblocking.Load() {
		return &waitNonblocking
	}
	return &waitNoLimit
}

// waitCut waits for a call that another goroutine may cut short: it reads
// the deadline and marks the call as waiting under dmu, so that a deadline
// set or a context cancelled from now on reaches the poller (see cut).
func (s *Socket) waitCut(reg *pollReg, io *ioOp, write bool, w *wait) error {
	x := io.cold()
	x.dmu.Lock()
	d := w.deadline
	if w.sticky {
		d = x.stickyDeadline()
	}
	if w.call != nil && w.call.ctx.Err() != nil {
		d = aLongTimeAgo
	}
	err := io.setDeadline(reg, write, d)
	x.parked = parkedCall{sticky: w.sticky, call: w.call}
	x.dmu.Unlock()
	if err == nil {
		err = io.waitReady(reg, write)
	}
	x.dmu.Lock()
	x.parked = parkedCall{}
	x.dmu.Unlock()
	return err
}

// cut gives the call waiting in io a new deadline if it is a view's call
// (sticky) or the call of the context call (not nil). The caller holds
// io.cold().dmu.
func (s *Socket) cut(io *ioOp, write, sticky bool, call *ctxCall, d time.Time) error {
	parked := io.cold().parked
	if !(sticky && parked.sticky) && (call == nil || parked.call != call) {
		return nil
	}
	return io.setDeadline(s.own.reg.Load(), write, d)
}

// setDeadline hands d to the runtime poller unless it has it already.
func (io *ioOp) setDeadline(reg *pollReg, write bool, d time.Time) error {
	var given time.Time // none until a call waits with a limit
	if x := io.coldp.Load(); x != nil {
		given = x.deadline
	}
	if d.Equal(given) {
		return nil
	}
	var err error
	if write {
		err = reg.file.SetWriteDeadline(d)
	} else {
		err = reg.file.SetReadDeadline(d)
	}
	if err != nil {
		return err
	}
	io.cold().deadline = d
	return nil
}

// waitReady runs io's system call through the poller until it completes.
// Its callback reaches io only meanwhile (see pollCallback).
func (io *ioOp) waitReady(reg *pollReg, write bool) (err error) {
	cb := io.callback
	cb.io = io
	if write {
		err = reg.rc.Write(cb.fn)
	} else {
		err = reg.rc.Read(cb.fn)
	}
	cb.io = nil
	return err
}

// pollError maps an error from the runtime poller, knowing that any error
// after Close means the socket was closed under the call (the runtime reports
// that as an unexported "use of closed file").
func (s *Socket) pollError(op string, err error) error {
	if !s.own.open.Load() {
		return closedError(op)
	}
	return pollError(op, err)
}

// pollError maps an error from the runtime poller: a passed deadline is
// PR_IO_TIMEOUT_ERROR, a closed descriptor PR_BAD_DESCRIPTOR_ERROR.
func pollError(op string, err error) error {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return timeoutError(op)
	case errors.Is(err, os.ErrClosed), errors.Is(err, net.ErrClosed):
		return closedError(op)
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errnoError(op, errno)
	}
	return newError(op, UnknownError, err)
}
