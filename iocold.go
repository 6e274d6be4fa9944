//go:build linux || darwin || freebsd

package nspr

import (
	"sync"
	"sync/atomic"
	"time"
)

// ioCold is the part of a direction that only some sockets use: the views'
// deadlines and the context calls (which another goroutine may change while
// a call waits), the batch calls, the RawConn calls and the transfers
// (Writev, SendFile, splice), and in the read direction one thing of the
// whole socket: what a listener's Listener view does to the connections it
// accepts, and the deadline a waiting call gave the runtime poller. Kept out
// of ioOp and allocated on first use, it leaves the Socket of a plain
// connection, such as each one Accept returns, within 512 bytes, which Go
// allocates without a header (TestAcceptAllocs). Send, SendTo and Accept
// touch it only if they wait; Recv and RecvFrom load its pointer (see
// batchOrNil), as the views' calls do for their deadline; a call with a
// deadline, a view's or a context's call uses it when it waits.
type ioCold struct {
	// dmu guards the deadline given to the runtime poller for calls that
	// another goroutine may cut short: those of the net.Conn views, whose
	// deadline can change while they wait, and those bound to a context.
	// Other calls change the deadline under ioOp.mu alone: no one else
	// touches it while no such call waits.
	dmu    sync.Mutex
	sticky atomic.Int64 // the views' deadline (see stickyTime), written under dmu
	parked parkedCall   // the call that waits and who may cut it short; guarded by dmu

	// deadline is the deadline last given to the runtime poller, under
	// ioOp.mu and, for the calls above, dmu. It lives here because most
	// calls wait without one, if they wait at all.
	deadline time.Time

	batch *batchOp              // SendToBatch and RecvFromBatch; allocated on first use; guarded by ioOp.mu
	raw   func(fd uintptr) bool // opRaw: a RawConn caller's function; guarded by ioOp.mu
	xfer  *transferOp           // Writev, SendFile and splice (transfer.go); allocated on first use; guarded by ioOp.mu

	accepted connDefaults // the read direction of a listener: see Socket.acceptedDefaults
}

// cold returns io's cold part, allocating it on first use. Calls that do not
// hold io.mu (a deadline set on a view, a context cancelled) may ask for it
// too, so it is published atomically.
func (io *ioOp) cold() *ioCold {
	if x := io.coldp.Load(); x != nil {
		return x
	}
	io.coldp.CompareAndSwap(nil, new(ioCold))
	return io.coldp.Load()
}

// stickyDeadlineNanos is the views' deadline of io as stickyTime encodes
// it, 0 (none) while io has no cold part, without allocating one.
func (io *ioOp) stickyDeadlineNanos() int64 {
	if x := io.coldp.Load(); x != nil {
		return x.sticky.Load()
	}
	return 0
}

// acceptedDefaults is what the Listener view does to the connections it
// accepts (ListenConfig); the zero value, net's defaults, unless Listen set
// them.
func (s *Socket) acceptedDefaults() connDefaults {
	if x := s.rd.coldp.Load(); x != nil {
		return x.accepted
	}
	return connDefaults{}
}

// batchOrNil is io's batch state, nil before the first batch call. Recv and
// RecvFrom ask it whether datagrams may arrive coalesced: on a socket that
// never made a batch call that is one load and one comparison, as it was
// when the state hung from ioOp itself.
func (io *ioOp) batchOrNil() *batchOp {
	if x := io.coldp.Load(); x != nil {
		return x.batch
	}
	return nil
}
