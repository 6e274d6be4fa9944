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
	set     *pollSet[pollerMember]
	waitMu  sync.Mutex     // one Wait at a time
	seq     uint32         // the Wait in progress, numbering merged reports; guarded by set.mu
	removed uint32         // set.removed when the kernel's events were last read; guarded by set.mu
	closed  []pollerMember // members closed since the last Wait; guarded by set.mu
}

// pollerMember is a Poller's state for one member.
type pollerMember struct {
	sock   *Socket
	event  *PollableEvent // the event whose descriptor sock is, for an AddEvent member
	outSeq uint32         // the Wait that last reported the member
	out    int32          // index of that report in Wait's events
}

// report is Wait's report of the member: a socket, or an event.
func (m *pollerMember) report(out PollFlags) PollEvent {
	if m.event != nil {
		return PollEvent{Event: m.event, OutFlags: out}
	}
	return PollEvent{Socket: m.sock, OutFlags: out}
}

// PollEvent is one ready socket reported by Poller.Wait, with its out-flags
// as Poll reports them; for a PollableEvent member, Event is set instead of
// Socket.
type PollEvent struct {
	Socket   *Socket
	OutFlags PollFlags
	Event    *PollableEvent
}

// NewPoller creates an empty Poller. Close releases it.
func NewPoller() (*Poller, error) {
	p := &Poller{set: new(pollSet[pollerMember])}
	if err := p.set.open(64); err != nil {
		return nil, sysErr("poller", err)
	}
	p.set.onClose = func(sl *pollSlot[pollerMember]) { p.closed = append(p.closed, sl.use) }
	return p, nil
}

// pollerOp is a change of a Poller's membership.
type pollerOp uint8

const (
	pollerAdd pollerOp = iota
	pollerModify
	pollerRemove
)

var pollerOpNames = [...]string{pollerAdd: "poller add", pollerModify: "poller modify", pollerRemove: "poller remove"}

// Add makes s a member, waiting for flags (PollRead, PollWrite,
// PollExcept; at least one).
func (p *Poller) Add(s *Socket, flags PollFlags) error { return p.ctl(pollerAdd, s, nil, flags) }

// Modify changes the flags a member waits for.
func (p *Poller) Modify(s *Socket, flags PollFlags) error { return p.ctl(pollerModify, s, nil, flags) }

// Remove ends s's membership. Removing a member that was closed and not yet
// reported by Wait succeeds, and Wait does not report it.
func (p *Poller) Remove(s *Socket) error { return p.ctl(pollerRemove, s, nil, 0) }

// ctl changes s's membership; e is the event whose descriptor s is, for
// AddEvent.
func (p *Poller) ctl(ctl pollerOp, s *Socket, e *PollableEvent, flags PollFlags) error {
	op := pollerOpNames[ctl]
	if p == nil || p.set == nil {
		return newError(op, BadDescriptorError, errors.New("nil poller"))
	}
	if ctl != pollerRemove && (flags == 0 || flags&^pollInFlags != 0) {
		return newError(op, InvalidArgumentError, errors.New("flags must be PR_POLL_READ, PR_POLL_WRITE or PR_POLL_EXCEPT, not "+flags.String()))
	}
	set := p.set
	set.mu.Lock()
	defer set.mu.Unlock()
	if set.done {
		return closedError(op)
	}
	if err := s.check(op); err != nil {
		if ctl == pollerRemove && s != nil && s.own.made && p.removeClosed(s) {
			return nil
		}
		return err
	}
	if !s.own.acquire() {
		return closedError(op)
	}
	defer s.own.release()
	sl := set.lookup(&s.own)
	switch {
	case sl == nil && ctl != pollerAdd:
		return newError(op, InvalidArgumentError, errors.New("the socket is not in the poller"))
	case ctl == pollerRemove:
		set.remove(s.own.fd)
		return nil
	case ctl == pollerAdd && sl != nil:
		return newError(op, InvalidArgumentError, errors.New("the socket is in the poller already"))
	}
	sl, errno := set.put(&s.own, flags)
	if errno != 0 {
		return errnoError(op, errno)
	}
	sl.use.sock = s
	if ctl == pollerAdd {
		sl.use.event = e
	}
	return nil
}

// removeClosed removes s, closed, from the set if its Close has not reached
// the set yet, or from the reports of the next Wait; false if it is in
// neither. The caller holds set.mu.
func (p *Poller) removeClosed(s *Socket) bool {
	if p.set.lookup(&s.own) != nil {
		p.set.remove(s.own.fd) // Close waits for set.mu: the number is still s's
		return true
	}
	for i, c := range p.closed {
		if c.sock == s {
			p.closed = append(p.closed[:i], p.closed[i+1:]...)
			return true
		}
	}
	return false
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
	n := min(len(p.closed), len(events))
	for i := range n {
		events[i] = p.closed[i].report(PollNval)
	}
	if n > 0 {
		rest := copy(p.closed, p.closed[n:])
		clear(p.closed[rest:])
		p.closed = p.closed[:rest]
		if rest > 0 {
			set.woken.Store(true)
		}
	}
	if set.removed != p.removed {
		// An entry went since the kernel's events were read: its number
		// may hold another member now. Read them again.
		have = -1
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
		p.removed = set.removed
	}
	p.seq++
	for i := range set.buf[:have] {
		fd, out := eventOf(&set.buf[i])
		if fd < 0 || fd >= len(set.slots) || set.slots[fd].id == 0 {
			continue
		}
		sl := &set.slots[fd]
		if out &= sl.events | pollOutExtra; out == 0 {
			continue
		}
		m := &sl.use
		if m.outSeq == p.seq { // kqueue reports each filter apart
			events[m.out].OutFlags |= out
			continue
		}
		if n == len(events) {
			break
		}
		m.outSeq, m.out = p.seq, int32(n)
		events[n] = m.report(out)
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
	if err := p.set.close(); err != nil {
		return pollError("poller close", err)
	}
	return nil
}
