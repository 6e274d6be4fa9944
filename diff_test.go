//go:build linux

package nspr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The differential suite runs each scenario through the original (Debian's
// python3-nss, as testdata/diff/run.py) and through nspr and compares the
// results: "V value" for a value, "E PR_NAME" for an error. Scenarios that
// cannot crash the original share one Python process; those touching
// sockets run one process each, because the original segfaults on misuse.
//
// A scenario whose results differ on purpose names the docs/compat.md bullet
// that allows it and states both sides' results, so the test also notices
// when the difference disappears.

// diffCase is one scenario.
type diffCase struct {
	name     string
	py       string        // Python code assigning the result to r (io is nss.io)
	got      func() string // the same through nspr
	isolated bool          // run in its own Python process
	compat   string        // the docs/compat.md bullet allowing a difference
	orig     string        // the original's result where compat is set
	ours     string        // nspr's result where compat is set
}

// val formats a value as run.py does.
func val(v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "V True"
		}
		return "V False"
	case []byte:
		return "V " + string(x)
	case nil:
		return "V None"
	}
	return fmt.Sprint("V ", v)
}

// res formats a value or an error.
func res(v any, err error) string {
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return "E " + e.Code.String()
		}
		return "X " + err.Error()
	}
	return val(v)
}

// runOriginal runs the snippets in one Python process.
func runOriginal(t *testing.T, snippets []string) []string {
	t.Helper()
	return runPython(t, snippets, snippets, 20*time.Second)
}

// runIsolated runs each snippet in a Python process of its own, forked by
// run.py after it has loaded the original, which saves starting hundreds of
// interpreters.
func runIsolated(t *testing.T, snippets []string) []string {
	t.Helper()
	req := struct {
		Isolate  bool     `json:"isolate"`
		Snippets []string `json:"snippets"`
	}{true, snippets}
	return runPython(t, req, snippets, 5*time.Minute)
}

// runPython sends req to run.py and returns one result per snippet.
func runPython(t *testing.T, req any, snippets []string, limit time.Duration) []string {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, pythonNSS, "testdata/diff/run.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := fmt.Sprintf("CRASH %v", err)
		results := make([]string, len(snippets))
		for i := range results {
			results[i] = msg
		}
		return results
	}
	var results []string
	if err := json.Unmarshal(out, &results); err != nil || len(results) != len(snippets) {
		t.Fatalf("run.py: %v (%d results for %d snippets): %s", err, len(results), len(snippets), stderr.String())
	}
	return results
}

func TestDifferential(t *testing.T) {
	if err := exec.Command(pythonNSS, "-c", "import nss.io").Run(); err != nil {
		t.Skipf("python3-nss not installed (%s -c 'import nss.io': %v); .ci/run installs it", pythonNSS, err)
	}
	cases := diffCases(t)
	var batch []string
	var batchIdx []int
	for i, c := range cases {
		if !c.isolated {
			batch = append(batch, c.py)
			batchIdx = append(batchIdx, i)
		}
	}
	results := make([]string, len(cases))
	for j, r := range runOriginal(t, batch) {
		results[batchIdx[j]] = r
	}
	var isolated []string
	var isolatedIdx []int
	for i, c := range cases {
		if c.isolated {
			isolated = append(isolated, c.py)
			isolatedIdx = append(isolatedIdx, i)
		}
	}
	for j, r := range runIsolated(t, isolated) {
		results[isolatedIdx[j]] = r
	}
	allowed := 0
	for i, c := range cases {
		orig, ours := results[i], c.got()
		switch {
		case c.compat == "" && orig != ours:
			t.Errorf("%s: original %q, nspr %q\n\tpython: %s", c.name, orig, ours, c.py)
		case c.compat != "" && (orig != c.orig || ours != c.ours || ours == orig):
			t.Errorf("%s: allowed difference (%s) changed: original %q (listed %q), nspr %q (listed %q)", c.name, c.compat, orig, c.orig, ours, c.ours)
		case c.compat != "":
			allowed++
		}
	}
	t.Logf("%d scenarios, %d deliberate differences (docs/compat.md)", len(cases), allowed)
	if len(cases) < 150 {
		t.Errorf("%d scenarios, want at least 150", len(cases))
	}
}

// lastProtocol is what the original returns for an unknown protocol name:
// the number of the last entry of the protocols(5) file at path, the one
// glibc's scan left behind ("V 262" on Debian, whose last entry is mptcp).
func lastProtocol(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "no protocols database: " + err.Error()
	}
	last := "no entry in " + path
	for line := range strings.Lines(string(data)) {
		line, _, _ = strings.Cut(line, "#")
		if f := strings.Fields(line); len(f) >= 2 {
			last = "V " + f[1]
		}
	}
	return last
}

func TestLastProtocol(t *testing.T) {
	if got := lastProtocol("testdata/protocols"); got != "V 200" {
		t.Errorf("lastProtocol(testdata/protocols) = %q, want %q", got, "V 200")
	}
}

