//go:build linux || darwin || freebsd

package nspr

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// OptionValue is the value of a socket option: the union of NSPR's
// PRSocketOptionData. Each option takes one type:
//
//	Bool              Nonblocking, ReuseAddr, KeepAlive, McastLoopback, NoDelay,
//	                  Broadcast, ReusePort, IPv6Only
//	Size              RecvBufferSize, SendBufferSize, MaxSegment, KeepAliveCount
//	TTL               IPTimeToLive, McastTimeToLive
//	TOS               IPTypeOfService
//	Linger            Linger
//	Interval          KeepAliveIdle, KeepAliveInterval
//	MulticastRequest  AddMember, DropMember
//	NetworkAddress    McastInterface
//
// GetSocketOption returns the option's type. SetSocketOption takes it, or
// the plain Go bool, int or time.Duration of the same meaning, and rejects
// any other with PR_INVALID_ARGUMENT_ERROR.
type OptionValue interface {
	optionValue()
}

// Bool is the value of an on/off option.
type Bool bool

// Size is the value of a size or count option: bytes for the buffer sizes
// and MaxSegment, probes for KeepAliveCount.
type Size int

// TTL is a hop limit: 1–255 for IPTimeToLive, 0–255 for McastTimeToLive
// (0 keeps datagrams on this host). Other values are
// PR_BUFFER_OVERFLOW_ERROR, as NSPR reports the kernel's EINVAL.
type TTL int

// TOS is the IPv4 type-of-service byte or the IPv6 traffic class, 0–255;
// other values are PR_BUFFER_OVERFLOW_ERROR. On TCP sockets Linux keeps
// the two ECN bits to itself, so 0xff reads back as 0xfc.
type TOS int

// Linger is the value of SockOptLinger (PRLinger): whether Close waits for
// unsent data, and for how long. The kernel counts whole seconds, so
// Interval is truncated to seconds on the way in, as NSPR does: 1500 ms
// reads back as 1 s, 999 ms as 0.
type Linger struct {
	On       bool     // PRLinger.polarity
	Interval Interval // PRLinger.linger
}

// MulticastRequest names a multicast group and the interface to join it on
// (PRMcastRequest). Group is an IPv4 or IPv6 multicast address; its port is
// ignored. Interface is the local address of the interface; the zero
// NetworkAddress or the wildcard address lets the kernel choose. An IPv6
// group is joined on the interface that has that address (or names it in
// its zone).
type MulticastRequest struct {
	Group     NetworkAddress // PRMcastRequest.mcaddr
	Interface NetworkAddress // PRMcastRequest.ifaddr
}

func (Bool) optionValue()             {}
func (Size) optionValue()             {}
func (TTL) optionValue()              {}
func (TOS) optionValue()              {}
func (Linger) optionValue()           {}
func (MulticastRequest) optionValue() {}
func (Interval) optionValue()         {}
func (NetworkAddress) optionValue()   {}

// optKind says how an option's value is marshalled: its Go type and the
// form the system call takes. Each kind has one encoder and one decoder.
type optKind uint8

const (
	optNonblocking optKind = iota + 1 // Bool, the socket's logical flag: no system call
	optBool                           // Bool as an int 0/1
	optBoolByte                       // Bool as a byte 0/1 (BSD multicast loopback)
	optSize                           // Size as an int
	optTTL                            // TTL as an int
	optTTLByte                        // TTL as a byte (BSD multicast TTL)
	optTOS                            // TOS as an int
	optLinger                         // Linger as struct linger, whole seconds
	optSeconds                        // Interval as an int of whole seconds
	optMembership                     // MulticastRequest as struct ip_mreq; write-only
	optMembership6                    // MulticastRequest as struct ipv6_mreq; write-only
	optIfAddr                         // NetworkAddress as struct in_addr
	optIfIndex                        // NetworkAddress as an IPv6 interface index
)

// sockOpt is one row of the option tables below, in the style of
// golang.org/x/net/ipv4: a missing row means the option is not supported.
type sockOpt struct {
	level, name int
	kind        optKind
}

