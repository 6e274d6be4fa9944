//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// The calls that move many bytes in several system calls: Writev
// (sendmsg(2) of an I/O vector), the file part of SendFile and TransmitFile
// and of ReadFrom from a file (sendfile(2)), and ReadFrom and WriteTo
// between stream sockets (splice(2) through a pipe, on Linux). Each is an
// opKind on the one blocking path (run, then try); transferOp holds what
// they need between the system calls of one call.

// maxIOV is the most buffers one sendmsg(2) takes (UIO_MAXIOV, IOV_MAX:
// 1,024 on Linux, macOS and FreeBSD); Writev sends longer vectors in groups.
const maxIOV = 1024

// maxSendfileChunk bounds one sendfile(2), as Go's net does (4 MiB), so
// that a large file goes out in calls short enough to leave the scheduler
// room; Linux would stop at 2 GiB anyway.
const maxSendfileChunk = 4 << 20

// maxSpliceChunk bounds one splice(2): the size asked of the pipe, as Go's
// net does.
const maxSpliceChunk = 1 << 20

// transferOp is the state of a transfer in progress: allocated on the
// first such call of a direction and reused, so that Writev allocates
// nothing in steady state.
type transferOp struct {
	remain int64 // bytes still to move; see transfer for drain
	sent   int64 // bytes moved so far by this call

	// opWritev: the caller's buffers, the next byte to send
	// (bufs[i][off]), and the vector and header handed to the kernel.
	bufs [][]byte
	i    int
	off  int
	iovs []unix.Iovec
	msg  unix.Msghdr

	// opSendFile: the file and the offset of its next byte.
	// opSplice: the pipe end (read end when filling the socket, write
	// end when draining it).
	fd    int
	fdOff int64
	drain bool // opSplice: socket → pipe, as a read: done once some bytes moved
}

// xferOf returns io's transfer state, allocating it on first use.
func (io *ioOp) xferOf() *transferOp {
	x := io.cold()
	if x.xfer == nil {
		x.xfer = new(transferOp)
	}
	return x.xfer
}

// start prepares a transfer of remain bytes.
func (t *transferOp) start(remain int64) {
	t.remain, t.sent = remain, 0
}

// release drops the references to the caller's buffers.
func (t *transferOp) release() {
	t.bufs = nil
	clear(t.iovs[:cap(t.iovs)])
	t.msg = unix.Msghdr{}
}

// vector fills t.iovs with the next group of buffers still to send, at most
// maxIOV of them, skipping empty ones.
func (t *transferOp) vector() []unix.Iovec {
	if want := min(len(t.bufs)-t.i, maxIOV); cap(t.iovs) < want {
		t.iovs = make([]unix.Iovec, 0, want)
	}
	t.iovs = t.iovs[:0]
	for i := t.i; i < len(t.bufs) && len(t.iovs) < maxIOV; i++ {
		b := t.bufs[i]
		if i == t.i {
			b = b[t.off:]
		}
		if len(b) == 0 {
			continue
		}
		v := unix.Iovec{Base: &b[0]}
		v.SetLen(len(b))
		t.iovs = append(t.iovs, v)
	}
	return t.iovs
}

// advance records that the kernel took n bytes of the vector.
func (t *transferOp) advance(n int) {
	for n > 0 {
		left := len(t.bufs[t.i]) - t.off
		if n < left {
			t.off += n
			return
		}
		n -= left
		t.i, t.off = t.i+1, 0
	}
}

// transfer makes one system call of the transfer in io and reports whether
// the transfer is over: every byte moved, the end of the source (a
// sendfile(2) or splice(2) that moves nothing), or, for a drain, some
// bytes moved. Otherwise it returns the errno, 0 after a short transfer.
func (io *ioOp) transfer(fd int) (bool, syscall.Errno) {
	t := io.coldp.Load().xfer
	var n int
	var e syscall.Errno
	switch io.kind {
	case opWritev:
		n, e = sysSendmsg(fd, &t.msg, t.vector())
		if n > 0 {
			t.advance(n)
		}
	case opSendFile:
		n, e = sysSendfile(fd, t.fd, &t.fdOff, int(min(t.remain, maxSendfileChunk)))
	case opSplice:
		if t.drain {
			n, e = sysSplice(fd, t.fd, int(min(t.remain, maxSpliceChunk)))
		} else {
			n, e = sysSplice(t.fd, fd, int(min(t.remain, maxSpliceChunk)))
		}
	}
	if n > 0 {
		t.sent += int64(n)
		t.remain -= int64(n)
	}
	switch {
	case e != 0:
		return false, e
	case t.remain <= 0, n == 0, t.drain:
		return true, 0 // n == 0: the source ended (a vector never moves 0 bytes)
	}
	return false, 0
}

