//go:build linux || darwin || freebsd

package nspr

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// Dial connects to address on the named network, as net.Dial does, and
// returns the connection's net.Conn view; Conn.Socket gives the NSPR socket
// behind it. It is Dialer{}.Dial: see Dialer.DialContext for the networks,
// the address syntax and the defaults a dialled connection gets.
//
// Dial returns *Conn where net.Dial returns net.Conn: in a function that
// returns a net.Conn, return a literal nil on error, since a nil *Conn in
// a net.Conn is not a nil net.Conn.
func Dial(network, address string) (*Conn, error) {
	var d Dialer
	return d.DialContext(context.Background(), network, address)
}

// DialContext is Dial bounded by ctx, as net's zero Dialer's DialContext
// is; see Dialer.DialContext.
func DialContext(ctx context.Context, network, address string) (*Conn, error) {
	var d Dialer
	return d.DialContext(ctx, network, address)
}

// DialTimeout is Dial with a time limit for the whole dial, name
// resolution included, as net.DialTimeout.
func DialTimeout(network, address string, timeout time.Duration) (*Conn, error) {
	d := Dialer{Timeout: timeout}
	return d.DialContext(context.Background(), network, address)
}

// Listen announces on the local address, as net.Listen does, and returns
// the listening socket's net.Listener view. It is ListenConfig{}.Listen:
// see there for the networks, the address syntax and SO_REUSEADDR.
func Listen(network, address string) (*Listener, error) {
	var lc ListenConfig
	return lc.Listen(context.Background(), network, address)
}

// ListenPacket binds a datagram socket to the local address, as
// net.ListenPacket does, and returns its net.PacketConn view; see
// ListenConfig.ListenPacket.
func ListenPacket(network, address string) (*PacketConn, error) {
	var lc ListenConfig
	return lc.ListenPacket(context.Background(), network, address)
}

// netKeepAlive is the keep-alive period net gives every TCP connection it
// dials or accepts: the idle time before the first probe and the time
// between probes. net sends netKeepAliveCount probes before giving up.
const (
	netKeepAlive      = 15 * time.Second
	netKeepAliveCount = 9
)

// Dialer holds the options of Dial, as net.Dialer does. The zero Dialer
// dials as net's zero Dialer: no time limit, TCP_NODELAY on and keep-alive
// every 15 s.
type Dialer struct {
	// Timeout bounds the whole dial, name resolution included; 0 is no
	// limit beyond the context's.
	Timeout time.Duration

	// KeepAlive is the keep-alive period of a dialled TCP connection, as
	// in net.Dialer: 0 is net's 15 s (idle time and probe interval, 9
	// probes), a negative value leaves keep-alive off as NSPR does.
	KeepAlive time.Duration

	// Nagle leaves Nagle's algorithm on (TCP_NODELAY off), as NSPR and the
	// kernel do; net, and so the zero Dialer, turns it off so that small
	// writes leave at once. Socket.SetNoDelay changes it later too.
	Nagle bool

	// Resolver resolves host names; nil is DefaultResolver.
	Resolver *Resolver
}

