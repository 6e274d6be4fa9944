// Package nspr brings NSPR's network I/O layer, as python-nss exposes it in
// nss.io, to Go: sockets with NSPR's per-call intervals, logical non-blocking
// flag, error codes and address types, built in pure Go (no cgo) on the Go
// runtime's netpoller. A Go program porting NSPR or python-nss code finds
// every nss.io name here (the [nss.io name mapping] lists them), and a Go
// program that only wants a fast socket finds net.Conn, net.Listener and
// net.PacketConn views, context-aware calls and batch datagram I/O.
//
// # From net
//
// Code written for net moves by its package name: Dial, DialContext,
// DialTimeout, Listen and ListenPacket take net's network names ("tcp",
// "udp6", "unix", …) and addresses ("host:port", "[::1]:80", ":8080", a
// path) and return the views, with net's defaults (TCP_NODELAY, 15 s
// keep-alive, SO_REUSEADDR on listeners); Dialer and ListenConfig change
// them. Conn.Socket, Listener.Socket and PacketConn.Socket give the NSPR
// socket behind a view. Two habits differ on the NSPR side: Recv reports
// the end of a stream as 0 and a nil error, as PR_Recv does, where Read
// (on the Socket and on its views) returns io.EOF; and NewSocket, Connect
// and Accept keep NSPR's defaults, TCP_NODELAY and keep-alive off.
//
// # Sockets and descriptors
//
// NewSocket creates the operating-system socket at once, as PR_Socket does,
// so options can be set before Bind, Connect or Listen. The descriptor is
// always non-blocking and close-on-exec at the OS level. A call that would
// block parks its goroutine in the runtime poller, never an OS thread, so
// thousands of blocked sockets cost thousands of small goroutine stacks, not
// threads. Close from any goroutine wakes every call blocked on the socket,
// which then fails with an error matching net.ErrClosed.
//
// # Blocking, non-blocking and intervals
//
// NSPR separates two questions that Go's net package merges into deadlines:
//
//   - Whether a call may wait at all is the socket's logical non-blocking flag
//     (SockOptNonblocking, SetNonblocking). On a non-blocking socket a call
//     that cannot complete at once fails with PR_WOULD_BLOCK_ERROR, and a
//     connect that has begun fails with PR_IN_PROGRESS_ERROR; finish it with
//     Poll for PollWrite and ConnectContinue, as in C.
//   - How long a blocking call waits is its own Interval argument, counted in
//     ticks of 1 ms (TicksPerSecond is 1000, as NSPR on Linux).
//     IntervalNoTimeout waits without limit; IntervalNoWait tries exactly
//     once; any other interval is a limit for that one call, after which it
//     fails with PR_IO_TIMEOUT_ERROR. Use DurationToInterval and
//     Interval.Duration to cross to time.Duration.
//
// The net.Conn views use Go's model instead: sticky deadlines set with
// SetDeadline, SetReadDeadline and SetWriteDeadline. Both models run through
// the same code, so an interval and a deadline behave the same at the edge.
// A view always blocks, whatever the non-blocking flag says, and a deadline
// moved while a call waits applies to that call. ConnectContext and
// AcceptContext take a context in place of the interval: its deadline
// bounds the call and cancelling it wakes the call at once with
// PR_PENDING_INTERRUPT_ERROR. FromConn and FromListener take a Go
// connection or listener into a Socket by duplicating its descriptor.
//
// # Errors
//
// Every failure is an *Error carrying the operation, the NSPR ErrorCode
// (PR_CONNECT_REFUSED_ERROR, PR_IO_TIMEOUT_ERROR, …), where there is one
// the OS error it came from, and where the call has them the local and
// remote addresses. Codes are errors themselves, so
//
//	errors.Is(err, nspr.ConnectRefusedError)
//
// tests for a code, ErrorCodeOf extracts it, and the standard sentinels work
// too: timeouts match os.ErrDeadlineExceeded and report Timeout() true,
// calls on a closed socket match net.ErrClosed, cancelled context calls
// match the context's error. OS errors map to codes as NSPR maps them on
// Unix, including its per-call exceptions (EINVAL from bind is
// PR_SOCKET_ADDRESS_IS_BOUND_ERROR, from setsockopt
// PR_BUFFER_OVERFLOW_ERROR). Bad arguments are PR_INVALID_ARGUMENT_ERROR,
// never a panic.
//
// # Reading lines
//
// Each socket has one read-ahead buffer (64 KiB, made on first use) shared
// by Recv, ReadSize, ReadLine, ReadLineInto, ReadLinesInto, ReadLines, Lines
// and the File that MakeFile returns, so mixing them loses no byte, and a
// call that times out leaves what it had read for the next call.
// ReadLineInto and ReadLinesInto copy lines into the caller's buffer without
// allocating. Each call takes the socket's read side and gives it back, so
// concurrent readers stay safe; a LineReader takes it once and holds it
// until Release, as a bufio.Reader owns its reader, which spares a lock per
// line for a goroutine that reads a stream of lines. Lines are bounded in length (DefaultMaxLine) and reading to the
// end in total (MaxReadAll), so a peer cannot make a reader buffer without
// limit.
//
// # Waiting on many sockets
//
// Poll is PR_Poll: a list of PollDesc (socket and PollRead, PollWrite,
// PollExcept) in, one out-flags value per entry back, with NSPR's mapping of
// poll(2)'s revents (PollErr, PollHup, PollNval besides). It parks the
// goroutine while it waits, and a Close of a polled socket ends the wait.
// Poller goes beyond NSPR: a persistent epoll (kqueue) set with Add, Modify,
// Remove and Wait, whose Wait costs microseconds however many members are
// idle, for programs holding thousands of sockets. A PollableEvent
// (PR_NewPollableEvent) waits beside the sockets in either: Set from any
// goroutine wakes a wait that has no timeout.
//
// # Batch datagram I/O
//
// SendToBatch and RecvFromBatch move many datagrams a system call
// (sendmmsg and recvmmsg on Linux). On Linux they also use the kernel's UDP
// segmentation offloads where it has them: a run of equal datagrams to one
// destination leaves as one UDP_SEGMENT message, and the coalesced runs of
// UDP_GRO are split back into the datagrams sent. SetUDPOffload turns both
// off for a socket.
//
// A Poll-driven line server polls for PollRead, then reads lines with
// IntervalNoWait until ReadLine (or ReadLineInto) fails with
// PR_IO_TIMEOUT_ERROR, and polls again. Bytes read ahead that no line call
// has looked at make Poll report PollRead at once; once a line call found
// them an incomplete line, Poll waits until more bytes arrive or the peer
// closes, so the loop sleeps in Poll instead of spinning on the partial line
// (see ExamplePoll_lineServer). A line that ends the stream without a
// '\n' comes back as it is; an empty line means the end of the stream.
//
// # Files, vectors and copies
//
// Beyond the seed, Socket has NSPR's SendFile and TransmitFile (a header,
// a file range through sendfile(2) and a trailer in one call), Writev (many
// buffers in one sendmsg(2)) and Available (the bytes readable without
// waiting). Socket and its Conn view implement io.ReaderFrom and
// io.WriterTo, so io.Copy sends a file with sendfile(2) and relays between
// stream sockets with splice(2), as net does for its own types.
//
// # Differences from the original
//
// nspr follows NSPR's behaviour wherever NSPR is right and departs from it
// where the original is buggy or limited. The [compatibility notes] list
// each difference with its reason; the main ones are:
//
//   - NetworkAddress, AddrInfo and HostEntry handle IPv6 and Unix-domain
//     addresses, not only IPv4, and NetworkAddress prints its port.
//   - Lookups of unknown protocols fail with PR_DIRECTORY_LOOKUP_ERROR
//     instead of returning the last entry of /etc/protocols.
//   - Send returns the count already sent together with a timeout error,
//     and line reads keep their partial data on a timeout: no data is lost.
//   - Poll clears every out flag when it times out, and readlines has no
//     trailing empty element.
//   - Values out of range (ports, TTLs, shutdown modes) are refused with an
//     NSPR code instead of being wrapped silently.
//   - A closed socket returns PR_BAD_DESCRIPTOR_ERROR instead of crashing.
//   - Name resolution uses Go's resolver (hosts file, then DNS), which
//     callers can point at a server of their own with Resolver.
//
// [nss.io name mapping]: https://github.com/nspr-go/nspr/blob/main/docs/seed-mapping.md
// [compatibility notes]: https://github.com/nspr-go/nspr/blob/main/docs/compat.md
package nspr
