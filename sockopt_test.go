package nspr

import (
	"errors"
	"net"
	"net/netip"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// sockKind is one kind of socket the option tests open.
type sockKind uint8

const (
	kTCP4 sockKind = 1 << iota
	kTCP6
	kUDP4
	kUDP6
	kUnixStream
	kUnixDgram

	kTCP  = kTCP4 | kTCP6
	kUDP  = kUDP4 | kUDP6
	kIP   = kTCP | kUDP
	kUnix = kUnixStream | kUnixDgram
	kAll  = kIP | kUnix
)

var sockKinds = []struct {
	kind   sockKind
	name   string
	family Family
	typ    DescType
}{
	{kTCP4, "tcp4", AFInet, DescSocketTCP},
	{kTCP6, "tcp6", AFInet6, DescSocketTCP},
	{kUDP4, "udp4", AFInet, DescSocketUDP},
	{kUDP6, "udp6", AFInet6, DescSocketUDP},
	{kUnixStream, "unix-stream", AFLocal, DescSocketTCP},
	{kUnixDgram, "unix-dgram", AFLocal, DescSocketUDP},
}

// forKinds runs f on a fresh socket of each kind in kinds.
func forKinds(t *testing.T, kinds sockKind, f func(t *testing.T, s *Socket)) {
	for _, k := range sockKinds {
		if kinds&k.kind == 0 {
			continue
		}
		t.Run(k.name, func(t *testing.T) {
			skipWithoutIPv6(t, k.family)
			f(t, newTestSocket(t, k.family, k.typ))
		})
	}
}

// doubled is what Linux reports for a buffer size set to n: twice n, the
// other half being its bookkeeping.
func doubled(n int) Size {
	if runtime.GOOS == "linux" {
		return Size(2 * n)
	}
	return Size(n)
}

func addrOf(s string) NetworkAddress {
	return NewNetworkAddressFromAddrPort(netip.MustParseAddrPort(s))
}

type setGet struct{ set, want OptionValue }

// Each option, on each kind of socket it applies to, is set to two values
// in turn, each read back as the platform reports it.
var sockOptTests = []struct {
	opt   SockOpt
	kinds sockKind
	vals  []setGet
}{
	{SockOptNonblocking, kAll, []setGet{{Bool(true), Bool(true)}, {Bool(false), Bool(false)}}},
	{SockOptLinger, kAll, []setGet{
		{Linger{On: true, Interval: SecondsToInterval(5)}, Linger{On: true, Interval: SecondsToInterval(5)}},
		{Linger{On: true, Interval: MillisecondsToInterval(1500)}, Linger{On: true, Interval: SecondsToInterval(1)}},
		{Linger{On: true, Interval: MillisecondsToInterval(999)}, Linger{On: true}},
		{Linger{}, Linger{}},
	}},
	{SockOptReuseaddr, kAll, []setGet{{Bool(true), Bool(true)}, {Bool(false), Bool(false)}}},
	{SockOptKeepalive, kAll, []setGet{{Bool(true), Bool(true)}, {Bool(false), Bool(false)}}},
	{SockOptRecvBufferSize, kAll, []setGet{{Size(65536), doubled(65536)}, {Size(8192), doubled(8192)}}},
	{SockOptSendBufferSize, kAll, []setGet{{Size(65536), doubled(65536)}, {Size(16384), doubled(16384)}}},
	{SockOptIPTimeToLive, kIP, []setGet{{TTL(1), TTL(1)}, {TTL(200), TTL(200)}, {TTL(255), TTL(255)}}},
	{SockOptIPTypeOfService, kIP, []setGet{{TOS(0x10), TOS(0x10)}, {TOS(0), TOS(0)}}},
	{SockOptIPTypeOfService, kTCP, []setGet{{TOS(0xff), TOS(0xfc)}}}, // Linux keeps the ECN bits of TCP
	{SockOptIPTypeOfService, kUDP, []setGet{{TOS(0xff), TOS(0xff)}}},
	{SockOptMcastInterface, kUDP4, []setGet{
		{addrOf("127.0.0.1:0"), addrOf("127.0.0.1:0")},
		{NetworkAddress{}, addrOf("0.0.0.0:0")},
	}},
	{SockOptMcastInterface, kUDP6, []setGet{
		{addrOf("[::1]:0"), addrOf("[::1]:0")},
		{NetworkAddress{}, addrOf("[::]:0")},
	}},
	{SockOptMcastTimeToLive, kUDP, []setGet{{TTL(0), TTL(0)}, {TTL(32), TTL(32)}, {TTL(255), TTL(255)}}},
	{SockOptMcastLoopback, kUDP, []setGet{{Bool(false), Bool(false)}, {Bool(true), Bool(true)}}},
	{SockOptNoDelay, kTCP, []setGet{{Bool(true), Bool(true)}, {Bool(false), Bool(false)}}},
	{SockOptMaxSegment, kTCP, []setGet{{Size(1000), Size(1000)}, {Size(1200), Size(1200)}}},
	{SockOptBroadcast, kAll, []setGet{{Bool(true), Bool(true)}, {Bool(false), Bool(false)}}},
	{SockOptReusePort, kIP, []setGet{{Bool(true), Bool(true)}, {Bool(false), Bool(false)}}},
	{SockOptKeepAliveIdle, kTCP, []setGet{
		{SecondsToInterval(30), SecondsToInterval(30)},
		{MillisecondsToInterval(2500), SecondsToInterval(2)},
	}},
	{SockOptKeepAliveInterval, kTCP, []setGet{
		{SecondsToInterval(10), SecondsToInterval(10)},
		{SecondsToInterval(1), SecondsToInterval(1)},
	}},
	{SockOptKeepAliveCount, kTCP, []setGet{{Size(3), Size(3)}, {Size(7), Size(7)}}},
	{SockOptIPv6Only, kTCP6 | kUDP6, []setGet{{Bool(true), Bool(true)}, {Bool(false), Bool(false)}}},
}

func TestSocketOptionsSetGet(t *testing.T) {
	for _, tt := range sockOptTests {
		t.Run(tt.opt.String(), func(t *testing.T) {
			forKinds(t, tt.kinds, func(t *testing.T, s *Socket) {
				for _, v := range tt.vals {
					if err := s.SetSocketOption(tt.opt, v.set); err != nil {
						t.Fatalf("set %#v: %v", v.set, err)
					}
					got, err := s.GetSocketOption(tt.opt)
					if err != nil || got != v.want {
						t.Fatalf("set %#v, then get: %#v, %v; want %#v", v.set, got, err, v.want)
					}
				}
			})
		})
	}
}

// Every option of every platform table has a row in sockOptTests.
func TestSocketOptionsAllTested(t *testing.T) {
	tested := map[SockOpt]bool{SockOptAddMember: true, SockOptDropMember: true} // multicast_linux_test.go
	for _, tt := range sockOptTests {
		tested[tt.opt] = true
	}
	for _, table := range []map[SockOpt]sockOpt{sockOpts, sockOpts6} {
		for opt := range table {
			if !tested[opt] {
				t.Errorf("%v has no set/get test", opt)
			}
		}
	}
}

// typedOption is one typed setter/getter pair: set val, then the typed
// getter must return typed and the generic getter want.
type typedOption[T comparable] struct {
	opt   SockOpt
	set   func(*Socket, T) error
	get   func(*Socket) (T, error)
	val   T
	typed T
	want  OptionValue
}

// checkTyped runs each pair on the socket pick chooses for its option and
// compares the typed getter with the expected value and with the generic
// getter; it returns the getters it checked, by name.
func checkTyped[T comparable](t *testing.T, family Family, pick func(SockOpt) *Socket, pairs []typedOption[T]) []string {
	t.Helper()
	var names []string
	for _, c := range pairs {
		s := pick(c.opt)
		setErr := c.set(s, c.val)
		got, getErr := c.get(s)
		generic, err := s.GetSocketOption(c.opt)
		if setErr != nil || getErr != nil || err != nil || generic != c.want {
			t.Errorf("%v %v: set %v, typed get %v (%v), generic get %#v (%v); want %#v",
				family, c.opt, setErr, got, getErr, generic, err, c.want)
		}
		if got != c.typed {
			t.Errorf("%v %v: typed get %v, want %v", family, c.opt, got, c.typed)
		}
		if !typedMatches(got, generic) {
			t.Errorf("%v %v: typed get %v, generic get %#v: they disagree", family, c.opt, got, generic)
		}
		names = append(names, strings.TrimPrefix(runtime.FuncForPC(reflect.ValueOf(c.get).Pointer()).Name(), "github.com/nspr-go/nspr.(*Socket)."))
	}
	return names
}

// typedMatches reports whether a typed getter's result is the generic
// getter's value in the typed method's type.
func typedMatches(got any, generic OptionValue) bool {
	switch g := generic.(type) {
	case Bool:
		return got == bool(g)
	case Size:
		return got == int(g)
	case TTL:
		return got == int(g)
	case TOS:
		return got == int(g)
	case Interval, Linger, NetworkAddress:
		return got == any(g)
	}
	return false
}

// The typed methods read and write the same options as the generic pair:
// every typed getter returns the value set, as the generic getter does.
func TestSocketOptionTypedMethods(t *testing.T) {
	bools := []typedOption[bool]{
		{SockOptNonblocking, (*Socket).SetNonblocking, (*Socket).Nonblocking, true, true, Bool(true)},
		{SockOptReuseaddr, (*Socket).SetReuseAddr, (*Socket).ReuseAddr, true, true, Bool(true)},
		{SockOptReusePort, (*Socket).SetReusePort, (*Socket).ReusePort, true, true, Bool(true)},
		{SockOptKeepalive, (*Socket).SetKeepAlive, (*Socket).KeepAlive, true, true, Bool(true)},
		{SockOptMcastLoopback, (*Socket).SetMulticastLoopback, (*Socket).MulticastLoopback, false, false, Bool(false)},
		{SockOptNoDelay, (*Socket).SetNoDelay, (*Socket).NoDelay, true, true, Bool(true)},
		{SockOptBroadcast, (*Socket).SetBroadcast, (*Socket).Broadcast, true, true, Bool(true)},
	}
	ints := []typedOption[int]{
		{SockOptRecvBufferSize, (*Socket).SetRecvBufferSize, (*Socket).RecvBufferSize, 32768, int(doubled(32768)), doubled(32768)},
		{SockOptSendBufferSize, (*Socket).SetSendBufferSize, (*Socket).SendBufferSize, 32768, int(doubled(32768)), doubled(32768)},
		{SockOptIPTimeToLive, (*Socket).SetTTL, (*Socket).TTL, 17, 17, TTL(17)},
		{SockOptIPTypeOfService, (*Socket).SetTOS, (*Socket).TOS, 0x20, 0x20, TOS(0x20)},
		{SockOptMcastTimeToLive, (*Socket).SetMulticastTTL, (*Socket).MulticastTTL, 9, 9, TTL(9)},
		{SockOptMaxSegment, (*Socket).SetMaxSegment, (*Socket).MaxSegment, 1100, 1100, Size(1100)},
		{SockOptKeepAliveCount, (*Socket).SetKeepAliveCount, (*Socket).KeepAliveCount, 4, 4, Size(4)},
	}
	intervals := []typedOption[Interval]{
		{SockOptKeepAliveIdle, (*Socket).SetKeepAliveIdle, (*Socket).KeepAliveIdle, SecondsToInterval(40), SecondsToInterval(40), SecondsToInterval(40)},
		{SockOptKeepAliveInterval, (*Socket).SetKeepAliveInterval, (*Socket).KeepAliveInterval, SecondsToInterval(4), SecondsToInterval(4), SecondsToInterval(4)},
	}
	lingers := []typedOption[Linger]{
		{SockOptLinger, (*Socket).SetLinger, (*Socket).Linger, Linger{On: true, Interval: SecondsToInterval(3)}, Linger{On: true, Interval: SecondsToInterval(3)}, Linger{On: true, Interval: SecondsToInterval(3)}},
	}
	// Values the typed getter reports differently from the value set.
	rounded := []typedOption[Interval]{
		{SockOptKeepAliveIdle, (*Socket).SetKeepAliveIdle, (*Socket).KeepAliveIdle, MillisecondsToInterval(2500), SecondsToInterval(2), SecondsToInterval(2)},
	}
	roundedLingers := []typedOption[Linger]{
		{SockOptLinger, (*Socket).SetLinger, (*Socket).Linger, Linger{On: true, Interval: MillisecondsToInterval(1500)}, Linger{On: true, Interval: SecondsToInterval(1)}, Linger{On: true, Interval: SecondsToInterval(1)}},
	}
	addrs := map[Family][]typedOption[NetworkAddress]{
		AFInet:  {{SockOptMcastInterface, (*Socket).SetMulticastInterface, (*Socket).MulticastInterface, addrOf("127.0.0.1:0"), addrOf("127.0.0.1:0"), addrOf("127.0.0.1:0")}},
		AFInet6: {{SockOptMcastInterface, (*Socket).SetMulticastInterface, (*Socket).MulticastInterface, addrOf("[::1]:0"), addrOf("[::1]:0"), addrOf("[::1]:0")}},
	}
	v6only := []typedOption[bool]{
		{SockOptIPv6Only, (*Socket).SetIPv6Only, (*Socket).IPv6Only, true, true, Bool(true)},
	}
	checked := map[string]bool{}
	for _, family := range []Family{AFInet, AFInet6} {
		skipWithoutIPv6(t, family)
		tcp := newTestSocket(t, family, DescSocketTCP)
		udp := newTestSocket(t, family, DescSocketUDP)
		pick := func(opt SockOpt) *Socket {
			if opt == SockOptMcastTimeToLive || opt == SockOptMcastLoopback || opt == SockOptMcastInterface {
				return udp
			}
			return tcp
		}
		names := checkTyped(t, family, pick, bools)
		names = append(names, checkTyped(t, family, pick, ints)...)
		names = append(names, checkTyped(t, family, pick, intervals)...)
		names = append(names, checkTyped(t, family, pick, lingers)...)
		names = append(names, checkTyped(t, family, pick, rounded)...)
		names = append(names, checkTyped(t, family, pick, roundedLingers)...)
		names = append(names, checkTyped(t, family, pick, addrs[family])...)
		if family == AFInet6 {
			names = append(names, checkTyped(t, family, pick, v6only)...)
		}
		for _, n := range names {
			checked[n] = true
		}
	}
	// Every getter with a setter of the same name is in the tables above.
	st := reflect.TypeFor[*Socket]()
	for i := range st.NumMethod() {
		m := st.Method(i)
		name, ok := strings.CutPrefix(m.Name, "Set")
		if !ok || m.Type.NumIn() != 2 {
			continue
		}
		if g, ok := st.MethodByName(name); ok && g.Type.NumIn() == 1 && g.Type.NumOut() == 2 && !checked[name] {
			t.Errorf("typed getter %s is not compared with GetSocketOption", name)
		}
	}
}

// The errors are those the original reports on Linux, except where
// docs/compat.md says otherwise.
func TestSocketOptionErrors(t *testing.T) {
	tests := []struct {
		name  string
		kinds sockKind
		opt   SockOpt
		set   OptionValue // nil: get
		code  ErrorCode
	}{
		{"TTL 0", kIP, SockOptIPTimeToLive, TTL(0), BufferOverflowError},
		{"TTL 256", kIP, SockOptIPTimeToLive, TTL(256), BufferOverflowError},
		{"TTL -1", kIP, SockOptIPTimeToLive, TTL(-1), BufferOverflowError},
		{"multicast TTL 256", kUDP, SockOptMcastTimeToLive, TTL(256), BufferOverflowError},
		{"multicast TTL -1", kUDP, SockOptMcastTimeToLive, TTL(-1), BufferOverflowError},
		{"multicast TTL on TCP", kTCP4, SockOptMcastTimeToLive, TTL(1), BufferOverflowError},
		{"multicast interface on TCP", kTCP4, SockOptMcastInterface, addrOf("127.0.0.1:0"), BufferOverflowError},
		{"TOS 256", kIP, SockOptIPTypeOfService, TOS(256), BufferOverflowError},
		{"TOS -1", kIP, SockOptIPTypeOfService, TOS(-1), BufferOverflowError},
		{"MaxSegment 100000", kTCP, SockOptMaxSegment, Size(100000), BufferOverflowError},
		{"MaxSegment -1", kTCP, SockOptMaxSegment, Size(-1), BufferOverflowError},
		{"keep-alive idle 0", kTCP, SockOptKeepAliveIdle, Interval(0), BufferOverflowError},
		{"keep-alive count 0", kTCP, SockOptKeepAliveCount, Size(0), BufferOverflowError},
		{"join a unicast address", kUDP4, SockOptAddMember, MulticastRequest{Group: addrOf("127.0.0.1:0")}, BufferOverflowError},
		{"join a unicast IPv6 address", kUDP6, SockOptAddMember, MulticastRequest{Group: addrOf("[::1]:0")}, BufferOverflowError},
		{"join on TCP", kTCP4, SockOptAddMember, MulticastRequest{Group: addrOf("239.1.1.1:0")}, IOError},
		{"join on TCP6", kTCP6, SockOptAddMember, MulticastRequest{Group: addrOf("[ff02::1:2]:0")}, IOError},
		{"join an IPv6 group on IPv4", kUDP4, SockOptAddMember, MulticastRequest{Group: addrOf("[ff02::1]:0")}, InvalidArgumentError},
		{"join on an IPv6 interface", kUDP4, SockOptAddMember, MulticastRequest{Group: addrOf("239.1.1.1:0"), Interface: addrOf("[::1]:0")}, InvalidArgumentError},
		{"IPv6 interface on IPv4", kUDP4, SockOptMcastInterface, addrOf("[::1]:0"), InvalidArgumentError},
		{"interface not on this host", kUDP4, SockOptMcastInterface, addrOf("192.0.2.1:0"), AddressNotAvailableError},
		{"IPv6 interface not on this host", kUDP6, SockOptMcastInterface, addrOf("[2001:db8::1]:0"), AddressNotAvailableError},
		{"IPv6 interface zone unknown", kUDP6, SockOptMcastInterface, addrOf("[fe80::1%nosuchif0]:0"), AddressNotAvailableError},

		{"get NoDelay on UDP", kUDP, SockOptNoDelay, nil, NotTCPSocketError},
		{"set NoDelay on UDP", kUDP, SockOptNoDelay, Bool(true), NotTCPSocketError},
		{"get NoDelay on Unix", kUnix, SockOptNoDelay, nil, NotTCPSocketError},
		{"set NoDelay on Unix", kUnix, SockOptNoDelay, Bool(true), NotTCPSocketError},
		{"get MaxSegment on UDP", kUDP | kUnix, SockOptMaxSegment, nil, NotTCPSocketError},
		{"set MaxSegment on UDP", kUDP | kUnix, SockOptMaxSegment, Size(1000), NotTCPSocketError},
		{"keep-alive idle on UDP", kUDP | kUnix, SockOptKeepAliveIdle, SecondsToInterval(5), NotTCPSocketError},
		{"keep-alive interval on UDP", kUDP | kUnix, SockOptKeepAliveInterval, nil, NotTCPSocketError},
		{"keep-alive count on UDP", kUDP | kUnix, SockOptKeepAliveCount, Size(3), NotTCPSocketError},
		{"TTL on Unix", kUnix, SockOptIPTimeToLive, nil, NotTCPSocketError},
		{"TOS on Unix", kUnix, SockOptIPTypeOfService, TOS(0), NotTCPSocketError},
		{"multicast on Unix", kUnix, SockOptMcastLoopback, nil, NotTCPSocketError},
		{"ReusePort on Unix", kUnix, SockOptReusePort, Bool(true), NotTCPSocketError},

		{"unknown 17", kAll, SockOpt(17), nil, InvalidArgumentError},
		{"unknown 18", kAll, SockOpt(18), Bool(true), InvalidArgumentError},
		{"unknown 99", kAll, SockOpt(99), nil, InvalidArgumentError},
		{"unknown -1", kAll, SockOpt(-1), Bool(true), InvalidArgumentError},
		{"read AddMember", kIP, SockOptAddMember, nil, InvalidArgumentError},
		{"read DropMember", kIP, SockOptDropMember, nil, InvalidArgumentError},
		{"wrong value type", kTCP, SockOptNoDelay, Size(1), InvalidArgumentError},
		{"bool as size", kAll, SockOptRecvBufferSize, Bool(true), InvalidArgumentError},
		{"IPv6Only on IPv4", kTCP4 | kUDP4 | kUnix, SockOptIPv6Only, Bool(true), InvalidArgumentError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forKinds(t, tt.kinds, func(t *testing.T, s *Socket) {
				if tt.set == nil {
					v, err := s.GetSocketOption(tt.opt)
					wantCode(t, "get "+tt.opt.String(), err, tt.code)
					if v != nil {
						t.Errorf("get %v returned %#v with its error", tt.opt, v)
					}
					return
				}
				wantCode(t, "set "+tt.opt.String(), s.SetSocketOption(tt.opt, tt.set), tt.code)
			})
		})
	}
}