// Dial connects as DialContext with context.Background.
func (d *Dialer) Dial(network, address string) (*Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

// DialContext connects to address on the named network and returns the
// connection's net.Conn view. The networks are net's: "tcp", "tcp4",
// "tcp6", "udp", "udp4", "udp6", "unix" and "unixgram". For the IP
// networks, address is "host:port", "[v6addr]:port" or ":port" (this
// host's loopback); host is an IP literal, "localhost" or a name that
// d.Resolver looks up (never the C library); port is a number, not a
// service name. For the Unix networks, address is the socket's path.
//
// A name, or an empty host, stands for several addresses: DialContext
// tries them one after the other, in the resolver's order (loopback:
// ::1 before 127.0.0.1), and returns the first connection or the last
// attempt's error. It does not race IPv6 against IPv4 as net's Happy
// Eyeballs does: on a host where the first address is silently dropped
// the dial waits for it. When ctx or d.Timeout sets a deadline, each
// attempt gets a share of the time left, as net gives it (2 s at least,
// or all that is left), so one dead address cannot take all of it.
//
// A dialled TCP connection gets net's defaults, not NSPR's: TCP_NODELAY on
// and keep-alive every 15 s, unless d says otherwise (see Dialer); a
// Socket from NewSocket and Connect keeps NSPR's. Each attempt is
// PR_Connect bounded by the context, with its errors (see ConnectContext);
// an unknown network, a malformed address or port, or an address of the
// wrong family for the network is PR_INVALID_ARGUMENT_ERROR, and a name
// that does not resolve PR_DIRECTORY_LOOKUP_ERROR.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (*Conn, error) {
	const op = "dial"
	if ctx == nil {
		return nil, newError(op, InvalidArgumentError, errors.New("nil context"))
	}
	kind, err := networkKind(op, network)
	if err != nil {
		return nil, err
	}
	if d.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.Timeout)
		defer cancel()
	}
	addrs, err := d.Resolver.addresses(ctx, op, kind, address, false)
	if err != nil {
		return nil, err
	}
	for i, a := range addrs {
		var s *Socket
		if s, err = NewSocket(a.Family(), kind.typ); err != nil {
			continue
		}
		if err = s.connectShare(ctx, a, len(addrs)-i); err == nil {
			s.setConnDefaults(connDefaults{keepAlive: d.KeepAlive, nagle: d.Nagle})
			return s.Conn(), nil
		}
		s.Close()
		if ctx.Err() != nil {
			break
		}
	}
	return nil, err
}

// connectShare connects s to a, one of left addresses still to try,
// within its share of ctx's time.
func (s *Socket) connectShare(ctx context.Context, a NetworkAddress, left int) error {
	deadline, ok := ctx.Deadline()
	if !ok || left <= 1 {
		return s.ConnectContext(ctx, a)
	}
	const minShare = 2 * time.Second
	now := time.Now()
	remaining := deadline.Sub(now)
	share := remaining / time.Duration(left)
	if share < minShare {
		share = min(minShare, remaining)
	}
	actx, cancel := context.WithDeadline(ctx, now.Add(share))
	defer cancel()
	return s.ConnectContext(actx, a)
}

// ListenConfig holds the options of Listen and ListenPacket, as
// net.ListenConfig does. The zero ListenConfig listens as net's does:
// SO_REUSEADDR on TCP listeners, and TCP_NODELAY and keep-alive every 15 s
// on the connections its Listener view accepts.
type ListenConfig struct {
	// KeepAlive is the keep-alive period of accepted connections, as in
	// net.ListenConfig: 0 is net's 15 s, a negative value leaves
	// keep-alive off as NSPR does.
	KeepAlive time.Duration

	// Nagle leaves Nagle's algorithm on (TCP_NODELAY off) for accepted
	// connections, as NSPR and the kernel do; see Dialer.Nagle.
	Nagle bool

	// Resolver resolves a host name in the address; nil is
	// DefaultResolver.
	Resolver *Resolver
}

// Listen announces on the local address and returns the listening
// socket's net.Listener view. network is "tcp", "tcp4", "tcp6" or "unix".
// For TCP, address is "host:port", "[v6addr]:port" or ":port": an empty
// host (or ":port" with "tcp") listens on every address, IPv6 and IPv4 on
// one dual-stack socket where the host has IPv6; port 0 picks a free port
// (Listener.Addr tells which); a host name listens on its first address,
// IPv4 preferred, as net does. For "unix", address is the socket's path;
// unlike net, Close leaves the file in place (see the [compatibility
// notes]).
//
// As net does, a TCP listener sets SO_REUSEADDR (PR_SockOpt_Reuseaddr)
// before it binds, so a restarted server can bind its port while old
// connections linger in TIME_WAIT, and "tcp6" sets IPV6_V6ONLY. The
// connections its Accept returns get lc's defaults (see ListenConfig);
// Socket.Accept on the same socket leaves NSPR's. Errors are those of
// PR_Bind and PR_Listen, and for a bad network or address those of
// Dialer.DialContext.
//
// [compatibility notes]: https://github.com/nspr-go/nspr/blob/main/docs/compat.md
func (lc *ListenConfig) Listen(ctx context.Context, network, address string) (*Listener, error) {
	s, err := lc.listen(ctx, "listen", network, address, DescSocketTCP)
	if err != nil {
		return nil, err
	}
	s.rd.cold().accepted = connDefaults{keepAlive: lc.KeepAlive, nagle: lc.Nagle}
	return s.Listener(), nil
}

