//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"iter"
	"sync/atomic"
)

// DefaultMaxLine is the longest line ReadLine, ReadLines and Lines return
// when no bound is given (ReadLine with max <= 0). A longer line comes back
// in pieces of this size, so a peer that never sends '\n' cannot make the
// reader buffer without limit; the original has no such bound.
const DefaultMaxLine = 64 << 10

// MaxReadAll bounds what ReadSize(-1) and ReadLines without a size hint
// hold in memory: past it they stop with PR_BUFFER_OVERFLOW_ERROR, NSPR's
// code for a value that does not fit its buffer, and nothing is lost (see
// each method). The original reads without limit.
const MaxReadAll = 64 << 20

// maxReadAll is MaxReadAll, lowered by tests.
var maxReadAll = MaxReadAll

// maxReadSize bounds the buffer ReadSize allocates for one receive, so that
// a large n costs memory only when that much data arrives at once.
const maxReadSize = 1 << 20

// lineSocket is the entry test of the line-oriented calls: they need a byte
// stream, so a datagram socket is PR_INVALID_METHOD_ERROR.
func (s *Socket) lineSocket(op string) error {
	if err := s.check(op); err != nil {
		return err
	}
	if s.typ != DescSocketTCP {
		return newError(op, InvalidMethodError, errors.New("line reading needs a stream socket"))
	}
	return nil
}

// callSource feeds the read-ahead from the socket for one call. The call's
// interval starts at its first read, so a buffered line costs no clock
// reading, and then bounds every read of the call.
type callSource struct {
	s       *Socket
	op      string
	timeout Interval
	w       wait
	started bool
}

func (c *callSource) fill(p []byte) (int, error) {
	if !c.started {
		c.w, c.started = c.s.waitOf(c.timeout), true
	}
	return c.s.readLocked(c.op, p, &c.w)
}

// lineLocked finds the next line of at most max bytes in the read-ahead,
// reading from the socket as needed, and returns its length (see
// readAhead.line). The caller holds rd.mu.
func (s *Socket) lineLocked(op string, max int, timeout Interval) (int, error) {
	src := callSource{s: s, op: op, timeout: timeout}
	return s.ra.line(max, src.fill)
}

// ReadLine reads one line (python-nss's readline([size])): the bytes through
// the next '\n', which is included. Only '\n' ends a line; '\r' and NUL are
// data. A line longer than max comes back as its first max bytes, the rest
// staying for the next call, as Python's readline(size) does; max <= 0 means
// DefaultMaxLine. At the end of the stream the last line is returned without
// '\n', then empty lines with a nil error, as the original returns empty bytes.
//
// ReadLine waits as Recv does: IntervalNoWait returns a line only if one can
// be completed without waiting, else PR_IO_TIMEOUT_ERROR; a non-blocking
// socket returns PR_WOULD_BLOCK_ERROR; a finite interval bounds the whole
// call. On any error the bytes read so far stay in the read-ahead, so the
// next call (or Recv) returns them: nothing is lost, where the original
// discards a partial line. A datagram socket is PR_INVALID_METHOD_ERROR.
//
// The line is a new slice; ReadLineInto reads into the caller's buffer
// without allocating.
func (s *Socket) ReadLine(max int, timeout Interval) ([]byte, error) {
	const op = "readline"
	if err := s.lineSocket(op); err != nil {
		return nil, err
	}
	if max <= 0 {
		max = DefaultMaxLine
	}
	s.rd.mu.Lock()
	defer s.rd.mu.Unlock()
	return s.takeLineLocked(op, max, timeout)
}

// takeLineLocked reads one line into a new slice; the caller holds rd.mu.
func (s *Socket) takeLineLocked(op string, max int, timeout Interval) ([]byte, error) {
	n, err := s.lineLocked(op, max, timeout)
	if err != nil {
		return nil, err
	}
	line := make([]byte, n)
	s.ra.take(line)
	return line, nil
}