// sockOpts are the rows for the socket- and TCP-level options of every
// socket and the IP-level options of AFInet sockets. Where platforms differ,
// the row names a constant of sockopt_linux.go or sockopt_bsd.go.
var sockOpts = map[SockOpt]sockOpt{
	SockOptNonblocking:       {kind: optNonblocking},
	SockOptLinger:            {unix.SOL_SOCKET, unix.SO_LINGER, optLinger},
	SockOptReuseAddr:         {unix.SOL_SOCKET, unix.SO_REUSEADDR, optBool},
	SockOptKeepAlive:         {unix.SOL_SOCKET, unix.SO_KEEPALIVE, optBool},
	SockOptRecvBufferSize:    {unix.SOL_SOCKET, unix.SO_RCVBUF, optSize},
	SockOptSendBufferSize:    {unix.SOL_SOCKET, unix.SO_SNDBUF, optSize},
	SockOptBroadcast:         {unix.SOL_SOCKET, unix.SO_BROADCAST, optBool},
	SockOptReusePort:         {unix.SOL_SOCKET, unix.SO_REUSEPORT, optBool},
	SockOptIPTimeToLive:      {unix.IPPROTO_IP, unix.IP_TTL, optTTL},
	SockOptIPTypeOfService:   {unix.IPPROTO_IP, unix.IP_TOS, optTOS},
	SockOptAddMember:         {unix.IPPROTO_IP, unix.IP_ADD_MEMBERSHIP, optMembership},
	SockOptDropMember:        {unix.IPPROTO_IP, unix.IP_DROP_MEMBERSHIP, optMembership},
	SockOptMcastInterface:    {unix.IPPROTO_IP, unix.IP_MULTICAST_IF, optIfAddr},
	SockOptMcastTimeToLive:   {unix.IPPROTO_IP, unix.IP_MULTICAST_TTL, optMcastTTL},
	SockOptMcastLoopback:     {unix.IPPROTO_IP, unix.IP_MULTICAST_LOOP, optMcastLoop},
	SockOptNoDelay:           {unix.IPPROTO_TCP, unix.TCP_NODELAY, optBool},
	SockOptMaxSegment:        {unix.IPPROTO_TCP, unix.TCP_MAXSEG, optSize},
	SockOptKeepAliveIdle:     {unix.IPPROTO_TCP, tcpKeepIdle, optSeconds},
	SockOptKeepAliveInterval: {unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, optSeconds},
	SockOptKeepAliveCount:    {unix.IPPROTO_TCP, unix.TCP_KEEPCNT, optSize},
}

// sockOpts6 are the IPv6 twins that AFInet6 sockets use instead.
var sockOpts6 = map[SockOpt]sockOpt{
	SockOptIPTimeToLive:    {unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, optTTL},
	SockOptIPTypeOfService: {unix.IPPROTO_IPV6, unix.IPV6_TCLASS, optTOS},
	SockOptAddMember:       {unix.IPPROTO_IPV6, unix.IPV6_JOIN_GROUP, optMembership6},
	SockOptDropMember:      {unix.IPPROTO_IPV6, unix.IPV6_LEAVE_GROUP, optMembership6},
	SockOptMcastInterface:  {unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_IF, optIfIndex},
	SockOptMcastTimeToLive: {unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_HOPS, optTTL},
	SockOptMcastLoopback:   {unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_LOOP, optBool},
	SockOptIPv6Only:        {unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, optBool},
}

// optArg is an option value in the form the system call takes.
type optArg struct {
	i     int
	l     unix.Linger
	mreq  unix.IPMreq
	mreq6 unix.IPv6Mreq
	in4   [4]byte
}

// GetSocketOption returns the value of an option (PR_GetSocketOption;
// python-nss's get_socket_option), typed as OptionValue lists. On AFInet6
// sockets the IP-level options read their IPv6 twins (hop limit, traffic
// class, multicast hops, loopback and interface). An unknown option, or
// the write-only AddMember and DropMember, is PR_INVALID_ARGUMENT_ERROR; a
// TCP option on a UDP or Unix socket, or an IP option on a Unix socket,
// PR_NOT_TCP_SOCKET_ERROR; an option this platform lacks
// PR_OPERATION_NOT_SUPPORTED_ERROR. McastInterface returns the interface's
// address (the original returns an uninitialised one).
func (s *Socket) GetSocketOption(opt SockOpt) (OptionValue, error) {
	const op = "getsockopt"
	row, err := s.optRow(op, opt, nil)
	if err != nil {
		return nil, err
	}
	var a optArg
	switch row.kind {
	case optNonblocking:
		return Bool(s.nonblocking.Load()), nil
	case optMembership, optMembership6:
		return nil, newError(op, InvalidArgumentError, errors.New(opt.String()+" can be set, not read"))
	}
	err = s.control(op, func(fd int) (err error) {
		switch row.kind {
		case optLinger:
			var l *unix.Linger
			if l, err = unix.GetsockoptLinger(fd, row.level, row.name); err == nil {
				a.l = *l
			}
		case optIfAddr:
			a.in4, err = unix.GetsockoptInet4Addr(fd, row.level, row.name)
		case optBoolByte, optTTLByte:
			var b byte
			b, err = unix.GetsockoptByte(fd, row.level, row.name)
			a.i = int(b)
		default:
			a.i, err = unix.GetsockoptInt(fd, row.level, row.name)
		}
		return sysErr(op, err)
	})
	if err != nil {
		return nil, err
	}
	return row.kind.decode(op, a)
}

