package nspr

import (
	"strconv"
	"strings"
)

// Family is an NSPR address family (PRUint16 family in PRNetAddr). The values
// are NSPR's on Linux on every platform; the system layer translates them.
type Family int

// Address families (PR_AF_*).
const (
	AFUnspec Family = 0  // PR_AF_UNSPEC: any family
	AFLocal  Family = 1  // PR_AF_LOCAL: Unix-domain sockets with path addresses
	AFInet   Family = 2  // PR_AF_INET: IPv4
	AFInet6  Family = 10 // PR_AF_INET6: IPv6 (dual-stack sockets)
)

var familyNames = map[Family]string{
	AFUnspec: "PR_AF_UNSPEC",
	AFLocal:  "PR_AF_LOCAL",
	AFInet:   "PR_AF_INET",
	AFInet6:  "PR_AF_INET6",
}

// String returns the NSPR name of the family, or "unknown(0x3)" for a value
// NSPR has no name for, as the original's addr_family_name prints it.
func (f Family) String() string {
	if name, ok := familyNames[f]; ok {
		return name
	}
	return "unknown(0x" + strconv.FormatInt(int64(f), 16) + ")"
}

// AddrFamilyName returns the NSPR name of an address family
// (nss.io.addr_family_name).
func AddrFamilyName(f Family) string { return f.String() }

// DescType is the type of an NSPR file descriptor (PRDescType).
type DescType int

// Descriptor types (PR_DESC_*).
const (
	DescFile      DescType = 1 // PR_DESC_FILE
	DescSocketTCP DescType = 2 // PR_DESC_SOCKET_TCP: a stream socket
	DescSocketUDP DescType = 3 // PR_DESC_SOCKET_UDP: a datagram socket
	DescLayered   DescType = 4 // PR_DESC_LAYERED
	DescPipe      DescType = 5 // PR_DESC_PIPE
)

var descTypeNames = map[DescType]string{
	DescFile:      "PR_DESC_FILE",
	DescSocketTCP: "PR_DESC_SOCKET_TCP",
	DescSocketUDP: "PR_DESC_SOCKET_UDP",
	DescLayered:   "PR_DESC_LAYERED",
	DescPipe:      "PR_DESC_PIPE",
}

func (t DescType) String() string { return nameOr(descTypeNames, t, "PR_DESC") }

// SockOpt names a socket option (PRSockOption).
type SockOpt int

// Socket options (PR_SockOpt_*), with NSPR's numbering.
const (
	SockOptNonblocking     SockOpt = 0  // PR_SockOpt_Nonblocking: the logical non-blocking flag
	SockOptLinger          SockOpt = 1  // PR_SockOpt_Linger: SO_LINGER
	SockOptReuseAddr       SockOpt = 2  // PR_SockOpt_Reuseaddr: SO_REUSEADDR
	SockOptKeepAlive       SockOpt = 3  // PR_SockOpt_Keepalive: SO_KEEPALIVE
	SockOptRecvBufferSize  SockOpt = 4  // PR_SockOpt_RecvBufferSize: SO_RCVBUF
	SockOptSendBufferSize  SockOpt = 5  // PR_SockOpt_SendBufferSize: SO_SNDBUF
	SockOptIPTimeToLive    SockOpt = 6  // PR_SockOpt_IpTimeToLive: IP_TTL
	SockOptIPTypeOfService SockOpt = 7  // PR_SockOpt_IpTypeOfService: IP_TOS
	SockOptAddMember       SockOpt = 8  // PR_SockOpt_AddMember: join a multicast group
	SockOptDropMember      SockOpt = 9  // PR_SockOpt_DropMember: leave a multicast group
	SockOptMcastInterface  SockOpt = 10 // PR_SockOpt_McastInterface: IP_MULTICAST_IF
	SockOptMcastTimeToLive SockOpt = 11 // PR_SockOpt_McastTimeToLive: IP_MULTICAST_TTL
	SockOptMcastLoopback   SockOpt = 12 // PR_SockOpt_McastLoopback: IP_MULTICAST_LOOP
	SockOptNoDelay         SockOpt = 13 // PR_SockOpt_NoDelay: TCP_NODELAY
	SockOptMaxSegment      SockOpt = 14 // PR_SockOpt_MaxSegment: TCP_MAXSEG
	SockOptBroadcast       SockOpt = 15 // PR_SockOpt_Broadcast: SO_BROADCAST

	// Beyond python-nss. SockOptReusePort has NSPR's own number
	// (PR_SockOpt_Reuseport); the rest are numbered far from NSPR's so
	// they never meet a future PR_SockOpt_*.
	SockOptReusePort         SockOpt = 16  // PR_SockOpt_Reuseport: SO_REUSEPORT
	SockOptKeepAliveIdle     SockOpt = 256 // TCP_KEEPIDLE: idle time before the first keep-alive probe
	SockOptKeepAliveInterval SockOpt = 257 // TCP_KEEPINTVL: time between keep-alive probes
	SockOptKeepAliveCount    SockOpt = 258 // TCP_KEEPCNT: unanswered probes before the connection drops
	SockOptIPv6Only          SockOpt = 259 // IPV6_V6ONLY: an AFInet6 socket without IPv4 peers
)

