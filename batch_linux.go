package nspr

import (
	"bytes"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	// gsoMaxSegments is the most datagrams one UDP_SEGMENT message carries:
	// UDP_MAX_SEGMENTS of the kernels that have UDP_SEGMENT at all (newer
	// ones take more; none takes fewer).
	gsoMaxSegments = 64
	// gsoMaxBytes bounds the bytes of one UDP_SEGMENT message: the kernel
	// builds it as one IP datagram first, so it obeys maxDatagram too.
	gsoMaxBytes = maxDatagram
	// groRuns is how many coalesced runs one receive takes, and groRunSize
	// the room for one: the kernel coalesces up to 64 KiB.
	groRuns    = 8
	groRunSize = 1 << 16
	// groCtrlSize is the room for a run's control messages: UDP_GRO's, and
	// those of options the caller may have turned on (IP_PKTINFO, TOS …),
	// so that UDP_GRO's is never cut off.
	groCtrlSize = 128
)

// ctrlSpace is the room for one UDP_SEGMENT control message.
var ctrlSpace = unix.CmsgSpace(2)

// offload is the state of a kernel offload (UDP_SEGMENT or UDP_GRO) on a
// socket.
type offload uint8

const (
	offloadUnknown offload = iota // not tried yet
	offloadOff                    // not supported, failed, or turned off
	offloadOn
	offloadStopped // GRO turned off after it was on: queued runs still need splitting
)

// batchSys holds sendmmsg/recvmmsg's message headers and I/O vectors, and
// the socket's segmentation offload state (see SendToBatch and
// RecvFromBatch).
type batchSys struct {
	hdrs []unix.Mmsghdr
	iovs []unix.Iovec
	ends []int  // sending: one past the last datagram of each header's run
	ctrl []byte // sending: one UDP_SEGMENT control message per header

	gso     offload // UDP_SEGMENT on this socket
	segment bool    // this call groups runs with UDP_SEGMENT

	gro  offload // UDP_GRO on this socket
	runs *groRunsBuf
}

// groRunsBuf is where coalesced runs land, and which of them RecvFromBatch
// has not handed out yet. It exists once GRO is on.
type groRunsBuf struct {
	space    *groSpace // the runs' bytes: held from a receive until its last datagram is handed out
	hdrs     [groRuns]unix.Mmsghdr
	iovs     [groRuns]unix.Iovec
	rsas     [groRuns]unix.RawSockaddrAny
	addrLen  [groRuns]uint32
	size     [groRuns]int // bytes in the run
	seg      [groRuns]int // the size of its datagrams (UDP_GRO's), 0 for one datagram
	n        int          // runs from the last recvmmsg
	next     int          // the run to hand out from
	nextByte int          // and the offset in it
}

// groSpace is the room for one receive's runs: groRuns runs of groRunSize
// bytes and their control messages, 513 KiB. Sockets share them through
// groSpaces: a socket holds one only while datagrams of the runs it received
// are left to hand out, so that a socket waiting for datagrams, or idle,
// keeps none (a server with a thousand such sockets would otherwise keep
// half a gigabyte).
type groSpace struct {
	buf  [groRuns * groRunSize]byte
	ctrl [groRuns * groCtrlSize]byte
}

var groSpaces = sync.Pool{New: func() any { return new(groSpace) }}

// take gives r a space for a receive, if it has none.
func (r *groRunsBuf) take() {
	if r.space == nil {
		r.space = groSpaces.Get().(*groSpace)
	}
}

// giveBack returns r's space once nothing in it is left to hand out, and
// drops the headers' pointers into it, which would keep it alive for the
// socket's life once the pool lets it go.
func (r *groRunsBuf) giveBack() {
	if r.space != nil && r.next >= r.n {
		groSpaces.Put(r.space)
		r.space = nil
		clear(r.iovs[:])
		clear(r.hdrs[:])
	}
}

// dropRuns drops the datagrams of the runs not handed out yet and gives
// the buffer back.
func (b *batchSys) dropRuns() {
	if r := b.runs; r != nil {
		r.next = r.n
		r.giveBack()
	}
}