// tryTransfer is try for the transfer kinds: it calls transfer until the
// transfer is over, fails, or would block.
func (io *ioOp) tryTransfer(fd uintptr) bool {
	for {
		done, e := io.transfer(int(fd))
		switch {
		case done:
			io.errno = 0
			return true
		case e == 0, e == syscall.EINTR:
			continue
		case e == syscall.EAGAIN:
			return false
		}
		io.errno = e
		return true
	}
}

// Writev sends the buffers in order as one stream of bytes (PR_Writev),
// with one sendmsg(2) for up to 1,024 buffers: the whole vector, or the
// count sent with the error that stopped it, as Send does. Unlike NSPR,
// which takes at most PR_MAX_IOVECTOR_SIZE (16) buffers and reports
// PR_BUFFER_OVERFLOW_ERROR beyond, it takes any number, sending longer
// vectors in groups. On a UDP socket the vector is one datagram: at most
// 1,024 buffers and 65,507 bytes, else PR_INVALID_ARGUMENT_ERROR. On a
// non-blocking socket it sends what fits, as Send does.
func (s *Socket) Writev(bufs [][]byte, timeout Interval) (int, error) {
	w := s.waitOf(timeout)
	n, err := s.writev("writev", bufs, &w)
	return int(n), err
}

// writev is Writev waiting as w says, shared with the net.Conn view.
func (s *Socket) writev(op string, bufs [][]byte, w *wait) (int64, error) {
	var total int64
	for _, b := range bufs {
		total += int64(len(b))
	}
	if s != nil && s.typ == DescSocketUDP && (len(bufs) > maxIOV || total > maxDatagram) {
		return 0, newError(op, InvalidArgumentError, syscall.EMSGSIZE)
	}
	io, err := s.lockWrite(op, nil)
	if err != nil {
		return 0, err
	}
	defer io.mu.Unlock()
	t := io.xferOf()
	t.start(total)
	t.bufs, t.i, t.off = bufs, 0, 0
	io.kind = opWritev
	err = s.run(op, io, true, w)
	t.release()
	if err == nil && t.sent < total {
		err = newError(op, IOError, errors.New("the kernel took none of the vector"))
	}
	if err != nil && w.nonblock && t.sent > 0 && errors.Is(err, WouldBlockError) {
		err = nil // a partial send is a success in non-blocking mode
	}
	return t.sent, err
}

// WriteBuffers writes every buffer of v in order with one sendmsg(2) (for
// up to 1,024 buffers; Writev) and consumes what it wrote from v, as
// net.Buffers.WriteTo does for a *net.TCPConn. net.Buffers.WriteTo cannot
// do this for a Conn, since net recognises only its own types: call
// c.WriteBuffers(&bufs) where net code calls bufs.WriteTo(conn). It honours
// the view's write deadline.
func (c *Conn) WriteBuffers(v *net.Buffers) (int64, error) {
	const op = "writev"
	s := (*Socket)(c)
	w, err := s.viewWait(op, true)
	if err != nil {
		return 0, err
	}
	if v == nil {
		return 0, nil
	}
	n, err := s.writev(op, *v, &w)
	consumeBuffers(v, n)
	return n, err
}

// consumeBuffers drops the first n bytes of v.
func consumeBuffers(v *net.Buffers, n int64) {
	for len(*v) > 0 {
		l := int64(len((*v)[0]))
		if n < l {
			(*v)[0] = (*v)[0][n:]
			return
		}
		n -= l
		(*v)[0] = nil
		*v = (*v)[1:]
	}
}

// TransmitFileFlags says what SendFile and TransmitFile do with the socket
// once the file is sent (PRTransmitFileFlags).
type TransmitFileFlags int