// Bullets of docs/compat.md cited by the allow-list.
const (
	compatByteOrder = "Foundation: Byte order (unsigned)"
	compatProtocols = "Foundation: Protocols (unknown is PR_DIRECTORY_LOOKUP_ERROR)"
	compatClosed    = "Sockets: Closed sockets (PR_BAD_DESCRIPTOR_ERROR)"
	compatRefused   = "Sockets: Connection refused (PR_CONNECT_REFUSED_ERROR)"
	compatRecvFrom  = "Sockets: RecvFrom on a TCP socket"
	compatString    = "Addresses: NetworkAddress.String() prints the port"
	compatPorts     = "Addresses: Ports outside 0-65535 are PR_INVALID_ARGUMENT_ERROR"
	compatHostname  = "Addresses: Equality (Hostname() of a numeric address is its text)"
	compatNoLoss    = "Reading lines: No byte is lost"
	compatReadLines = "Reading lines: ReadLines has no trailing empty line"
	compatLineDgram = "Reading lines: Datagram sockets"
	compatMakeFile  = "Reading lines: MakeFile honours the mode"
)

func diffCases(t *testing.T) []diffCase {
	var cs []diffCase
	add := func(c diffCase) { cs = append(cs, c) }

	// Constants: all 47 values.
	for _, k := range []struct {
		py string
		v  fmtInt
	}{
		{"PR_AF_UNSPEC", AFUnspec}, {"PR_AF_LOCAL", AFLocal}, {"PR_AF_INET", AFInet}, {"PR_AF_INET6", AFInet6},
		{"PR_AI_ALL", AIAll}, {"PR_AI_V4MAPPED", AIV4Mapped}, {"PR_AI_ADDRCONFIG", AIAddrConfig},
		{"PR_AI_NOCANONNAME", AINoCanonName}, {"PR_AI_DEFAULT", AIDefault},
		{"PR_DESC_FILE", DescFile}, {"PR_DESC_SOCKET_TCP", DescSocketTCP}, {"PR_DESC_SOCKET_UDP", DescSocketUDP},
		{"PR_DESC_LAYERED", DescLayered}, {"PR_DESC_PIPE", DescPipe},
		{"PR_INTERVAL_NO_WAIT", IntervalNoWait}, {"PR_INTERVAL_NO_TIMEOUT", IntervalNoTimeout},
		{"PR_INTERVAL_MIN", IntervalMin}, {"PR_INTERVAL_MAX", IntervalMax},
		{"PR_IpAddrNull", IPAddrNull}, {"PR_IpAddrAny", IPAddrAny}, {"PR_IpAddrLoopback", IPAddrLoopback},
		{"PR_IpAddrV4Mapped", IPAddrV4Mapped},
		{"PR_POLL_READ", PollRead}, {"PR_POLL_WRITE", PollWrite}, {"PR_POLL_EXCEPT", PollExcept},
		{"PR_POLL_ERR", PollErr}, {"PR_POLL_NVAL", PollNval}, {"PR_POLL_HUP", PollHup},
		{"PR_SHUTDOWN_RCV", ShutdownRcv}, {"PR_SHUTDOWN_SEND", ShutdownSend}, {"PR_SHUTDOWN_BOTH", ShutdownBoth},
		{"PR_SockOpt_Nonblocking", SockOptNonblocking}, {"PR_SockOpt_Linger", SockOptLinger},
		{"PR_SockOpt_Reuseaddr", SockOptReuseaddr}, {"PR_SockOpt_Keepalive", SockOptKeepalive},
		{"PR_SockOpt_RecvBufferSize", SockOptRecvBufferSize}, {"PR_SockOpt_SendBufferSize", SockOptSendBufferSize},
		{"PR_SockOpt_IpTimeToLive", SockOptIPTimeToLive}, {"PR_SockOpt_IpTypeOfService", SockOptIPTypeOfService},
		{"PR_SockOpt_AddMember", SockOptAddMember}, {"PR_SockOpt_DropMember", SockOptDropMember},
		{"PR_SockOpt_McastInterface", SockOptMcastInterface}, {"PR_SockOpt_McastTimeToLive", SockOptMcastTimeToLive},
		{"PR_SockOpt_McastLoopback", SockOptMcastLoopback}, {"PR_SockOpt_NoDelay", SockOptNoDelay},
		{"PR_SockOpt_MaxSegment", SockOptMaxSegment}, {"PR_SockOpt_Broadcast", SockOptBroadcast},
	} {
		add(diffCase{name: k.py, py: "r = io." + k.py, got: func() string { return val(k.v.toInt64()) }})
	}

	// Family names.
	for _, f := range []Family{AFUnspec, AFLocal, AFInet, AFInet6} {
		add(diffCase{name: "addr_family_name " + f.String(), py: fmt.Sprintf("r = io.addr_family_name(%d)", f),
			got: func() string { return val(AddrFamilyName(f)) }})
	}

	// Intervals.
	add(diffCase{name: "ticks_per_second", py: "r = io.ticks_per_second()", got: func() string { return val(TicksPerSecond()) }})
	intervalFns := []struct {
		py   string
		fn   func(uint32) uint32
		args []uint32
	}{
		{"seconds_to_interval", secs, []uint32{0, 1, 2, 4294, 4294967, 4294968, 4294969}},
		{"milliseconds_to_interval", millis, []uint32{0, 1, 999, 1000, 4294967295}},
		{"microseconds_to_interval", micros, []uint32{0, 499, 500, 1500, 4294967295}},
		{"interval_to_seconds", toSecs, []uint32{0, 999, 1000, 4294967295}},
		{"interval_to_milliseconds", toMillis, []uint32{0, 1, 4294967295}},
		{"interval_to_microseconds", toMicros, []uint32{0, 1, 4294967, 4294968}},
	}
	for _, f := range intervalFns {
		for _, a := range f.args {
			add(diffCase{name: fmt.Sprintf("%s(%d)", f.py, a), py: fmt.Sprintf("r = io.%s(%d)", f.py, a),
				got: func() string { return val(f.fn(a)) }})
		}
	}

	// Byte order: 16-bit results agree; 32-bit ones agree below 2^31.
	for _, x := range []uint16{0, 1, 255, 256, 0x1234, 0xffff} {
		add(diffCase{name: fmt.Sprintf("htons(%d)", x), py: fmt.Sprintf("r = io.htons(%d)", x), got: func() string { return val(Htons(x)) }})
		add(diffCase{name: fmt.Sprintf("ntohs(%d)", x), py: fmt.Sprintf("r = io.ntohs(%d)", x), got: func() string { return val(Ntohs(x)) }})
	}
	for _, x := range []uint32{0, 1, 0x7f, 0x12345678, 0x7fffffff} {
		for _, f := range []struct {
			py string
			fn func(uint32) uint32
		}{{"htonl", Htonl}, {"ntohl", Ntohl}} {
			c := diffCase{name: fmt.Sprintf("%s(%#x)", f.py, x), py: fmt.Sprintf("r = io.%s(%d)", f.py, x), got: func() string { return val(f.fn(x)) }}
			if f.fn(x) >= 1<<31 {
				c.compat, c.orig, c.ours = compatByteOrder, val(int32(f.fn(x))), val(bits.ReverseBytes32(x))
			}
			add(c)
		}
	}

	// Protocols.
	for _, name := range []string{"ip", "icmp", "tcp", "udp", "ipv6-icmp", "TCP", "IPv6-ICMP"} {
		add(diffCase{name: "get_proto_by_name " + name, py: fmt.Sprintf("r = io.get_proto_by_name(%q)", name),
			got: func() string { return res(GetProtoByName(name)) }})
	}
	for _, n := range []int{0, 1, 6, 17, 58} {
		add(diffCase{name: fmt.Sprintf("get_proto_by_number %d", n), py: fmt.Sprintf("r = io.get_proto_by_number(%d)[0]", n),
			got: func() string { name, _, err := GetProtoByNumber(n); return res(name, err) }})
	}
	add(diffCase{name: "get_proto_by_name unknown", py: `r = io.get_proto_by_name("nonexistent")`,
		got: func() string { return res(GetProtoByName("nonexistent")) }, compat: compatProtocols, orig: lastProtocol("/etc/protocols"), ours: "E PR_DIRECTORY_LOOKUP_ERROR"})

	// Addresses, numeric only.
	type addrCase struct {
		host   string
		port   uint16
		family Family
	}
	for _, a := range []addrCase{
		{"127.0.0.1", 80, AFInet}, {"127.0.0.2", 0, AFInet}, {"10.1.2.3", 65535, AFInet},
		{"::1", 443, AFInet6}, {"fe80::1", 1, AFInet6}, {"::ffff:127.0.0.1", 8, AFInet6},
	} {
		py := fmt.Sprintf("a = io.NetworkAddress(%q, %d, %d)", a.host, a.port, a.family)
		na := func() (NetworkAddress, error) { return NewNetworkAddress(a.host, a.port, a.family) }
		add(diffCase{name: "address port " + a.host, py: py + "; r = a.port",
			got: func() string { x, err := na(); return res(x.Port(), err) }})
		add(diffCase{name: "address family " + a.host, py: py + "; r = a.family",
			got: func() string { x, err := na(); return res(int(x.Family()), err) }})
		add(diffCase{name: "address text " + a.host, py: py + "; r = a.address",
			got: func() string { x, err := na(); return res(x.Address(), err) }})
		add(diffCase{name: "address str " + a.host, py: py + "; r = str(a)",
			got:    func() string { x, err := na(); return res(x.String(), err) },
			compat: compatString, orig: val(a.host), ours: val(net.JoinHostPort(a.host, strconv.Itoa(int(a.port))))})
	}
	for _, s := range []struct {
		v      IPAddrSpecial
		family Family
		want   string
	}{
		{IPAddrAny, AFInet, "0.0.0.0"}, {IPAddrLoopback, AFInet, "127.0.0.1"},
		{IPAddrAny, AFInet6, "::"}, {IPAddrLoopback, AFInet6, "::1"},
	} {
		py := fmt.Sprintf("a = io.NetworkAddress(%d, 7, %d)", s.v, s.family)
		na := func() (NetworkAddress, error) { return NewNetworkAddressSpecial(s.v, 7, s.family) }
		add(diffCase{name: "special address " + s.want, py: py + "; r = a.address",
			got: func() string { x, err := na(); return res(x.Address(), err) }})
		add(diffCase{name: "special port " + s.want, py: py + "; r = a.port",
			got: func() string { x, err := na(); return res(x.Port(), err) }})
		add(diffCase{name: "special hostname " + s.want, py: py + "; r = a.hostname",
			got: func() string { x, err := na(); return res(x.Hostname(), err) }, compat: compatHostname, orig: "V None", ours: val(s.want)})
	}
	add(diffCase{name: "V4Mapped with AF_INET", py: fmt.Sprintf("r = io.NetworkAddress(%d, 0, %d)", IPAddrV4Mapped, AFInet),
		got: func() string { return res(NewNetworkAddressSpecial(IPAddrV4Mapped, 0, AFInet)) }})
	add(diffCase{name: "port 70000", py: `a = io.NetworkAddress("127.0.0.1", 0); a.port = 70000; r = a.port`,
		got: func() string {
			a, err := NewNetworkAddress("127.0.0.1", 0, AFInet)
			if err == nil {
				err = a.SetPort(70000)
			}
			return res(a.Port(), err)
		}, compat: compatPorts, orig: "V 4464", ours: "E PR_INVALID_ARGUMENT_ERROR"})

	cs = append(cs, socketDiffCases(t)...)
	more := append(resolverDiffCases(t), nonblockingDiffCases()...)
	for _, c := range append(more, optionDiffCases()...) {
		c.isolated = true
		cs = append(cs, c)
	}
	return cs
}

