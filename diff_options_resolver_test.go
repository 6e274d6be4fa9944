//go:build linux

package nspr

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nspr-go/nspr/internal/dnstest"
	"golang.org/x/sys/unix"
)

// More differential scenarios: name resolution (localhost and numeric
// hosts only: glibc sends other names, even malformed ones, to the DNS
// server), non-blocking mode and connecting again, and every socket option
// on TCP and UDP over IPv4 and IPv6. Each runs in its own process.

// More bullets of docs/compat.md cited by the allow-list.
const (
	compatConnected     = "Sockets: Connecting a connected socket (PR_IS_CONNECTED_ERROR)"
	compatAddrInfoV6    = "Addresses: AddrInfo accepts AFInet6"
	compatOtherFamily   = "Addresses: A numeric host of the other family is PR_DIRECTORY_LOOKUP_ERROR"
	compatHostEntryNum  = "Addresses: HostEntry of a numeric address is that address, IPv6 too"
	compatHostEntryPort = "Addresses: HostEntry.NetworkAddress(port) / NetworkAddresses(port) honour the port"
	compatAt            = "Addresses: At(i) out of range is PR_INVALID_ARGUMENT_ERROR"
	compatOptValue      = "Socket options: One typed value (wrong type is PR_INVALID_ARGUMENT_ERROR)"
	compatOptTCPOnUDP   = "Socket options: TCP options on UDP sockets are PR_NOT_TCP_SOCKET_ERROR"
	compatOptRange      = "Socket options: Out-of-range values are refused, not wrapped"
	compatOptUnknown    = "Socket options: Unknown options are PR_INVALID_ARGUMENT_ERROR"
	compatOptBeyond     = "Socket options: Beyond NSPR (SockOptReusePort is 16)"
	compatOptIfFamily   = "Socket options: An IPv6 interface on an IPv4 socket is PR_INVALID_ARGUMENT_ERROR"
	compatOptIPv6       = "Socket options: IPv6 sockets use the IPv6 options"
)

// pyList formats values as run.py prints a Python list.
func pyList(vs ...any) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = strings.TrimPrefix(val(v), "V ")
	}
	return "V [" + strings.Join(parts, " ") + "]"
}

// pyFamily is the original's constant for f.
func pyFamily(f Family) string {
	return map[Family]string{AFUnspec: "io.PR_AF_UNSPEC", AFInet: "io.PR_AF_INET", AFInet6: "io.PR_AF_INET6"}[f]
}

// ip6Name is the name the AddrInfo scenarios resolve for IPv6 only,
// answered by the test's own DNS server: the machine's hosts file may lack
// "::1 localhost", so "localhost" cannot show an IPv6 answer everywhere.
const ip6Name = "ip6.nspr.test."

