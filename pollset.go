//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nspr-go/nspr/internal/idle"
)

// A pollSet is a kernel event set (epoll, kqueue) holding sockets, whose own
// descriptor is registered with the runtime poller: waiting on it parks the
// goroutine, never a thread. A Poller owns one for its life; Poll borrows
// one from a small pool when it has to wait, and keeps its members between
// calls, so that a program polling the same sockets again and again changes
// the kernel set only where its list changed.
//
// The set's entries are indexed by descriptor number. An entry records the
// socket's poll key (unique for the life of the process, unlike the number,
// which the kernel reuses once a socket is closed) so that an entry left by a
// closed socket is never mistaken for a new socket on the same number.
type pollSet struct {
	kfd  int
	file *os.File
	rc   syscall.RawConn
	try  func(fd uintptr) bool // p.tryWait as a method value, built once

	// Results of tryWait, read by the waiting goroutine.
	buf   []kernelEvent
	n     int
	errno syscall.Errno
	stale bool // the kernel reported a descriptor the set no longer holds

	woken atomic.Bool // a member was closed, or the set is closing: stop waiting

	mu     sync.Mutex // guards what follows; taken by Close of a member socket
	slots  []pollSlot // by descriptor number
	fds    []int32    // descriptors with an entry, in no order
	epoch  uint32     // Poll: the sync in progress
	tag    uint32     // the last tag handed out
	pinned []*Socket  // Poll: the sockets counted in their sockFD.polls
	closed []*Socket  // Poller: members closed since the last Wait
	poller bool       // owned by a Poller, whose entries hold their sockets
	done   bool       // closed
}

// pollSlot is the set's entry for one descriptor.
type pollSlot struct {
	key    uint64    // the socket's poll key; 0 = no entry
	sock   *Socket   // Poller only: the member
	events PollFlags // flags registered with the kernel
	want   PollFlags // Poll: flags asked for in the current sync
	epoch  uint32    // Poll: the last sync that asked for this socket
	tag    uint32    // the kernel entry's tag (Linux: in epoll's user data)
	pos    int32     // index in fds
	outSeq uint32    // Poller: the Wait that last reported this socket
	out    int32     // Poller: index of that report in Wait's events
	rev    PollFlags // Poll: what the kernel reported in revEpoch
	revEp  uint32    // Poll: the sync whose kernel report rev is
}

var errPollTimeout = errors.New("poll timed out")

// newPollSet creates a kernel set and registers it with the runtime poller.
func newPollSet(bufLen int) (*pollSet, error) {
	kfd, err := kernelSetOpen()
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(kfd), "nspr-poll")
	if f == nil {
		return nil, syscall.EBADF
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	p := &pollSet{kfd: kfd, file: f, rc: rc, buf: make([]kernelEvent, bufLen)}
	p.try = p.tryWait
	return p, nil
}

// slot returns the entry for fd, growing the table as needed.
func (p *pollSet) slot(fd int) *pollSlot {
	if fd >= len(p.slots) {
		grown := make([]pollSlot, max(fd+1, 2*len(p.slots), 64))
		copy(grown, p.slots)
		p.slots = grown
	}
	return &p.slots[fd]
}

// lookup returns s's entry, or nil when the set does not hold s.
func (p *pollSet) lookup(s *Socket) *pollSlot {
	key := s.own.key.Load()
	if key == 0 || s.fd >= len(p.slots) || p.slots[s.fd].key != key {
		return nil
	}
	return &p.slots[s.fd]
}

// put gives fd an entry for the socket with key and sets its kernel flags.
// The caller holds p.mu and a reference to the socket (acquire).
func (p *pollSet) put(fd int, key uint64, flags PollFlags) (*pollSlot, syscall.Errno) {
	sl := p.slot(fd)
	switch {
	case sl.key == key && sl.events == flags:
		return sl, 0
	case sl.key == key:
		if e := kernelSetCtl(p.kfd, fd, sl.events, flags, sl.tag); e != 0 {
			return sl, e
		}
		sl.events = flags
		return sl, 0
	}
	// A new socket, or a new socket on the number of a closed one: the
	// kernel dropped the closed one's entry when it closed (see drop).
	if sl.key != 0 {
		p.drop(fd)
		sl = &p.slots[fd]
	}
	p.tag++
	if p.tag == 0 {
		p.tag = 1
	}
	if e := kernelSetCtl(p.kfd, fd, 0, flags, p.tag); e != 0 {
		return sl, e
	}
	*sl = pollSlot{key: key, events: flags, tag: p.tag, pos: int32(len(p.fds))}
	p.fds = append(p.fds, int32(fd))
	return sl, 0
}

// drop forgets fd's entry without touching the kernel set; a Poller's
// member stops counting the set.
func (p *pollSet) drop(fd int) {
	sl := &p.slots[fd]
	if sl.sock != nil {
		sl.sock.own.polls.Add(-1)
	}
	last := p.fds[len(p.fds)-1]
	p.fds[sl.pos] = last
	p.slots[last].pos = sl.pos
	p.fds = p.fds[:len(p.fds)-1]
	*sl = pollSlot{}
}