// pyLoopback builds the original's loopback address with port expression p.
func pyLoopback(p string) string { return "io.NetworkAddress(io.PR_IpAddrLoopback, " + p + ")" }

// pyListen opens the original's listener l on loopback port p; pyConn adds
// a connected client c and its server side s.
const (
	pyListen = "l = io.Socket(); l.bind(" + "io.NetworkAddress(io.PR_IpAddrLoopback, 0)" + "); l.listen(); p = l.get_sock_name().port; "
	pyConn   = pyListen + "c = io.Socket(); c.connect(io.NetworkAddress(io.PR_IpAddrLoopback, p)); s, _ = l.accept(); "
)

// diffListen opens a TCP listener on loopback and returns its address.
func diffListen() (*Socket, NetworkAddress, error) {
	l, err := NewSocket(AFInet, DescSocketTCP)
	if err != nil {
		return nil, NetworkAddress{}, err
	}
	if err = l.Bind(loopback(AFInet, 0)); err == nil {
		err = l.Listen(16)
	}
	a, _ := l.SockName()
	if err != nil {
		l.Close()
		return nil, a, err
	}
	return l, a, nil
}

// diffConnecting runs f on a listener l at a and a fresh socket c, closing
// both after.
func diffConnecting(f func(l, c *Socket, a NetworkAddress) string) func() string {
	return func() string {
		l, a, err := diffListen()
		if err != nil {
			return res(nil, err)
		}
		defer l.Close()
		c, _ := NewSocket(AFInet, DescSocketTCP)
		defer c.Close()
		return f(l, c, a)
	}
}

