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
	fd    int
	users atomic.Int32            // direct system calls in progress
	polls atomic.Int32            // Pollers and waiting Polls holding the socket (poll.go)
	key   atomic.Uint64           // the socket's poll key, handed out on first use (pollset.go)
	reg   atomic.Pointer[pollReg] // set once the descriptor is registered
	mu    sync.Mutex              // serialises register and close
	done  bool                    // closed; guarded by mu

	// lingers is set while SO_LINGER may be on with a time, when closing
	// the descriptor can wait (see sysCloseNow).
	lingers atomic.Bool
}

// newPollFile registers a descriptor with the runtime poller; a variable so
// that tests can see where registration runs.
var newPollFile = os.NewFile

// pollReg is the descriptor's registration with the runtime poller.
type pollReg struct {
	file *os.File
	rc   syscall.RawConn
}

// newSockFD takes ownership of fd. Should the Socket be dropped without
// Close, a cleanup closes the descriptor as os.File's finalizer would.
func newSockFD(s *Socket, fd int) *sockFD {
	o := &sockFD{fd: fd}
	runtime.AddCleanup(s, (*sockFD).closeLeaked, o)
	return o
}

// acquire counts a direct system call; it fails once the socket is closed.
func (o *sockFD) acquire(closed *atomic.Bool) bool {
	o.users.Add(1)
	if closed.Load() {
		o.release()
		return false
	}
	return true
}

func (o *sockFD) release() { o.users.Add(-1) }

// register prepares io's first wait: it hands the descriptor to the runtime
// poller (once per socket) and builds io's callback for it (once per
// direction). Both run deep into the runtime (os.NewFile, the allocator) and
// would grow the small stack of the goroutine that first waits for good (a
// goroutine per connection keeps 2 KiB, not 4 KiB), so they run on a
// goroutine of their own. The caller holds io.mu.
func (o *sockFD) register(io *ioOp) (*pollReg, error) {
	var r *pollReg
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		if r, err = o.registerNow(); err == nil && io.attempt == nil {
			io.attempt = io.try
		}
	}()
	<-done
	return r, err
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
// they never block, so the wait is short. Calls waiting in the poller are
// woken by closing the registered file. The caller has marked the socket
// closed, so no new direct call starts.
func (o *sockFD) close() error {
	for o.users.Load() != 0 {
		runtime.Gosched()
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done {
		return os.ErrClosed
	}
	o.done = true
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
	_, _, e := unix.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0)
	return e
}

// closeLeaked closes the descriptor of a Socket that was dropped unclosed. A
// registered descriptor is left to its os.File's own finalizer.
func (o *sockFD) closeLeaked() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.done && o.reg.Load() == nil {
		o.done = true
		unix.Close(o.fd)
	}
}