// resolverDiffCases cover AddrInfo and HostEntry.
func resolverDiffCases(t *testing.T) []diffCase {
	var cs []diffCase
	ip6 := &Resolver{Server: dnstest.Start(t, ip6Name+" 60 IN AAAA ::1").Addr, Timeout: 10 * time.Second}
	// AddrInfo: [hostname canonical count addresses... families...],
	// through r (nil: DefaultResolver).
	addrInfo := func(r *Resolver, host string, family Family, flags AIFlags) string {
		ai, err := r.AddrInfo(context.Background(), host, family, flags)
		if err != nil {
			return res(nil, err)
		}
		canonical := any(ai.CanonicalName())
		if canonical == "" {
			canonical = nil
		}
		out := []any{ai.Hostname(), canonical, ai.Len()}
		for a := range ai.All() {
			out = append(out, a.Address())
		}
		for a := range ai.All() {
			out = append(out, int(a.Family()))
		}
		return pyList(out...)
	}
	const pyAddrInfo = "; r = [ai.hostname, ai.canonical_name, len(ai)] + [a.address for a in ai] + [a.family for a in ai]"
	// With AFInet6 the original refuses the family before any lookup, so
	// its side never queries DNS for ip6Name; nspr's side asks the test's
	// server, with both families configured so that AIAddrConfig keeps ::1.
	for _, host := range []string{"localhost", "127.0.0.1", "::1"} {
		for _, family := range []Family{AFUnspec, AFInet, AFInet6} {
			for _, flags := range []AIFlags{AIAddrConfig, AIAddrConfig | AINoCanonName} {
				c := diffCase{
					name: fmt.Sprintf("AddrInfo(%q, %v, %v)", host, family, flags),
					py:   fmt.Sprintf("ai = io.AddrInfo(%q, %s, %d)", host, pyFamily(family), flags) + pyAddrInfo,
					got:  func() string { return addrInfo(nil, host, family, flags) },
				}
				canonical := func(name string) any {
					if flags&AINoCanonName != 0 {
						return nil
					}
					return strings.TrimSuffix(name, ".")
				}
				switch {
				case family == AFInet6 && host == "127.0.0.1":
					c.compat, c.orig, c.ours = compatOtherFamily, "E PR_INVALID_ARGUMENT_ERROR", "E PR_DIRECTORY_LOOKUP_ERROR"
				case family == AFInet6 && host == "::1":
					c.compat, c.orig, c.ours = compatAddrInfoV6, "E PR_INVALID_ARGUMENT_ERROR", pyList(host, canonical(host), 1, "::1", int(AFInet6))
				case family == AFInet6:
					c.name = fmt.Sprintf("AddrInfo(%q, %v, %v)", ip6Name, family, flags)
					c.py = fmt.Sprintf("ai = io.AddrInfo(%q, %s, %d)", ip6Name, pyFamily(family), flags) + pyAddrInfo
					c.got = func() string {
						saved := configuredFamilies
						defer func() { configuredFamilies = saved }()
						configuredFamilies = func() (bool, bool) { return true, true }
						return addrInfo(ip6, ip6Name, family, flags)
					}
					c.compat, c.orig, c.ours = compatAddrInfoV6, "E PR_INVALID_ARGUMENT_ERROR", pyList(ip6Name, canonical(ip6Name), 1, "::1", int(AFInet6))
				}
				cs = append(cs, c)
			}
		}
	}
	for _, bad := range []struct {
		name   string
		family Family
		flags  AIFlags
	}{
		{"flags 0", AFUnspec, 0}, {"flags AI_ALL", AFUnspec, AIAll}, {"flags AI_V4MAPPED", AFInet, AIV4Mapped},
		{"flags AI_ADDRCONFIG|AI_ALL", AFUnspec, AIAddrConfig | AIAll}, {"flags AI_DEFAULT", AFUnspec, AIDefault},
		{"flags 0x7fffffff", AFInet, 0x7fffffff}, {"family 99", 99, AIAddrConfig}, {"family PR_AF_LOCAL", AFLocal, AIAddrConfig},
	} {
		cs = append(cs, diffCase{name: "AddrInfo " + bad.name,
			py:  fmt.Sprintf("ai = io.AddrInfo('127.0.0.1', %d, %d)", bad.family, bad.flags) + pyAddrInfo,
			got: func() string { return addrInfo(nil, "127.0.0.1", bad.family, bad.flags) }})
	}
	localAI := func(f func(ai *AddrInfo) string) func() string {
		return func() string {
			ai, err := NewAddrInfo("localhost", AFInet, AIAddrConfig)
			if err != nil {
				return res(nil, err)
			}
			return f(ai)
		}
	}
	cs = append(cs,
		diffCase{name: "AddrInfo index out of range", py: "ai = io.AddrInfo('localhost', io.PR_AF_INET); r = ai[5]",
			got:    localAI(func(ai *AddrInfo) string { _, err := ai.At(5); return res(nil, err) }),
			compat: compatAt, orig: "X IndexError", ours: "E PR_INVALID_ARGUMENT_ERROR"},
		diffCase{name: "AddrInfo address port", py: "ai = io.AddrInfo('localhost', io.PR_AF_INET); r = ai[0].port",
			got: localAI(func(ai *AddrInfo) string { a, err := ai.At(0); return res(a.Port(), err) })},
		diffCase{name: "AddrInfo str", py: "r = str(io.AddrInfo('localhost', io.PR_AF_INET))",
			got:    localAI(func(ai *AddrInfo) string { return val(ai.String()) }),
			compat: compatString, orig: "V host=localhost canonical=localhost (1 addrs) addr[0]=127.0.0.1",
			ours: "V host=localhost canonical=localhost (1 addrs) addr[0]=127.0.0.1:0"},
	)

	// HostEntry: [hostname family count aliases... addresses...]. Only
	// names the hosts file answers: a reverse lookup of ::1 would reach DNS.
	hostEntry := func(he *HostEntry, err error) string {
		if err != nil {
			return res(nil, err)
		}
		out := []any{he.Hostname(), int(he.Family()), he.Len()}
		for _, a := range he.Aliases() {
			out = append(out, a)
		}
		for a := range he.All() {
			out = append(out, a.Address())
		}
		return pyList(out...)
	}
	const pyHostEntry = "; r = [he.hostname, he.family, len(he)] + list(he.aliases) + [a.address for a in he]"
	for _, name := range []string{"localhost", "127.0.0.1"} {
		cs = append(cs, diffCase{name: fmt.Sprintf("HostEntry(%q)", name),
			py:  fmt.Sprintf("he = io.HostEntry(%q)", name) + pyHostEntry,
			got: func() string { return hostEntry(NewHostEntry(name)) }})
	}
	cs = append(cs, diffCase{name: `HostEntry("::1")`, py: `he = io.HostEntry("::1")` + pyHostEntry,
		got:    func() string { return hostEntry(NewHostEntry("::1")) },
		compat: compatHostEntryNum, orig: "E PR_DIRECTORY_LOOKUP_ERROR", ours: pyList("::1", int(AFInet6), 1, "::1")})
	byAddr := func() (*HostEntry, error) {
		a, err := NewNetworkAddress("127.0.0.1", 0, AFInet)
		if err != nil {
			return nil, err
		}
		return NewHostEntryByAddr(a)
	}
	cs = append(cs, diffCase{name: "HostEntry(NetworkAddress 127.0.0.1) hostname",
		py: `he = io.HostEntry(io.NetworkAddress("127.0.0.1")); r = [he.hostname, he.family, len(he)] + [a.address for a in he]`,
		got: func() string {
			he, err := byAddr()
			if err != nil {
				return res(nil, err)
			}
			out := []any{he.Hostname(), int(he.Family()), he.Len()}
			for a := range he.All() {
				out = append(out, a.Address())
			}
			return pyList(out...)
		}})
	// get_network_address is called once per process: the original frees
	// the address it returned when the caller drops it, and crashes or spins
	// on the next call.
	localHE := func(f func(he *HostEntry) string) func() string {
		return func() string {
			he, err := NewHostEntry("localhost")
			if err != nil {
				return res(nil, err)
			}
			return f(he)
		}
	}
	cs = append(cs,
		diffCase{name: "HostEntry get_network_address port", py: "he = io.HostEntry('localhost'); a = he.get_network_address(80); r = [a.address, a.port]",
			got: localHE(func(he *HostEntry) string {
				a, err := he.NetworkAddress(80)
				if err != nil {
					return res(nil, err)
				}
				return pyList(a.Address(), a.Port())
			}), compat: compatHostEntryPort, orig: "V [127.0.0.1 0]", ours: "V [127.0.0.1 80]"},
		diffCase{name: "HostEntry get_network_addresses ports", py: "he = io.HostEntry('localhost'); r = [a.port for a in he.get_network_addresses(80)]",
			got: localHE(func(he *HostEntry) string {
				var ports []any
				for _, a := range he.NetworkAddresses(80) {
					ports = append(ports, a.Port())
				}
				return pyList(ports...)
			}), compat: compatHostEntryPort, orig: "V [0]", ours: "V [80]"},
		diffCase{name: "HostEntry index out of range", py: "he = io.HostEntry('localhost'); r = he[3]",
			got:    localHE(func(he *HostEntry) string { _, err := he.At(3); return res(nil, err) }),
			compat: compatAt, orig: "X IndexError", ours: "E PR_INVALID_ARGUMENT_ERROR"},
		diffCase{name: "HostEntry str", py: "r = str(io.HostEntry('localhost'))",
			got:    localHE(func(he *HostEntry) string { return val(he.String()) }),
			compat: compatString, orig: "V name=localhost family=PR_AF_INET aliases=() addresses=(127.0.0.1)",
			ours: "V name=localhost family=PR_AF_INET aliases=() addresses=(127.0.0.1:0)"},
	)
	return cs
}