// The PRTransmitFileFlags values.
const (
	TransmitFileKeepOpen    TransmitFileFlags = 0 // PR_TRANSMITFILE_KEEP_OPEN: leave the socket open
	TransmitFileCloseSocket TransmitFileFlags = 1 // PR_TRANSMITFILE_CLOSE_SOCKET: close it after a full success
)

var transmitFileNames = map[TransmitFileFlags]string{
	TransmitFileKeepOpen:    "PR_TRANSMITFILE_KEEP_OPEN",
	TransmitFileCloseSocket: "PR_TRANSMITFILE_CLOSE_SOCKET",
}

// String returns the NSPR name of f.
func (f TransmitFileFlags) String() string { return nameOr(transmitFileNames, f, "PR_TRANSMITFILE") }

// SendFileData describes what SendFile sends (PRSendFileData): Header, then
// FileNbytes bytes of File from FileOffset, then Trailer.
type SendFileData struct {
	File       *os.File // a regular file; the call does not move its offset
	FileOffset int64    // where in File to start (NSPR's is 32 bits; this one is not)
	FileNbytes int64    // how many bytes of File to send; 0: up to its end
	Header     []byte   // sent before the file; may be empty
	Trailer    []byte   // sent after the file; may be empty
}

// SendFile sends a header, part of a file and a trailer on a connected TCP
// socket (PR_SendFile), in one call bounded by one timeout, and returns the
// number of bytes sent. The file part goes from the kernel's page cache to
// the socket without passing through user space (sendfile(2)); on Linux,
// when NoDelay is off, the header and trailer are corked with TCP_CORK, as
// NSPR does, so that they leave in full segments with the file's bytes.
// With TransmitFileCloseSocket the socket is closed after a full success,
// and left open after any error.
//
// As in NSPR, a non-blocking socket is PR_INVALID_ARGUMENT_ERROR and a UDP
// socket PR_INVALID_METHOD_ERROR; a directory is PR_INVALID_ARGUMENT_ERROR
// and a file that is not a regular file (a pipe, a socket)
// PR_INVALID_METHOD_ERROR, what NSPR's sendfile(2) reports for them. A range
// beyond the end of the file is PR_INVALID_ARGUMENT_ERROR (NSPR waits for
// the missing bytes forever); a file that shrinks under the call ends it
// with PR_END_OF_FILE_ERROR. Unlike NSPR, which returns -1, a timeout or
// error after part of the data went returns the count sent with the error.
func (s *Socket) SendFile(sfd SendFileData, flags TransmitFileFlags, timeout Interval) (int64, error) {
	return s.sendFile("sendfile", &sfd, flags, timeout)
}

// TransmitFile sends headers and then the whole of f on a connected TCP
// socket (PR_TransmitFile): SendFile from offset 0 to the end of the file,
// without a trailer.
func (s *Socket) TransmitFile(f *os.File, headers []byte, flags TransmitFileFlags, timeout Interval) (int64, error) {
	return s.sendFile("transmitfile", &SendFileData{File: f, Header: headers}, flags, timeout)
}