func (b *batchSys) grow(n int) {
	if n > len(b.hdrs) {
		b.hdrs = make([]unix.Mmsghdr, n)
		b.iovs = make([]unix.Iovec, n)
		b.ends = make([]int, n)
		b.ctrl = make([]byte, n*ctrlSpace)
	}
}

// release clears the pointers into the caller's buffers.
func (b *batchSys) release() { clear(b.iovs) }

// coalescing says whether the receive queue may hold coalesced runs.
func (b *batchSys) coalescing() bool { return b.gro == offloadOn || b.gro == offloadStopped }

// runsLeft says whether received runs hold datagrams not handed out yet.
func (b *batchSys) runsLeft() bool { return b.runs != nil && b.runs.next < b.runs.n }

// The batch system calls are variables so that tests can inject short
// batches and errors.
var (
	sysSendmmsg = rawSendmmsg
	sysRecvmmsg = rawRecvmmsg
)

func rawSendmmsg(fd int, hdrs []unix.Mmsghdr) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall6(unix.SYS_SENDMMSG, uintptr(fd), uintptr(unsafe.Pointer(&hdrs[0])), uintptr(len(hdrs)),
		msgNoSignal, 0, 0)
	return int(n), e
}

func rawRecvmmsg(fd int, hdrs []unix.Mmsghdr) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall6(unix.SYS_RECVMMSG, uintptr(fd), uintptr(unsafe.Pointer(&hdrs[0])), uintptr(len(hdrs)),
		0, 0, 0)
	return int(n), e
}

// startGSO decides whether this SendToBatch call groups runs with
// UDP_SEGMENT: where getsockopt(UDP_SEGMENT) works (Linux 4.18 on, UDP
// sockets), unless the caller turned it off or it failed before. An older
// kernel would take the control message for a stray one and send a run as
// one large datagram, so nothing is grouped before the kernel said yes.
func (s *Socket) startGSO(b *batchOp) {
	if b.sys.gso == offloadUnknown {
		b.sys.gso = offloadOff
		s.control("getsockopt", func(fd int) error {
			_, err := unix.GetsockoptInt(fd, unix.IPPROTO_UDP, unix.UDP_SEGMENT)
			if err == nil {
				b.sys.gso = offloadOn
			}
			return err
		})
	}
	b.sys.segment = b.sys.gso == offloadOn && !s.noOffload.Load()
}

// startGRO turns UDP_GRO on before the first batch receive, where
// getsockopt(UDP_GRO) works (Linux 5.0 on, UDP sockets) and the caller has
// not turned it off. The caller holds rd.mu.
func (s *Socket) startGRO(b *batchOp) {
	g := b.sys.gro
	if (g != offloadUnknown && g != offloadStopped) || s.noOffload.Load() {
		return
	}
	if g == offloadUnknown {
		b.sys.gro = offloadOff
	}
	s.control("setsockopt", func(fd int) error {
		if _, err := unix.GetsockoptInt(fd, unix.IPPROTO_UDP, unix.UDP_GRO); err != nil {
			return err
		}
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_UDP, unix.UDP_GRO, 1); err != nil {
			return err
		}
		if b.sys.runs == nil {
			b.sys.runs = new(groRunsBuf)
		}
		b.sys.gro = offloadOn
		return nil
	})
}

// stopGRO turns UDP_GRO off again; runs already queued are still split.
// The caller holds rd.mu.
func (s *Socket) stopGRO(b *batchOp) error {
	if b.sys.gro != offloadOn {
		return nil
	}
	return s.control("setsockopt", func(fd int) error {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_UDP, unix.UDP_GRO, 0); err != nil {
			return errnoError("setsockopt", err.(syscall.Errno))
		}
		b.sys.gro = offloadStopped
		return nil
	})
}