// pyStalled fills the backlog of listener l (port p) so that a handshake
// with it stalls, as stalledConnect does.
const pyStalled = "l = io.Socket(); l.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0)); l.listen(1); p = l.get_sock_name().port; a = io.NetworkAddress(io.PR_IpAddrLoopback, p); q = []\n" +
	"for i in range(16):\n" +
	"    q.append(io.Socket())\n" +
	"    try: q[-1].connect(a, io.milliseconds_to_interval(100))\n" +
	"    except Exception: break\n"

// pyPollWrite waits up to 5 s for socket c to be writable.
const pyPollWrite = "io.Socket.poll([(c, io.PR_POLL_WRITE)], io.seconds_to_interval(5)); "

// nonblockingDiffCases cover non-blocking mode and connecting again.
func nonblockingDiffCases() []diffCase {
	const pyNB = "io.PR_SockOpt_Nonblocking, True"
	const pyTwo = pyListen + "l2 = io.Socket(); l2.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0)); l2.listen(); p2 = l2.get_sock_name().port; "
	// twoListeners runs f with a fresh client c and two listeners' addresses.
	twoListeners := func(f func(c *Socket, a, b NetworkAddress) string) func() string {
		return func() string {
			l1, a, err := diffListen()
			if err != nil {
				return res(nil, err)
			}
			defer l1.Close()
			l2, b, err := diffListen()
			if err != nil {
				return res(nil, err)
			}
			defer l2.Close()
			c, _ := NewSocket(AFInet, DescSocketTCP)
			defer c.Close()
			return f(c, a, b)
		}
	}
	writable := func(s *Socket) PollFlags {
		fd, _ := s.Fileno()
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
		if n, _ := unix.Poll(pfd, 5000); n == 1 && pfd[0].Revents&unix.POLLOUT != 0 {
			return PollWrite
		}
		return 0
	}
	nb := func(s *Socket) *Socket { s.SetNonblocking(true); return s }
	wait := SecondsToInterval(5)
	cs := []diffCase{
		{name: "non-blocking flag default", py: "s = io.Socket(); r = s.get_socket_option(io.PR_SockOpt_Nonblocking)",
			got: func() string { s, _ := NewSocket(AFInet, DescSocketTCP); defer s.Close(); return res(s.Nonblocking()) }},
		{name: "non-blocking recv", py: pyConn + "c.set_socket_option(" + pyNB + "); r = c.recv(5)",
			got: diffConn(func(c, s *Socket) string { _, err := nb(c).Recv(make([]byte, 5), wait); return res(nil, err) })},
		{name: "non-blocking recv with data", py: pyConn + "c.set_socket_option(" + pyNB + "); s.send(b'abc'); " + "io.Socket.poll([(c, io.PR_POLL_READ)], io.seconds_to_interval(5)); r = c.recv(5)",
			got: diffConn(func(c, s *Socket) string {
				s.Send([]byte("abc"), wait)
				fd, _ := c.Fileno()
				unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, 5000)
				b := make([]byte, 5)
				n, err := nb(c).Recv(b, wait)
				return res(b[:n], err)
			})},
		{name: "non-blocking accept", py: pyListen + "l.set_socket_option(" + pyNB + "); r = l.accept()",
			got: func() string {
				l, _, err := diffListen()
				if err != nil {
					return res(nil, err)
				}
				defer l.Close()
				_, _, err = nb(l).Accept(wait)
				return res(nil, err)
			}},
		{name: "non-blocking udp recv_from", py: "u = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP); u.bind(" + pyLoopback("0") + "); u.set_socket_option(" + pyNB + "); r = u.recv_from(10, io.NetworkAddress())",
			got: func() string {
				u, _ := NewSocket(AFInet, DescSocketUDP)
				defer u.Close()
				u.Bind(loopback(AFInet, 0))
				_, _, err := nb(u).RecvFrom(make([]byte, 10), wait)
				return res(nil, err)
			}},
		{name: "non-blocking send until full", py: pyConn + "c.set_socket_option(" + pyNB + "); c.set_socket_option(io.PR_SockOpt_SendBufferSize, 4096)\nfor i in range(10000): c.send(b'x' * 65536)",
			got: diffConn(func(c, s *Socket) string {
				nb(c).SetSendBufferSize(4096)
				for range 10000 {
					if _, err := c.Send(make([]byte, 65536), wait); err != nil {
						return res(nil, err)
					}
				}
				return val(nil)
			})},
		{name: "non-blocking connect", py: pyListen + "c = io.Socket(); c.set_socket_option(" + pyNB + "); r = c.connect(" + pyLoopback("p") + ")",
			got: twoListeners(func(c *Socket, a, b NetworkAddress) string { return res(nil, nb(c).Connect(a, wait)) })},
		{name: "non-blocking connect, poll, connect again", py: pyListen + "c = io.Socket(); c.set_socket_option(" + pyNB + ")\ntry: c.connect(" + pyLoopback("p") + ")\nexcept Exception: pass\n" + pyPollWrite + "r = c.connect(" + pyLoopback("p") + ")",
			got: twoListeners(func(c *Socket, a, b NetworkAddress) string {
				nb(c).Connect(a, wait)
				writable(c)
				return res(nil, c.Connect(a, wait))
			})},
		{name: "non-blocking connect, poll, ConnectContinue", py: pyListen + "c = io.Socket(); c.set_socket_option(" + pyNB + ")\ntry: c.connect(" + pyLoopback("p") + ")\nexcept Exception: pass\n" + pyPollWrite + "r = c.connect(" + pyLoopback("p") + ")",
			got: twoListeners(func(c *Socket, a, b NetworkAddress) string {
				nb(c).Connect(a, wait)
				return res(nil, c.ConnectContinue(writable(c)))
			})},
		{name: "non-blocking connect a third time", py: pyListen + "c = io.Socket(); c.set_socket_option(" + pyNB + ")\ntry: c.connect(" + pyLoopback("p") + ")\nexcept Exception: pass\n" + pyPollWrite + "c.connect(" + pyLoopback("p") + "); r = c.connect(" + pyLoopback("p") + ")",
			got: twoListeners(func(c *Socket, a, b NetworkAddress) string {
				nb(c).Connect(a, wait)
				writable(c)
				c.Connect(a, wait)
				return res(nil, c.Connect(a, wait))
			})},
		{name: "non-blocking connect while the handshake stalls", py: pyStalled + "c = io.Socket(); c.set_socket_option(" + pyNB + ")\ntry: c.connect(a)\nexcept Exception: pass\nr = c.connect(a)",
			got: stalledClient(func(c *Socket, a NetworkAddress) string {
				nb(c).Connect(a, wait)
				return res(nil, c.Connect(a, wait))
			})},
		{name: "connect after a timed-out connect", py: pyStalled + "c = io.Socket()\ntry: c.connect(a, io.milliseconds_to_interval(50))\nexcept Exception: pass\nr = c.connect(a, io.PR_INTERVAL_NO_WAIT)",
			got: stalledClient(func(c *Socket, a NetworkAddress) string {
				c.Connect(a, MillisecondsToInterval(50))
				return res(nil, c.Connect(a, IntervalNoWait))
			})},
		{name: "connect again, same peer", py: pyTwo + "c = io.Socket(); c.connect(" + pyLoopback("p") + "); r = c.connect(" + pyLoopback("p") + ")",
			got: twoListeners(func(c *Socket, a, b NetworkAddress) string {
				c.Connect(a, wait)
				return res(nil, c.Connect(a, wait))
			}), compat: compatConnected, orig: "V None", ours: "E PR_IS_CONNECTED_ERROR"},
		{name: "connect again, other peer", py: pyTwo + "c = io.Socket(); c.connect(" + pyLoopback("p") + "); r = c.connect(" + pyLoopback("p2") + ")",
			got: twoListeners(func(c *Socket, a, b NetworkAddress) string {
				c.Connect(a, wait)
				return res(nil, c.Connect(b, wait))
			}), compat: compatConnected, orig: "V None", ours: "E PR_IS_CONNECTED_ERROR"},
		{name: "connect again, peer kept", py: pyTwo + "c = io.Socket(); c.connect(" + pyLoopback("p") + ")\ntry: c.connect(" + pyLoopback("p2") + ")\nexcept Exception: pass\nr = c.get_peer_name().port == p",
			got: twoListeners(func(c *Socket, a, b NetworkAddress) string {
				c.Connect(a, wait)
				c.Connect(b, wait)
				peer, err := c.PeerName()
				return res(peer.Port() == a.Port(), err)
			})},
		{name: "connect a third time", py: pyTwo + "c = io.Socket(); c.connect(" + pyLoopback("p") + ")\ntry: c.connect(" + pyLoopback("p") + ")\nexcept Exception: pass\nr = c.connect(" + pyLoopback("p") + ")",
			got: twoListeners(func(c *Socket, a, b NetworkAddress) string {
				c.Connect(a, wait)
				c.Connect(a, wait)
				return res(nil, c.Connect(a, wait))
			})},
		{name: "udp connect to another peer", py: "u = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP); u.connect(" + pyLoopback("7") + "); u.connect(" + pyLoopback("9") + "); r = u.get_peer_name().port",
			got: func() string {
				u, _ := NewSocket(AFInet, DescSocketUDP)
				defer u.Close()
				u.Connect(loopback(AFInet, 7), wait)
				u.Connect(loopback(AFInet, 9), wait)
				peer, err := u.PeerName()
				return res(peer.Port(), err)
			}},
	}
	return cs
}

