//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"sync"
	"syscall"
	"time"
)

// Poller is a persistent set of sockets to wait on: epoll on Linux, kqueue
// on darwin and freebsd. NSPR has no such call (its PR_Poll, which Poll
// mirrors, scans every descriptor on every call); a Poller is for programs
// holding thousands of sockets, where Wait costs the same whether 10 or
// 10,000 sockets are idle.
//
// Sockets join with Add and leave with Remove, or when they are closed: the
// next Wait reports a closed member once with PollNval and forgets it, so a
// new socket that gets the closed one's descriptor number is never confused
// with it. Wait parks the goroutine in the runtime poller, never a thread.
//
// Add, Modify, Remove and Close may run concurrently with a Wait; Wait
// calls run one at a time. Errors: a socket added twice, or modified or
// removed while not a member, and flags other than PollRead, PollWrite and
// PollExcept are PR_INVALID_ARGUMENT_ERROR (as NSPR's wait groups report a
// descriptor in the wrong group); a closed Poller or socket
// PR_BAD_DESCRIPTOR_ERROR.
//
// Unlike Poll, Wait reports what the kernel knows: bytes that ReadLine read
// ahead do not make a socket readable. On darwin and freebsd, PollExcept is
// reported with PollRead (kqueue has no filter for out-of-band data alone).
type Poller struct {
	set    *pollSet
	waitMu sync.Mutex // one Wait at a time
	seq    uint32     // the Wait in progress, numbering merged reports; guarded by set.mu
}

// PollEvent is one ready socket reported by Poller.Wait, with its out-flags
// as Poll reports them.
type PollEvent struct {
	Socket   *Socket
	OutFlags PollFlags
}

// NewPoller creates an empty Poller. Close releases it.
func NewPoller() (*Poller, error) {
	set, err := newPollSet(64)
	if err != nil {
		return nil, sysErr("poller", err)
	}
	set.poller = true
	set.watch()
	return &Poller{set: set}, nil
}

// Add makes s a member, waiting for flags (PollRead, PollWrite,
// PollExcept; at least one).
func (p *Poller) Add(s *Socket, flags PollFlags) error { return p.ctl("poller add", s, flags) }

// Modify changes the flags a member waits for.
func (p *Poller) Modify(s *Socket, flags PollFlags) error { return p.ctl("poller modify", s, flags) }

// Remove ends s's membership. Removing a member that was closed and not yet
// reported by Wait succeeds.
func (p *Poller) Remove(s *Socket) error { return p.ctl("poller remove", s, 0) }

func (p *Poller) ctl(op string, s *Socket, flags PollFlags) error {
	if p == nil || p.set == nil {
		return newError(op, BadDescriptorError, errors.New("nil poller"))
	}
	remove := op == "poller remove"
	if !remove && (flags == 0 || flags&^pollInFlags != 0) {
		return newError(op, InvalidArgumentError, errors.New("flags must be PR_POLL_READ, PR_POLL_WRITE or PR_POLL_EXCEPT, not "+flags.String()))
	}
	set := p.set
	set.mu.Lock()
	defer set.mu.Unlock()
	if set.done {
		return closedError(op)
	}
	if err := s.check(op); err != nil {
		if remove && s != nil && s.own != nil && set.lookup(s) != nil {
			set.drop(s.fd) // closed: its entry left the kernel set with it
			return nil
		}
		return err
	}
	if !s.own.acquire(&s.closed) {
		return closedError(op)
	}
	defer s.own.release()
	sl := set.lookup(s)
	switch {
	case remove && sl == nil, op == "poller modify" && sl == nil:
		return newError(op, InvalidArgumentError, errors.New("the socket is not in the poller"))
	case remove:
		set.remove(s.fd)
		return nil
	case op == "poller add" && sl != nil:
		return newError(op, InvalidArgumentError, errors.New("the socket is in the poller already"))
	}
	sl, e := set.put(s.fd, s.own.pollKey(), flags)
	if e != 0 {
		return errnoError(op, e)
	}
	if sl.sock == nil {
		sl.sock = s
		s.own.polls.Add(1)
		if s.closed.Load() {
			// Close ran since acquire and may have missed the count: do
			// its part (memberClosed finds nothing left to do).
			set.remove(s.fd)
			set.closed = append(set.closed, s)
			set.wake()
		}
	}
	return nil
}