// Old spellings of SockOptReuseAddr and SockOptKeepAlive, from before the
// names took the capitals of SetReuseAddr, KeepAlive and their siblings.
const (
	// Deprecated: use SockOptReuseAddr.
	SockOptReuseaddr = SockOptReuseAddr
	// Deprecated: use SockOptKeepAlive.
	SockOptKeepalive = SockOptKeepAlive
)

var sockOptNames = map[SockOpt]string{
	SockOptNonblocking:     "PR_SockOpt_Nonblocking",
	SockOptLinger:          "PR_SockOpt_Linger",
	SockOptReuseAddr:       "PR_SockOpt_Reuseaddr",
	SockOptKeepAlive:       "PR_SockOpt_Keepalive",
	SockOptRecvBufferSize:  "PR_SockOpt_RecvBufferSize",
	SockOptSendBufferSize:  "PR_SockOpt_SendBufferSize",
	SockOptIPTimeToLive:    "PR_SockOpt_IpTimeToLive",
	SockOptIPTypeOfService: "PR_SockOpt_IpTypeOfService",
	SockOptAddMember:       "PR_SockOpt_AddMember",
	SockOptDropMember:      "PR_SockOpt_DropMember",
	SockOptMcastInterface:  "PR_SockOpt_McastInterface",
	SockOptMcastTimeToLive: "PR_SockOpt_McastTimeToLive",
	SockOptMcastLoopback:   "PR_SockOpt_McastLoopback",
	SockOptNoDelay:         "PR_SockOpt_NoDelay",
	SockOptMaxSegment:      "PR_SockOpt_MaxSegment",
	SockOptBroadcast:       "PR_SockOpt_Broadcast",

	SockOptReusePort:         "PR_SockOpt_Reuseport",
	SockOptKeepAliveIdle:     "SockOptKeepAliveIdle",
	SockOptKeepAliveInterval: "SockOptKeepAliveInterval",
	SockOptKeepAliveCount:    "SockOptKeepAliveCount",
	SockOptIPv6Only:          "SockOptIPv6Only",
}

func (o SockOpt) String() string { return nameOr(sockOptNames, o, "PR_SockOpt") }

// ShutdownHow says which directions Shutdown closes (PRShutdownHow).
type ShutdownHow int

// Shutdown directions (PR_SHUTDOWN_*).
const (
	ShutdownRcv  ShutdownHow = 0 // PR_SHUTDOWN_RCV: no more receives
	ShutdownSend ShutdownHow = 1 // PR_SHUTDOWN_SEND: no more sends (the peer reads EOF)
	ShutdownBoth ShutdownHow = 2 // PR_SHUTDOWN_BOTH: neither
)