// stalledClient runs f with a new TCP socket and the address of a listener
// whose backlog is full (see stalledConnect), then closes them all.
func stalledClient(f func(c *Socket, a NetworkAddress) string) func() string {
	return func() string {
		l, a, err := diffListen()
		if err != nil {
			return res(nil, err)
		}
		l.Listen(1)
		socks := []*Socket{l}
		defer func() {
			for _, s := range socks {
				s.Close()
			}
		}()
		for range 16 {
			c, _ := NewSocket(AFInet, DescSocketTCP)
			socks = append(socks, c)
			if c.Connect(a, MillisecondsToInterval(100)) != nil {
				break
			}
		}
		c, _ := NewSocket(AFInet, DescSocketTCP)
		socks = append(socks, c)
		return f(c, a)
	}
}

// optRes formats an option's value as run.py prints the original's.
func optRes(v OptionValue, err error) string {
	if err != nil {
		return res(nil, err)
	}
	switch x := v.(type) {
	case Bool:
		return val(bool(x))
	case Size:
		return val(int(x))
	case TTL:
		return val(int(x))
	case TOS:
		return val(int(x))
	case Linger:
		return pyList(x.On, uint32(x.Interval))
	case NetworkAddress:
		return val("NetworkAddress") // the original's cannot be printed
	}
	return fmt.Sprintf("X %T", v)
}