// ReadLineInto reads one line, as ReadLine does, into p and returns its
// length: at most len(p) bytes, so len(p) is the line bound. It allocates
// nothing once the socket's 64 KiB read-ahead exists (it is made on first
// use), which makes it the fast way to read many lines. An empty p is
// PR_INVALID_ARGUMENT_ERROR; 0 with a nil error is the end of the stream.
func (s *Socket) ReadLineInto(p []byte, timeout Interval) (int, error) {
	const op = "readline"
	if s == nil || !s.own.open.Load() || s.typ != DescSocketTCP || len(p) == 0 {
		return 0, s.lineIntoError(op, p)
	}
	s.rd.mu.Lock()
	// A line read ahead whole, the common case, is taken here: the checks
	// above and this test are written out rather than called, as each call
	// was a nanosecond of a buffered line's twenty or so.
	if n := s.ra.takeLine(p); n > 0 {
		s.rd.mu.Unlock()
		return n, nil
	}
	n, err := s.readLineInto(op, p, timeout)
	s.rd.mu.Unlock()
	return n, err
}

// lineIntoError is the error of a line call into p that ReadLineInto's
// entry test refused.
func (s *Socket) lineIntoError(op string, p []byte) error {
	if err := s.lineSocket(op); err != nil {
		return err
	}
	return newError(op, InvalidArgumentError, errors.New("empty buffer"))
}

// lineIntoLocked copies the next line into p, at most len(p) bytes; the
// caller holds rd.mu and has checked p. A line already read ahead whole is
// found and copied here, without setting up a call that may read: most lines
// are, and that setup was a fifth of a buffered line's cost.
func (s *Socket) lineIntoLocked(op string, p []byte, timeout Interval) (int, error) {
	if n := s.ra.takeLine(p); n > 0 {
		return n, nil
	}
	return s.readLineInto(op, p, timeout)
}

// readLineInto is lineIntoLocked once the read-ahead holds no whole line:
// it reads from the socket until one is complete.
func (s *Socket) readLineInto(op string, p []byte, timeout Interval) (int, error) {
	n, err := s.lineLocked(op, len(p), timeout)
	if err == nil {
		s.ra.take(p[:n])
	}
	return n, err
}

// LineReader reads lines from a socket while holding its read side, as a
// bufio.Reader owns the reader it wraps. The socket's own ReadLineInto takes
// and drops the read side's lock for every line, which keeps the socket safe
// for concurrent readers but costs two atomic instructions a line, about a
// third of a buffered line's time; a LineReader takes the lock once, in
// Socket.LineReader, and gives it back in Release.
//
// While a LineReader holds the read side, every other reading call on the
// socket (Recv, RecvFrom, ReadLine, the Conn view's Read and the rest) waits
// until Release; Send, Close and Poll do not. Close from another goroutine
// still ends a ReadLineInto that waits. A LineReader is for one goroutine at
// a time, as a bufio.Reader is. It shares the socket's read-ahead, so the
// bytes after the last line read stay there for the next reader.
type LineReader struct {
	s    *Socket
	held atomic.Bool // until Release
}

// LineReader returns a LineReader holding the socket's read side, waiting
// for a reading call in progress in another goroutine to end first. A
// datagram socket is PR_INVALID_METHOD_ERROR, as for the line calls.
func (s *Socket) LineReader() (*LineReader, error) {
	if err := s.lineSocket("readline"); err != nil {
		return nil, err
	}
	r := &LineReader{s: s}
	s.rd.mu.Lock()
	r.held.Store(true)
	return r, nil
}

// ReadLineInto is the socket's ReadLineInto without the lock round trip: it
// reads one line into p, waiting as timeout says, and returns its length,
// with the same bound, errors and end of stream. It allocates nothing. After
// Release it is PR_INVALID_STATE_ERROR.
func (r *LineReader) ReadLineInto(p []byte, timeout Interval) (int, error) {
	const op = "readline"
	if r == nil || !r.held.Load() {
		return 0, newError(op, InvalidStateError, errors.New("line reader released"))
	}
	if !r.s.own.open.Load() {
		return 0, closedError(op)
	}
	if len(p) == 0 {
		return 0, newError(op, InvalidArgumentError, errors.New("empty buffer"))
	}
	if n := r.s.ra.takeLine(p); n > 0 {
		return n, nil
	}
	return r.s.readLineInto(op, p, timeout)
}