var shutdownNames = map[ShutdownHow]string{
	ShutdownRcv:  "PR_SHUTDOWN_RCV",
	ShutdownSend: "PR_SHUTDOWN_SEND",
	ShutdownBoth: "PR_SHUTDOWN_BOTH",
}

func (h ShutdownHow) String() string { return nameOr(shutdownNames, h, "PR_SHUTDOWN") }

// AIFlags are the flags of PR_GetAddrInfoByName (PR_AI_*).
type AIFlags int

// Address-information flags (PR_AI_*).
const (
	AIAll         AIFlags = 0x08                      // PR_AI_ALL
	AIV4Mapped    AIFlags = 0x10                      // PR_AI_V4MAPPED
	AIAddrConfig  AIFlags = 0x20                      // PR_AI_ADDRCONFIG: only families configured on the host
	AINoCanonName AIFlags = 0x8000                    // PR_AI_NOCANONNAME: do not look up the canonical name
	AIDefault     AIFlags = AIV4Mapped | AIAddrConfig // PR_AI_DEFAULT
)

var aiFlagNames = []flagName[AIFlags]{
	{AIAll, "PR_AI_ALL"},
	{AIV4Mapped, "PR_AI_V4MAPPED"},
	{AIAddrConfig, "PR_AI_ADDRCONFIG"},
	{AINoCanonName, "PR_AI_NOCANONNAME"},
}

// String returns "PR_AI_DEFAULT" for that exact value, else the NSPR names of
// the bits joined by "|".
func (f AIFlags) String() string {
	if f == AIDefault {
		return "PR_AI_DEFAULT"
	}
	return joinFlagNames(f, aiFlagNames, func(rest AIFlags) string { return strconv.FormatInt(int64(rest), 16) })
}

// flagName is the NSPR name of one bit of a flag type.
type flagName[F ~int | ~int16] struct {
	flag F
	name string
}

// joinFlagNames returns the names of f's bits joined by "|", "0" for none;
// bits without a name follow as one "0x" number, written by hex.
func joinFlagNames[F ~int | ~int16](f F, names []flagName[F], hex func(F) string) string {
	if f == 0 {
		return "0"
	}
	var out []string
	rest := f
	for _, p := range names {
		if f&p.flag != 0 {
			out = append(out, p.name)
			rest &^= p.flag
		}
	}
	if rest != 0 {
		out = append(out, "0x"+hex(rest))
	}
	return strings.Join(out, "|")
}

// IPAddrSpecial selects one of NSPR's logical addresses (PRNetAddrValue) when
// building a NetworkAddress.
type IPAddrSpecial int

// Logical addresses (PR_IpAddr*).
const (
	IPAddrNull     IPAddrSpecial = 0 // PR_IpAddrNull: leave the address unset, set only the port
	IPAddrAny      IPAddrSpecial = 1 // PR_IpAddrAny: the wildcard address (INADDR_ANY / ::)
	IPAddrLoopback IPAddrSpecial = 2 // PR_IpAddrLoopback: 127.0.0.1 / ::1
	IPAddrV4Mapped IPAddrSpecial = 3 // PR_IpAddrV4Mapped: an IPv4-mapped IPv6 address
)

var ipAddrNames = map[IPAddrSpecial]string{
	IPAddrNull:     "PR_IpAddrNull",
	IPAddrAny:      "PR_IpAddrAny",
	IPAddrLoopback: "PR_IpAddrLoopback",
	IPAddrV4Mapped: "PR_IpAddrV4Mapped",
}

func (v IPAddrSpecial) String() string { return nameOr(ipAddrNames, v, "PR_IpAddr") }

// nameOr looks a constant up in its name table, falling back to
// "PREFIX(n)" so that a bad value still prints recognisably.
func nameOr[K ~int](names map[K]string, k K, prefix string) string {
	if name, ok := names[k]; ok {
		return name
	}
	return prefix + "(" + strconv.Itoa(int(k)) + ")"
}