// SetSocketOption sets an option (PR_SetSocketOption; set_socket_option
// in python-nss's nss.io) to v, whose type OptionValue lists. Go's plain
// types work too, so code written for net reads naturally: a bool for a
// Bool option, an int for a Size, TTL or TOS option, and a time.Duration
// for an Interval option (rounded up to the millisecond, then truncated to
// whole seconds by the kernel). Linger, MulticastRequest and
// NetworkAddress values have no plain Go twin and take their own type:
//
//	s.SetSocketOption(nspr.SockOptNoDelay, true)                  // or nspr.Bool(true)
//	s.SetSocketOption(nspr.SockOptRecvBufferSize, 1<<20)          // or nspr.Size(1 << 20)
//	s.SetSocketOption(nspr.SockOptKeepAliveIdle, 30*time.Second)  // or nspr.SecondsToInterval(30)
//	s.SetSocketOption(nspr.SockOptLinger, nspr.Linger{On: true, Interval: nspr.SecondsToInterval(5)})
//
// v is therefore of type any, not OptionValue; any other type is
// PR_INVALID_ARGUMENT_ERROR, with a message naming the type the option
// takes. IP-level options
// on AFInet6 sockets set their IPv6 twins; AddMember, DropMember and
// McastInterface follow the family of the address given, so an AFInet6
// socket can join IPv4 groups too. Nonblocking only changes how later calls
// wait (the descriptor itself is always non-blocking underneath).
//
// Errors are NSPR's: a value of the wrong type, or an unknown option,
// PR_INVALID_ARGUMENT_ERROR; a value out of range (TTL 0 or 256, a
// MaxSegment the kernel refuses, a group that is not multicast)
// PR_BUFFER_OVERFLOW_ERROR; a TCP option on a UDP or Unix socket
// PR_NOT_TCP_SOCKET_ERROR; joining a group twice PR_ADDRESS_IN_USE_ERROR;
// leaving one not joined PR_ADDRESS_NOT_AVAILABLE_ERROR; an interface
// address not on this host PR_ADDRESS_NOT_AVAILABLE_ERROR; an option this
// platform lacks PR_OPERATION_NOT_SUPPORTED_ERROR.
func (s *Socket) SetSocketOption(opt SockOpt, v any) error {
	const op = "setsockopt"
	row, err := s.optRow(op, opt, v)
	if err != nil {
		return err
	}
	a, err := row.kind.encode(op, opt, v)
	if err != nil {
		return err
	}
	if row.kind == optNonblocking {
		s.nonblocking.Store(a.i != 0)
		return nil
	}
	return s.control(op, func(fd int) (err error) {
		switch row.kind {
		case optLinger:
			// Close waits for this call, so it sees the flag in step.
			if err = unix.SetsockoptLinger(fd, row.level, row.name, &a.l); err == nil {
				s.own.lingers.Store(a.l.Onoff != 0 && a.l.Linger > 0)
			}
		case optIfAddr:
			err = unix.SetsockoptInet4Addr(fd, row.level, row.name, a.in4)
		case optMembership:
			err = unix.SetsockoptIPMreq(fd, row.level, row.name, &a.mreq)
		case optMembership6:
			err = unix.SetsockoptIPv6Mreq(fd, row.level, row.name, &a.mreq6)
		case optBoolByte, optTTLByte:
			err = unix.SetsockoptByte(fd, row.level, row.name, byte(a.i))
		default:
			err = unix.SetsockoptInt(fd, row.level, row.name, a.i)
		}
		if err == unix.ENOPROTOOPT && opt == SockOptMcastTimeToLive && s.typ == DescSocketTCP {
			// Linux refuses the IPv6 multicast hop limit on a TCP socket
			// with ENOPROTOOPT, the IPv4 TTL with EINVAL: report both as
			// NSPR reports the IPv4 one.
			err = unix.EINVAL
		}
		return sysErr(op, err)
	})
}

