package nspr

import (
	"errors"
	"io"
	"syscall"

	"golang.org/x/sys/unix"
)

// splicePipe is the pipe splice(2) moves bytes through between two sockets.
type splicePipe struct {
	r, w int
	size int // its capacity: the most one drain moves
}

// newSplicePipe makes a non-blocking pipe and asks for 1 MiB of capacity,
// as Go's net does; unprivileged processes get up to
// /proc/sys/fs/pipe-max-size, else the default 64 KiB.
func newSplicePipe() (splicePipe, error) {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		return splicePipe{}, err
	}
	p := splicePipe{r: fds[0], w: fds[1], size: 64 << 10}
	if n, err := unix.FcntlInt(uintptr(p.w), unix.F_SETPIPE_SZ, maxSpliceChunk); err == nil {
		p.size = n
	} else if n, err := unix.FcntlInt(uintptr(p.w), unix.F_GETPIPE_SZ, 0); err == nil {
		p.size = n
	}
	return p, nil
}

func (p splicePipe) close() {
	unix.Close(p.r)
	unix.Close(p.w)
}

// spliceUnsupported reports whether a first splice(2) failed because the
// descriptors cannot be spliced, when a plain copy should run instead.
func spliceUnsupported(e syscall.Errno) bool {
	return e == syscall.EINVAL || e == syscall.ENOSYS || e == syscall.EOPNOTSUPP
}

// takeReadAhead removes up to max bytes (max < 0: all) that ReadLine read
// ahead and returns a copy of them, nil if there are none.
func (s *Socket) takeReadAhead(max int64) []byte {
	if !s.ra.pending.Load() {
		return nil
	}
	s.rd.mu.Lock()
	defer s.rd.mu.Unlock()
	n := int64(s.ra.buffered())
	if max >= 0 {
		n = min(n, max)
	}
	if n == 0 {
		return nil
	}
	p := make([]byte, n)
	s.ra.take(p)
	return p
}

// spliceFrom moves up to limit bytes (limit < 0: all) from r to s with
// splice(2) if r is a stream socket: into the pipe when r is readable, as
// r's SyscallConn waits, then from the pipe into s through run. handled is
// false if r is not a stream socket or cannot be spliced; n then counts
// the bytes r had read ahead, sent already.
func (s *Socket) spliceFrom(op string, r io.Reader, limit int64, w *wait) (n int64, handled bool, err error) {
	rc, ns := streamRawConn(r)
	if rc == nil {
		return 0, false, nil
	}
	if ns != nil {
		if p := ns.takeReadAhead(limit); p != nil {
			m, err := s.send(op, p, w)
			if n = int64(m); err != nil {
				return n, true, err
			}
		}
	}
	p, perr := newSplicePipe()
	if perr != nil {
		return n, false, nil
	}
	defer p.close()
	dir, err := s.lockWrite(op, nil)
	if err != nil {
		return n, true, err
	}
	defer dir.mu.Unlock()
	for first := true; limit < 0 || n < limit; first = false {
		want := p.size
		if limit >= 0 {
			want = int(min(int64(want), limit-n))
		}
		var got int
		var e syscall.Errno
		if rerr := rc.Read(func(fd uintptr) bool {
			for {
				got, e = sysSplice(int(fd), p.w, want)
				if e != syscall.EINTR {
					return e != syscall.EAGAIN
				}
			}
		}); rerr != nil {
			return n, true, rerr
		}
		switch {
		case e != 0 && first && spliceUnsupported(e):
			return n, false, nil
		case e != 0:
			return n, true, errnoError(op, e)
		case got == 0:
			return n, true, nil // the end of r
		}
		sent, err := s.pumpLocked(op, dir, p.r, got, w)
		n += sent
		if err != nil {
			return n, true, err
		}
	}
	return n, true, nil
}

// pumpLocked moves count bytes from the pipe's read end into s; the caller
// holds the write direction.
func (s *Socket) pumpLocked(op string, dir *ioOp, pipe, count int, w *wait) (int64, error) {
	t := dir.xferOf()
	t.start(int64(count))
	t.fd, t.drain = pipe, false
	dir.kind = opSplice
	err := s.run(op, dir, true, w)
	if err == nil && t.sent < int64(count) {
		err = newError(op, IOError, errors.New("the pipe held fewer bytes than spliced into it"))
	}
	return t.sent, err
}

// spliceTo moves everything s reads, up to the end of the stream, into dst
// with splice(2) if dst is a stream socket: from s into the pipe through
// run, then from the pipe into dst when it is writable, as dst's
// SyscallConn waits. Bytes read ahead go first. handled is false if dst is
// not a stream socket or s cannot be spliced, with nothing read.
func (s *Socket) spliceTo(op string, dst io.Writer, w *wait) (n int64, handled bool, err error) {
	rc, _ := streamRawConn(dst)
	if rc == nil {
		return 0, false, nil
	}
	p, perr := newSplicePipe()
	if perr != nil {
		return 0, false, nil
	}
	defer p.close()
	dir := &s.rd
	dir.mu.Lock()
	defer dir.mu.Unlock()
	if s.ra.buffered() > 0 {
		m, err := dst.Write(s.ra.buf[s.ra.r:s.ra.w])
		s.ra.consume(m)
		if n = int64(m); err != nil {
			return n, true, err
		}
	}
	t := dir.xferOf()
	for first := true; ; first = false {
		t.start(int64(p.size))
		t.fd, t.drain = p.w, true
		dir.kind = opSplice
		err := s.run(op, dir, false, w)
		got := int(t.sent)
		switch {
		case err != nil && first && spliceUnsupported(errnoOf(err)):
			return n, false, nil
		case err != nil:
			return n, true, err
		case got == 0:
			return n, true, nil // the end of the stream
		}
		var e syscall.Errno
		if werr := rc.Write(func(fd uintptr) bool {
			for got > 0 {
				m, e2 := sysSplice(p.r, int(fd), got)
				if m > 0 {
					got -= m
					n += int64(m)
				}
				switch e2 {
				case 0:
					if m == 0 {
						e = syscall.EIO // an empty pipe that should hold bytes
						return true
					}
				case syscall.EINTR:
				case syscall.EAGAIN:
					return false
				default:
					e = e2
					return true
				}
			}
			return true
		}); werr != nil {
			return n, true, werr
		}
		if e != 0 {
			return n, true, errnoError(op, e)
		}
	}
}

// errnoOf returns the errno an error wraps, 0 if none.
func errnoOf(err error) syscall.Errno {
	var e syscall.Errno
	errors.As(err, &e)
	return e
}