// ListenPacket binds a datagram socket to the local address and returns
// its net.PacketConn view. network is "udp", "udp4", "udp6" or
// "unixgram"; the address is as for Listen. As net does, it sets no
// SO_REUSEADDR, and "udp6" sets IPV6_V6ONLY.
func (lc *ListenConfig) ListenPacket(ctx context.Context, network, address string) (*PacketConn, error) {
	s, err := lc.listen(ctx, "listenpacket", network, address, DescSocketUDP)
	if err != nil {
		return nil, err
	}
	return s.PacketConn(), nil
}

// listen opens, binds and, for a stream, listens on a socket of typ for
// the first address that takes it.
func (lc *ListenConfig) listen(ctx context.Context, op, network, address string, typ DescType) (*Socket, error) {
	if ctx == nil {
		return nil, newError(op, InvalidArgumentError, errors.New("nil context"))
	}
	kind, err := networkKind(op, network)
	if err != nil {
		return nil, err
	}
	if kind.typ != typ {
		want := "a stream network (tcp, tcp4, tcp6, unix)"
		if typ == DescSocketUDP {
			want = "a datagram network (udp, udp4, udp6, unixgram)"
		}
		return nil, newError(op, InvalidArgumentError, errors.New(op+" wants "+want+", not "+strconv.Quote(network)))
	}
	addrs, err := lc.Resolver.addresses(ctx, op, kind, address, true)
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		var s *Socket
		if s, err = kind.bound(a); err == nil {
			return s, nil
		}
	}
	return nil, err
}

