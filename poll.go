//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// PollDesc is one entry of a Poll (PRPollDesc): a socket and the events
// asked for, a bitwise OR of PollRead, PollWrite and PollExcept. An entry
// with a nil Socket or no flags is ignored.
type PollDesc struct {
	Socket  *Socket
	InFlags PollFlags
}

const (
	pollInFlags  = PollRead | PollWrite | PollExcept // what an entry may ask for
	pollOutExtra = PollErr | PollNval | PollHup      // reported whether asked or not
)

// Poll waits until at least one of the sockets is ready for what its entry
// asks, or the timeout passes (PR_Poll, python-nss's Socket.poll). It returns
// one out-flags value per entry, in order:
//
//   - PollRead: data to read, a connection to accept, or the end of the
//     stream; also bytes that ReadLine read ahead and no call returned yet.
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
// slice, as in a server's loop) is answered from an epoll set kept between
// calls: the kernel reports only the ready sockets instead of scanning every
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
	set, listed := listSet(descs)
	defer func() {
		switch {
		case set == nil:
		case listed && !set.stale:
			keepListSet(descs, set)
		default:
			putPollSet(set)
		}
	}()
	for {
		var ready, active int
		var err error
		if set != nil && listed {
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
			if set, err = getPollSet(); err != nil {
				return 0, pollError(op, err)
			}
		}
		switch err := set.waitFor(descs, deadline); {
		case err == errPollTimeout:
			return 0, nil
		case err != nil:
			return 0, pollError(op, err)
		}
		if set.stale {
			putPollSet(set)
			set, listed = nil, false
		}
	}
}

// Lists of many sockets polled again and again (a server's loop) are
// answered from a kernel set that keeps the list's sockets between calls:
// the kernel then reports only the ready ones instead of scanning every
// descriptor as poll(2) does. A list is known by its first entry's address
// and its length (a key that keeps nothing alive: a new list at an old
// address only costs the set's changes); it gets a set the second time it
// is polled, so that a list polled once never pays for building one.
var (
	listSetMin = 64 // the shortest list answered from a kept set; a variable for tests
	listSets   struct {
		mu   sync.Mutex
		seen [4]listKey // lists polled once, most recent first
		kept [4]keptSet // lists with a set
	}
)

type listKey struct {
	addr uintptr
	n    int
}

type keptSet struct {
	key listKey
	set *pollSet
}

func listKeyOf(descs []PollDesc) listKey {
	return listKey{uintptr(unsafe.Pointer(&descs[0])), len(descs)}
}

// listSet returns the set kept for descs, taking it out of the cache while
// the call uses it, or a new one the second time descs is polled; nil when
// descs should be answered by poll(2).
func listSet(descs []PollDesc) (*pollSet, bool) {
	if !exactKernelSet || len(descs) < listSetMin {
		return nil, false
	}
	k := listKeyOf(descs)
	listSets.mu.Lock()
	for i := range listSets.kept {
		if e := &listSets.kept[i]; e.set != nil && e.key == k {
			set := e.set
			*e = keptSet{}
			listSets.mu.Unlock()
			return set, true
		}
	}
	for i, seen := range listSets.seen {
		if seen == k {
			copy(listSets.seen[i:], listSets.seen[i+1:])
			listSets.seen[len(listSets.seen)-1] = listKey{}
			listSets.mu.Unlock()
			set, err := getPollSet()
			if err != nil {
				return nil, false
			}
			return set, true
		}
	}
	copy(listSets.seen[1:], listSets.seen[:])
	listSets.seen[0] = k
	listSets.mu.Unlock()
	return nil, false
}

// keepListSet keeps set for the next Poll of descs, handing the set it
// replaces (the least recent) back to the pool.
func keepListSet(descs []PollDesc, set *pollSet) {
	listSets.mu.Lock()
	evicted := listSets.kept[len(listSets.kept)-1].set
	copy(listSets.kept[1:], listSets.kept[:])
	listSets.kept[0] = keptSet{listKeyOf(descs), set}
	listSets.mu.Unlock()
	if evicted != nil {
		putPollSet(evicted)
	}
}

// pollFDs holds poll(2) arrays for reuse, so that Poll does not allocate.
var pollFDs = sync.Pool{New: func() any { return new([]unix.PollFd) }}

