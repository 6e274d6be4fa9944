//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"io"
	"iter"
	"strconv"
	"sync/atomic"
	"syscall"
)

// File is a file-like view of a Socket (python-nss's makefile): an
// io.Reader, io.Writer and io.Closer with ReadLine, ReadLines and Lines,
// limited to the directions its mode allows. Its calls wait without a time
// limit, as file objects do, and honour the socket's non-blocking flag; for
// per-call intervals use the Socket's methods, which share the File's
// read-ahead, so the two can be mixed without losing bytes.
//
// Closing a File does not close the socket, as with Python's
// socket.makefile and the original, whose close only drops a makefile
// reference: the socket belongs to whoever made it, and Socket.Close (which
// also ends every File's use) stays the one way to release it. A File is as
// safe for concurrent use as its Socket.
type File struct {
	s                  *Socket
	readable, writable bool // the directions the mode allows
	closed             atomic.Bool
}

// MakeFile returns a File over the socket (python-nss's makefile([mode[,
// buffersize]])). mode is as Python's open(): 'r' reads, 'w' or 'a' writes,
// '+' (or "rw", as socket.makefile takes) does both, and 'b' or 't' change
// nothing (sockets carry bytes); "" means "r". Any other mode, or a repeated
// or contradictory letter, is PR_INVALID_ARGUMENT_ERROR; the original
// accepts any mode and returns the socket itself.
//
// bufsize > 0 sets the size of the socket's read-ahead buffer the next time
// it is allocated (up to 16 MiB); 0 or less keeps the default of 64 KiB.
// Writes are not buffered: each Write is one Send, so no Flush is needed.
func (s *Socket) MakeFile(mode string, bufsize int) (*File, error) {
	const op = "makefile"
	if err := s.check(op); err != nil {
		return nil, err
	}
	r, w, ok := parseFileMode(mode)
	if !ok {
		return nil, newError(op, InvalidArgumentError, errors.New("invalid mode "+strconv.Quote(mode)))
	}
	if bufsize > 0 {
		s.ra.size.Store(int32(min(bufsize, maxReadAhead)))
	}
	return &File{s: s, readable: r, writable: w}, nil
}

// parseFileMode reads a Python open() mode.
func parseFileMode(mode string) (read, write, ok bool) {
	if mode == "" {
		return true, false, true
	}
	var seen [128]bool
	for i := 0; i < len(mode); i++ {
		c := mode[i]
		if c >= 128 || seen[c] {
			return false, false, false
		}
		seen[c] = true
		switch c {
		case 'r':
			read = true
		case 'w', 'a':
			write = true
		case '+':
			read, write = true, true
		case 'b', 't':
		default:
			return false, false, false
		}
	}
	if (seen['b'] && seen['t']) || (seen['w'] && seen['a']) || !(seen['r'] || seen['w'] || seen['a']) {
		return false, false, false
	}
	return read, write, true
}

// check is the entry test of every File method. A direction the mode does
// not allow is PR_BAD_DESCRIPTOR_ERROR wrapping EBADF, what NSPR's PR_Read
// and PR_Write return on a file opened for the other direction (the system
// call's EBADF, mapped as NSPR maps it); it does not match net.ErrClosed.
func (f *File) check(op string, read bool) error {
	if f == nil || f.s == nil {
		return newError(op, BadDescriptorError, errors.New("nil file"))
	}
	if f.closed.Load() {
		return closedError(op)
	}
	if (read && !f.readable) || (!read && !f.writable) {
		return newError(op, BadDescriptorError, syscall.EBADF)
	}
	return nil
}

// Socket returns the socket the File reads and writes.
func (f *File) Socket() *Socket {
	if f == nil {
		return nil
	}
	return f.s
}

// Read implements io.Reader: bytes read ahead first, else one Recv, and
// io.EOF at the end of the stream.
func (f *File) Read(p []byte) (int, error) {
	if err := f.check("read", true); err != nil {
		return 0, err
	}
	return f.s.Read(p)
}

// Write implements io.Writer: one Send of all of p.
func (f *File) Write(p []byte) (int, error) {
	if err := f.check("write", false); err != nil {
		return 0, err
	}
	return f.s.Write(p)
}

// Close ends the File's use; the socket stays open (see File). Closing
// twice is PR_BAD_DESCRIPTOR_ERROR, as for a Socket.
func (f *File) Close() error {
	if f == nil || f.s == nil {
		return newError("close", BadDescriptorError, errors.New("nil file"))
	}
	if f.closed.Swap(true) {
		return closedError("close")
	}
	return nil
}

// ReadLine reads one line as Socket.ReadLine does, waiting without a time
// limit; at the end of the stream, after the last line, it returns io.EOF as
// Go readers do.
func (f *File) ReadLine(max int) ([]byte, error) {
	if err := f.check("readline", true); err != nil {
		return nil, err
	}
	line, err := f.s.ReadLine(max, IntervalNoTimeout)
	if err == nil && len(line) == 0 {
		return nil, io.EOF
	}
	return line, err
}

// ReadLines reads lines as Socket.ReadLines does, waiting without a time
// limit.
func (f *File) ReadLines(sizehint int) ([][]byte, error) {
	if err := f.check("readlines", true); err != nil {
		return nil, err
	}
	return f.s.ReadLines(sizehint, IntervalNoTimeout)
}

// Lines returns an iterator over the lines, as Socket.Lines does, waiting
// without a time limit.
func (f *File) Lines() iter.Seq2[[]byte, error] {
	if err := f.check("readline", true); err != nil {
		return func(yield func([]byte, error) bool) { yield(nil, err) }
	}
	return f.s.Lines(IntervalNoTimeout)
}

var _ io.ReadWriteCloser = (*File)(nil)
