//go:build linux || darwin || freebsd

package nspr

import (
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// sockFD owns a socket's descriptor; it is part of the Socket, not an
// object of its own, so that a connection is one allocation. It registers
// the descriptor with the runtime poller only when a call first has to
// wait: registering (os.NewFile and SyscallConn: an fcntl and an epoll_ctl,
// another epoll_ctl at close) is the largest cost of a short connection, and
// most connections made and accepted on loopback never wait. Until then
// nothing in the runtime guards the number, so direct system calls count
// themselves in users and close waits for them, so that it never releases a
// number under a running call.
type sockFD struct {
	fd    int
	open  atomic.Bool             // from newSocket until Close begins: a call starts only while it is set
	users atomic.Int32            // direct system calls in progress
	reg   atomic.Pointer[pollReg] // set once the descriptor is registered
	mu    sync.Mutex              // serialises register and close; guards member's sets

	// lingers is set while SO_LINGER may be on with a time, when closing
	// the descriptor can wait (see sysCloseNow).
	lingers atomic.Bool

	// member is the descriptor's part in poll sets, allocated when it first
	// joins one: most sockets never do.
	member atomic.Pointer[pollMember]

	// made is set by newSocket: a zero Socket has no descriptor. It comes
	// last, in the padding after member.
	made bool
}

// pollMember is what a descriptor keeps of the poll sets it joined.
type pollMember struct {
	id   uint64       // the poll id, which sets record in their entries
	sets []pollHolder // the poll sets the descriptor joined (pollset.go); guarded by sockFD.mu
}

// newPollFile registers a descriptor with the runtime poller; a variable so
// that tests can see where registration runs.
var newPollFile = os.NewFile

// pollReg is the descriptor's registration with the runtime poller.
type pollReg struct {
	file *os.File
	rc   syscall.RawConn
}

// acquire counts a direct system call; it fails once the socket is closed.
func (o *sockFD) acquire() bool {
	o.users.Add(1)
	if !o.open.Load() {
		o.release()
		return false
	}
	return true
}

func (o *sockFD) release() { o.users.Add(-1) }

// register prepares io's first wait: it hands the descriptor to the runtime
// poller (once per socket) and builds io's callback for it (once per
// direction). Both run deep into the runtime (os.NewFile, the allocator),
// and so does any allocation that has to refill the allocator's cache, a few
// hundred bytes below the caller: on the stack of the goroutine that first
// waits they would grow its small stack for good (a goroutine per connection
// keeps 2 KiB, not 4 KiB; see TestParkedStack). So they run on a goroutine
// of their own, and the caller allocates nothing: the request goes by value
// through a buffered channel to a goroutine that captures nothing, and the
// caller parks until that goroutine signals the channel it took from
// registerDone. The caller holds io.mu.
func (o *sockFD) register(io *ioOp) (*pollReg, error) {
	io.errno = 0
	done := <-registerDone
	go registerQueued()
	registrations <- registration{o: o, io: io, done: done}
	<-done
	registerDone <- done
	if io.errno != 0 {
		return nil, io.errno
	}
	return o.reg.Load(), nil
}

// registration is a request to register: io of o, and the channel its
// caller waits on.
type registration struct {
	o    *sockFD
	io   *ioOp
	done chan struct{}
}

// registrations carries the requests of register to registerQueued; it
// holds as many as may be under way at once without the callers waiting.
var registrations = make(chan registration, 64)

// registerDone holds a channel for each request that may be under way at
// once, made beforehand so that waiting for a registration allocates
// nothing: register takes one, registerQueued signals it, register gives it
// back.
var registerDone = func() chan chan struct{} {
	c := make(chan chan struct{}, cap(registrations))
	for range cap(c) {
		c <- make(chan struct{}, 1)
	}
	return c
}()

// registerQueued serves one request of register: it registers the
// descriptor, builds the direction's callback and reports a failure in
// io.errno (os.NewFile refuses only a descriptor that is not one, and a
// closed socket's caller reports it closed whatever the errno).
func registerQueued() {
	req := <-registrations
	o, io := req.o, req.io
	if _, err := o.registerNow(); err != nil {
		io.errno = syscall.EBADF
	} else if io.callback == nil {
		cb := new(pollCallback)
		cb.fn = cb.try
		io.callback = cb
	}
	req.done <- struct{}{}
}

// pollCallback is io.try as the callback handed to the runtime poller. It
// reaches io through a field that is set only while a call waits (see
// waitReady): io is part of its Socket, which carries the finalizer that
// closes a descriptor dropped unclosed, and a finalizer never runs on an
// object that refers to itself. A weak pointer would do too, but reading
// one looks up its span on every call of the callback: 5% of ping-pong's
// user time.
type pollCallback struct {
	io *ioOp                 // the direction whose call waits, nil between calls
	fn func(fd uintptr) bool // try, the function value built once
}

func (c *pollCallback) try(fd uintptr) bool { return c.io.try(fd) }

func (o *sockFD) registerNow() (*pollReg, error) {
	if r := o.reg.Load(); r != nil {
		return r, nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if r := o.reg.Load(); r != nil {
		return r, nil
	}
	if !o.open.Load() { // Close has begun, and its close will not see a registration made now
		return nil, os.ErrClosed
	}
	f := newPollFile(uintptr(o.fd), "nspr-socket")
	if f == nil {
		return nil, syscall.EBADF
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	r := &pollReg{file: f, rc: rc}
	o.reg.Store(r)
	return r, nil
}

// close closes the descriptor once the direct calls in flight are over;
// they never block, so the wait is short. First it takes the descriptor out
// of every poll set holding it, while the number is still its own, so that
// no set ever holds a closed or reused descriptor; a Poll or Poller waiting
// on such a set wakes to report PR_POLL_NVAL. Calls waiting in the runtime
// poller are woken by closing the registered file. The caller has marked
// the socket closed, so no new direct call starts and no set adds it.
func (o *sockFD) close() error {
	for o.users.Load() != 0 {
		runtime.Gosched()
	}
	o.leaveSets()
	if r := o.reg.Load(); r != nil {
		return r.file.Close()
	}
	if o.lingers.Load() {
		return sysCloseWait(o.fd)
	}
	if e := sysCloseNow(o.fd); e != 0 {
		return e
	}
	return nil
}

// leaveSets removes the descriptor from the poll sets holding it. It runs
// once: Close runs it only in the call that cleared open, and the finalizer
// only on a Socket that was never closed. A set's lock is taken after the
// owner's is released: a set holding its lock takes the owner's to record
// or end a membership.
func (o *sockFD) leaveSets() {
	o.mu.Lock()
	var sets []pollHolder
	if m := o.member.Load(); m != nil {
		sets, m.sets = m.sets, nil
	}
	o.mu.Unlock()
	for _, set := range sets {
		set.forget(o)
	}
}

// joined records that set holds the descriptor, dropping closed sets from
// the list. The caller holds the set's lock and a reference to the
// descriptor (acquire), so Close has not yet taken the list.
func (o *sockFD) joined(set pollHolder) {
	m := o.membership()
	o.mu.Lock()
	defer o.mu.Unlock()
	listed := false
	for i := 0; i < len(m.sets); {
		switch h := m.sets[i]; {
		case h == set:
			listed = true
		case h.gone():
			last := len(m.sets) - 1
			m.sets[i] = m.sets[last]
			m.sets[last] = nil
			m.sets = m.sets[:last]
			continue
		}
		i++
	}
	if !listed {
		m.sets = append(m.sets, set)
	}
}

// pollID returns the descriptor's poll id, handing one out on first use:
// unlike the number, it is never reused.
func (o *sockFD) pollID() uint64 { return o.membership().id }

// knownPollID is the poll id, 0 if the descriptor has none yet.
func (o *sockFD) knownPollID() uint64 {
	if m := o.member.Load(); m != nil {
		return m.id
	}
	return 0
}

// membership returns the descriptor's poll set membership, allocating it
// with a new poll id on first use.
func (o *sockFD) membership() *pollMember {
	if m := o.member.Load(); m != nil {
		return m
	}
	o.member.CompareAndSwap(nil, &pollMember{id: nextPollID.Add(1)})
	return o.member.Load()
}

var nextPollID atomic.Uint64

// Closing a descriptor that never joined the poller. Closing a socket does
// not wait unless SO_LINGER is on with a time, so the close is a raw system
// call, as those of the data path are: the scheduler's hand-off around a
// call that may block made about one context switch for every five
// connections in a lock-step connect, accept and close loop, and the close
// of a TCP socket is long enough for the runtime to hand its P over. A
// socket that may linger (SetLinger with a time, accepted from such a
// listener, or imported) closes through the hand-off, so that a close that
// waits leaves the other goroutines running and is not cut short by the
// runtime's preemption signal. Variables so that tests can see which runs.
var (
	sysCloseNow  = rawClose
	sysCloseWait = unix.Close
)

func rawClose(fd int) syscall.Errno {
	_, _, e := syscall.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0)
	return e
}

// closeLeaked closes the descriptor of a Socket that was dropped unclosed,
// leaving its poll sets first as Close does. The Socket refers to a
// registered descriptor's os.File, so the file's own finalizer runs only
// after the Socket's and cannot have closed the number already.
func (o *sockFD) closeLeaked() {
	o.open.Store(false)
	o.leaveSets()
	if r := o.reg.Load(); r != nil {
		r.file.Close()
		return
	}
	unix.Close(o.fd)
}