// send sends msgs[start:] with one sendmmsg(2) and returns how many
// datagrams went. Where the kernel cannot segment a run (EIO: the device
// has no checksum offload; EINVAL: a segment the path's MTU cannot carry, or
// a kernel that refuses the message), nothing of that message went: the
// socket sends a message a datagram from then on, starting with this one.
func (b *batchOp) send(fd, start int) (int, syscall.Errno) {
	nh := b.headers(start)
	n, e := sysSendmmsg(fd, b.sys.hdrs[:nh])
	if (e == syscall.EIO || e == syscall.EINVAL) && b.sys.ends[0]-start > 1 {
		b.sys.gso, b.sys.segment = offloadOff, false
		nh = b.headers(start)
		n, e = sysSendmmsg(fd, b.sys.hdrs[:nh])
	}
	if e != 0 || n <= 0 {
		return 0, e
	}
	return b.sys.ends[n-1] - start, 0
}

// headers builds a message header per run of msgs[start:] (a datagram a
// header without segmentation) and returns how many there are.
func (b *batchOp) headers(start int) int {
	h := 0
	for i := start; i < len(b.msgs); h++ {
		j := b.runEnd(i)
		for k := i; k < j; k++ {
			iov := &b.sys.iovs[k]
			iov.Base = (*byte)(bufPtr(b.msgs[k].Buf))
			iov.SetLen(len(b.msgs[k].Buf))
		}
		m := &b.sys.hdrs[h]
		*m = unix.Mmsghdr{}
		m.Hdr.Iov = &b.sys.iovs[i]
		m.Hdr.SetIovlen(j - i)
		if b.sizes[i] > 0 {
			m.Hdr.Name = (*byte)(unsafe.Pointer(&b.rsas[i]))
			m.Hdr.Namelen = b.sizes[i]
		}
		if j-i > 1 { // a lone datagram gets no UDP_SEGMENT: it needs none
			c := b.sys.ctrl[h*ctrlSpace : (h+1)*ctrlSpace]
			cm := (*unix.Cmsghdr)(unsafe.Pointer(&c[0]))
			cm.Level, cm.Type = unix.IPPROTO_UDP, unix.UDP_SEGMENT
			cm.SetLen(unix.CmsgLen(2))
			*(*uint16)(unsafe.Pointer(&c[unix.CmsgLen(0)])) = uint16(len(b.msgs[i].Buf))
			m.Hdr.Control = &c[0]
			m.Hdr.SetControllen(ctrlSpace)
		}
		b.sys.ends[h] = j
		i = j
	}
	return h
}

// runEnd returns one past the last datagram of the run that starts at i:
// datagrams to one destination, all of msgs[i]'s size but the last, which
// may be shorter and ends the run, at most gsoMaxSegments of them and
// gsoMaxBytes in all. An empty datagram is never part of a run.
func (b *batchOp) runEnd(i int) int {
	size := len(b.msgs[i].Buf)
	if !b.sys.segment || size == 0 {
		return i + 1
	}
	total, j := size, i+1
	for ; j < len(b.msgs) && j-i < gsoMaxSegments; j++ {
		n := len(b.msgs[j].Buf)
		if n == 0 || n > size || total+n > gsoMaxBytes || !b.sameDest(i, j) {
			break
		}
		total += n
		if n < size {
			return j + 1
		}
	}
	return j
}

// sameDest says whether datagrams i and j go to the same address.
func (b *batchOp) sameDest(i, j int) bool {
	n := b.sizes[i]
	if b.sizes[j] != n {
		return false
	}
	return n == 0 || bytes.Equal(unsafe.Slice((*byte)(unsafe.Pointer(&b.rsas[i])), n),
		unsafe.Slice((*byte)(unsafe.Pointer(&b.rsas[j])), n))
}