func (s *Socket) sendFile(op string, sfd *SendFileData, flags TransmitFileFlags, timeout Interval) (int64, error) {
	if err := s.check(op); err != nil {
		return 0, err
	}
	switch {
	case s.typ != DescSocketTCP:
		return 0, newError(op, InvalidMethodError, errors.New("sendfile on a datagram socket"))
	case s.nonblocking.Load():
		return 0, newError(op, InvalidArgumentError, errors.New("sendfile on a non-blocking socket"))
	case flags != TransmitFileKeepOpen && flags != TransmitFileCloseSocket:
		return 0, newError(op, InvalidArgumentError, errors.New("unknown flags "+flags.String()))
	case sfd.File == nil:
		return 0, newError(op, InvalidArgumentError, errors.New("nil file"))
	case sfd.FileOffset < 0 || sfd.FileNbytes < 0:
		return 0, newError(op, InvalidArgumentError, errors.New("negative file offset or length"))
	}
	w := s.waitOf(timeout)
	rc, err := sfd.File.SyscallConn()
	if err != nil {
		return 0, newError(op, BadDescriptorError, err)
	}
	var sent int64
	var serr error
	// The file's Read holds it open while the call runs; a regular file is
	// never waited for, so f runs once.
	if err := rc.Read(func(fd uintptr) bool {
		sent, serr = s.sendFileFD(op, int(fd), sfd, &w)
		return true
	}); err != nil {
		return 0, newError(op, BadDescriptorError, err)
	}
	if serr != nil {
		return sent, serr
	}
	if flags == TransmitFileCloseSocket {
		if err := s.Close(); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// sendFileFD is SendFile with the file's descriptor.
func (s *Socket) sendFileFD(op string, fd int, sfd *SendFileData, w *wait) (int64, error) {
	size, err := regularSize(op, fd)
	if err != nil {
		return 0, err
	}
	off, count := sfd.FileOffset, sfd.FileNbytes
	if off > size || count > size-off {
		return 0, newError(op, InvalidArgumentError, errors.New("range beyond the end of the file"))
	}
	if count == 0 {
		count = size - off
	}
	io, err := s.lockWrite(op, nil)
	if err != nil {
		return 0, err
	}
	defer io.mu.Unlock()
	corked := false
	if len(sfd.Header) > 0 || len(sfd.Trailer) > 0 {
		if corked, err = s.cork(op, true); err != nil {
			return 0, err
		}
	}
	var sent int64
	if len(sfd.Header) > 0 {
		var n int
		n, err = s.sendLocked(op, io, sfd.Header, w)
		sent += int64(n)
	}
	if err == nil && count > 0 {
		var n int64
		n, err = s.sendFileLocked(op, io, fd, off, count, w)
		sent += n
		if err == nil && n < count {
			err = newError(op, EndOfFileError, errors.New("the file ended before the bytes to send"))
		}
	}
	if err == nil && len(sfd.Trailer) > 0 {
		var n int
		n, err = s.sendLocked(op, io, sfd.Trailer, w)
		sent += int64(n)
	}
	if corked {
		if _, cerr := s.cork(op, false); err == nil {
			err = cerr
		}
	}
	return sent, err
}

// regularSize returns the size of the regular file fd. A directory is
// PR_INVALID_ARGUMENT_ERROR and another kind of file
// PR_INVALID_METHOD_ERROR, what sendfile(2)'s EINVAL and ESPIPE map to.
func regularSize(op string, fd int) (int64, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return 0, sysErr(op, err)
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		return st.Size, nil
	case unix.S_IFDIR:
		return 0, newError(op, InvalidArgumentError, syscall.EINVAL)
	}
	return 0, newError(op, InvalidMethodError, syscall.ESPIPE)
}

// sendLocked is Send with the write direction already held.
func (s *Socket) sendLocked(op string, io *ioOp, p []byte, w *wait) (int, error) {
	io.kind, io.p, io.n = opWrite, p, 0
	err := s.run(op, io, true, w)
	io.p = nil
	return io.n, err
}

// sendFileLocked sends count bytes of the file fd from off through
// sendfile(2), fewer if the file ends first; the caller holds the write
// direction.
func (s *Socket) sendFileLocked(op string, io *ioOp, fd int, off, count int64, w *wait) (int64, error) {
	t := io.xferOf()
	t.start(count)
	t.fd, t.fdOff = fd, off
	io.kind = opSendFile
	err := s.run(op, io, true, w)
	return t.sent, err
}

// cork sets TCP_CORK on a TCP/IP socket whose NoDelay is off, or clears it,
// as NSPR's PR_SendFile does around a header and trailer; it reports whether
// it set it. Where the option is missing it does nothing.
func (s *Socket) cork(op string, on bool) (bool, error) {
	if s.family == AFLocal || tcpCork == 0 {
		return false, nil
	}
	set := false
	err := s.control(op, func(fd int) error {
		if on {
			nodelay, err := unix.GetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY)
			if err != nil || nodelay != 0 {
				return nil
			}
		}
		v := 0
		if on {
			v = 1
		}
		err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, tcpCork, v)
		if errors.Is(err, syscall.EINVAL) {
			return nil // NSPR goes on without the cork
		}
		set = err == nil
		return sysErr("setsockopt", err)
	})
	return set, err
}
