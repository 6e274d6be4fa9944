package nspr

// readAhead holds bytes read from the socket but not yet returned, shared by
// Recv and the line-oriented calls so that no byte is lost between them.
type readAhead struct {
	buf  []byte // allocated on first use
	r, w int    // unread bytes are buf[r:w]
}

func (b *readAhead) buffered() int { return b.w - b.r }

// take copies buffered bytes into p.
func (b *readAhead) take(p []byte) int {
	n := copy(p, b.buf[b.r:b.w])
	b.r += n
	if b.r == b.w {
		b.r, b.w = 0, 0
	}
	return n
}