// Release gives the socket's read side back, leaving unread bytes in its
// read-ahead for the next reading call. Releasing twice is
// PR_INVALID_STATE_ERROR. A LineReader dropped without Release keeps the
// read side held, and every other reading call on the socket waits for ever.
func (r *LineReader) Release() error {
	if r == nil || !r.held.Swap(false) {
		return newError("readline", InvalidStateError, errors.New("line reader already released"))
	}
	r.s.rd.mu.Unlock()
	return nil
}

// ReadLinesInto reads a batch of lines into buf: the next line, waiting for
// it as ReadLineInto(buf, timeout) does, then every further whole line
// already read ahead, while they fit in buf and lines. It sets lines[:n] to
// the lines, each a slice of buf, and returns n; 0 with a nil error is the
// end of the stream. Only the first line is ever cut, at len(buf) bytes; a
// later one that does not fit waits for the next call, as does a last line
// without '\n'.
//
// It exists for speed: a call locks the socket's read side once for the
// whole batch, where ReadLineInto locks it for each line, and that lock is
// most of the cost of a buffered line; it finds the batch's lines with one
// vector scan (on amd64 with AVX2) and copies them at once. It allocates
// nothing. Errors are ReadLineInto's; an empty buf or lines is
// PR_INVALID_ARGUMENT_ERROR.
func (s *Socket) ReadLinesInto(buf []byte, lines [][]byte, timeout Interval) (int, error) {
	const op = "readlines"
	if err := s.lineSocket(op); err != nil {
		return 0, err
	}
	if len(buf) == 0 || len(lines) == 0 {
		return 0, newError(op, InvalidArgumentError, errors.New("empty buffer or line list"))
	}
	s.rd.mu.Lock()
	defer s.rd.mu.Unlock()
	n, err := s.lineIntoLocked(op, buf, timeout)
	if err != nil || n == 0 {
		return 0, err
	}
	lines[0] = buf[:n:n]
	// The lines after the first that are read ahead whole: find their
	// ends, up to len(ends) a scan, then copy them all at once, a copy a
	// batch instead of one a line.
	room := buf[n:]
	avail := s.ra.buf[s.ra.r:s.ra.w]
	if len(avail) > len(room) {
		avail = avail[:len(room)]
	}
	var ends [64]uint32
	k, m := 1, 0
	for k < len(lines) {
		want := min(len(lines)-k, len(ends))
		found := lineEnds(avail[m:], ends[:want])
		base := m
		for _, e := range ends[:found] {
			end := base + int(e)
			lines[k] = room[m:end:end]
			m = end
			k++
		}
		if found < want {
			break
		}
	}
	s.ra.take(room[:m])
	return k, nil
}

// ReadLines reads lines (python-nss's readlines([sizehint])) until the end of
// the stream or, when sizehint > 0, until the lines read total at least
// sizehint bytes. Each line is bounded by DefaultMaxLine as in ReadLine;
// without a size hint the total is bounded by MaxReadAll, past which the
// lines read are returned with PR_BUFFER_OVERFLOW_ERROR. Unlike the
// original, the list has no trailing empty line.
//
// The interval bounds the whole call. On an error the lines already read are
// returned with it and a partial line stays in the read-ahead, so nothing is
// lost. A datagram socket is PR_INVALID_METHOD_ERROR.
func (s *Socket) ReadLines(sizehint int, timeout Interval) ([][]byte, error) {
	const op = "readlines"
	if err := s.lineSocket(op); err != nil {
		return nil, err
	}
	s.rd.mu.Lock()
	defer s.rd.mu.Unlock()
	src := callSource{s: s, op: op, timeout: timeout}
	var lines [][]byte
	var arena []byte // lines are cut from shared chunks: one allocation per chunk, not per line
	total := 0
	for sizehint <= 0 || total < sizehint {
		if sizehint <= 0 && total >= maxReadAll {
			return lines, newError(op, BufferOverflowError, errors.New("more than MaxReadAll bytes of lines"))
		}
		n, err := s.ra.line(DefaultMaxLine, src.fill)
		if err != nil {
			return lines, err
		}
		if n == 0 {
			break
		}
		if cap(arena)-len(arena) < n {
			arena = make([]byte, 0, max(n, defaultReadAhead))
		}
		start := len(arena)
		arena = arena[:start+n]
		line := arena[start : start+n : start+n]
		s.ra.take(line)
		lines = append(lines, line)
		total += n
	}
	return lines, nil
}