// optionDiffCases get every option, and set each to valid and invalid
// values, on TCP and UDP sockets of both families. McastInterface is
// compared by type: the original's address is uninitialised memory, which
// prints differently from run to run (docs/compat.md).
func optionDiffCases() []diffCase {
	var cs []diffCase
	group, _ := NewNetworkAddress("224.0.0.251", 0, AFInet)
	lo, _ := NewNetworkAddress("127.0.0.1", 0, AFInet)
	far, _ := NewNetworkAddress("203.0.113.1", 0, AFInet)
	lo6, _ := NewNetworkAddress("::1", 0, AFInet6)
	sets := []struct {
		name string
		py   string // the arguments of set_socket_option
		opt  SockOpt
		v    OptionValue
		read bool // read the option back
	}{
		{"Nonblocking true", "io.PR_SockOpt_Nonblocking, True", SockOptNonblocking, Bool(true), true},
		{"Linger 5 s", "io.PR_SockOpt_Linger, True, io.seconds_to_interval(5)", SockOptLinger, Linger{true, SecondsToInterval(5)}, true},
		{"Linger 1500 ms", "io.PR_SockOpt_Linger, True, io.milliseconds_to_interval(1500)", SockOptLinger, Linger{true, MillisecondsToInterval(1500)}, true},
		{"Reuseaddr true", "io.PR_SockOpt_Reuseaddr, True", SockOptReuseAddr, Bool(true), true},
		{"Keepalive true", "io.PR_SockOpt_Keepalive, True", SockOptKeepAlive, Bool(true), true},
		{"RecvBufferSize 4096", "io.PR_SockOpt_RecvBufferSize, 4096", SockOptRecvBufferSize, Size(4096), true},
		{"SendBufferSize 8192", "io.PR_SockOpt_SendBufferSize, 8192", SockOptSendBufferSize, Size(8192), true},
		{"IpTimeToLive 7", "io.PR_SockOpt_IpTimeToLive, 7", SockOptIPTimeToLive, TTL(7), true},
		{"IpTimeToLive 0", "io.PR_SockOpt_IpTimeToLive, 0", SockOptIPTimeToLive, TTL(0), true},
		{"IpTimeToLive 256", "io.PR_SockOpt_IpTimeToLive, 256", SockOptIPTimeToLive, TTL(256), true},
		{"IpTimeToLive -1", "io.PR_SockOpt_IpTimeToLive, -1", SockOptIPTimeToLive, TTL(-1), true},
		{"IpTypeOfService 16", "io.PR_SockOpt_IpTypeOfService, 16", SockOptIPTypeOfService, TOS(16), true},
		{"IpTypeOfService 256", "io.PR_SockOpt_IpTypeOfService, 256", SockOptIPTypeOfService, TOS(256), true},
		{"McastTimeToLive 5", "io.PR_SockOpt_McastTimeToLive, 5", SockOptMcastTimeToLive, TTL(5), true},
		{"McastTimeToLive 256", "io.PR_SockOpt_McastTimeToLive, 256", SockOptMcastTimeToLive, TTL(256), true},
		{"McastLoopback false", "io.PR_SockOpt_McastLoopback, False", SockOptMcastLoopback, Bool(false), true},
		{"NoDelay true", "io.PR_SockOpt_NoDelay, True", SockOptNoDelay, Bool(true), true},
		{"MaxSegment 1000", "io.PR_SockOpt_MaxSegment, 1000", SockOptMaxSegment, Size(1000), true},
		{"MaxSegment 1", "io.PR_SockOpt_MaxSegment, 1", SockOptMaxSegment, Size(1), true},
		{"Broadcast true", "io.PR_SockOpt_Broadcast, True", SockOptBroadcast, Bool(true), true},
		{"AddMember 224.0.0.251", "io.PR_SockOpt_AddMember, io.NetworkAddress('224.0.0.251'), io.NetworkAddress(io.PR_IpAddrAny)", SockOptAddMember, MulticastRequest{group, NetworkAddress{}}, false},
		{"AddMember 127.0.0.1", "io.PR_SockOpt_AddMember, io.NetworkAddress('127.0.0.1'), io.NetworkAddress(io.PR_IpAddrAny)", SockOptAddMember, MulticastRequest{lo, NetworkAddress{}}, false},
		{"DropMember not joined", "io.PR_SockOpt_DropMember, io.NetworkAddress('224.0.0.251'), io.NetworkAddress(io.PR_IpAddrAny)", SockOptDropMember, MulticastRequest{group, NetworkAddress{}}, false},
		{"McastInterface 127.0.0.1", "io.PR_SockOpt_McastInterface, io.NetworkAddress('127.0.0.1')", SockOptMcastInterface, lo, false},
		{"McastInterface not local", "io.PR_SockOpt_McastInterface, io.NetworkAddress('203.0.113.1')", SockOptMcastInterface, far, false},
		{"McastInterface ::1", "io.PR_SockOpt_McastInterface, io.NetworkAddress(io.PR_IpAddrLoopback, 0, io.PR_AF_INET6)", SockOptMcastInterface, lo6, false},
		{"unknown option 99", "99, True", 99, Bool(true), false},
		{"Reuseaddr of the wrong type", "io.PR_SockOpt_Reuseaddr, 'x'", SockOptReuseAddr, Size(1), false},
	}
	for _, family := range []Family{AFInet, AFInet6} {
		for _, typ := range []DescType{DescSocketTCP, DescSocketUDP} {
			pySock := fmt.Sprintf("s = io.Socket(%s, %d); ", pyFamily(family), typ)
			sock := func(f func(s *Socket) string) func() string {
				return func() string {
					s, err := NewSocket(family, typ)
					if err != nil {
						return res(nil, err)
					}
					defer s.Close()
					return f(s)
				}
			}
			where := fmt.Sprintf(" (%v %v)", family, typ)
			for opt := SockOptNonblocking; opt <= 17; opt++ {
				py := fmt.Sprintf("r = s.get_socket_option(%d)", opt)
				if opt == SockOptMcastInterface {
					py = fmt.Sprintf("r = type(s.get_socket_option(%d)).__name__", opt)
				}
				c := diffCase{name: "get " + opt.String() + where, py: pySock + py,
					got: sock(func(s *Socket) string { return optRes(s.GetSocketOption(opt)) })}
				switch {
				case opt == SockOptReusePort:
					c.compat, c.orig, c.ours = compatOptBeyond, "X ValueError", "V False"
				case opt == 17:
					c.compat, c.orig, c.ours = compatOptUnknown, "X ValueError", "E PR_INVALID_ARGUMENT_ERROR"
				case typ == DescSocketUDP && family == AFInet6 && (opt == SockOptNoDelay || opt == SockOptMaxSegment):
					c.compat, c.orig, c.ours = compatOptTCPOnUDP, "E PR_INVALID_ARGUMENT_ERROR", "E PR_NOT_TCP_SOCKET_ERROR"
				}
				cs = append(cs, c)
			}
			for _, st := range sets {
				py := pySock + "r = s.set_socket_option(" + st.py + ")"
				if st.read {
					py += fmt.Sprintf("; r = s.get_socket_option(%d)", st.opt)
				}
				c := diffCase{name: "set " + st.name + where, py: py,
					got: sock(func(s *Socket) string {
						if err := s.SetSocketOption(st.opt, st.v); err != nil || !st.read {
							return res(nil, err)
						}
						return optRes(s.GetSocketOption(st.opt))
					})}
				c.compat, c.orig, c.ours = optionSetDifference(st.name, family, typ)
				cs = append(cs, c)
			}
		}
	}
	return cs
}