// bound returns a socket of kind bound to a and, for a stream, listening.
func (kind netKind) bound(a NetworkAddress) (*Socket, error) {
	s, err := NewSocket(a.Family(), kind.typ)
	if err != nil {
		return nil, err
	}
	if kind.family == AFInet6 {
		err = s.SetIPv6Only(true)
	}
	if err == nil && kind.typ == DescSocketTCP && a.Family() != AFLocal {
		err = s.SetReuseAddr(true)
	}
	if err == nil {
		err = s.Bind(a)
	}
	if err == nil && kind.typ == DescSocketTCP {
		err = s.Listen(unix.SOMAXCONN)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// netKind is what a net network name stands for: the socket type, and the
// family (AFUnspec for "tcp" and "udp", which take either IP family).
type netKind struct {
	family Family
	typ    DescType
}

// netKinds are the network names Dial and Listen know, as net spells them.
var netKinds = map[string]netKind{
	"tcp":      {AFUnspec, DescSocketTCP},
	"tcp4":     {AFInet, DescSocketTCP},
	"tcp6":     {AFInet6, DescSocketTCP},
	"udp":      {AFUnspec, DescSocketUDP},
	"udp4":     {AFInet, DescSocketUDP},
	"udp6":     {AFInet6, DescSocketUDP},
	"unix":     {AFLocal, DescSocketTCP},
	"unixgram": {AFLocal, DescSocketUDP},
}

// networkKind looks network up in netKinds.
func networkKind(op, network string) (netKind, error) {
	kind, ok := netKinds[network]
	if !ok {
		return netKind{}, newError(op, InvalidArgumentError, errors.New("unknown network "+strconv.Quote(network)))
	}
	return kind, nil
}

// addresses returns what address stands for on a network of kind, in the
// order to try: a Unix path; or host:port, where an empty host is loopback
// (or, passive, the wildcard address), an IP literal is itself, and a name
// is what r resolves it to (IPv4 first when passive, as net listens).
func (r *Resolver) addresses(ctx context.Context, op string, kind netKind, address string, passive bool) ([]NetworkAddress, error) {
	if kind.family == AFLocal {
		a, err := NewUnixAddress(address)
		if err != nil {
			return nil, err
		}
		return []NetworkAddress{a}, nil
	}
	host, portText, err := net.SplitHostPort(address)
	if err != nil {
		return nil, newError(op, InvalidArgumentError, err)
	}
	var port uint64
	if portText != "" {
		if port, err = strconv.ParseUint(portText, 10, 16); err != nil {
			return nil, newError(op, InvalidArgumentError, errors.New("port "+strconv.Quote(portText)+" in "+strconv.Quote(address)+" is not a number from 0 to 65535"))
		}
	}
	var ips []netip.Addr
	switch {
	case host == "" && passive:
		ips = []netip.Addr{netip.IPv6Unspecified(), netip.IPv4Unspecified()}
	case host == "":
		ips = []netip.Addr{netip.IPv6Loopback(), netip.AddrFrom4([4]byte{127, 0, 0, 1})}
	default:
		if ip, perr := netip.ParseAddr(host); perr == nil {
			ip = ip.Unmap()
			if !kind.takes(ip) {
				return nil, newError(op, InvalidArgumentError, errors.New("address "+host+" is not of network "+kind.name()))
			}
			ips = []netip.Addr{ip}
			break
		}
		ai, err := r.AddrInfo(ctx, host, kind.family, AIAddrConfig|AINoCanonName)
		if err != nil {
			return nil, err
		}
		for a := range ai.All() {
			ips = append(ips, a.AddrPort().Addr())
		}
		if passive {
			sortIPv4First(ips)
		}
	}
	addrs := make([]NetworkAddress, 0, len(ips))
	for _, ip := range ips {
		if kind.takes(ip) {
			addrs = append(addrs, NewNetworkAddressFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
		}
	}
	if len(addrs) == 0 { // so that no caller's loop ends without an error
		return nil, newError(op, DirectoryLookupError, errors.New("no address of network "+kind.name()+" for "+strconv.Quote(host)))
	}
	return addrs, nil
}

// takes reports whether an IP network of kind reaches ip.
func (kind netKind) takes(ip netip.Addr) bool {
	switch kind.family {
	case AFInet:
		return ip.Is4()
	case AFInet6:
		return !ip.Is4()
	}
	return true
}

// name is the network's net name, for messages.
func (kind netKind) name() string {
	for name, k := range netKinds {
		if k == kind {
			return name
		}
	}
	return "?"
}

// sortIPv4First moves the IPv4 addresses before the IPv6 ones, keeping
// each group's order.
func sortIPv4First(ips []netip.Addr) {
	v4 := make([]netip.Addr, 0, len(ips))
	var v6 []netip.Addr
	for _, ip := range ips {
		if ip.Is4() {
			v4 = append(v4, ip)
		} else {
			v6 = append(v6, ip)
		}
	}
	copy(ips, append(v4, v6...))
}

// connDefaults is what the Go side (Dial, the Listener view) does to a new
// TCP connection that NSPR leaves alone: its zero value is net's defaults.
type connDefaults struct {
	keepAlive time.Duration // 0: net's 15 s; negative: keep-alive off
	nagle     bool          // leave TCP_NODELAY off
}

// setConnDefaults gives a new TCP connection d's options, as net's
// newTCPConn does, and as there a failure is ignored: the connection works
// without them. Unix and UDP sockets have none of these options.
func (s *Socket) setConnDefaults(d connDefaults) {
	if s.typ != DescSocketTCP || s.family == AFLocal {
		return
	}
	s.control("setsockopt", func(fd int) error {
		if !d.nagle {
			unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		}
		if d.keepAlive < 0 {
			return nil
		}
		period := d.keepAlive
		if period == 0 {
			period = netKeepAlive
		}
		secs := int((period + time.Second - 1) / time.Second) // rounded up, as net does
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, tcpKeepIdle, secs)
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, secs)
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPCNT, netKeepAliveCount)
		return nil
	})
}