// optRow finds the row for opt on this socket, or the error NSPR gives. v,
// when setting, picks the IPv4 row of a multicast option on an AFInet6
// socket when its address is IPv4.
func (s *Socket) optRow(op string, opt SockOpt, v any) (sockOpt, error) {
	if err := s.check(op); err != nil {
		return sockOpt{}, err
	}
	if _, known := sockOptNames[opt]; !known {
		return sockOpt{}, newError(op, InvalidArgumentError, errors.New("unknown socket option "+opt.String()))
	}
	if s.family == AFInet6 && !ipv4Value(v) {
		if row, ok := sockOpts6[opt]; ok {
			return row, nil
		}
	}
	row, ok := sockOpts[opt]
	switch {
	case row.kind == optNonblocking:
	case !ok && sockOpts6[opt] != (sockOpt{}):
		return sockOpt{}, newError(op, InvalidArgumentError, errors.New(opt.String()+" applies to "+AFInet6.String()+" sockets only"))
	case !ok:
		return sockOpt{}, newError(op, OperationNotSupportedError, errors.New(opt.String()+" is not available on this platform"))
	case row.level == unix.IPPROTO_TCP && (s.typ != DescSocketTCP || s.family == AFLocal):
		return sockOpt{}, newError(op, NotTCPSocketError, errors.New(opt.String()+" applies to TCP sockets only"))
	case s.family == AFLocal && (row.level != unix.SOL_SOCKET || opt == SockOptReusePort):
		return sockOpt{}, newError(op, NotTCPSocketError, errors.New(opt.String()+" applies to IP sockets only"))
	}
	return row, nil
}

// ipv4Value reports whether a multicast option's value names IPv4
// addresses, so that an AFInet6 socket uses the IPv4 option.
func ipv4Value(v any) bool {
	switch v := v.(type) {
	case MulticastRequest:
		return v.Group.AddrPort().Addr().Unmap().Is4()
	case NetworkAddress:
		return v.AddrPort().Addr().Is4()
	}
	return false
}

// encode checks v and converts it for the system call.
func (k optKind) encode(op string, opt SockOpt, given any) (optArg, error) {
	var a optArg
	bad := func(want string) (optArg, error) {
		return a, newError(op, InvalidArgumentError, fmt.Errorf("%v takes a %s, not %T", opt, want, given))
	}
	v := k.typed(given)
	switch k {
	case optNonblocking, optBool, optBoolByte:
		b, ok := v.(Bool)
		if !ok {
			return bad("Bool (or bool)")
		}
		if b {
			a.i = 1
		}
	case optSize:
		n, ok := v.(Size)
		if !ok {
			return bad("Size (or int)")
		}
		a.i = int(n)
	case optTTL, optTTLByte:
		ttl, ok := v.(TTL)
		if !ok {
			return bad("TTL (or int)")
		}
		lo := TTL(0) // a multicast TTL of 0 keeps datagrams on this host
		if opt == SockOptIPTimeToLive {
			lo = 1
		}
		if ttl < lo || ttl > 255 {
			return a, newError(op, BufferOverflowError, fmt.Errorf("%v %d is outside %d-255", opt, ttl, lo))
		}
		a.i = int(ttl)
	case optTOS:
		tos, ok := v.(TOS)
		if !ok {
			return bad("TOS (or int)")
		}
		if tos < 0 || tos > 255 {
			return a, newError(op, BufferOverflowError, fmt.Errorf("%v %d is outside 0-255", opt, tos))
		}
		a.i = int(tos)
	case optLinger:
		l, ok := v.(Linger)
		if !ok {
			return bad("Linger")
		}
		a.l = unix.Linger{Linger: int32(IntervalToSeconds(l.Interval))}
		if l.On {
			a.l.Onoff = 1
		}
	case optSeconds:
		iv, ok := v.(Interval)
		if !ok {
			return bad("Interval (or time.Duration)")
		}
		a.i = int(IntervalToSeconds(iv))
	case optMembership, optMembership6:
		m, ok := v.(MulticastRequest)
		if !ok {
			return bad("MulticastRequest")
		}
		return encodeMembership(op, k, m)
	case optIfAddr, optIfIndex:
		ifa, ok := v.(NetworkAddress)
		if !ok {
			return bad("NetworkAddress")
		}
		if k == optIfAddr {
			in4, err := ifAddr4(op, ifa)
			a.in4 = in4
			return a, err
		}
		idx, err := ifIndex(op, ifa)
		a.i = idx
		return a, err
	}
	return a, nil
}