// optionSetDifference returns the allowed difference of setting an option,
// the original's result and nspr's, for the set scenario name on family and
// typ.
func optionSetDifference(name string, family Family, typ DescType) (compat, orig, ours string) {
	const (
		invalid  = "E PR_INVALID_ARGUMENT_ERROR"
		overflow = "E PR_BUFFER_OVERFLOW_ERROR"
	)
	udp := typ == DescSocketUDP
	switch {
	case name == "unknown option 99":
		return compatOptUnknown, "X ValueError", invalid
	case name == "Reuseaddr of the wrong type":
		return compatOptValue, "X TypeError", invalid
	case name == "IpTimeToLive -1":
		return compatOptRange, "V 64", overflow
	case name == "IpTypeOfService 256":
		return compatOptRange, "V 0", overflow
	case name == "McastInterface ::1" && udp && family == AFInet:
		return compatOptIfFamily, "V None", invalid
	case name == "McastInterface ::1" && family == AFInet:
		return compatOptIfFamily, "E PR_BUFFER_OVERFLOW_ERROR", invalid
	case name == "McastInterface ::1" && !udp:
		return compatOptIPv6, "E PR_BUFFER_OVERFLOW_ERROR", invalid
	case name == "McastTimeToLive 256" && udp:
		return compatOptRange, "V 0", overflow
	case udp && (name == "NoDelay true" || name == "MaxSegment 1000" || name == "MaxSegment 1"):
		return compatOptTCPOnUDP, invalid, "E PR_NOT_TCP_SOCKET_ERROR"
	}
	return "", "", ""
}

