//go:build linux || darwin || freebsd

package nspr

import (
	"io"
	"syscall"

	"golang.org/x/sys/unix"
)

// io.Copy hands a copy to the destination's ReadFrom, or else to the
// source's WriteTo. Go's net uses sendfile(2) and splice(2) there for its
// own types only, so a Socket implements both itself: without them every
// byte of io.Copy(conn, file) would pass through a user-space buffer.

var (
	_ io.ReaderFrom = (*Socket)(nil)
	_ io.WriterTo   = (*Socket)(nil)
	_ io.ReaderFrom = (*Conn)(nil)
	_ io.WriterTo   = (*Conn)(nil)
)

// ReadFrom implements io.ReaderFrom, so that io.Copy(s, r) moves the bytes
// in the kernel where it can: a regular *os.File (also inside an
// *io.LimitedReader, or any syscall.Conn whose descriptor is a regular
// file) goes out with sendfile(2) from its current offset, which it then
// advances past the bytes sent; a stream socket (an nspr
// Socket or Conn, a *net.TCPConn, a *net.UnixConn, any syscall.Conn whose
// descriptor is a stream socket) is spliced through a pipe with splice(2)
// on Linux, waiting for the source as its SyscallConn's Read does. Anything
// else is copied through a buffer. The socket's side waits without limit,
// as Write does. It returns the count of bytes sent, also with an error.
func (s *Socket) ReadFrom(r io.Reader) (int64, error) {
	return s.readFrom("readfrom", r, writerOnly{s}, s.noTimeoutWait())
}

// WriteTo implements io.WriterTo, so that io.Copy(w, s) splices the bytes
// into w in the kernel on Linux when w is a stream socket (as ReadFrom
// recognises them), waiting for w as its SyscallConn's Write does; bytes
// ReadLine read ahead go first. Anything else is copied through a buffer.
// The socket's side waits without limit, as Read does. It returns the count
// of bytes written to w, also with an error, and nil at the end of the
// stream.
func (s *Socket) WriteTo(w io.Writer) (int64, error) {
	return s.writeTo("writeto", w, readerOnly{s}, s.noTimeoutWait())
}

// ReadFrom implements io.ReaderFrom as Socket.ReadFrom does, bounded by the
// view's write deadline.
func (c *Conn) ReadFrom(r io.Reader) (int64, error) {
	const op = "readfrom"
	s := (*Socket)(c)
	w, err := s.viewWait(op, true)
	if err != nil {
		return 0, err
	}
	return s.readFrom(op, r, writerOnly{c}, &w)
}

// WriteTo implements io.WriterTo as Socket.WriteTo does, bounded by the
// view's read deadline.
func (c *Conn) WriteTo(w io.Writer) (int64, error) {
	const op = "writeto"
	s := (*Socket)(c)
	wt, err := s.viewWait(op, false)
	if err != nil {
		return 0, err
	}
	return s.writeTo(op, w, readerOnly{c}, &wt)
}

// writerOnly and readerOnly hide ReadFrom and WriteTo from io.Copy in the
// fallback copy, which would otherwise call them again.
type writerOnly struct{ io.Writer }
type readerOnly struct{ io.Reader }

// readFrom is ReadFrom with the socket's side waiting as w says; plain is
// the socket's writer for the fallback copy.
func (s *Socket) readFrom(op string, r io.Reader, plain io.Writer, w *wait) (int64, error) {
	if err := s.check(op); err != nil {
		return 0, err
	}
	src, limit := r, int64(-1) // -1: no limit
	lr, _ := r.(*io.LimitedReader)
	if lr != nil {
		if lr.N <= 0 {
			return 0, nil
		}
		src, limit = lr.R, lr.N
	}
	if s.typ == DescSocketTCP {
		n, handled, err := s.sendFileFrom(op, src, limit, w)
		if !handled {
			n, handled, err = s.spliceFrom(op, src, limit, w)
		}
		if lr != nil {
			lr.N -= n
		}
		if handled {
			return n, err
		}
		// Nothing was spliced, but bytes read ahead may have been sent.
		m, err := io.Copy(plain, r)
		return n + m, err
	}
	return io.Copy(plain, r)
}

// sendFileFrom sends up to limit bytes (limit < 0: all) of r from its
// offset with sendfile(2) if r's descriptor is a regular file; handled is
// false, with nothing sent, if it is not.
func (s *Socket) sendFileFrom(op string, r io.Reader, limit int64, w *wait) (n int64, handled bool, err error) {
	// Not only *os.File: its WriteTo, which io.Copy calls first, hands
	// other writers a wrapper that hides WriteTo and keeps SyscallConn.
	f, ok := r.(syscall.Conn)
	if !ok {
		return 0, false, nil
	}
	rc, rerr := f.SyscallConn()
	if rerr != nil {
		return 0, false, nil
	}
	wv := *w // the callback's copy: w itself must not escape with it
	rerr = rc.Read(func(fd uintptr) bool {
		if _, serr := regularSize(op, int(fd)); serr != nil {
			return true
		}
		pos, serr := unix.Seek(int(fd), 0, io.SeekCurrent)
		if serr != nil {
			return true
		}
		handled = true
		count := limit
		if count < 0 {
			count = 1<<63 - 1 // to the end of the file
		}
		dir, lerr := s.lockWrite(op, nil)
		if lerr != nil {
			err = lerr
			return true
		}
		w := wv
		n, err = s.sendFileLocked(op, dir, int(fd), pos, count, &w)
		dir.mu.Unlock()
		if _, serr := unix.Seek(int(fd), pos+n, io.SeekStart); serr != nil && err == nil {
			err = sysErr(op, serr)
		}
		return true
	})
	if rerr != nil && !handled {
		return 0, false, nil
	}
	return n, handled, err
}

// writeTo is WriteTo with the socket's side waiting as w says; plain is the
// socket's reader for the fallback copy.
func (s *Socket) writeTo(op string, dst io.Writer, plain io.Reader, w *wait) (int64, error) {
	if err := s.check(op); err != nil {
		return 0, err
	}
	if s.typ == DescSocketTCP {
		if n, handled, err := s.spliceTo(op, dst, w); handled {
			return n, err
		}
	}
	return io.Copy(dst, plain)
}

// streamRawConn returns the raw descriptor of v if v is a stream socket:
// an nspr Socket or Conn of type TCP, or a syscall.Conn whose descriptor
// has SO_TYPE SOCK_STREAM. It also returns the nspr Socket, if v is one,
// whose read-ahead bytes come before the descriptor's.
func streamRawConn(v any) (syscall.RawConn, *Socket) {
	var ns *Socket
	switch c := v.(type) {
	case *Socket:
		ns = c
	case *Conn:
		ns = (*Socket)(c)
	}
	if ns != nil {
		if ns.check("splice") != nil || ns.typ != DescSocketTCP {
			return nil, nil
		}
		return (*rawConn)(ns), ns
	}
	sc, ok := v.(syscall.Conn)
	if !ok {
		return nil, nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, nil
	}
	typ := -1
	if err := rc.Control(func(fd uintptr) {
		if t, err := unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TYPE); err == nil {
			typ = t
		}
	}); err != nil || typ != unix.SOCK_STREAM {
		return nil, nil
	}
	return rc, nil
}