// typed converts Go's plain bool, int and time.Duration into the typed
// value an option of kind k takes; any other value is returned as it is.
func (k optKind) typed(v any) any {
	switch x := v.(type) {
	case bool:
		return Bool(x)
	case int:
		switch k {
		case optSize:
			return Size(x)
		case optTTL, optTTLByte:
			return TTL(x)
		case optTOS:
			return TOS(x)
		}
	case time.Duration:
		if k == optSeconds {
			return DurationToInterval(x)
		}
	}
	return v
}

// decode converts what the system call returned into the option's type.
func (k optKind) decode(op string, a optArg) (OptionValue, error) {
	switch k {
	case optBool, optBoolByte:
		return Bool(a.i != 0), nil
	case optSize:
		return Size(a.i), nil
	case optTTL, optTTLByte:
		return TTL(a.i), nil
	case optTOS:
		return TOS(a.i), nil
	case optLinger:
		return Linger{On: a.l.Onoff != 0, Interval: SecondsToInterval(uint32(max(a.l.Linger, 0)))}, nil
	case optSeconds:
		return SecondsToInterval(uint32(max(a.i, 0))), nil
	case optIfAddr:
		return NewNetworkAddressFromAddrPort(netip.AddrPortFrom(netip.AddrFrom4(a.in4), 0)), nil
	case optIfIndex:
		return ifIndexAddr(a.i), nil
	}
	return nil, newError(op, InvalidArgumentError, errors.New("option kind "+strconv.Itoa(int(k))+" cannot be read"))
}

// encodeMembership builds ip_mreq or ipv6_mreq from a request.
func encodeMembership(op string, k optKind, m MulticastRequest) (optArg, error) {
	var a optArg
	group := m.Group.AddrPort().Addr()
	if k == optMembership {
		group = group.Unmap()
		if !group.Is4() {
			return a, newError(op, InvalidArgumentError, errors.New("multicast group "+m.Group.String()+" is not an IPv4 address"))
		}
		in4, err := ifAddr4(op, m.Interface)
		a.mreq = unix.IPMreq{Multiaddr: group.As4(), Interface: in4}
		return a, err
	}
	if !group.Is6() || group.Is4In6() {
		return a, newError(op, InvalidArgumentError, errors.New("multicast group "+m.Group.String()+" is not an IPv6 address"))
	}
	idx, err := ifIndex(op, m.Interface)
	a.mreq6 = unix.IPv6Mreq{Multiaddr: group.As16(), Interface: uint32(idx)}
	return a, err
}

// ifAddr4 returns an IPv4 interface address as in_addr; the zero address
// means INADDR_ANY, the kernel's choice.
func ifAddr4(op string, ifa NetworkAddress) ([4]byte, error) {
	if ifa.Family() == AFUnspec {
		return [4]byte{}, nil
	}
	ip := ifa.AddrPort().Addr().Unmap()
	if !ip.Is4() {
		return [4]byte{}, newError(op, InvalidArgumentError, errors.New("interface address "+ifa.String()+" is not an IPv4 address"))
	}
	return ip.As4(), nil
}

// ifIndex finds the interface an address names for the IPv6 options, which
// take an index: by its zone, else by the interface holding the address.
// The zero or wildcard address is index 0, the kernel's choice.
func ifIndex(op string, ifa NetworkAddress) (int, error) {
	ip := ifa.AddrPort().Addr()
	if z := ip.Zone(); z != "" {
		if idx := zoneIndex(z); idx != 0 {
			return int(idx), nil
		}
		return 0, newError(op, AddressNotAvailableError, errors.New("no interface "+z))
	}
	if ifa.Family() == AFUnspec || ip.IsUnspecified() {
		return 0, nil
	}
	if ifa.Family() == AFLocal {
		return 0, newError(op, InvalidArgumentError, errors.New("interface address "+ifa.String()+" is not an IP address"))
	}
	ifs, err := net.Interfaces()
	if err != nil {
		return 0, newError(op, UnknownError, err)
	}
	for _, ifi := range ifs {
		addrs, err := ifi.Addrs()
		if err != nil {
			continue
		}
		for _, ad := range addrs {
			if n, ok := ad.(*net.IPNet); ok {
				if x, ok := netip.AddrFromSlice(n.IP); ok && x.Unmap() == ip.Unmap() {
					return ifi.Index, nil
				}
			}
		}
	}
	return 0, newError(op, AddressNotAvailableError, errors.New("no interface has address "+ip.String()))
}