// TestAllowListCitesCompat checks that every allowed difference cites a
// bullet of docs/compat.md: "Section: Term …" where a "## Section…" heading
// has a bullet whose bold term (without backquotes) begins Term.
func TestAllowListCitesCompat(t *testing.T) {
	doc, err := os.ReadFile("docs/compat.md")
	if err != nil {
		t.Fatal(err)
	}
	terms := map[string][]string{} // heading: bold terms of its bullets
	heading := ""
	for _, line := range strings.Split(string(doc), "\n") {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			heading = h
		}
		if rest, ok := strings.CutPrefix(line, "- **"); ok {
			if term, _, ok := strings.Cut(rest, "**"); ok {
				terms[heading] = append(terms[heading], strings.ReplaceAll(term, "`", ""))
			}
		}
	}
	cited := 0
	for _, c := range diffCases(t) {
		if c.compat == "" {
			continue
		}
		cited++
		section, text, _ := strings.Cut(c.compat, ": ")
		found := false
		for h, ts := range terms {
			for _, term := range ts {
				found = found || strings.HasPrefix(h, section) && strings.HasPrefix(text, term)
			}
		}
		if !found {
			t.Errorf("%s: allowed difference %q names no bullet of docs/compat.md", c.name, c.compat)
		}
	}
	if cited == 0 {
		t.Error("no allowed differences found")
	}
}