// diffConn runs f on a connected client c and server s, closing all after.
func diffConn(f func(c, s *Socket) string) func() string {
	return diffConnecting(func(l, c *Socket, a NetworkAddress) string {
		if err := c.Connect(a, SecondsToInterval(5)); err != nil {
			return res(nil, err)
		}
		s, _, err := l.Accept(SecondsToInterval(5))
		if err != nil {
			return res(nil, err)
		}
		defer s.Close()
		return f(c, s)
	})
}

// socketDiffCases are the socket scenarios, each in its own process.
func socketDiffCases(t *testing.T) []diffCase {
	tcpLoop := loopback(AFInet, 0)
	goListen, goConn := diffListen, diffConn
	udp := func(f func(u *Socket) string) func() string {
		return func() string {
			u, err := NewSocket(AFInet, DescSocketUDP)
			if err != nil {
				return res(nil, err)
			}
			defer u.Close()
			return f(u)
		}
	}
	ms := func(n uint32) Interval { return MillisecondsToInterval(n) }
	cs := []diffCase{
		{name: "udp listen", py: "s = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP); r = s.listen()",
			got: udp(func(u *Socket) string { return res(nil, u.Listen(1)) })},
		{name: "udp accept", py: "s = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP); r = s.accept()",
			got: udp(func(u *Socket) string { _, _, err := u.Accept(ms(100)); return res(nil, err) })},
		{name: "udp desc_type", py: "s = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP); r = s.desc_type",
			got: udp(func(u *Socket) string { return val(int(u.DescType())) })},
		{name: "tcp desc_type", py: "s = io.Socket(); r = s.desc_type",
			got: func() string {
				s, _ := NewSocket(AFInet, DescSocketTCP)
				defer s.Close()
				return val(int(s.DescType()))
			}},
		{name: "socket family", py: "s = io.Socket(io.PR_AF_INET6); r = s.family",
			got: func() string { s, _ := NewSocket(AFInet6, DescSocketTCP); defer s.Close(); return val(int(s.Family())) }},
		{name: "socket family 99", py: "r = io.Socket(99)",
			got: func() string { s, err := NewSocket(99, DescSocketTCP); s.Close(); return res(nil, err) }},
		{name: "socket family unspec", py: "r = io.Socket(io.PR_AF_UNSPEC)",
			got: func() string { s, err := NewSocket(AFUnspec, DescSocketTCP); s.Close(); return res(nil, err) }},
		{name: "bind twice", py: "s = io.Socket(); s.bind(" + pyLoopback("0") + "); r = s.bind(" + pyLoopback("0") + ")",
			got: func() string {
				s, _ := NewSocket(AFInet, DescSocketTCP)
				defer s.Close()
				s.Bind(tcpLoop)
				return res(nil, s.Bind(tcpLoop))
			}},
		{name: "bind in use", py: pyListen + "s = io.Socket(); r = s.bind(" + pyLoopback("p") + ")",
			got: func() string {
				l, a, err := goListen()
				if err != nil {
					return res(nil, err)
				}
				defer l.Close()
				s, _ := NewSocket(AFInet, DescSocketTCP)
				defer s.Close()
				return res(nil, s.Bind(a))
			}},
		{name: "bind non-local", py: `s = io.Socket(); r = s.bind(io.NetworkAddress("203.0.113.1", 0))`,
			got: func() string {
				s, _ := NewSocket(AFInet, DescSocketTCP)
				defer s.Close()
				a, _ := NewNetworkAddress("203.0.113.1", 0, AFInet)
				return res(nil, s.Bind(a))
			}},
		{name: "sock name after bind", py: "s = io.Socket(); s.bind(" + pyLoopback("0") + "); r = s.get_sock_name().address",
			got: func() string {
				s, _ := NewSocket(AFInet, DescSocketTCP)
				defer s.Close()
				s.Bind(tcpLoop)
				a, err := s.SockName()
				return res(a.Address(), err)
			}},
		{name: "peer name unconnected", py: "s = io.Socket(); r = s.get_peer_name()",
			got: func() string { s, _ := NewSocket(AFInet, DescSocketTCP); defer s.Close(); return res(s.PeerName()) }},
		{name: "shutdown unconnected", py: "s = io.Socket(); r = s.shutdown()",
			got: func() string {
				s, _ := NewSocket(AFInet, DescSocketTCP)
				defer s.Close()
				return res(nil, s.Shutdown(ShutdownBoth))
			}},
		{name: "listen", py: "s = io.Socket(); s.bind(" + pyLoopback("0") + "); r = s.listen()",
			got: func() string { l, _, err := goListen(); l.Close(); return res(nil, err) }},
		{name: "accept timeout", py: pyListen + "r = l.accept(io.milliseconds_to_interval(100))",
			got: func() string {
				l, _, err := goListen()
				if err != nil {
					return res(nil, err)
				}
				defer l.Close()
				_, _, err = l.Accept(ms(100))
				return res(nil, err)
			}},
		{name: "connect refused", compat: compatRefused, orig: "E PR_CONNECT_RESET_ERROR", ours: "E PR_CONNECT_REFUSED_ERROR",
			py: "b = io.Socket(); b.bind(" + pyLoopback("0") + "); p = b.get_sock_name().port; c = io.Socket(); r = c.connect(" + pyLoopback("p") + ")",
			got: func() string {
				b, _ := NewSocket(AFInet, DescSocketTCP)
				defer b.Close()
				b.Bind(tcpLoop)
				a, _ := b.SockName()
				c, _ := NewSocket(AFInet, DescSocketTCP)
				defer c.Close()
				return res(nil, c.Connect(a, SecondsToInterval(5)))
			}},
		{name: "echo", py: pyConn + `c.send(b"hello"); r = s.recv(5)`,
			got: goConn(func(c, s *Socket) string {
				c.Send([]byte("hello"), IntervalNoTimeout)
				b := make([]byte, 5)
				n, err := s.Recv(b, IntervalNoTimeout)
				return res(b[:n], err)
			})},
		{name: "recv_from on TCP", compat: compatRecvFrom, orig: "E PR_INVALID_METHOD_ERROR", ours: val([]byte("hi")),
			py: pyConn + `c.send(b"hi"); r = s.recv_from(2, io.NetworkAddress(), io.seconds_to_interval(5))`,
			got: goConn(func(c, s *Socket) string {
				c.Send([]byte("hi"), IntervalNoTimeout)
				b := make([]byte, 2)
				n, from, err := s.RecvFrom(b, SecondsToInterval(5))
				if err == nil && (from.AddrPort().IsValid() || from.Family() != AFInet) {
					return "X sender " + from.String() + " of " + from.Family().String()
				}
				return res(b[:n], err)
			})},
		{name: "send_to on TCP", py: pyConn + `r = c.send_to(b"hi", io.NetworkAddress(io.PR_IpAddrLoopback, p), io.seconds_to_interval(5))`,
			got: goConn(func(c, s *Socket) string {
				a, _ := c.PeerName()
				return res(c.SendTo([]byte("hi"), a, SecondsToInterval(5)))
			})},
		{name: "send count", py: pyConn + `r = c.send(b"0123456789")`,
			got: goConn(func(c, s *Socket) string { return res(c.Send([]byte("0123456789"), IntervalNoTimeout)) })},
		{name: "recv timeout", py: pyConn + "r = s.recv(5, io.milliseconds_to_interval(100))",
			got: goConn(func(c, s *Socket) string { _, err := s.Recv(make([]byte, 5), ms(100)); return res(nil, err) })},
		{name: "recv(0) timeout", py: pyConn + "r = s.recv(0, io.milliseconds_to_interval(100))",
			got: goConn(func(c, s *Socket) string { _, err := s.Recv(nil, ms(100)); return res(nil, err) })},
		{name: "recv(0) no wait", py: pyConn + "r = s.recv(0, io.PR_INTERVAL_NO_WAIT)",
			got: goConn(func(c, s *Socket) string { _, err := s.Recv(nil, IntervalNoWait); return res(nil, err) })},
		{name: "recv(0) with data takes none", py: pyConn + `c.send(b"abc"); io.Socket.poll([(s, io.PR_POLL_READ)], io.seconds_to_interval(5)); r = [s.recv(0), s.recv(5)]`,
			got: goConn(func(c, s *Socket) string {
				c.Send([]byte("abc"), IntervalNoTimeout)
				Poll([]PollDesc{{Socket: s, InFlags: PollRead}}, SecondsToInterval(5))
				if n, err := s.Recv(nil, SecondsToInterval(5)); n != 0 || err != nil {
					return res(nil, err)
				}
				b := make([]byte, 5)
				n, err := s.Recv(b, SecondsToInterval(5))
				return lineList([][]byte{{}, b[:n]}, err)
			})},
		{name: "recv after peer close", py: pyConn + "c.close(); r = s.recv(5)",
			got: goConn(func(c, s *Socket) string {
				c.Close()
				b := make([]byte, 5)
				n, err := s.Recv(b, SecondsToInterval(5))
				return res(b[:n], err)
			})},
		{name: "peer port", py: pyConn + "r = c.get_peer_name().port == p",
			got: goConn(func(c, s *Socket) string {
				a, _ := c.PeerName()
				b, _ := s.SockName()
				return val(a.Port() == b.Port())
			})},
		{name: "udp roundtrip", py: "u = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP); u.bind(" + pyLoopback("0") + "); u.send_to(b'dgram', u.get_sock_name()); r = u.recv(100)",
			got: udp(func(u *Socket) string {
				u.Bind(tcpLoop)
				a, _ := u.SockName()
				u.SendTo([]byte("dgram"), a, SecondsToInterval(1))
				b := make([]byte, 100)
				n, err := u.Recv(b, SecondsToInterval(5))
				return res(b[:n], err)
			})},
		{name: "udp 65507 bytes", py: "u = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP); u.bind(" + pyLoopback("0") + "); r = u.send_to(b'x'*65507, u.get_sock_name())",
			got: udp(func(u *Socket) string {
				u.Bind(tcpLoop)
				a, _ := u.SockName()
				return res(u.SendTo(make([]byte, 65507), a, SecondsToInterval(1)))
			})},
		{name: "udp oversized", py: "u = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP); u.bind(" + pyLoopback("0") + "); r = u.send_to(b'x'*65508, u.get_sock_name())",
			got: udp(func(u *Socket) string {
				u.Bind(tcpLoop)
				a, _ := u.SockName()
				return res(u.SendTo(make([]byte, 65508), a, SecondsToInterval(1)))
			})},
		{name: "udp recv timeout", py: "u = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP); u.bind(" + pyLoopback("0") + "); r = u.recv(10, io.milliseconds_to_interval(100))",
			got: udp(func(u *Socket) string {
				u.Bind(tcpLoop)
				_, err := u.Recv(make([]byte, 10), ms(100))
				return res(nil, err)
			})},
		{name: "import fd -1", py: "r = io.Socket.import_tcp_socket(-1)",
			got: func() string { s, err := ImportTCPSocket(-1); s.Close(); return res(nil, err) }},
		{name: "import pipe", py: "import os; a, b = os.pipe(); r = io.Socket.import_tcp_socket(a)",
			got: func() string {
				pr, pw, err := os.Pipe()
				if err != nil {
					return res(nil, err)
				}
				defer pr.Close()
				defer pw.Close()
				s, err := ImportTCPSocket(int(pr.Fd()))
				s.Close()
				return res(nil, err)
			}},
		{name: "fileno after close", compat: compatClosed, orig: "E PR_INVALID_ARGUMENT_ERROR", ours: "E PR_BAD_DESCRIPTOR_ERROR",
			py:  "s = io.Socket(); s.close(); r = s.fileno()",
			got: func() string { s, _ := NewSocket(AFInet, DescSocketTCP); s.Close(); return res(s.Fileno()) }},
		{name: "recv after close", compat: compatClosed, orig: "X ValueError", ours: "E PR_BAD_DESCRIPTOR_ERROR",
			py: "s = io.Socket(); s.close(); r = s.recv(1)",
			got: func() string {
				s, _ := NewSocket(AFInet, DescSocketTCP)
				s.Close()
				_, err := s.Recv(make([]byte, 1), ms(10))
				return res(nil, err)
			}},
		{name: "bind after close", compat: compatClosed, orig: "CRASH signal: segmentation fault", ours: "E PR_BAD_DESCRIPTOR_ERROR",
			py:  "s = io.Socket(); s.close(); r = s.bind(" + pyLoopback("0") + ")",
			got: func() string { s, _ := NewSocket(AFInet, DescSocketTCP); s.Close(); return res(nil, s.Bind(tcpLoop)) }},
	}
	cs = append(cs, readingDiffCases(goConn, udp)...)
	cs = append(cs, pollDiffCases(udp)...)
	for i := range cs {
		cs[i].isolated = true
	}
	return cs
}