// A nil value is PR_INVALID_ARGUMENT_ERROR, never a crash.
func TestSetSocketOptionNil(t *testing.T) {
	forKinds(t, kAll, func(t *testing.T, s *Socket) {
		wantCode(t, "set nil", s.SetSocketOption(SockOptLinger, nil), InvalidArgumentError)
	})
}

// V6ONLY cannot change once the socket is bound: the kernel's EINVAL,
// PR_BUFFER_OVERFLOW_ERROR as NSPR maps it.
func TestIPv6OnlyAfterBind(t *testing.T) {
	skipWithoutIPv6(t, AFInet6)
	s := newTestSocket(t, AFInet6, DescSocketUDP)
	if err := s.Bind(loopback(AFInet6, 0)); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "SetIPv6Only after bind", s.SetIPv6Only(true), BufferOverflowError)
}

// A failed set leaves the option as it was.
func TestSocketOptionFailedSetKeepsValue(t *testing.T) {
	s := newTestSocket(t, AFInet, DescSocketTCP)
	if err := s.SetTTL(99); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "SetTTL(256)", s.SetTTL(256), BufferOverflowError)
	if ttl, err := s.TTL(); ttl != 99 || err != nil {
		t.Fatalf("TTL after a failed set: %d, %v; want 99", ttl, err)
	}
}