// ifIndexAddr names interface idx by its first IPv6 address (with the zone
// for a link-local one), or by the wildcard address with the interface as
// zone when it has none; index 0 is the wildcard address.
func ifIndexAddr(idx int) NetworkAddress {
	ip := netip.IPv6Unspecified()
	if idx > 0 {
		ip = ip.WithZone(zoneName(uint32(idx)))
		if ifi, err := net.InterfaceByIndex(idx); err == nil {
			addrs, _ := ifi.Addrs()
			for _, ad := range addrs {
				if n, ok := ad.(*net.IPNet); ok && n.IP.To4() == nil {
					x, _ := netip.AddrFromSlice(n.IP)
					if x.IsLinkLocalUnicast() {
						x = x.WithZone(ifi.Name)
					}
					ip = x
					break
				}
			}
		}
	}
	return NewNetworkAddressFromAddrPort(netip.AddrPortFrom(ip, 0))
}

// optionOf reads opt as its type; the typed getters below are this.
func optionOf[T OptionValue](s *Socket, opt SockOpt) (T, error) {
	v, err := s.GetSocketOption(opt)
	t, _ := v.(T)
	return t, err
}

// Nonblocking reports NSPR's logical non-blocking flag
// (PR_SockOpt_Nonblocking).
func (s *Socket) Nonblocking() (bool, error) { return s.boolOption(SockOptNonblocking) }

// SetNonblocking sets NSPR's logical non-blocking flag
// (PR_SockOpt_Nonblocking): calls that would wait fail at once with
// PR_WOULD_BLOCK_ERROR (connect with PR_IN_PROGRESS_ERROR) whatever their
// interval.
func (s *Socket) SetNonblocking(on bool) error {
	return s.SetSocketOption(SockOptNonblocking, Bool(on))
}

// Linger reports SO_LINGER (PR_SockOpt_Linger) in whole seconds.
func (s *Socket) Linger() (Linger, error) { return optionOf[Linger](s, SockOptLinger) }

// SetLinger sets SO_LINGER (PR_SockOpt_Linger); the interval is truncated
// to whole seconds, as NSPR does.
func (s *Socket) SetLinger(l Linger) error { return s.SetSocketOption(SockOptLinger, l) }

// ReuseAddr reports SO_REUSEADDR (PR_SockOpt_Reuseaddr).
func (s *Socket) ReuseAddr() (bool, error) { return s.boolOption(SockOptReuseAddr) }

// SetReuseAddr sets SO_REUSEADDR (PR_SockOpt_Reuseaddr), so a listener can
// bind its port again while old connections linger in TIME_WAIT.
func (s *Socket) SetReuseAddr(on bool) error { return s.SetSocketOption(SockOptReuseAddr, Bool(on)) }

// ReusePort reports SO_REUSEPORT (PR_SockOpt_Reuseport).
func (s *Socket) ReusePort() (bool, error) { return s.boolOption(SockOptReusePort) }

// SetReusePort sets SO_REUSEPORT (PR_SockOpt_Reuseport; not in
// python-nss): sockets that all set it may bind the same address and port,
// and Linux spreads incoming connections and datagrams across them, so
// several listeners can accept on one port across cores. IP sockets only.
func (s *Socket) SetReusePort(on bool) error { return s.SetSocketOption(SockOptReusePort, Bool(on)) }

// KeepAlive reports SO_KEEPALIVE (PR_SockOpt_Keepalive).
func (s *Socket) KeepAlive() (bool, error) { return s.boolOption(SockOptKeepAlive) }

// SetKeepAlive sets SO_KEEPALIVE (PR_SockOpt_Keepalive).
func (s *Socket) SetKeepAlive(on bool) error { return s.SetSocketOption(SockOptKeepAlive, Bool(on)) }

// KeepAliveIdle reports TCP_KEEPIDLE (SockOptKeepAliveIdle) in whole
// seconds.
func (s *Socket) KeepAliveIdle() (Interval, error) {
	return optionOf[Interval](s, SockOptKeepAliveIdle)
}

// SetKeepAliveIdle sets how long a TCP connection stays idle before the
// first keep-alive probe (TCP_KEEPIDLE; not in NSPR), truncated to whole
// seconds. Below one second is PR_BUFFER_OVERFLOW_ERROR.
func (s *Socket) SetKeepAliveIdle(idle Interval) error {
	return s.SetSocketOption(SockOptKeepAliveIdle, idle)
}