// lineList formats lines as run.py formats a Python list of bytes.
func lineList(lines [][]byte, err error) string {
	if err != nil {
		return res(nil, err)
	}
	var b strings.Builder
	b.WriteString("V [")
	for i, l := range lines {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.Write(l)
	}
	b.WriteByte(']')
	return b.String()
}

// readingDiffCases are the scenarios of readline, readlines, read, makefile
// and iteration; goConn and udp are socketDiffCases' helpers.
func readingDiffCases(goConn func(func(c, s *Socket) string) func() string, udp func(func(u *Socket) string) func() string) []diffCase {
	const pyConn = "l = io.Socket(); l.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0)); l.listen(); p = l.get_sock_name().port; " +
		"c = io.Socket(); c.connect(io.NetworkAddress(io.PR_IpAddrLoopback, p)); s, _ = l.accept(); "
	const pyUDP = "u = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP); u.bind(" + "io.NetworkAddress(io.PR_IpAddrLoopback, 0)" + "); a = u.get_sock_name(); "
	wait := SecondsToInterval(5)
	// lines sends data, closes the client when eof is set, and makes n
	// ReadLine(max) calls.
	lines := func(data string, eof bool, max, n int) func() string {
		return goConn(func(c, s *Socket) string {
			c.Send([]byte(data), wait)
			if eof {
				c.Close()
			}
			var got [][]byte
			for range n {
				line, err := s.ReadLine(max, wait)
				if err != nil {
					return res(nil, err)
				}
				got = append(got, line)
			}
			return lineList(got, nil)
		})
	}
	// reads sends data, closes the client, and makes one ReadSize call per size.
	reads := func(data []string, sizes ...int) func() string {
		return goConn(func(c, s *Socket) string {
			for _, d := range data {
				c.Send([]byte(d), wait)
			}
			c.Close()
			var got [][]byte
			for _, n := range sizes {
				b, err := s.ReadSize(n, wait)
				if err != nil {
					return res(nil, err)
				}
				got = append(got, b)
			}
			return lineList(got, nil)
		})
	}
	sendUDP := func(u *Socket, msgs ...string) {
		u.Bind(loopback(AFInet, 0))
		a, _ := u.SockName()
		for _, m := range msgs {
			u.SendTo([]byte(m), a, wait)
		}
	}
	return []diffCase{
		{name: "readline CR and NUL", py: pyConn + `c.send(b"ab\r\ncd\x00e\nfg"); c.close(); r = [s.readline() for i in range(4)]`,
			got: lines("ab\r\ncd\x00e\nfg", true, 0, 4)},
		{name: "readline(3)", py: pyConn + `c.send(b"abcdefgh\nij\n"); c.close(); r = [s.readline(3) for i in range(5)]`,
			got: lines("abcdefgh\nij\n", true, 3, 5)},
		{name: "readline(0) unbounded", py: pyConn + `c.send(b"abcdefgh\nij\n"); c.close(); r = [s.readline(0), s.readline(-1)]`,
			got: lines("abcdefgh\nij\n", true, 0, 2)},
		{name: "readline across sends", py: pyConn + `c.send(b"hel"); c.send(b"lo\nworld\n"); r = [s.readline(), s.readline()]`,
			got: lines("hello\nworld\n", false, 0, 2)},
		{name: "readline at the end", py: pyConn + "c.close(); r = [s.readline(), s.readline()]",
			got: lines("", true, 0, 2)},
		{name: "readline non-blocking, nothing there", py: pyConn + "s.set_socket_option(io.PR_SockOpt_Nonblocking, True); r = s.readline()",
			got: goConn(func(c, s *Socket) string {
				s.SetNonblocking(true)
				_, err := s.ReadLine(0, wait)
				return res(nil, err)
			})},
		{name: "readline keeps a partial line", compat: compatNoLoss, orig: "V c\n", ours: "V abc\n",
			py: pyConn + "import time; s.set_socket_option(io.PR_SockOpt_Nonblocking, True); c.send(b'ab'); time.sleep(0.1)\n" +
				"try:\n    s.readline()\nexcept Exception:\n    pass\n" +
				"c.send(b'c\\n'); time.sleep(0.1); r = s.readline()",
			got: goConn(func(c, s *Socket) string {
				s.SetNonblocking(true)
				c.Send([]byte("ab"), wait)
				time.Sleep(100 * time.Millisecond)
				if _, err := s.ReadLine(0, wait); !errors.Is(err, WouldBlockError) {
					return res(nil, err)
				}
				c.Send([]byte("c\n"), wait)
				time.Sleep(100 * time.Millisecond)
				return res(s.ReadLine(0, wait))
			})},
		{name: "readline after close", compat: compatClosed, orig: "X ValueError", ours: "E PR_BAD_DESCRIPTOR_ERROR",
			py:  pyConn + "s.close(); r = s.readline()",
			got: goConn(func(c, s *Socket) string { s.Close(); return res(s.ReadLine(0, wait)) })},
		{name: "readline on UDP", compat: compatLineDgram, orig: "V ab\n", ours: "E PR_INVALID_METHOD_ERROR",
			py:  pyUDP + `u.send_to(b"ab\n", a); r = u.readline()`,
			got: udp(func(u *Socket) string { sendUDP(u, "ab\n"); return res(u.ReadLine(0, wait)) })},
		{name: "read(3) on UDP", py: pyUDP + `u.send_to(b"hello", a); u.send_to(b"world", a); r = [u.read(3), u.read(3)]`,
			got: udp(func(u *Socket) string {
				sendUDP(u, "hello", "world")
				a, err := u.ReadSize(3, wait)
				b, err2 := u.ReadSize(3, wait)
				return lineList([][]byte{a, b}, errors.Join(err, err2))
			})},
		{name: "readlines(3)", py: pyConn + `c.send(b"a\nbb\nccc\nlast"); c.close(); r = s.readlines(3)`,
			got: goConn(func(c, s *Socket) string {
				c.Send([]byte("a\nbb\nccc\nlast"), wait)
				c.Close()
				return lineList(s.ReadLines(3, wait))
			})},
		{name: "readlines to the end", compat: compatReadLines, orig: "V [a\n bb\n ccc\n last ]", ours: "V [a\n bb\n ccc\n last]",
			py: pyConn + `c.send(b"a\nbb\nccc\nlast"); c.close(); r = s.readlines()`,
			got: goConn(func(c, s *Socket) string {
				c.Send([]byte("a\nbb\nccc\nlast"), wait)
				c.Close()
				return lineList(s.ReadLines(0, wait))
			})},
		{name: "iteration", py: pyConn + `c.send(b"x\ny\nz"); c.close(); r = [l for l in s]`,
			got: goConn(func(c, s *Socket) string {
				c.Send([]byte("x\ny\nz"), wait)
				c.Close()
				var got [][]byte
				for l, err := range s.Lines(wait) {
					if err != nil {
						return res(nil, err)
					}
					got = append(got, l)
				}
				return lineList(got, nil)
			})},
		{name: "read(size)", py: pyConn + `c.send(b"hello world"); c.close(); r = [s.read(3), s.read(100), s.read(5), s.read()]`,
			got: reads([]string{"hello world"}, 3, 100, 5, -1)},
		{name: "read()", py: pyConn + `c.send(b"hello"); c.send(b" world"); c.close(); r = [s.read(), s.read()]`,
			got: reads([]string{"hello", " world"}, -1, -1)},
		{name: "read(0)", py: pyConn + `c.send(b"abc"); c.close(); r = [s.read(0), s.read(3)]`,
			got: reads([]string{"abc"}, 0, 3)},
		{name: "readline then read and recv", py: pyConn + `c.send(b"line\nrest"); c.close(); r = [s.readline(), s.read(2), s.recv(10)]`,
			got: goConn(func(c, s *Socket) string {
				c.Send([]byte("line\nrest"), wait)
				c.Close()
				a, err := s.ReadLine(0, wait)
				b, err2 := s.ReadSize(2, wait)
				buf := make([]byte, 10)
				n, err3 := s.Recv(buf, wait)
				return lineList([][]byte{a, b, buf[:n]}, errors.Join(err, err2, err3))
			})},
		{name: "makefile close keeps the socket", py: pyConn + `f = s.makefile("r"); f.close(); c.send(b"x\n"); r = s.readline()`,
			got: goConn(func(c, s *Socket) string {
				f, err := s.MakeFile("r", 0)
				if err != nil {
					return res(nil, err)
				}
				f.Close()
				c.Send([]byte("x\n"), wait)
				return res(s.ReadLine(0, wait))
			})},
		{name: "makefile invalid mode", compat: compatMakeFile, orig: "V True", ours: "E PR_INVALID_ARGUMENT_ERROR",
			py:  pyConn + `r = s.makefile("zz") is s`,
			got: goConn(func(c, s *Socket) string { _, err := s.MakeFile("zz", 0); return res(nil, err) })},
		{name: "makefile write on read-only", compat: compatMakeFile, orig: "V 1", ours: "E PR_BAD_DESCRIPTOR_ERROR",
			py: pyConn + `f = s.makefile("r"); r = f.send(b"x")`,
			got: goConn(func(c, s *Socket) string {
				f, err := s.MakeFile("r", 0)
				if err != nil {
					return res(nil, err)
				}
				return res(f.Write([]byte("x")))
			})},
	}
}