// Nonblocking is the logical flag the blocking calls honour.
func TestNonblockingOptionIsHonoured(t *testing.T) {
	s := newTestSocket(t, AFInet, DescSocketUDP)
	if err := s.Bind(loopback(AFInet, 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetNonblocking(true); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.RecvFrom(make([]byte, 1), IntervalNoTimeout)
	wantCode(t, "RecvFrom on a non-blocking socket", err, WouldBlockError)
	if err := s.SetNonblocking(false); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.RecvFrom(make([]byte, 1), MillisecondsToInterval(10))
	wantCode(t, "RecvFrom on a blocking socket", err, IOTimeoutError)
}

// SO_REUSEPORT lets two listeners share one port.
func TestReusePortSharesAPort(t *testing.T) {
	a := newTestSocket(t, AFInet, DescSocketTCP)
	b := newTestSocket(t, AFInet, DescSocketTCP)
	for _, s := range []*Socket{a, b} {
		if err := s.SetReusePort(true); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Bind(loopback(AFInet, 0)); err != nil {
		t.Fatal(err)
	}
	if err := a.Listen(4); err != nil {
		t.Fatal(err)
	}
	addr, err := a.SockName()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Bind(addr); err != nil {
		t.Fatalf("second bind to %v with SO_REUSEPORT: %v", addr, err)
	}
	c := newTestSocket(t, AFInet, DescSocketTCP)
	wantCode(t, "bind without SO_REUSEPORT", c.Bind(addr), AddressInUseError)
}

func TestSocketOptionsOnClosedSocket(t *testing.T) {
	s, err := NewSocket(AFInet, DescSocketTCP)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = s.GetSocketOption(SockOptNoDelay)
	wantCode(t, "get after close", err, BadDescriptorError)
	if !errors.Is(err, net.ErrClosed) {
		t.Errorf("get after close: %v does not match net.ErrClosed", err)
	}
	wantCode(t, "set after close", s.SetSocketOption(SockOptNonblocking, Bool(true)), BadDescriptorError)
	var nilSocket *Socket
	_, err = nilSocket.NoDelay()
	wantCode(t, "get on nil socket", err, BadDescriptorError)
	wantCode(t, "set on nil socket", nilSocket.SetNoDelay(true), BadDescriptorError)
}

func TestSockOptNames(t *testing.T) {
	for opt, want := range map[SockOpt]string{
		SockOptReusePort:         "PR_SockOpt_Reuseport",
		SockOptKeepAliveIdle:     "SockOptKeepAliveIdle",
		SockOptKeepAliveInterval: "SockOptKeepAliveInterval",
		SockOptKeepAliveCount:    "SockOptKeepAliveCount",
		SockOptIPv6Only:          "SockOptIPv6Only",
	} {
		if got := opt.String(); got != want {
			t.Errorf("SockOpt(%d).String() = %q, want %q", int(opt), got, want)
		}
	}
}

// Options set while another goroutine closes the socket either succeed or
// report the close; the descriptor is never used after it is released.
func TestSocketOptionsRaceClose(t *testing.T) {
	for i := 0; i < 20; i++ {
		s, err := NewSocket(AFInet, DescSocketTCP)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			for j := 0; ; j++ {
				if err := s.SetNoDelay(j%2 == 0); err != nil {
					done <- err
					return
				}
			}
		}()
		s.Close()
		wantCode(t, "set during close", <-done, BadDescriptorError)
	}
}