// rawPollMax is the largest array polled with a raw system call; a larger
// one takes the kernel long enough that the scheduler should know.
const rawPollMax = 256

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
		s := d.Socket
		if s == nil || d.InFlags == 0 {
			continue
		}
		if s.own == nil || !s.own.acquire(&s.closed) {
			out[i] = PollNval
			continue
		}
		active++
		fds[i] = unix.PollFd{Fd: int32(s.fd), Events: pollEvents(d.InFlags)}
		if d.InFlags&PollRead != 0 && s.hasReadAhead() {
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
		descs[i].Socket.own.release()
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

// pollEvents maps PR_POLL_* in-flags to poll(2) events, as pt_poll does.
func pollEvents(f PollFlags) int16 {
	var ev int16
	if f&PollRead != 0 {
		ev |= unix.POLLIN
	}
	if f&PollWrite != 0 {
		ev |= unix.POLLOUT
	}
	if f&PollExcept != 0 {
		ev |= unix.POLLPRI
	}
	return ev
}

// pollOutFlags maps poll(2) revents to PR_POLL_* out-flags, as pt_poll does:
// POLLIN is READ, POLLOUT WRITE, POLLPRI EXCEPT, POLLERR ERR, POLLNVAL NVAL,
// POLLHUP HUP.
func pollOutFlags(rev int16) PollFlags {
	var f PollFlags
	for _, m := range pollRevents {
		if rev&m.rev != 0 {
			f |= m.flag
		}
	}
	return f
}

var pollRevents = [...]struct {
	rev  int16
	flag PollFlags
}{
	{unix.POLLIN, PollRead}, {unix.POLLOUT, PollWrite}, {unix.POLLPRI, PollExcept},
	{unix.POLLERR, PollErr}, {unix.POLLNVAL, PollNval}, {unix.POLLHUP, PollHup},
}

// waitFor parks until one of the sockets of descs may be ready, one of them
// is closed, or the deadline passes (errPollTimeout). The set first takes
// the sockets' flags (changing the kernel set only where they changed since
// the set's last Poll) and drops the sockets no longer asked for.
func (p *pollSet) waitFor(descs []PollDesc, deadline time.Time) error {
	p.woken.Store(false)
	p.watch()
	closed, err := p.sync(descs, nil)
	if err == nil && !closed {
		err = p.wait(deadline)
		if err == nil && p.n > 0 {
			p.checkStale()
		}
	}
	p.unwatch()
	for i, s := range p.pinned {
		s.own.polls.Add(-1)
		p.pinned[i] = nil
	}
	p.pinned = p.pinned[:0]
	return err
}

// sync makes the kernel set hold exactly the open sockets of descs with
// their flags. To wait (out == nil) it counts the set in each socket's polls,
// so that its Close wakes the wait, and stops at a closed socket, reporting
// it. To compute flags (out != nil) it sets out[i] to PollNval for a closed
// socket and 0 for the others.
func (p *pollSet) sync(descs []PollDesc, out []PollFlags) (closed bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.epoch++
	pin := out == nil
	for i := range descs {
		s, flags := descs[i].Socket, descs[i].InFlags
		if !pin {
			out[i] = 0
		}
		if s == nil || flags == 0 {
			continue
		}
		if !pin && s.own != nil && s.fd < len(p.slots) {
			// Unchanged since the last call: no system call, so no need
			// to hold the descriptor.
			if sl := &p.slots[s.fd]; sl.key != 0 && sl.key == s.own.key.Load() && sl.epoch != p.epoch && sl.events == flags {
				if s.closed.Load() {
					out[i] = PollNval
				} else {
					sl.want, sl.epoch = flags, p.epoch
				}
				continue
			}
		}
		if s.own == nil || !s.own.acquire(&s.closed) {
			if pin {
				return true, nil
			}
			out[i] = PollNval
			continue
		}
		key := s.own.pollKey()
		first := true
		if s.fd < len(p.slots) && p.slots[s.fd].key == key && p.slots[s.fd].epoch == p.epoch {
			flags |= p.slots[s.fd].want // the socket is listed twice
			first = false
		}
		sl, e := p.put(s.fd, key, flags)
		if e != 0 {
			s.own.release()
			return false, e
		}
		sl.want, sl.epoch = flags, p.epoch
		if first && pin {
			s.own.polls.Add(1)
			p.pinned = append(p.pinned, s)
			closed = s.closed.Load() // after counting: Close either sees the count or this sees Close
		}
		s.own.release()
		if closed {
			return true, nil
		}
	}
	for i := 0; i < len(p.fds); {
		if fd := int(p.fds[i]); p.slots[fd].epoch != p.epoch {
			// No longer asked for. If the socket was closed since, its
			// entry left the kernel set with it and the number now
			// names another descriptor or none, which the set does not
			// hold: removing it fails harmlessly.
			p.remove(fd)
			continue
		}
		i++
	}
	return false, nil
}

// pollNow computes the out-flags of descs from the kernel set, as the
// package's pollNow does from poll(2): the kernel reports only the ready
// descriptors, so the cost no longer grows with the idle ones beyond a pass
// over the list. Only where the set's events are poll(2)'s revents
// (exactKernelSet).
func (p *pollSet) pollNow(op string, descs []PollDesc, out []PollFlags) (ready, active int, err error) {
	if _, err := p.sync(descs, out); err != nil {
		return 0, 0, pollError(op, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if want := max(len(p.fds), 1); len(p.buf) < want {
		p.buf = make([]kernelEvent, want+want/4)
	}
	var n int
	var e syscall.Errno
	for {
		if n, e = kernelSetWait(p.kfd, p.buf); e != syscall.EINTR {
			break
		}
	}
	if e != 0 {
		clear(out)
		return 0, 0, errnoError(op, e)
	}
	for i := range p.buf[:n] {
		fd, tag, f := eventOf(&p.buf[i])
		if fd < 0 || fd >= len(p.slots) || p.slots[fd].key == 0 || p.slots[fd].tag != tag {
			p.stale = true
			continue
		}
		p.slots[fd].rev, p.slots[fd].revEp = f, p.epoch
	}
	for i := range descs {
		s, in := descs[i].Socket, descs[i].InFlags
		if out[i] == 0 && s != nil && in != 0 {
			active++
			if sl := p.lookup(s); sl != nil && sl.revEp == p.epoch {
				out[i] = sl.rev & (in | pollOutExtra)
			}
			if in&PollRead != 0 && s.hasReadAhead() {
				out[i] |= PollRead
			}
		}
		ready += int(min(out[i], 1))
	}
	return ready, active, nil
}

// checkStale marks the set stale when the kernel reported a descriptor it
// no longer holds: a copy of a closed socket's descriptor (dup, fork) kept
// the entry alive under a number the set cannot remove. Poll then replaces
// the set.
func (p *pollSet) checkStale() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.buf[:p.n] {
		fd, tag, _ := eventOf(&p.buf[i])
		if fd < 0 || fd >= len(p.slots) || p.slots[fd].key == 0 || (tag != 0 && p.slots[fd].tag != tag) {
			p.stale = true
		}
	}
}