// recv receives what is queued, up to len(msgs), with one recvmmsg(2); for
// each datagram it records the length and the sender's address length.
func (b *batchOp) recv(fd int) (int, syscall.Errno) {
	if b.sys.coalescing() {
		return b.recvRuns(fd)
	}
	for i := range b.msgs {
		h, iov := &b.sys.hdrs[i], &b.sys.iovs[i]
		iov.Base = (*byte)(bufPtr(b.msgs[i].Buf))
		iov.SetLen(len(b.msgs[i].Buf))
		*h = unix.Mmsghdr{}
		h.Hdr.Iov = iov
		h.Hdr.SetIovlen(1)
		h.Hdr.Name = (*byte)(unsafe.Pointer(&b.rsas[i]))
		h.Hdr.Namelen = unix.SizeofSockaddrAny
	}
	n, e := sysRecvmmsg(fd, b.sys.hdrs[:len(b.msgs)])
	if e != 0 {
		return 0, e
	}
	for i := range n {
		b.msgs[i].N = int(b.sys.hdrs[i].Len)
		b.sizes[i] = b.sys.hdrs[i].Hdr.Namelen
	}
	return n, 0
}

// recvRuns receives up to groRuns runs (or lone datagrams) into the run
// buffer with one recvmmsg(2), then splits them into msgs.
func (b *batchOp) recvRuns(fd int) (int, syscall.Errno) {
	r := b.sys.runs
	r.take()
	nh := min(len(b.msgs), groRuns)
	for h := range nh {
		iov, m := &r.iovs[h], &r.hdrs[h]
		iov.Base = &r.space.buf[h*groRunSize]
		iov.SetLen(groRunSize)
		*m = unix.Mmsghdr{}
		m.Hdr.Iov = iov
		m.Hdr.SetIovlen(1)
		m.Hdr.Name = (*byte)(unsafe.Pointer(&r.rsas[h]))
		m.Hdr.Namelen = unix.SizeofSockaddrAny
		m.Hdr.Control = &r.space.ctrl[h*groCtrlSize]
		m.Hdr.SetControllen(groCtrlSize)
	}
	n, e := sysRecvmmsg(fd, r.hdrs[:nh])
	if e != 0 {
		r.giveBack() // before the caller waits
		return 0, e
	}
	for h := range n {
		m := &r.hdrs[h]
		r.size[h] = int(m.Len)
		r.addrLen[h] = m.Hdr.Namelen
		r.seg[h] = groSegment(r.space.ctrl[h*groCtrlSize : h*groCtrlSize+int(m.Hdr.Controllen)])
	}
	r.n, r.next, r.nextByte = n, 0, 0
	return b.split(), 0
}

// groSegment returns the datagram size of a coalesced run from its control
// messages (UDP_GRO's int), or 0 if the run is one datagram.
func groSegment(c []byte) int {
	for len(c) >= unix.SizeofCmsghdr {
		cm := (*unix.Cmsghdr)(unsafe.Pointer(&c[0]))
		l := int(cm.Len)
		if l < unix.SizeofCmsghdr || l > len(c) {
			return 0
		}
		if cm.Level == unix.IPPROTO_UDP && cm.Type == unix.UDP_GRO && l >= unix.CmsgLen(4) {
			return int(*(*int32)(unsafe.Pointer(&c[unix.CmsgLen(0)])))
		}
		c = c[min(unix.CmsgSpace(l-unix.CmsgLen(0)), len(c)):]
	}
	return 0
}

// split hands out the datagrams of the runs received and not yet handed
// out, one to each of msgs in order, truncated to its buffer as recvmmsg
// would, and returns how many it filled.
func (b *batchOp) split() int {
	r := b.sys.runs
	if r == nil {
		return 0
	}
	k := 0
	for ; k < len(b.msgs) && r.next < r.n; k++ {
		h := r.next
		run := r.space.buf[h*groRunSize : h*groRunSize+r.size[h]]
		seg := r.seg[h]
		if seg <= 0 {
			seg = len(run)
		}
		end := min(r.nextByte+seg, len(run))
		d := &b.msgs[k]
		d.N = copy(d.Buf, run[r.nextByte:end])
		b.rsas[k], b.sizes[k] = r.rsas[h], r.addrLen[h]
		r.nextByte = end
		if end >= len(run) {
			r.next, r.nextByte = r.next+1, 0
		}
	}
	r.giveBack()
	return k
}
