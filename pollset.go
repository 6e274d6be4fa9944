//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A pollSet is a kernel event set (epoll, kqueue) holding sockets, whose own
// descriptor is registered with the runtime poller: waiting on it parks the
// goroutine, never a thread. A Poller owns one for its life (U is then
// pollerMember); Poll keeps a few between calls (listSet), so that a
// program polling the same sockets again and again changes the kernel set
// only where its list changed. pollset_linux.go and pollset_bsd.go are its
// kernel back ends.
//
// Membership is kept by the descriptor's owner (sockFD), which lists the
// sets it joined; the set's entries are indexed by descriptor number and
// carry the owner's poll id, not a pointer, so that Poll's kept sets keep
// no dropped socket alive (a Poller keeps its members). Closing a socket removes its entries from those sets before
// the descriptor is closed, so an entry always names its socket's open
// descriptor: no entry outlives its socket, and a reused number is a new
// entry.
type pollSet[U any] struct {
	kfd  int
	file *os.File
	rc   syscall.RawConn
	try  func(fd uintptr) bool // p.tryWait as a method value, built once

	// Results of tryWait, read by the waiting goroutine.
	buf   []kernelEvent
	n     int
	errno syscall.Errno

	woken atomic.Bool // a member was closed, or the set is closing: stop waiting

	mu      sync.Mutex    // guards what follows; taken by Close of a member socket
	slots   []pollSlot[U] // by descriptor number
	fds     []int32       // descriptors with an entry, in no order
	removed uint32        // entries removed so far: a change means that events read before may name a number's former holder
	done    bool          // closed
	closed  atomic.Bool   // done, for owners pruning their lists without mu

	// onClose, when set, runs under mu when a member is closed, before its
	// entry goes (a Poller queues its PollNval report).
	onClose func(*pollSlot[U])
}

// pollSlot is the set's entry for one descriptor; use is the state its user
// (Poll or Poller) keeps for the entry.
type pollSlot[U any] struct {
	id     uint64    // the member's poll id (sockFD.pollID); 0: no entry
	events PollFlags // flags registered with the kernel
	pos    int32     // index in fds
	use    U
}

// pollHolder is a set as a descriptor owner sees it: forget takes the
// descriptor out of the set before it is closed (see sockFD.close), gone
// says that the set is closed and can leave the owner's list.
type pollHolder interface {
	forget(o *sockFD)
	gone() bool
}

var errPollTimeout = errors.New("poll timed out")

// open creates the kernel set and registers it with the runtime poller.
func (p *pollSet[U]) open(bufLen int) error {
	kfd, err := kernelSetOpen()
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(kfd), "nspr-poll")
	if f == nil {
		return syscall.EBADF
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return err
	}
	p.kfd, p.file, p.rc, p.buf = kfd, f, rc, make([]kernelEvent, bufLen)
	p.try = p.tryWait
	return nil
}

// lookup returns o's entry, or nil when the set does not hold o.
func (p *pollSet[U]) lookup(o *sockFD) *pollSlot[U] {
	if id := o.knownPollID(); id == 0 || o.fd >= len(p.slots) || p.slots[o.fd].id != id {
		return nil
	}
	return &p.slots[o.fd]
}

// put gives o an entry waiting for flags, or changes its entry's flags. The
// caller holds p.mu and a reference to o (acquire), so that o's Close,
// which waits for the reference, finds the set in o's list.
func (p *pollSet[U]) put(o *sockFD, flags PollFlags) (*pollSlot[U], syscall.Errno) {
	fd := o.fd
	if fd >= len(p.slots) {
		grown := make([]pollSlot[U], max(fd+1, 2*len(p.slots), 64))
		copy(grown, p.slots)
		p.slots = grown
	}
	id := o.pollID()
	sl := &p.slots[fd]
	if sl.id == id {
		if sl.events != flags {
			if e := kernelSetCtl(p.kfd, fd, sl.events, flags); e != 0 {
				return nil, e
			}
			sl.events = flags
		}
		return sl, 0
	}
	if sl.id != 0 {
		// The number was closed behind its socket's back (through
		// Fileno), which took the kernel's entry with it.
		p.unlink(fd)
	}
	if e := kernelSetCtl(p.kfd, fd, 0, flags); e != 0 {
		return nil, e
	}
	*sl = pollSlot[U]{id: id, events: flags, pos: int32(len(p.fds))}
	p.fds = append(p.fds, int32(fd))
	o.joined(p)
	return sl, 0
}

// remove deletes fd's entry from the kernel set and the table. The owner's
// list keeps the set until the owner joins a set again or closes, when
// forget finds nothing to do. The caller holds p.mu.
func (p *pollSet[U]) remove(fd int) {
	kernelSetCtl(p.kfd, fd, p.slots[fd].events, 0)
	p.unlink(fd)
}

// unlink forgets fd's entry in the table alone.
func (p *pollSet[U]) unlink(fd int) {
	sl := &p.slots[fd]
	last := p.fds[len(p.fds)-1]
	p.fds[sl.pos] = last
	p.slots[last].pos = sl.pos
	p.fds = p.fds[:len(p.fds)-1]
	*sl = pollSlot[U]{}
	p.removed++
}

// forget runs in Close of a socket the set holds, before its descriptor is
// closed and after the owner emptied its list: the entry leaves the kernel
// set while the number is still the socket's, and a wait in progress wakes
// up to report PR_POLL_NVAL.
func (p *pollSet[U]) forget(o *sockFD) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sl := p.lookup(o)
	if p.done || sl == nil {
		return
	}
	kernelSetCtl(p.kfd, o.fd, sl.events, 0)
	if p.onClose != nil {
		p.onClose(sl)
	}
	p.unlink(o.fd)
	p.wake()
}

