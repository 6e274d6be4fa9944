//go:build linux || darwin || freebsd

package nspr

import (
	"context"
	"errors"
	"time"
)

// ConnectContext is Connect bounded by ctx instead of an Interval: ctx's
// deadline is the call's deadline, and cancelling ctx wakes the call at once.
// NSPR has no context; the closest it has is PR_Interrupt, which wakes a
// blocked thread with PR_PENDING_INTERRUPT_ERROR. So a cancelled call
// returns PR_PENDING_INTERRUPT_ERROR and a passed deadline
// PR_IO_TIMEOUT_ERROR, each wrapping the context's error: both
// errors.Is(err, context.Canceled) (or context.DeadlineExceeded) and
// errors.Is(err, nspr.PendingInterruptError) (or IOTimeoutError) hold. A
// context already done fails before any system call. A non-blocking socket
// behaves as with Connect: PR_IN_PROGRESS_ERROR at once.
//
// A cancelled connect leaves the socket in an unknown state, as a timed-out
// one does: close it.
func (s *Socket) ConnectContext(ctx context.Context, addr NetworkAddress) error {
	const op = "connect"
	call, stop, err := s.beginCtx(op, ctx, true)
	if err != nil {
		return withAddrs(err, NetworkAddress{}, addr)
	}
	w := s.ctxWait(call)
	err = s.connect(op, &addr, &w)
	if err = call.end(op, stop, err); err != nil {
		return withAddrs(err, NetworkAddress{}, addr)
	}
	return nil
}

// AcceptContext is Accept bounded by ctx instead of an Interval, with the
// errors of ConnectContext for a cancelled context or a passed deadline.
func (s *Socket) AcceptContext(ctx context.Context) (*Socket, NetworkAddress, error) {
	const op = "accept"
	call, stop, err := s.beginCtx(op, ctx, false)
	if err != nil {
		return nil, NetworkAddress{}, s.addrError(err, false)
	}
	w := s.ctxWait(call)
	c, peer, err := s.accept(op, &w)
	if err = call.end(op, stop, err); err != nil {
		return nil, peer, s.addrError(err, false)
	}
	return c, peer, nil
}

// beginCtx starts a call bounded by ctx in direction io: it fails at once
// if ctx is done, and otherwise arranges for ctx's end to cut the call's
// wait short. The caller must pass stop to call.end when the call returns.
func (s *Socket) beginCtx(op string, ctx context.Context, write bool) (*ctxCall, func() bool, error) {
	if ctx == nil {
		return nil, nil, newError(op, InvalidArgumentError, errors.New("nil context"))
	}
	if err := s.check(op); err != nil {
		return nil, nil, err
	}
	call := &ctxCall{ctx: ctx}
	if err := ctx.Err(); err != nil {
		return nil, nil, call.error(op, err)
	}
	io := s.dir(write)
	x := io.cold()
	cutDone := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(cutDone)
		x.dmu.Lock()
		defer x.dmu.Unlock()
		s.cut(io, write, false, call, aLongTimeAgo)
	})
	return call, func() bool {
		if stop() {
			return true
		}
		<-cutDone // the cut is running: let it finish before the next call
		return false
	}, nil
}

// ctxWait is the wait of a call bounded by call's context; a non-blocking
// socket still tries once, as NSPR does whatever the timeout.
func (s *Socket) ctxWait(call *ctxCall) wait {
	if s != nil && s.nonblocking.Load() {
		return wait{once: true, nonblock: true}
	}
	d, _ := call.ctx.Deadline()
	return wait{deadline: d, call: call}
}

// end finishes a call bounded by the context: a timeout that the
// context's end caused becomes the context's error.
func (call *ctxCall) end(op string, stop func() bool, err error) error {
	stop()
	if err == nil || !errors.Is(err, IOTimeoutError) {
		return err
	}
	cerr := call.ctx.Err()
	if cerr == nil {
		// The poller's timer may fire before the context's own.
		if d, ok := call.ctx.Deadline(); ok && !time.Now().Before(d) {
			cerr = context.DeadlineExceeded
		}
	}
	if cerr == nil {
		return err
	}
	return call.error(op, cerr)
}

// error is the error of a call whose context ended: PR_IO_TIMEOUT_ERROR for
// a passed deadline, PR_PENDING_INTERRUPT_ERROR for a cancellation.
func (call *ctxCall) error(op string, cerr error) error {
	if errors.Is(cerr, context.DeadlineExceeded) {
		return newError(op, IOTimeoutError, cerr)
	}
	return newError(op, PendingInterruptError, cerr)
}