// KeepAliveInterval reports TCP_KEEPINTVL (SockOptKeepAliveInterval) in
// whole seconds.
func (s *Socket) KeepAliveInterval() (Interval, error) {
	return optionOf[Interval](s, SockOptKeepAliveInterval)
}

// SetKeepAliveInterval sets the time between keep-alive probes
// (TCP_KEEPINTVL; not in NSPR), truncated to whole seconds. Below one
// second is PR_BUFFER_OVERFLOW_ERROR.
func (s *Socket) SetKeepAliveInterval(interval Interval) error {
	return s.SetSocketOption(SockOptKeepAliveInterval, interval)
}

// KeepAliveCount reports TCP_KEEPCNT (SockOptKeepAliveCount).
func (s *Socket) KeepAliveCount() (int, error) { return s.sizeOption(SockOptKeepAliveCount) }

// SetKeepAliveCount sets how many unanswered probes drop the connection
// (TCP_KEEPCNT; not in NSPR). Below one is PR_BUFFER_OVERFLOW_ERROR.
func (s *Socket) SetKeepAliveCount(n int) error {
	return s.SetSocketOption(SockOptKeepAliveCount, Size(n))
}

// RecvBufferSize reports SO_RCVBUF (PR_SockOpt_RecvBufferSize). Linux
// reports twice the size set, the rest being its bookkeeping.
func (s *Socket) RecvBufferSize() (int, error) { return s.sizeOption(SockOptRecvBufferSize) }

// SetRecvBufferSize sets SO_RCVBUF (PR_SockOpt_RecvBufferSize); the kernel
// clamps it to its limits.
func (s *Socket) SetRecvBufferSize(n int) error {
	return s.SetSocketOption(SockOptRecvBufferSize, Size(n))
}

// SendBufferSize reports SO_SNDBUF (PR_SockOpt_SendBufferSize). Linux
// reports twice the size set.
func (s *Socket) SendBufferSize() (int, error) { return s.sizeOption(SockOptSendBufferSize) }

// SetSendBufferSize sets SO_SNDBUF (PR_SockOpt_SendBufferSize); the kernel
// clamps it to its limits.
func (s *Socket) SetSendBufferSize(n int) error {
	return s.SetSocketOption(SockOptSendBufferSize, Size(n))
}

// TTL reports the unicast hop limit (PR_SockOpt_IpTimeToLive: IP_TTL, or
// IPV6_UNICAST_HOPS on AFInet6 sockets).
func (s *Socket) TTL() (int, error) {
	ttl, err := optionOf[TTL](s, SockOptIPTimeToLive)
	return int(ttl), err
}

// SetTTL sets the unicast hop limit (PR_SockOpt_IpTimeToLive), 1–255;
// other values are PR_BUFFER_OVERFLOW_ERROR.
func (s *Socket) SetTTL(ttl int) error { return s.SetSocketOption(SockOptIPTimeToLive, TTL(ttl)) }

// TOS reports the type of service (PR_SockOpt_IpTypeOfService: IP_TOS, or
// IPV6_TCLASS on AFInet6 sockets).
func (s *Socket) TOS() (int, error) {
	tos, err := optionOf[TOS](s, SockOptIPTypeOfService)
	return int(tos), err
}

// SetTOS sets the type of service or traffic class
// (PR_SockOpt_IpTypeOfService), 0–255; other values are
// PR_BUFFER_OVERFLOW_ERROR.
func (s *Socket) SetTOS(tos int) error { return s.SetSocketOption(SockOptIPTypeOfService, TOS(tos)) }

// JoinGroup joins a multicast group on the interface with address iface
// (PR_SockOpt_AddMember); the zero NetworkAddress lets the kernel choose.
// Joining twice is PR_ADDRESS_IN_USE_ERROR.
func (s *Socket) JoinGroup(group, iface NetworkAddress) error {
	return s.SetSocketOption(SockOptAddMember, MulticastRequest{Group: group, Interface: iface})
}

// LeaveGroup leaves a multicast group (PR_SockOpt_DropMember). Leaving a
// group not joined is PR_ADDRESS_NOT_AVAILABLE_ERROR.
func (s *Socket) LeaveGroup(group, iface NetworkAddress) error {
	return s.SetSocketOption(SockOptDropMember, MulticastRequest{Group: group, Interface: iface})
}