func (p *pollSet[U]) gone() bool { return p.closed.Load() }

// tryWait is the callback handed to the runtime poller: it collects ready
// events without waiting and returns false, so that the goroutine parks,
// while there are none.
func (p *pollSet[U]) tryWait(fd uintptr) bool {
	for {
		n, e := kernelSetWait(int(fd), p.buf)
		if e == syscall.EINTR {
			continue
		}
		p.n, p.errno = n, e
		return e != 0 || n > 0 || p.woken.Load()
	}
}

// wait parks until the set has events, a member is closed, or the deadline
// passes (errPollTimeout).
func (p *pollSet[U]) wait(deadline time.Time) error {
	p.n = 0
	if err := p.file.SetReadDeadline(deadline); err != nil {
		return err
	}
	if p.woken.Load() {
		return nil
	}
	err := p.rc.Read(p.try)
	switch {
	case err == nil && p.errno != 0:
		return p.errno
	case err == nil, p.woken.Load() && errors.Is(err, os.ErrDeadlineExceeded):
		return nil
	case errors.Is(err, os.ErrDeadlineExceeded):
		return errPollTimeout
	}
	return err
}

// wake ends a wait in progress, or the next one. The caller holds p.mu.
func (p *pollSet[U]) wake() {
	p.woken.Store(true)
	if !p.done {
		p.file.SetReadDeadline(aLongTimeAgo)
	}
}

// close releases the kernel set, which takes its entries with it; a wait
// parked on it returns.
func (p *pollSet[U]) close() error {
	p.mu.Lock()
	if p.done {
		p.mu.Unlock()
		return os.ErrClosed
	}
	p.done = true
	p.closed.Store(true)
	p.slots, p.fds = nil, nil
	p.mu.Unlock()
	return p.file.Close()
}

// A listSet is the kernel set behind Poll (see pollcache.go for how Poll
// keeps them). Each call makes it hold exactly the open sockets of its list
// (sync): an entry unchanged since the last call costs no system call.
type listSet struct {
	pollSet[listEntry]
	pass uint32 // the sync in progress
}

// listEntry is Poll's state for one entry of a listSet.
type listEntry struct {
	asked uint32    // the sync that last asked for the socket
	rev   PollFlags // what the kernel reported in revAt
	revAt uint32    // the sync whose kernel report rev is
}

func newListSet() (*listSet, error) {
	p := new(listSet)
	if err := p.open(1); err != nil {
		return nil, err
	}
	return p, nil
}

// sync makes the kernel set hold exactly the open sockets of descs with
// their flags. To compute flags (out != nil) it sets out[i] to PollNval for
// a closed socket and 0 for the others; to wait (out == nil) it stops at a
// closed socket and reports it, and clears the set's wake-up, which the
// Close of a member sets from now on.
func (p *listSet) sync(descs []PollDesc, out []PollFlags) (closed bool, e syscall.Errno) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pass++
	if out == nil {
		p.woken.Store(false)
	}
	for i := range descs {
		s, flags := descs[i].sock(), descs[i].InFlags
		if out != nil {
			out[i] = 0
		}
		if s == nil || flags == 0 {
			continue
		}
		o := &s.own
		if !o.open.Load() {
			if out == nil {
				return true, 0
			}
			out[i] = PollNval
			continue
		}
		sl := p.lookup(o)
		if sl != nil && sl.use.asked == p.pass {
			flags |= sl.events // the socket is listed twice
		}
		if sl == nil || sl.events != flags {
			if !o.acquire() {
				if out == nil {
					return true, 0
				}
				out[i] = PollNval
				continue
			}
			sl, e = p.put(o, flags)
			o.release()
			if e != 0 {
				return false, e
			}
		}
		sl.use.asked = p.pass
	}
	for i := 0; i < len(p.fds); {
		if fd := int(p.fds[i]); p.slots[fd].use.asked != p.pass {
			p.remove(fd) // no longer asked for; the last entry moves to i
			continue
		}
		i++
	}
	return false, 0
}

// pollNow computes the out-flags of descs from the kernel set, as the
// package's pollNow does from poll(2): the kernel reports only the ready
// descriptors, so the cost no longer grows with the idle ones beyond a pass
// over the list. Only where the set's events are poll(2)'s revents
// (exactKernelSet).
func (p *listSet) pollNow(op string, descs []PollDesc, out []PollFlags) (ready, active int, err error) {
	if _, e := p.sync(descs, out); e != 0 {
		clear(out)
		return 0, 0, errnoError(op, e)
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
		if fd, f := eventOf(&p.buf[i]); fd >= 0 && fd < len(p.slots) && p.slots[fd].id != 0 {
			p.slots[fd].use.rev, p.slots[fd].use.revAt = f, p.pass
		}
	}
	for i := range descs {
		s, in := descs[i].sock(), descs[i].InFlags
		if out[i] == 0 && s != nil && in != 0 {
			active++
			if sl := p.lookup(&s.own); sl != nil && sl.use.revAt == p.pass {
				out[i] = sl.use.rev & (in | pollOutExtra)
			}
			if in&PollRead != 0 && s.readAheadReady() {
				out[i] |= PollRead
			}
		}
		ready += int(min(out[i], 1))
	}
	return ready, active, nil
}

// waitFor parks until one of the sockets of descs may be ready, one of them
// is closed, or the deadline passes (errPollTimeout). The set first takes
// the sockets' flags, changing the kernel set only where they changed since
// its last call.
func (p *listSet) waitFor(descs []PollDesc, deadline time.Time) error {
	closed, e := p.sync(descs, nil)
	switch {
	case e != 0:
		return e
	case closed:
		return nil
	}
	return p.wait(deadline)
}