// Wait waits until members are ready or the timeout passes, and fills
// events with one entry per ready socket (in no particular order). It
// returns the number filled: 0 when the timeout passed first (with a nil
// error, as Poll), at most len(events); more ready sockets are reported by
// the next Wait. IntervalNoWait does not wait. Wait does not allocate. An
// empty events is PR_INVALID_ARGUMENT_ERROR; a closed Poller, or one closed
// during the wait, PR_BAD_DESCRIPTOR_ERROR.
func (p *Poller) Wait(events []PollEvent, timeout Interval) (int, error) {
	const op = "poller wait"
	if p == nil || p.set == nil {
		return 0, newError(op, BadDescriptorError, errors.New("nil poller"))
	}
	if len(events) == 0 {
		return 0, newError(op, InvalidArgumentError, errors.New("no room for events"))
	}
	p.waitMu.Lock()
	defer p.waitMu.Unlock()
	set := p.set
	if cap(set.buf) < len(events) {
		set.buf = make([]kernelEvent, len(events))
	}
	set.buf = set.buf[:len(events)]
	var deadline time.Time
	if timeout != IntervalNoWait && timeout != IntervalNoTimeout {
		deadline = time.Now().Add(timeout.Duration())
	}
	n, err := p.collect(op, events, -1)
	for n == 0 && err == nil && timeout != IntervalNoWait {
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return 0, nil
		}
		switch werr := set.wait(deadline); {
		case werr == errPollTimeout:
			return 0, nil
		case werr != nil:
			set.mu.Lock()
			done := set.done
			set.mu.Unlock()
			if done {
				return 0, closedError(op)
			}
			var errno syscall.Errno
			if errors.As(werr, &errno) {
				return 0, errnoError(op, errno)
			}
			return 0, pollError(op, werr)
		}
		n, err = p.collect(op, events, set.n)
	}
	return n, err
}

// collect fills events: first members closed since the last Wait
// (PollNval), then the kernel's events, have of them already in set.buf, or
// fetched now when have < 0.
func (p *Poller) collect(op string, events []PollEvent, have int) (int, error) {
	set := p.set
	set.mu.Lock()
	defer set.mu.Unlock()
	if set.done {
		return 0, closedError(op)
	}
	set.woken.Store(false)
	n := min(len(set.closed), len(events))
	for i := range n {
		events[i] = PollEvent{Socket: set.closed[i], OutFlags: PollNval}
	}
	if n > 0 {
		rest := copy(set.closed, set.closed[n:])
		clear(set.closed[rest:])
		set.closed = set.closed[:rest]
		if rest > 0 {
			set.woken.Store(true)
		}
	}
	if have < 0 {
		if n == len(events) {
			return n, nil
		}
		var e syscall.Errno
		for {
			if have, e = kernelSetWait(set.kfd, set.buf[:len(events)-n]); e != syscall.EINTR {
				break
			}
		}
		if e != 0 {
			return n, errnoError(op, e)
		}
	}
	p.seq++
	for i := range set.buf[:have] {
		fd, tag, out := eventOf(&set.buf[i])
		if fd < 0 || fd >= len(set.slots) {
			continue
		}
		sl := &set.slots[fd]
		if sl.sock == nil || (tag != 0 && sl.tag != tag) {
			continue // removed since the kernel reported it
		}
		if out &= sl.events | pollOutExtra; out == 0 {
			continue
		}
		if sl.outSeq == p.seq { // kqueue reports each filter apart
			events[sl.out].OutFlags |= out
			continue
		}
		if n == len(events) {
			break
		}
		sl.outSeq, sl.out = p.seq, int32(n)
		events[n] = PollEvent{Socket: sl.sock, OutFlags: out}
		n++
	}
	return n, nil
}

// Close releases the Poller; a Wait in progress returns
// PR_BAD_DESCRIPTOR_ERROR. The member sockets stay open. Closing twice is
// PR_BAD_DESCRIPTOR_ERROR.
func (p *Poller) Close() error {
	if p == nil || p.set == nil {
		return newError("poller close", BadDescriptorError, errors.New("nil poller"))
	}
	p.set.unwatch()
	if err := p.set.close(); err != nil {
		return pollError("poller close", err)
	}
	return nil
}
