package nspr

import (
	"bytes"
	"runtime"
	"sync"
	"sync/atomic"
)

// defaultReadAhead is the read-ahead buffer's size: large enough that one
// read(2) fetches about 1,600 lines of 40 bytes, which is where most of line
// reading's speed comes from (a 4 KiB buffer runs at about half the rate).
const defaultReadAhead = 64 << 10

// maxReadAhead bounds the size hint of MakeFile.
const maxReadAhead = 16 << 20

// readAhead holds bytes read from the socket but not yet returned, shared by
// Recv and the line-oriented calls so that no byte is lost between them. The
// socket's rd.mu guards it; only pending is read without the lock.
type readAhead struct {
	buf  []byte       // allocated on first use
	r, w int          // unread bytes are buf[r:w]
	size atomic.Int32 // the size buf is allocated with, 0 for defaultReadAhead; set by MakeFile without rd.mu

	// pending says whether buf[r:w] is not empty, for Poll, which must not
	// wait for rd.mu (a blocked reader holds it). It changes only when the
	// buffer fills from empty or drains, not on every line.
	pending atomic.Bool

	// offered says that a line call found buf[r:w] an incomplete line and
	// stopped for want of more bytes: the bytes are no reason for Poll to
	// report the socket readable until more arrive. Cleared when bytes
	// arrive or the buffer drains, not on every line: while it is set the
	// buffer holds no '\n', so no line is taken from it.
	offered atomic.Bool

	// waiting is 1 + the buffered bytes while a line call waits for more
	// with rd.mu held, else 0, for Available, which must not wait either.
	waiting atomic.Int32
}

// ready says, without rd.mu, whether Poll should report the buffered bytes
// as readable: there are some, and no line call is waiting for more.
func (b *readAhead) ready() bool { return b.pending.Load() && !b.offered.Load() }

// setOffered records whether a line call stopped for want of bytes; it
// writes the flag only when it changes, sparing the data path a store.
func (b *readAhead) setOffered(v bool) {
	if b.offered.Load() != v {
		b.offered.Store(v)
	}
}

// heldBusyTries bounds how often held yields to a holder of rd.mu that is
// not waiting for data, so that it always returns.
const heldBusyTries = 1000

// held returns how many bytes are buffered, reading them under lock (rd.mu
// of the socket, passed in) if it is free, else from waiting while the
// holder waits for data. A holder busy with the buffer holds the lock only
// briefly: held yields to it a bounded number of times.
func (b *readAhead) held(lock *sync.Mutex) int {
	for range heldBusyTries {
		if !b.pending.Load() {
			return 0
		}
		if lock.TryLock() {
			n := b.buffered()
			lock.Unlock()
			return n
		}
		if w := b.waiting.Load(); w > 0 {
			return int(w - 1)
		}
		runtime.Gosched()
	}
	return 0
}

func (b *readAhead) buffered() int { return b.w - b.r }

// take copies buffered bytes into p.
func (b *readAhead) take(p []byte) int {
	n := copy(p, b.buf[b.r:b.w])
	b.consume(n)
	return n
}

// consume drops the first n buffered bytes. It is small enough for the
// compiler to inline into the line calls, which run it for every line.
func (b *readAhead) consume(n int) {
	b.r += n
	if b.r == b.w {
		b.drained()
	}
}

// drained empties the buffer once every byte is taken. A buffer that had to
// grow beyond its size is released, so one long line does not pin memory.
func (b *readAhead) drained() {
	b.r, b.w = 0, 0
	b.pending.Store(false)
	b.setOffered(false)
	if len(b.buf) > b.allocSize() {
		b.buf = nil
	}
}

// filled records n bytes read into buf[w:].
func (b *readAhead) filled(n int) {
	b.setOffered(false)
	if n > 0 && b.r == b.w {
		b.pending.Store(true)
	}
	b.w += n
}

func (b *readAhead) allocSize() int {
	if n := b.size.Load(); n > 0 {
		return int(n)
	}
	return defaultReadAhead
}

// makeRoom makes space after the buffered bytes for one read, allocating the
// buffer on first use. It moves a partial line to the front rather than
// reading into a short tail, and grows the buffer, never beyond limit, only
// when the buffered bytes fill it. The caller has fewer than limit bytes
// buffered, so the buffer has room for at least one more.
func (b *readAhead) makeRoom(limit int) {
	if b.buf == nil {
		b.buf = make([]byte, b.allocSize())
		return
	}
	if b.r > 0 {
		b.w = copy(b.buf, b.buf[b.r:b.w])
		b.r = 0
	}
	if b.w == len(b.buf) {
		grown := make([]byte, min(2*len(b.buf), limit))
		copy(grown, b.buf[:b.w])
		b.buf = grown
	}
}

// line finds the next line, at most max bytes through '\n' inclusive, in the
// buffer, calling fill to read more while none is complete. It returns the
// line's length n, the line being buf[r:r+n]: max bytes when no '\n' comes
// within them, the remaining bytes at the end of the stream (fill returns 0),
// and 0 once nothing is left. On an error the buffered bytes stay for the
// next call. max must be positive.
func (b *readAhead) line(max int, fill func(p []byte) (int, error)) (int, error) {
	scanned := 0 // bytes after r already known to hold no '\n'
	for {
		avail := b.buf[b.r:b.w]
		if len(avail) > max {
			avail = avail[:max]
		}
		if i := bytes.IndexByte(avail[scanned:], '\n'); i >= 0 {
			return scanned + i + 1, nil
		}
		if len(avail) == max {
			return max, nil
		}
		scanned = len(avail)
		b.makeRoom(max)
		n, err := fill(b.buf[b.w:])
		if err != nil {
			b.setOffered(b.buffered() > 0) // Poll waits for more bytes
			return 0, err
		}
		if n == 0 {
			return b.buffered(), nil
		}
		b.filled(n)
	}
}

// takeLine copies the next line into p and returns its length if it is
// buffered whole, '\n' included, within len(p) bytes; else it returns 0 and
// copies nothing.
func (b *readAhead) takeLine(p []byte) int {
	avail := b.buf[b.r:b.w]
	if len(avail) > len(p) {
		avail = avail[:len(p)]
	}
	n := bytes.IndexByte(avail, '\n') + 1
	if n > 0 {
		copy(p, avail[:n])
		b.consume(n)
	}
	return n
}

// all reads until the end of the stream (fill returns 0) and returns every
// buffered byte, leaving the buffer empty; errNoRoom is returned, with the
// bytes still buffered, when limit bytes are buffered and the stream goes on.
// On an error the buffered bytes stay for the next call.
func (b *readAhead) all(limit int, fill func(p []byte) (int, error), errNoRoom func() error) ([]byte, error) {
	for {
		if b.buffered() >= limit {
			return nil, errNoRoom()
		}
		b.makeRoom(limit)
		n, err := fill(b.buf[b.w:])
		if err != nil {
			return nil, err
		}
		if n == 0 {
			break
		}
		b.filled(n)
	}
	out := b.buf[b.r:b.w:b.w]
	if 2*len(out) < len(b.buf) {
		out = bytes.Clone(out) // a small result should not pin a large buffer
		b.consume(b.buffered())
		return out, nil
	}
	b.buf, b.r, b.w = nil, 0, 0 // hand the buffer over
	b.pending.Store(false)
	b.setOffered(false)
	return out, nil
}
