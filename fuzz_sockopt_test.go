//go:build linux || darwin || freebsd

package nspr

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
)

// fuzzOptSockets are the sockets FuzzSocketOption sets options on.
var fuzzOptSockets = []struct {
	family Family
	typ    DescType
}{
	{AFInet, DescSocketTCP}, {AFInet, DescSocketUDP},
	{AFInet6, DescSocketTCP}, {AFInet6, DescSocketUDP},
	{AFLocal, DescSocketTCP}, {AFLocal, DescSocketUDP},
}

// optionCodes are the codes SetSocketOption and GetSocketOption may
// return for a value the kernel or the option table refuses.
var optionCodes = map[ErrorCode]bool{
	InvalidArgumentError:       true, // unknown option, wrong type, write-only option
	BufferOverflowError:        true, // out of range: the kernel's EINVAL
	NotTCPSocketError:          true, // a TCP option on another socket
	OperationNotSupportedError: true, // an option this platform lacks
	AddressNotAvailableError:   true, // no such interface, a group not joined
	AddressInUseError:          true, // a group joined twice
	AddressNotSupportedError:   true, // an address of the wrong family
	InsufficientResourcesError: true, // too many groups (ENOBUFS, ENOMEM)
	NoAccessRightsError:        true, // a value only root may set (EPERM)
	IOError:                    true, // EPROTO: a group on a TCP socket
	NetworkUnreachableError:    true, // no route for a group (ENETUNREACH)
	FileNotFoundError:          true, // an interface index the kernel lacks (ENODEV)
}

// fuzzOptionValue decodes data into an OptionValue of the kind k selects.
func fuzzOptionValue(k uint8, data []byte) OptionValue {
	word := func(i int) uint32 {
		var b [4]byte
		if i < len(data) {
			copy(b[:], data[i:])
		}
		return binary.LittleEndian.Uint32(b[:])
	}
	addr := func(i int) NetworkAddress {
		switch rest := len(data) - i; {
		case rest >= 18:
			return NewNetworkAddressFromAddrPort(netip.AddrPortFrom(netip.AddrFrom16([16]byte(data[i:i+16])), binary.LittleEndian.Uint16(data[i+16:])))
		case rest >= 4:
			return NewNetworkAddressFromAddrPort(netip.AddrPortFrom(netip.AddrFrom4([4]byte(data[i:i+4])), 0))
		}
		return NetworkAddress{}
	}
	switch k % 9 {
	case 0:
		return Bool(word(0)&1 != 0)
	case 1:
		return Size(int32(word(0)))
	case 2:
		return TTL(int32(word(0)))
	case 3:
		return TOS(int32(word(0)))
	case 4:
		return Linger{On: word(0)&1 != 0, Interval: Interval(word(1))}
	case 5:
		return Interval(word(0))
	case 6:
		var group, iface NetworkAddress
		if len(data) >= 36 {
			group, iface = addr(0), addr(18)
		} else if len(data) >= 8 {
			group, iface = addr(0), addr(4)
		} else {
			group = addr(0)
		}
		return MulticastRequest{Group: group, Interface: iface}
	case 7:
		return addr(0)
	}
	return nil
}

// FuzzSocketOption sets arbitrary options to arbitrary values on TCP, UDP
// and Unix sockets of every family: SetSocketOption and GetSocketOption
// never panic, fail only with a *Error of a code options can have, and a
// value that was set reads back as set where the kernel keeps it exactly.
func FuzzSocketOption(f *testing.F) {
	for opt := SockOptNonblocking; opt <= SockOptIPv6Only; opt++ {
		if opt == 17 {
			opt = SockOptKeepAliveIdle // NSPR's numbers end at 16
		}
		for sock := range uint8(len(fuzzOptSockets)) {
			f.Add(int(opt), uint8(opt), sock, []byte{1, 0, 0, 0, 0, 0x10, 0, 0})
		}
	}
	f.Add(int(SockOptAddMember), uint8(6), uint8(1), []byte{224, 0, 0, 251, 0, 0, 0, 0})
	f.Add(int(SockOptAddMember), uint8(6), uint8(3), append([]byte{0xff, 2, 15: 0xfb, 17: 0}, make([]byte, 18)...))
	f.Add(int(SockOptMcastInterface), uint8(7), uint8(1), []byte{127, 0, 0, 1})
	f.Add(int(SockOptIPTimeToLive), uint8(2), uint8(0), []byte{0, 1, 0, 0})
	f.Add(-1, uint8(0), uint8(0), []byte{})
	f.Fuzz(func(t *testing.T, optNum int, kind, sock uint8, data []byte) {
		which := fuzzOptSockets[int(sock)%len(fuzzOptSockets)]
		s, err := NewSocket(which.family, which.typ)
		if err != nil {
			t.Skipf("NewSocket(%v, %v): %v", which.family, which.typ, err)
		}
		defer s.Close()
		opt, v := SockOpt(optNum), fuzzOptionValue(kind, data)
		checkErr := func(what string, err error) bool {
			if err == nil {
				return true
			}
			var e *Error
			if !errors.As(err, &e) || !optionCodes[e.Code] {
				t.Fatalf("%s %v = %#v on %v %v: %T %v, want a *nspr.Error of an option's code", what, opt, v, which.family, which.typ, err, err)
			}
			return false
		}
		before, err := s.GetSocketOption(opt)
		checkErr("get", err)
		if !checkErr("set", s.SetSocketOption(opt, v)) {
			if err == nil {
				after, err := s.GetSocketOption(opt)
				if err != nil || after != before && !optionMayDrift(opt) {
					t.Fatalf("a failed set of %v = %#v changed it from %#v to %#v, %v", opt, v, before, after, err)
				}
			}
			return
		}
		got, err := s.GetSocketOption(opt)
		if opt == SockOptAddMember || opt == SockOptDropMember {
			return // write-only
		}
		if !checkErr("get after set", err) {
			t.Fatalf("set %v = %#v on %v %v, then get: %v", opt, v, which.family, which.typ, err)
		}
		if want, exact := optionReadBack(opt, v, which.family, which.typ); exact && got != want {
			t.Fatalf("set %v = %#v on %v %v, read back %#v, want %#v", opt, v, which.family, which.typ, got, want)
		}
	})
}

// optionMayDrift reports options whose value the kernel changes by itself,
// such as the maximum segment size, which follows the route.
func optionMayDrift(opt SockOpt) bool { return opt == SockOptMaxSegment }

// optionReadBack is what reading opt gives after setting it to v, and
// whether the kernel keeps v exactly: sizes are rounded and clamped, an
// interface reads back as one of its addresses on AFInet6 sockets.
func optionReadBack(opt SockOpt, v OptionValue, family Family, typ DescType) (OptionValue, bool) {
	switch x := v.(type) {
	case Bool, TTL:
		return v, true
	case TOS:
		if typ == DescSocketTCP {
			return x &^ 3, false // Linux keeps the ECN bits of TCP to itself; other kernels do not
		}
		return v, true
	case Linger:
		// Off leaves the interval as it was; whole seconds when on.
		return Linger{On: true, Interval: SecondsToInterval(IntervalToSeconds(x.Interval))}, x.On
	case Interval:
		return SecondsToInterval(IntervalToSeconds(x)), true
	case Size:
		return v, opt == SockOptKeepAliveCount
	case NetworkAddress:
		if x.Family() == AFUnspec { // the kernel's choice, the wildcard address
			x, _ = NewNetworkAddressSpecial(IPAddrAny, 0, AFInet)
		}
		return x, family == AFInet
	}
	return v, false
}