// remove deletes fd's entry from the kernel set and the table. The number
// must still be the entry's socket's (open, or being closed by the caller).
func (p *pollSet) remove(fd int) {
	kernelSetCtl(p.kfd, fd, p.slots[fd].events, 0, 0)
	p.drop(fd)
}

// tryWait is the callback handed to the runtime poller: it collects ready
// events without waiting and returns false, so that the goroutine parks,
// while there are none.
func (p *pollSet) tryWait(fd uintptr) bool {
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
func (p *pollSet) wait(deadline time.Time) error {
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
func (p *pollSet) wake() {
	p.woken.Store(true)
	if !p.done {
		p.file.SetReadDeadline(aLongTimeAgo)
	}
}

// memberClosed runs in Close of a socket the set may hold, before the
// descriptor is closed: the entry is removed while the number is still the
// socket's (so that no copy of the descriptor keeps it in the kernel set),
// and a waiting Poll or Poller wakes up to report PR_POLL_NVAL.
func (p *pollSet) memberClosed(s *Socket) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done || p.lookup(s) == nil {
		return
	}
	p.remove(s.fd)
	if p.poller {
		p.closed = append(p.closed, s)
	}
	p.wake()
}

// close releases the kernel set; a Wait parked on it returns. The caller
// has stopped watching.
func (p *pollSet) close() error {
	p.mu.Lock()
	if p.done {
		p.mu.Unlock()
		return os.ErrClosed
	}
	p.done = true
	for len(p.fds) > 0 {
		p.drop(int(p.fds[0]))
	}
	p.slots, p.fds, p.closed = nil, nil, nil
	p.mu.Unlock()
	return p.file.Close()
}

// The sets that Close of a socket must tell: Pollers, and Polls waiting.
// A socket's sockFD.polls counts the sets holding it, so that Close of a
// socket no set holds costs one atomic load.
var watching struct {
	mu   sync.Mutex
	sets []*pollSet
}

func (p *pollSet) watch() {
	watching.mu.Lock()
	watching.sets = append(watching.sets, p)
	watching.mu.Unlock()
}

func (p *pollSet) unwatch() {
	watching.mu.Lock()
	for i, q := range watching.sets {
		if q == p {
			last := len(watching.sets) - 1
			watching.sets[i] = watching.sets[last]
			watching.sets[last] = nil
			watching.sets = watching.sets[:last]
			break
		}
	}
	watching.mu.Unlock()
}

// wakePollers tells every set holding s that s is being closed.
func wakePollers(s *Socket) {
	watching.mu.Lock()
	defer watching.mu.Unlock()
	for _, p := range watching.sets {
		p.memberClosed(s)
	}
}

// pollKey returns the socket's poll key, handing one out on first use.
func (o *sockFD) pollKey() uint64 {
	if k := o.key.Load(); k != 0 {
		return k
	}
	o.key.CompareAndSwap(0, nextPollKey.Add(1))
	return o.key.Load()
}

var nextPollKey atomic.Uint64

// The pool of sets for Poll. Idle sets keep their entries (keys, not
// sockets, so that they keep no socket alive), ready for the next Poll.
const maxIdlePollSets = 4

var idlePollSets struct {
	mu   sync.Mutex
	sets []*pollSet
}

func getPollSet() (*pollSet, error) {
	idlePollSets.mu.Lock()
	if n := len(idlePollSets.sets); n > 0 {
		p := idlePollSets.sets[n-1]
		idlePollSets.sets = idlePollSets.sets[:n-1]
		idlePollSets.mu.Unlock()
		return p, nil
	}
	idlePollSets.mu.Unlock()
	return newPollSet(1)
}

func putPollSet(p *pollSet) {
	if !p.stale {
		idlePollSets.mu.Lock()
		if len(idlePollSets.sets) < maxIdlePollSets {
			idlePollSets.sets = append(idlePollSets.sets, p)
			idlePollSets.mu.Unlock()
			return
		}
		idlePollSets.mu.Unlock()
	}
	p.close()
}

func init() { idle.Register(closeIdlePollSets) }

// closeIdlePollSets releases the sets kept for reuse (for leak checks,
// which count descriptors).
func closeIdlePollSets() {
	listSets.mu.Lock()
	var sets []*pollSet
	for i, e := range listSets.kept {
		if e.set != nil {
			sets = append(sets, e.set)
		}
		listSets.kept[i] = keptSet{}
	}
	listSets.mu.Unlock()
	idlePollSets.mu.Lock()
	sets = append(sets, idlePollSets.sets...)
	idlePollSets.sets = nil
	idlePollSets.mu.Unlock()
	for _, p := range sets {
		p.close()
	}
}
