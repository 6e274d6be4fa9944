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

// sockFD owns a socket's descriptor. It registers the descriptor with the
// runtime poller only when a call first has to wait: registering (os.NewFile
// and SyscallConn: an fcntl and an epoll_ctl, another epoll_ctl at close) is
// the largest cost of a short connection, and most connections made and
// accepted on loopback never wait. Until then nothing in the runtime guards
// the number, so direct system calls count themselves in users and close
// waits for them, so that it never releases a number under a running call.
type sockFD struct {
	fd     int
	closed atomic.Bool             // Close has begun: no new call starts
	users  atomic.Int32            // direct system calls in progress
	reg    atomic.Pointer[pollReg] // set once the descriptor is registered
	mu     sync.Mutex              // serialises register and close; guards what follows
	done   bool                    // the descriptor is closed or being closed

	// lingers is set while SO_LINGER may be on with a time, when closing
	// the descriptor can wait (see sysCloseNow).
	lingers atomic.Bool

	sets []pollHolder  // the poll sets the descriptor joined (pollset.go)
	id   atomic.Uint64 // the poll id, which sets record in their entries; 0 until the first set

	// registering holds a bit a direction (regRead, regWrite) while a
	// registration asked for it is under way (see register).
	registering atomic.Uint32
}

// The bits of sockFD.registering.
const (
	regRead uint32 = 1 << iota
	regWrite
)

// newPollFile registers a descriptor with the runtime poller; a variable so
// that tests can see where registration runs.
var newPollFile = os.NewFile

// pollReg is the descriptor's registration with the runtime poller.
type pollReg struct {
	file *os.File
	rc   syscall.RawConn
}

// newSockFD takes ownership of fd. Should its Socket be dropped without
// Close, a finalizer closes the descriptor as os.File's does. It sits on
// the owner, not the Socket, which points to itself (the callbacks built
// for the runtime poller), and it allocates nothing, where a cleanup on the
// Socket costs two allocations, a quarter of accepting a connection's. The
// owner refers to nothing that refers back to it: poll sets record its poll
// id, not the owner.
func newSockFD(fd int) *sockFD {
	o := &sockFD{fd: fd}
	runtime.SetFinalizer(o, (*sockFD).closeLeaked)
	return o
}

// acquire counts a direct system call; it fails once the socket is closed.
func (o *sockFD) acquire() bool {
	o.users.Add(1)
	if o.closed.Load() {
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
// caller yields until its direction's bit in registering clears. The
// caller holds io.mu; write says which direction io is.
func (o *sockFD) register(io *ioOp, write bool) (*pollReg, error) {
	bit := regRead
	if write {
		bit = regWrite
	}
	io.errno = 0
	o.registering.Or(bit)
	go registerQueued()
	registrations <- registration{o: o, io: io, bit: bit}
	for o.registering.Load()&bit != 0 {
		runtime.Gosched()
	}
	if io.errno != 0 {
		return nil, io.errno
	}
	return o.reg.Load(), nil
}

// registration is a request to register: io of o, whose bit in
// o.registering the registering goroutine clears when done.
type registration struct {
	o   *sockFD
	io  *ioOp
	bit uint32
}

// registrations carries the requests of register to registerQueued; it
// holds as many as may be under way at once without the callers waiting.
var registrations = make(chan registration, 64)

// registerQueued serves one request of register: it registers the
// descriptor, builds the direction's callback and reports a failure in
// io.errno (os.NewFile refuses only a descriptor that is not one, and a
// closed socket's caller reports it closed whatever the errno).
func registerQueued() {
	req := <-registrations
	o, io := req.o, req.io
	if _, err := o.registerNow(); err != nil {
		io.errno = syscall.EBADF
	} else if io.attempt == nil {
		io.attempt = io.try
	}
	o.registering.And(^req.bit)
}

func (o *sockFD) registerNow() (*pollReg, error) {
	if r := o.reg.Load(); r != nil {
		return r, nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if r := o.reg.Load(); r != nil {
		return r, nil
	}
	if o.done {
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
	if !o.leaveSets() {
		return os.ErrClosed
	}
	// Nothing is left for the finalizer to do. Dropping it here, as net
	// drops its descriptor's, lets the collector free the owner in its
	// first cycle, where a finalizer would keep it for a second one and
	// wake the finalizer goroutine once for every connection.
	runtime.SetFinalizer(o, nil)
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

// leaveSets marks the descriptor done and removes it from the poll sets
// holding it; false if it was done already. A set's lock is taken after
// the owner's is released: a set holding its lock takes the owner's to
// record or end a membership.
func (o *sockFD) leaveSets() bool {
	o.mu.Lock()
	if o.done {
		o.mu.Unlock()
		return false
	}
	o.done = true
	sets := o.sets
	o.sets = nil
	o.mu.Unlock()
	for _, set := range sets {
		set.forget(o)
	}
	return true
}

// joined records that set holds the descriptor, dropping closed sets from
// the list. The caller holds the set's lock and a reference to the
// descriptor (acquire), so Close has not yet taken the list.
func (o *sockFD) joined(set pollHolder) {
	o.mu.Lock()
	defer o.mu.Unlock()
	listed := false
	for i := 0; i < len(o.sets); {
		switch h := o.sets[i]; {
		case h == set:
			listed = true
		case h.gone():
			last := len(o.sets) - 1
			o.sets[i] = o.sets[last]
			o.sets[last] = nil
			o.sets = o.sets[:last]
			continue
		}
		i++
	}
	if !listed {
		o.sets = append(o.sets, set)
	}
}

// pollID returns the descriptor's poll id, handing one out on first use:
// unlike the number, it is never reused.
func (o *sockFD) pollID() uint64 {
	if id := o.id.Load(); id != 0 {
		return id
	}
	o.id.CompareAndSwap(0, nextPollID.Add(1))
	return o.id.Load()
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
// leaving its poll sets first as Close does. The owner refers to a
// registered descriptor's os.File, so the file's own finalizer runs only
// after this one and cannot have closed the number already.
func (o *sockFD) closeLeaked() {
	o.closed.Store(true)
	if !o.leaveSets() {
		return
	}
	if r := o.reg.Load(); r != nil {
		r.file.Close()
		return
	}
	unix.Close(o.fd)
}