// Lines returns an iterator over the socket's lines (python-nss's
// `for line in sock`): each is ReadLine(DefaultMaxLine, timeout), so the
// interval applies to each line. It ends at the end of the stream; on an
// error it yields the error once and ends. Breaking out of the loop leaves
// the unread bytes buffered for the next call.
func (s *Socket) Lines(timeout Interval) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		for {
			line, err := s.ReadLine(0, timeout)
			if err != nil {
				yield(nil, err)
				return
			}
			if len(line) == 0 || !yield(line, nil) {
				return
			}
		}
	}
}

// ReadSize reads up to n bytes (python-nss's read(size); Read is io.Reader's).
// As in the original, it returns the bytes read ahead and, when they are
// fewer than n, what one receive adds, waiting as Recv does; at the end of
// the stream the result is shorter, down to empty. To read exactly n bytes,
// use io.ReadFull on the socket. n == 0 is a receive into an empty buffer,
// as Recv's: it waits for data without taking any, unless bytes are read
// ahead, and returns an empty slice.
//
// n < 0 reads until the end of the stream (the original's read()), holding
// at most MaxReadAll bytes: past that it is PR_BUFFER_OVERFLOW_ERROR with the
// bytes still buffered for Recv or ReadSize(n) to drain. The interval then
// bounds the whole call.
//
// On any error every byte read so far stays buffered for the next call; the
// original discards it. On a datagram socket ReadSize(n) reads one datagram,
// truncated to n bytes as the original does, and ReadSize(-1) is
// PR_INVALID_METHOD_ERROR.
func (s *Socket) ReadSize(n int, timeout Interval) ([]byte, error) {
	const op = "read"
	if n < 0 {
		return s.readAll(op, timeout)
	}
	if err := s.check(op); err != nil {
		return nil, err
	}
	s.rd.mu.Lock()
	defer s.rd.mu.Unlock()
	b := s.ra.buffered()
	if b > 0 && b >= n {
		out := make([]byte, n)
		s.ra.take(out)
		return out, nil
	}
	out := make([]byte, min(n, b+maxReadSize))
	copy(out, s.ra.buf[s.ra.r:s.ra.w]) // consumed only once the receive succeeds
	w := s.waitOf(timeout)
	m, err := s.readLocked(op, out[b:], &w)
	if err != nil {
		return nil, err
	}
	s.ra.consume(b)
	return out[:b+m], nil
}

// readAll is ReadSize(-1).
func (s *Socket) readAll(op string, timeout Interval) ([]byte, error) {
	if err := s.lineSocket(op); err != nil {
		return nil, err
	}
	s.rd.mu.Lock()
	defer s.rd.mu.Unlock()
	src := callSource{s: s, op: op, timeout: timeout}
	return s.ra.all(maxReadAll, src.fill,
		func() error {
			return newError(op, BufferOverflowError, errors.New("more than MaxReadAll bytes before the end of the stream"))
		})
}

// readAheadReady reports, without waiting for a reader, whether bytes are
// buffered that no line call has yet found an incomplete line (or datagrams
// are left over from a coalesced run): Poll reports such a socket readable
// without asking the system.
func (s *Socket) readAheadReady() bool { return s.ra.ready() || s.runsLeft.Load() }
