//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"syscall"

	"golang.org/x/sys/unix"
)

// maxBatch is the most datagrams one system call moves (Linux's UIO_MAXIOV
// caps sendmmsg and recvmmsg there); longer batches take several calls.
const maxBatch = 1024

// Datagram is one datagram of SendToBatch or RecvFromBatch.
type Datagram struct {
	// Buf holds the bytes to send, or the space to receive into; a longer
	// datagram is truncated to it, as with RecvFrom.
	Buf []byte
	// Addr is where SendToBatch sends the datagram (the zero NetworkAddress:
	// the connected peer), and the sender RecvFromBatch fills in.
	Addr NetworkAddress
	// N is the number of bytes sent or received.
	N int
}

// batchOp holds the datagrams of the batch call in progress and the socket
// addresses encoded for the kernel. Its storage grows to the largest batch
// seen and is reused, so batch calls allocate nothing in steady state.
type batchOp struct {
	msgs  []Datagram
	rsas  []unix.RawSockaddrAny
	sizes []uint32    // address lengths; 0 means no address (the connected peer)
	sys   batchSys    // the platform's system call arguments and offload state
	one   [1]Datagram // RecvFrom's datagram when it goes through the batch path
}

// dropRuns gives back, as the socket closes, the run buffer of datagrams
// that no call can read any more (see groSpace). While a call holds the read
// side it is left alone: a call waiting for datagrams holds no buffer, and
// one busy handing datagrams out keeps what it leaves until the Socket is
// collected.
func (io *ioOp) dropRuns() {
	if io.coldp.Load() == nil || !io.mu.TryLock() {
		return // no batch state (most sockets), or a call holds it
	}
	if b := io.batchOrNil(); b != nil {
		b.sys.dropRuns()
	}
	io.mu.Unlock()
}

// batchOf returns io's batch state, allocating it on the first batch call
// so that sockets that never batch stay small.
func (io *ioOp) batchOf() *batchOp {
	x := io.cold()
	if x.batch == nil {
		x.batch = new(batchOp)
	}
	return x.batch
}

// grow makes room for n datagrams.
func (b *batchOp) grow(n int) {
	if n > len(b.rsas) {
		b.rsas = make([]unix.RawSockaddrAny, n)
		b.sizes = make([]uint32, n)
	}
	b.sys.grow(n)
}

// SendToBatch sends each msgs[i].Buf as one datagram to msgs[i].Addr and
// sets msgs[i].N, like a PR_SendTo per datagram but with one sendmmsg(2) for
// up to 1,024 of them on Linux (a sendto loop elsewhere). It returns how many
// datagrams were sent: all of them unless the interval ran out or an error
// occurred, in which case the count comes with the error. A non-blocking
// socket sends what fits, or returns PR_WOULD_BLOCK_ERROR if nothing does.
//
// On Linux, consecutive datagrams to one destination that have one size
// (the last of a run may be shorter) leave as one message with UDP_SEGMENT
// (generic segmentation offload): the kernel cuts them apart, so a run of up
// to 64 datagrams costs the stack one pass instead of one per datagram. The
// receiver sees the same datagrams either way. Where the kernel or the
// device cannot segment, the socket falls back to one message a datagram and
// loses nothing; SetUDPOffload(false) turns it off.
//
// Every datagram is checked before any is sent: one over 65,507 bytes is
// PR_INVALID_ARGUMENT_ERROR, an address of another family
// PR_ADDRESS_NOT_SUPPORTED_ERROR. On a stream socket it is
// PR_INVALID_METHOD_ERROR. NSPR has no batch call; this one exists because
// a system call per datagram bounds the datagram rate.
func (s *Socket) SendToBatch(msgs []Datagram, timeout Interval) (int, error) {
	const op = "sendmmsg"
	if err := s.checkBatch(op); err != nil {
		return 0, err
	}
	io := &s.wr
	io.mu.Lock()
	defer io.mu.Unlock()
	w := s.waitOf(timeout)
	b := io.batchOf()
	s.startGSO(b)
	sent := 0
	for len(msgs) > 0 {
		part := msgs[:min(len(msgs), maxBatch)]
		b.grow(len(part))
		for i := range part {
			part[i].N = 0
			if len(part[i].Buf) > maxDatagram {
				return sent, newError(op, InvalidArgumentError, syscall.EMSGSIZE)
			}
			b.sizes[i] = 0
			if part[i].Addr.family == AFUnspec {
				continue // the connected peer
			}
			size, err := encodeSockaddr(&b.rsas[i], &part[i].Addr, s.family, op)
			if err != nil {
				return sent, err
			}
			b.sizes[i] = size
		}
		io.kind, io.n, b.msgs = opSendBatch, 0, part
		err := s.run(op, io, true, &w)
		b.release()
		for i := range io.n {
			part[i].N = len(part[i].Buf)
		}
		sent += io.n
		if err != nil {
			if w.nonblock && sent > 0 && errors.Is(err, WouldBlockError) {
				err = nil // a partial send is a success in non-blocking mode
			}
			return sent, err
		}
		msgs = msgs[len(part):]
	}
	return sent, nil
}

