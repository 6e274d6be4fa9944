//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// PollDesc is one entry of a Poll (PRPollDesc): a socket, or a
// PollableEvent in Event instead, and the events asked for, a bitwise OR of
// PollRead, PollWrite and PollExcept. An entry with neither or no flags is
// ignored.
type PollDesc struct {
	Socket  *Socket
	InFlags PollFlags
	Event   *PollableEvent // polled when Socket is nil (PR_NewPollableEvent's descriptor)
}

// Poll waits until at least one of the sockets is ready for what its entry
// asks, or the timeout passes (PR_Poll, python-nss's Socket.poll). It returns
// one out-flags value per entry, in order:
//
//   - PollRead: data to read, a connection to accept, or the end of the
//     stream; also bytes that ReadLine read ahead and no call returned yet,
//     unless a line call already found them an incomplete line: then Poll
//     waits for the kernel to report more bytes or the end of the stream,
//     so that a loop of Poll and a ReadLine that times out does not spin
//     (see the package overview).
//   - PollWrite: room to send, or a non-blocking Connect finished (call
//     ConnectContinue with the flags).
//   - PollExcept: out-of-band data.
//   - PollErr, PollHup: an error is pending, the connection is down (reported
//     whether asked for or not).
//   - PollNval: the socket is closed (counted as ready).
//
// Entries with a nil Socket or no flags get 0. When the timeout passes
// first every flag is 0 and the error is nil, as PR_Poll returns 0.
// IntervalNoWait polls once. An empty list (or one of ignored entries)
// sleeps for the timeout; with IntervalNoTimeout it would sleep forever and
// is PR_INVALID_ARGUMENT_ERROR instead. Flags other than PollRead,
// PollWrite and PollExcept are PR_INVALID_ARGUMENT_ERROR.
//
// Closing a polled socket from another goroutine ends the wait at once; the
// closed socket reports PollNval. The wait parks the goroutine in the runtime
// poller, never a thread, and any number of sockets can be polled.
//
// On Linux a list of 64 entries or more that is polled again (the same
// first socket and length, as in a server's loop, even when the list is
// built anew each time) is answered from an epoll set kept between calls: the kernel reports only the ready sockets instead of scanning every
// descriptor, so the cost is a pass over the list rather than poll(2)'s scan
// (measured 4 times less at 100 idle sockets, 12 to 15 times less at 1,000
// and 10,000). The first call uses poll(2); the second builds the set. A
// Poller saves even the pass: its Wait costs the same whatever the number
// of idle sockets.
func Poll(descs []PollDesc, timeout Interval) ([]PollFlags, error) {
	out := make([]PollFlags, len(descs))
	if _, err := PollInto(descs, out, timeout); err != nil {
		return nil, err
	}
	return out, nil
}

// PollInto is Poll writing the out-flags into out[:len(descs)], without
// allocating. It returns the number of entries whose out-flags are not 0,
// which is PR_Poll's result. An out shorter than descs is
// PR_INVALID_ARGUMENT_ERROR.
func PollInto(descs []PollDesc, out []PollFlags, timeout Interval) (int, error) {
	const op = "poll"
	if len(out) < len(descs) {
		return 0, newError(op, InvalidArgumentError, errors.New("out is shorter than descs"))
	}
	out = out[:len(descs)]
	for i := range descs {
		if descs[i].InFlags&^pollInFlags != 0 {
			return 0, newError(op, InvalidArgumentError, errors.New("in-flags other than PR_POLL_READ, PR_POLL_WRITE and PR_POLL_EXCEPT: "+descs[i].InFlags.String()))
		}
	}
	var deadline time.Time
	if timeout != IntervalNoWait && timeout != IntervalNoTimeout {
		deadline = time.Now().Add(timeout.Duration())
	}
	// A long list is answered from a kept kernel set (pollcache.go); any
	// list waits on one.
	key := listKeyOf(descs)
	fromSet := exactKernelSet && len(descs) >= listSetMin
	var set *listSet
	if fromSet {
		set, _ = takeListSet(key, false) // without a set, poll(2) answers
	}
	defer func() {
		if set != nil {
			keepListSet(key, set)
		}
	}()
	for {
		var ready, active int
		var err error
		if set != nil && fromSet {
			ready, active, err = set.pollNow(op, descs, out)
		} else {
			ready, active, err = pollNow(op, descs, out)
		}
		switch {
		case err != nil || ready > 0 || timeout == IntervalNoWait:
			return ready, err
		case active == 0 && deadline.IsZero():
			return 0, newError(op, InvalidArgumentError, errors.New("nothing to poll and no timeout: it would sleep forever"))
		case active == 0:
			time.Sleep(time.Until(deadline))
			return 0, nil
		case !deadline.IsZero() && !time.Now().Before(deadline):
			return 0, nil
		}
		if set == nil {
			if set, err = takeListSet(key, true); err != nil {
				return 0, pollError(op, err)
			}
		}
		switch err := set.waitFor(descs, deadline); {
		case err == errPollTimeout:
			return 0, nil
		case err != nil:
			return 0, pollError(op, err)
		}
	}
}

// pollFDs holds poll(2) arrays for reuse, so that Poll does not allocate.
var pollFDs = sync.Pool{New: func() any { return new([]unix.PollFd) }}

// pollNow computes every entry's out-flags now, with poll(2) and a zero
// timeout, as NSPR's pt_poll maps revents. It returns the number of ready
// entries and of entries it asked the kernel about. A closed socket is
// PollNval; unread read-ahead bytes make a socket readable without asking
// the kernel. Each socket is held (acquire) during the call, so that a
// concurrent Close cannot hand its number to another descriptor under it.
func pollNow(op string, descs []PollDesc, out []PollFlags) (ready, active int, err error) {
	bp := pollFDs.Get().(*[]unix.PollFd)
	if cap(*bp) < len(descs) {
		*bp = make([]unix.PollFd, len(descs))
	}
	fds := (*bp)[:len(descs)]
	for i := range descs {
		d := &descs[i]
		out[i] = 0
		fds[i] = unix.PollFd{Fd: -1}
		s := d.sock()
		if s == nil || d.InFlags == 0 {
			continue
		}
		if !s.own.acquire() {
			out[i] = PollNval
			continue
		}
		active++
		fds[i] = unix.PollFd{Fd: int32(s.own.fd), Events: pollEvents(d.InFlags)}
		if d.InFlags&PollRead != 0 && s.readAheadReady() {
			out[i] = PollRead
		}
	}
	var e syscall.Errno
	if active > 0 {
		for {
			if _, e = sysPollNow(fds); e != syscall.EINTR {
				break
			}
		}
	}
	for i := range descs {
		if fds[i].Fd < 0 {
			ready += int(min(out[i], 1))
			continue
		}
		descs[i].sock().own.release()
		if e == 0 && fds[i].Revents != 0 {
			out[i] |= pollOutFlags(fds[i].Revents) & (descs[i].InFlags | pollOutExtra)
		}
		ready += int(min(out[i], 1))
	}
	pollFDs.Put(bp)
	if e != 0 {
		clear(out)
		return 0, 0, errnoError(op, e)
	}
	return ready, active, nil
}
