//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// PollableEvent is an event that Poll and a Poller wait on beside sockets
// (PR_NewPollableEvent): Set, from any goroutine, makes it readable, which
// ends a Poll or a Poller's Wait that would otherwise wait forever; Wait
// consumes it. Put it in a PollDesc's Event field, or in a Poller with
// AddEvent; Poll and Wait report PollRead while it is set.
//
// Its descriptor is an eventfd(2) on Linux and the read end of a pipe
// elsewhere, owned as a socket's descriptor is: Close from another goroutine
// wakes a Poll, a Poller's Wait or a Wait blocked on it, and they report it
// as they report a closed socket (PollNval, PR_BAD_DESCRIPTOR_ERROR).
type PollableEvent struct {
	s      *Socket         // the descriptor Poll and Poller wait on
	wfd    int             // where Set writes: the eventfd itself, or the pipe's write end
	wclean runtime.Cleanup // closes a separate write end of an event dropped unclosed

	// Wait's read, guarded by s.rd.mu: read(2) (the descriptor is no
	// socket for recv(2)) through run as a raw function, built once.
	read  func(fd uintptr) bool
	n     int
	errno syscall.Errno
	buf   [1024]byte // as NSPR's
}

// NewPollableEvent creates an event, not set (PR_NewPollableEvent). Close
// releases it.
func NewPollableEvent() (*PollableEvent, error) {
	const op = "new pollable event"
	rfd, wfd, err := newEventFDs()
	if err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) {
			return nil, errnoError(op, errno)
		}
		return nil, newError(op, UnknownError, err)
	}
	s, err := newSocket(rfd, AFUnspec, DescLayered)
	if err != nil {
		closeEventFDs(rfd, wfd)
		return nil, err
	}
	e := &PollableEvent{s: s, wfd: wfd}
	if wfd != rfd {
		// The socket's own cleanup closes the read end.
		e.wclean = runtime.AddCleanup(e, closeFD, wfd)
	}
	return e, nil
}

func closeFD(fd int) { unix.Close(fd) }

// socket returns the event's descriptor owner; nil for a nil event.
func (e *PollableEvent) socket() *Socket {
	if e == nil {
		return nil
	}
	return e.s
}

// Set sets the event (PR_SetPollableEvent). Setting an event that is set
// already changes nothing: the next Wait consumes every Set before it. Set
// never blocks. On a closed event it is PR_BAD_DESCRIPTOR_ERROR.
func (e *PollableEvent) Set() error {
	const op = "set pollable event"
	s := e.socket()
	if err := s.check(op); err != nil {
		return err
	}
	if !s.own.acquire() {
		return closedError(op)
	}
	_, errno := sysFileWrite(e.wfd, eventSetBytes)
	s.own.release()
	switch errno {
	case 0, syscall.EAGAIN: // full: set many times over
		return nil
	}
	return errnoError(op, errno)
}

// Wait waits until the event is set and consumes it, as timeout says
// (PR_WaitForPollableEvent, which always waits without limit: pass
// IntervalNoTimeout for that). Every Set since the last Wait is consumed at
// once, so an event set twice satisfies one Wait. When the interval runs out
// first it is PR_IO_TIMEOUT_ERROR (IntervalNoWait only tests and consumes);
// on a closed event, or one closed during the wait, PR_BAD_DESCRIPTOR_ERROR.
func (e *PollableEvent) Wait(timeout Interval) error {
	const op = "wait for pollable event"
	s := e.socket()
	if err := s.check(op); err != nil {
		return err
	}
	io := &s.rd
	io.mu.Lock()
	defer io.mu.Unlock()
	if e.read == nil {
		e.read = e.tryRead
	}
	w := s.waitOf(timeout)
	// A pipe may hold more Sets than one read takes: read until it is empty
	// (bounded: the pipe's capacity is).
	x := io.cold()
	for i := 0; i < 1<<10; i++ {
		io.kind, x.raw, e.errno = opRaw, e.read, 0
		err := s.run(op, io, false, &w)
		x.raw = nil
		if err == nil && e.errno != 0 {
			err = errnoError(op, e.errno)
		}
		switch {
		case err != nil && i == 0:
			return err
		case err != nil, eventReadTakesAll, e.n < len(e.buf):
			return nil
		}
		w = wait{once: true}
	}
	return nil
}

// tryRead is Wait's system call on the one blocking path: false while
// there is nothing to read.
func (e *PollableEvent) tryRead(fd uintptr) bool {
	for {
		n, errno := sysFileRead(int(fd), e.buf[:])
		switch errno {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		e.n, e.errno = n, errno
		return true
	}
}

// Close releases the event (PR_DestroyPollableEvent). Calls waiting on it
// return; closing twice is PR_BAD_DESCRIPTOR_ERROR.
func (e *PollableEvent) Close() error {
	s := e.socket()
	if err := s.Close(); err != nil {
		return err
	}
	// No Set is writing: Close waited for the calls holding the descriptor.
	if e.wfd != s.own.fd {
		e.wclean.Stop()
		closeFD(e.wfd)
	}
	runtime.KeepAlive(e)
	return nil
}

// sock returns the socket whose descriptor the entry names: its Socket, or
// its Event's.
func (d *PollDesc) sock() *Socket {
	if d.Socket != nil {
		return d.Socket
	}
	return d.Event.socket()
}

// AddEvent makes e a member of the Poller, waiting for flags (PollRead: the
// event is set), as Add does for a socket. Wait reports it in the Event
// field of a PollEvent.
func (p *Poller) AddEvent(e *PollableEvent, flags PollFlags) error {
	return p.ctl(pollerAdd, e.socket(), e, flags)
}

// RemoveEvent ends e's membership, as Remove does for a socket.
func (p *Poller) RemoveEvent(e *PollableEvent) error { return p.ctl(pollerRemove, e.socket(), nil, 0) }