// RecvFromBatch waits, as timeout says, until a datagram arrives, then
// receives it and every other one already queued, up to len(msgs) (at most
// 1,024) with one recvmmsg(2) on Linux (a recvfrom loop elsewhere). For each
// datagram received it sets msgs[i].N and msgs[i].Addr, and it returns how
// many there were. Timeouts and errors are those of RecvFrom.
//
// On Linux the first call turns on UDP_GRO where the kernel supports it: the
// kernel then hands over runs of datagrams from one sender coalesced, up to
// 64 KiB a run, and RecvFromBatch splits them into msgs, so the caller sees
// the same datagrams, with the same boundaries, as without it. The runs land
// in a buffer of 512 KiB that sockets share: a socket holds one only while
// datagrams of the runs it received are left to hand out. A call takes at
// most 8 runs; datagrams left over from a run come first in the
// next call (and in RecvFrom, Recv, ReadSize and the views' reads, which
// split runs too once GRO is on). Only the raw paths, ReadMsgUDP and
// SyscallConn, see the runs whole, with UDP_GRO's control message, as a
// net.UDPConn with UDP_GRO on would. SetUDPOffload(false) before the first
// call keeps GRO off.
func (s *Socket) RecvFromBatch(msgs []Datagram, timeout Interval) (int, error) {
	const op = "recvmmsg"
	if err := s.checkBatch(op); err != nil {
		return 0, err
	}
	if len(msgs) == 0 {
		return 0, nil
	}
	s.rd.mu.Lock()
	defer s.rd.mu.Unlock()
	s.startGRO(s.rd.batchOf())
	w := s.waitOf(timeout)
	return s.recvBatchLocked(op, msgs, &w)
}

// recvBatchLocked is RecvFromBatch once the socket is checked; the caller
// holds rd.mu. Datagrams left over from a coalesced run (GRO) are returned
// without a system call.
func (s *Socket) recvBatchLocked(op string, msgs []Datagram, w *wait) (int, error) {
	msgs = msgs[:min(len(msgs), maxBatch)]
	io := &s.rd
	b := io.batchOf()
	b.grow(len(msgs))
	b.msgs = msgs
	n := b.split()
	var err error
	if n == 0 {
		io.kind = opRecvBatch
		err = s.run(op, io, false, w)
		n = io.n
	}
	b.release()
	if b.coalesces() {
		s.runsLeft.Store(b.sys.runsLeft())
	}
	if err != nil {
		return 0, err
	}
	for i := range n {
		msgs[i].Addr = decodeSockaddr(&b.rsas[i], b.sizes[i])
		if msgs[i].Addr.family == AFUnspec {
			msgs[i].Addr.family = s.family
		}
	}
	return n, nil
}

// recvOneLocked is RecvFrom on a socket whose receive queue may hold
// coalesced runs (GRO is on): one datagram through the batch path, which
// splits them. The caller holds rd.mu.
func (s *Socket) recvOneLocked(op string, p []byte, w *wait) (int, NetworkAddress, error) {
	b := s.rd.batchOrNil() // not nil: it coalesces
	b.one[0] = Datagram{Buf: p}
	_, err := s.recvBatchLocked(op, b.one[:], w)
	d := b.one[0]
	b.one[0] = Datagram{}
	return d.N, d.Addr, err
}

// SetUDPOffload turns the kernel's UDP segmentation offloads on (the
// default, where the kernel has them) or off for this socket's batch calls:
// UDP_SEGMENT for SendToBatch (GSO) and UDP_GRO for RecvFromBatch (GRO). Off,
// each datagram is one message to the kernel in both directions, which can
// help on a path that mishandles coalesced datagrams, or where datagrams
// from many senders arrive and the caller's own buffers should take them
// directly. Turning GRO off after a batch receive turned it on stops further
// coalescing; runs already queued are still split. Elsewhere than Linux it
// changes nothing. NSPR has no such call; on a stream socket it is
// PR_INVALID_METHOD_ERROR.
func (s *Socket) SetUDPOffload(on bool) error {
	const op = "setsockopt"
	if err := s.checkBatch(op); err != nil {
		return err
	}
	s.noOffload.Store(!on)
	if on {
		return nil
	}
	s.rd.mu.Lock()
	defer s.rd.mu.Unlock()
	if b := s.rd.batchOrNil(); b != nil {
		return s.stopGRO(b)
	}
	return nil
}

// checkBatch is the entry test of the batch calls: a usable datagram socket.
func (s *Socket) checkBatch(op string) error {
	if err := s.check(op); err != nil {
		return err
	}
	if s.typ != DescSocketUDP {
		return newError(op, InvalidMethodError, errors.New("batch call on a stream socket"))
	}
	return nil
}

// coalesces says whether b's socket may have coalesced runs queued (GRO),
// which only the batch path splits; b may be nil.
func (b *batchOp) coalesces() bool { return b != nil && b.sys.coalescing() }

// release drops the references to the caller's buffers once a call is over.
func (b *batchOp) release() {
	b.msgs = nil
	b.sys.release()
}