// MulticastInterface reports the interface multicast datagrams leave by
// (PR_SockOpt_McastInterface), as an address; the wildcard address means
// the kernel chooses.
func (s *Socket) MulticastInterface() (NetworkAddress, error) {
	return optionOf[NetworkAddress](s, SockOptMcastInterface)
}

// SetMulticastInterface sends multicast datagrams by the interface with
// address iface (PR_SockOpt_McastInterface). An address not on this host
// is PR_ADDRESS_NOT_AVAILABLE_ERROR, an IPv6 address on an AFInet socket
// PR_INVALID_ARGUMENT_ERROR (the original quietly picks 0.0.0.0 instead).
func (s *Socket) SetMulticastInterface(iface NetworkAddress) error {
	return s.SetSocketOption(SockOptMcastInterface, iface)
}

// MulticastTTL reports the multicast hop limit (PR_SockOpt_McastTimeToLive).
func (s *Socket) MulticastTTL() (int, error) {
	ttl, err := optionOf[TTL](s, SockOptMcastTimeToLive)
	return int(ttl), err
}

// SetMulticastTTL sets the multicast hop limit (PR_SockOpt_McastTimeToLive),
// 0–255 (0 keeps datagrams on this host); other values are
// PR_BUFFER_OVERFLOW_ERROR, as is any value on a TCP socket.
func (s *Socket) SetMulticastTTL(ttl int) error {
	return s.SetSocketOption(SockOptMcastTimeToLive, TTL(ttl))
}

// MulticastLoopback reports whether this host's own members receive what
// the socket sends to a group (PR_SockOpt_McastLoopback).
func (s *Socket) MulticastLoopback() (bool, error) { return s.boolOption(SockOptMcastLoopback) }

// SetMulticastLoopback sets PR_SockOpt_McastLoopback.
func (s *Socket) SetMulticastLoopback(on bool) error {
	return s.SetSocketOption(SockOptMcastLoopback, Bool(on))
}

// NoDelay reports TCP_NODELAY (PR_SockOpt_NoDelay).
func (s *Socket) NoDelay() (bool, error) { return s.boolOption(SockOptNoDelay) }

// SetNoDelay sets TCP_NODELAY (PR_SockOpt_NoDelay), sending small writes at
// once instead of coalescing them (Nagle's algorithm). On a UDP or Unix
// socket it is PR_NOT_TCP_SOCKET_ERROR.
func (s *Socket) SetNoDelay(on bool) error { return s.SetSocketOption(SockOptNoDelay, Bool(on)) }

// MaxSegment reports TCP_MAXSEG (PR_SockOpt_MaxSegment).
func (s *Socket) MaxSegment() (int, error) { return s.sizeOption(SockOptMaxSegment) }

// SetMaxSegment sets TCP_MAXSEG (PR_SockOpt_MaxSegment); a size the kernel
// refuses is PR_BUFFER_OVERFLOW_ERROR.
func (s *Socket) SetMaxSegment(n int) error { return s.SetSocketOption(SockOptMaxSegment, Size(n)) }

// Broadcast reports SO_BROADCAST (PR_SockOpt_Broadcast).
func (s *Socket) Broadcast() (bool, error) { return s.boolOption(SockOptBroadcast) }

// SetBroadcast sets SO_BROADCAST (PR_SockOpt_Broadcast), allowing datagrams
// to broadcast addresses.
func (s *Socket) SetBroadcast(on bool) error { return s.SetSocketOption(SockOptBroadcast, Bool(on)) }

// IPv6Only reports IPV6_V6ONLY (SockOptIPv6Only).
func (s *Socket) IPv6Only() (bool, error) { return s.boolOption(SockOptIPv6Only) }

// SetIPv6Only sets IPV6_V6ONLY (SockOptIPv6Only; not in NSPR): an AFInet6
// socket, dual-stack by default, then reaches IPv6 peers only. It must be
// set before Bind (after, it is PR_BUFFER_OVERFLOW_ERROR, the kernel's
// EINVAL); on other families it is PR_INVALID_ARGUMENT_ERROR.
func (s *Socket) SetIPv6Only(on bool) error { return s.SetSocketOption(SockOptIPv6Only, Bool(on)) }

func (s *Socket) boolOption(opt SockOpt) (bool, error) {
	b, err := optionOf[Bool](s, opt)
	return bool(b), err
}

func (s *Socket) sizeOption(opt SockOpt) (int, error) {
	n, err := optionOf[Size](s, opt)
	return int(n), err
}
