//go:build linux || darwin || freebsd

package nspr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net"
	"os"
	"reflect"
	"testing"
	"time"
)

// TestBadInput calls public functions and methods with invalid receivers and
// arguments: each must return a *nspr.Error with the right code, promptly,
// without panicking.
func TestBadInput(t *testing.T) {
	fresh := func(t *testing.T) *Socket { return newTestSocket(t, AFInet, DescSocketTCP) }
	udp := func(t *testing.T) *Socket { return newTestSocket(t, AFInet, DescSocketUDP) }
	v6 := loopback(AFInet6, 1)
	v4 := loopback(AFInet, 1)
	buf := make([]byte, 8)
	unixAddr := func(t *testing.T) NetworkAddress {
		a, err := NewUnixAddress(t.TempDir() + "/s")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	poller := func(t *testing.T) *Poller {
		p, err := NewPoller()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		return p
	}
	closedPoller := func(t *testing.T) *Poller { p := poller(t); p.Close(); return p }
	file := func(t *testing.T, mode string) *File {
		f, err := fresh(t).MakeFile(mode, 0)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	var nilFile *File
	var nilPoller *Poller
	var nilAI *AddrInfo
	var nilHE *HostEntry
	var nilCtx context.Context
	tests := []struct {
		name string
		call func(t *testing.T) error
		code ErrorCode // 0: no error
	}{
		// Sockets.
		{"NewSocket family 99", func(t *testing.T) error { s, err := NewSocket(99, DescSocketTCP); s.Close(); return err }, AddressNotSupportedError},
		{"NewSocket type 99", func(t *testing.T) error { s, err := NewSocket(AFInet, 99); s.Close(); return err }, InvalidArgumentError},
		{"ImportTCPSocket -1", func(t *testing.T) error { s, err := ImportTCPSocket(-1); s.Close(); return err }, BadDescriptorError},
		{"FromConn nil", func(t *testing.T) error { _, err := FromConn(nil); return err }, InvalidArgumentError},
		{"FromListener nil", func(t *testing.T) error { _, err := FromListener(nil); return err }, InvalidArgumentError},
		{"FromPacketConn nil", func(t *testing.T) error { _, err := FromPacketConn(nil); return err }, InvalidArgumentError},
		{"Bind wrong family", func(t *testing.T) error { return fresh(t).Bind(v6) }, AddressNotSupportedError},
		{"Bind Unix address on IP socket", func(t *testing.T) error { return fresh(t).Bind(unixAddr(t)) }, AddressNotSupportedError},
		{"Connect wrong family", func(t *testing.T) error { return fresh(t).Connect(v6, 1000) }, AddressNotSupportedError},
		{"ConnectContext nil context", func(t *testing.T) error { return fresh(t).ConnectContext(nilCtx, v4) }, InvalidArgumentError},
		{"AcceptContext nil context", func(t *testing.T) error { _, _, err := fresh(t).AcceptContext(nilCtx); return err }, InvalidArgumentError},
		{"ConnectContinue on NVAL", func(t *testing.T) error { return fresh(t).ConnectContinue(PollNval) }, BadDescriptorError},
		{"SendTo wrong family", func(t *testing.T) error { _, err := udp(t).SendTo(buf, v6, 1000); return err }, AddressNotSupportedError},
		{"Bind zero address", func(t *testing.T) error { return fresh(t).Bind(NetworkAddress{}) }, AddressNotSupportedError},
		{"Shutdown mode 3", func(t *testing.T) error { return fresh(t).Shutdown(3) }, InvalidArgumentError},
		{"Shutdown mode -1", func(t *testing.T) error { return fresh(t).Shutdown(-1) }, InvalidArgumentError},
		{"AcceptRead negative amount", func(t *testing.T) error { l, _ := listen(t, AFInet); _, _, _, err := l.AcceptRead(-1, 1); return err }, InvalidArgumentError},
		{"Listen UDP", func(t *testing.T) error { return udp(t).Listen(1) }, NotTCPSocketError},
		{"Accept UDP", func(t *testing.T) error { _, _, err := udp(t).Accept(1); return err }, InvalidMethodError},
		{"SendTo oversized datagram", func(t *testing.T) error {
			_, err := udp(t).SendTo(make([]byte, 70000), v4, 1000)
			return err
		}, InvalidArgumentError},
		{"SendToBatch oversized datagram", func(t *testing.T) error {
			_, err := udp(t).SendToBatch([]Datagram{{Buf: make([]byte, 70000), Addr: v4}}, 1000)
			return err
		}, InvalidArgumentError},
		{"SendToBatch wrong family", func(t *testing.T) error {
			_, err := udp(t).SendToBatch([]Datagram{{Buf: buf, Addr: v6}}, 1000)
			return err
		}, AddressNotSupportedError},
		{"SendToBatch empty", func(t *testing.T) error { _, err := udp(t).SendToBatch(nil, 1000); return err }, 0},
		{"RecvFromBatch empty", func(t *testing.T) error { _, err := udp(t).RecvFromBatch(nil, 1000); return err }, 0},
		{"Recv unconnected", func(t *testing.T) error { _, err := fresh(t).Recv(buf, 1000); return err }, NotConnectedError},
		{"Accept not listening, huge timeout", func(t *testing.T) error {
			_, _, err := fresh(t).Accept(IntervalNoTimeout - 1)
			return err
		}, InvalidArgumentError},

		// Socket options.
		{"GetSocketOption -1", func(t *testing.T) error { _, err := fresh(t).GetSocketOption(-1); return err }, InvalidArgumentError},
		{"GetSocketOption AddMember", func(t *testing.T) error { _, err := udp(t).GetSocketOption(SockOptAddMember); return err }, InvalidArgumentError},
		{"SetSocketOption nil value", func(t *testing.T) error { return fresh(t).SetSocketOption(SockOptLinger, nil) }, InvalidArgumentError},
		{"SetSocketOption wrong type", func(t *testing.T) error { return fresh(t).SetSocketOption(SockOptLinger, Bool(true)) }, InvalidArgumentError},
		{"SetTTL 0", func(t *testing.T) error { return fresh(t).SetTTL(0) }, BufferOverflowError},
		{"SetTTL 256", func(t *testing.T) error { return fresh(t).SetTTL(256) }, BufferOverflowError},
		{"SetTOS -1", func(t *testing.T) error { return fresh(t).SetTOS(-1) }, BufferOverflowError},
		{"SetMulticastTTL 256", func(t *testing.T) error { return udp(t).SetMulticastTTL(256) }, BufferOverflowError},
		{"SetKeepAliveCount 0", func(t *testing.T) error { return fresh(t).SetKeepAliveCount(0) }, BufferOverflowError},
		{"SetKeepAliveIdle 0", func(t *testing.T) error { return fresh(t).SetKeepAliveIdle(0) }, BufferOverflowError},
		{"SetNoDelay on UDP", func(t *testing.T) error { return udp(t).SetNoDelay(true) }, NotTCPSocketError},
		{"SetIPv6Only on IPv4", func(t *testing.T) error { return fresh(t).SetIPv6Only(true) }, InvalidArgumentError},
		{"JoinGroup not multicast", func(t *testing.T) error { return udp(t).JoinGroup(v4, NetworkAddress{}) }, BufferOverflowError},
		{"JoinGroup IPv6 group on IPv4", func(t *testing.T) error { return udp(t).JoinGroup(v6, NetworkAddress{}) }, InvalidArgumentError},

		// Reading lines and files.
		{"ReadLine on UDP", func(t *testing.T) error { _, err := udp(t).ReadLine(0, 1); return err }, InvalidMethodError},
		{"ReadLines on UDP", func(t *testing.T) error { _, err := udp(t).ReadLines(0, 1); return err }, InvalidMethodError},
		{"ReadSize -1 on UDP", func(t *testing.T) error { _, err := udp(t).ReadSize(-1, 1); return err }, InvalidMethodError},
		{"ReadLinesInto no room for lines", func(t *testing.T) error { _, err := fresh(t).ReadLinesInto(buf, nil, 1); return err }, InvalidArgumentError},
		{"ReadLineInto empty buffer", func(t *testing.T) error { _, err := fresh(t).ReadLineInto(nil, 1); return err }, InvalidArgumentError},
		{"MakeFile mode x", func(t *testing.T) error { _, err := fresh(t).MakeFile("x", 0); return err }, InvalidArgumentError},
		{"MakeFile mode rr", func(t *testing.T) error { _, err := fresh(t).MakeFile("rr", 0); return err }, InvalidArgumentError},
		{"MakeFile negative size", func(t *testing.T) error { _, err := fresh(t).MakeFile("r", -5); return err }, 0},
		{"File Write read-only", func(t *testing.T) error { _, err := file(t, "r").Write(buf); return err }, BadDescriptorError},
		{"File Read write-only", func(t *testing.T) error { _, err := file(t, "w").Read(buf); return err }, BadDescriptorError},
		{"File ReadLine after Close", func(t *testing.T) error {
			f := file(t, "r")
			f.Close()
			_, err := f.ReadLine(0)
			return err
		}, BadDescriptorError},
		{"nil File Read", func(t *testing.T) error { _, err := nilFile.Read(buf); return err }, BadDescriptorError},
		{"nil File ReadLines", func(t *testing.T) error { _, err := nilFile.ReadLines(0); return err }, BadDescriptorError},
		{"nil File Close", func(t *testing.T) error { return nilFile.Close() }, BadDescriptorError},

		// Poll and Poller.
		{"Poll nothing forever", func(t *testing.T) error { _, err := Poll(nil, IntervalNoTimeout); return err }, InvalidArgumentError},
		{"Poll asking PollErr", func(t *testing.T) error {
			_, err := Poll([]PollDesc{{Socket: fresh(t), InFlags: PollErr}}, IntervalNoWait)
			return err
		}, InvalidArgumentError},
		{"Poll closed socket", func(t *testing.T) error {
			s := fresh(t)
			s.Close()
			out, err := Poll([]PollDesc{{Socket: s, InFlags: PollRead}}, IntervalNoWait)
			if err == nil && out[0] != PollNval {
				err = fmt.Errorf("closed socket polls as %v, want PR_POLL_NVAL", out[0])
			}
			return err
		}, 0},
		{"Poll nil socket", func(t *testing.T) error {
			_, err := Poll([]PollDesc{{Socket: nil, InFlags: PollRead}}, IntervalNoWait)
			return err
		}, 0},
		{"PollInto short out", func(t *testing.T) error {
			_, err := PollInto([]PollDesc{{Socket: fresh(t), InFlags: PollRead}}, nil, IntervalNoWait)
			return err
		}, InvalidArgumentError},
		{"Poller Add nil socket", func(t *testing.T) error { return poller(t).Add(nil, PollRead) }, BadDescriptorError},
		{"Poller Add closed socket", func(t *testing.T) error {
			s := fresh(t)
			s.Close()
			return poller(t).Add(s, PollRead)
		}, BadDescriptorError},
		{"Poller Add no flags", func(t *testing.T) error { return poller(t).Add(fresh(t), 0) }, InvalidArgumentError},
		{"Poller Add twice", func(t *testing.T) error {
			p, s := poller(t), fresh(t)
			p.Add(s, PollRead)
			return p.Add(s, PollRead)
		}, InvalidArgumentError},
		{"Poller Modify non-member", func(t *testing.T) error { return poller(t).Modify(fresh(t), PollRead) }, InvalidArgumentError},
		{"Poller Wait no room", func(t *testing.T) error { _, err := poller(t).Wait(nil, IntervalNoWait); return err }, InvalidArgumentError},
		{"Poller Wait after Close", func(t *testing.T) error {
			_, err := closedPoller(t).Wait(make([]PollEvent, 1), IntervalNoWait)
			return err
		}, BadDescriptorError},
		{"Poller Close twice", func(t *testing.T) error { return closedPoller(t).Close() }, BadDescriptorError},
		{"nil Poller Add", func(t *testing.T) error { return nilPoller.Add(fresh(t), PollRead) }, BadDescriptorError},
		{"nil Poller Wait", func(t *testing.T) error { _, err := nilPoller.Wait(make([]PollEvent, 1), 1); return err }, BadDescriptorError},
		{"nil Poller Close", func(t *testing.T) error { return nilPoller.Close() }, BadDescriptorError},

		// Go views.
		{"Conn SetDeadline closed", func(t *testing.T) error { s := fresh(t); s.Close(); return s.Conn().SetDeadline(time.Now()) }, BadDescriptorError},
		{"Listener Accept on UDP", func(t *testing.T) error { _, err := udp(t).Listener().Accept(); return err }, InvalidMethodError},
		{"PacketConn WriteTo nil address", func(t *testing.T) error { _, err := udp(t).PacketConn().WriteTo(buf, nil); return err }, InvalidArgumentError},
		{"nil Conn Write", func(t *testing.T) error { _, err := (*Conn)(nil).Write(buf); return err }, BadDescriptorError},
		{"nil Conn Close", func(t *testing.T) error { return (*Conn)(nil).Close() }, BadDescriptorError},
		{"nil Listener Close", func(t *testing.T) error { return (*Listener)(nil).Close() }, BadDescriptorError},
		{"nil PacketConn WriteTo", func(t *testing.T) error {
			_, err := (*PacketConn)(nil).WriteTo(buf, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9})
			return err
		}, BadDescriptorError},

		// Addresses and name resolution (numeric and localhost only).
		{"NewNetworkAddress family 99", func(t *testing.T) error { _, err := NewNetworkAddress("127.0.0.1", 1, 99); return err }, InvalidArgumentError},
		{"NewNetworkAddressSpecial value 99", func(t *testing.T) error { _, err := NewNetworkAddressSpecial(99, 1, AFInet); return err }, InvalidArgumentError},
		{"NewNetworkAddressContext nil context", func(t *testing.T) error {
			_, err := NewNetworkAddressContext(nilCtx, "127.0.0.1", 1, AFInet)
			return err
		}, InvalidArgumentError},
		{"NewUnixAddress with NUL", func(t *testing.T) error { _, err := NewUnixAddress("a\x00b"); return err }, InvalidArgumentError},
		{"ParseNetworkAddress empty", func(t *testing.T) error { _, err := ParseNetworkAddress(""); return err }, InvalidArgumentError},
		{"SetPort -1", func(t *testing.T) error { a := v4; return a.SetPort(-1) }, InvalidArgumentError},
		{"SetPort 65536", func(t *testing.T) error { a := v4; return a.SetPort(65536) }, InvalidArgumentError},
		{"nil NetworkAddress SetPort", func(t *testing.T) error { return (*NetworkAddress)(nil).SetPort(1) }, InvalidArgumentError},
		{"nil NetworkAddress SetFromString", func(t *testing.T) error {
			return (*NetworkAddress)(nil).SetFromString("127.0.0.1", AFInet)
		}, InvalidArgumentError},
		{"zero NetworkAddress HostEntry", func(t *testing.T) error { _, err := NetworkAddress{}.HostEntry(); return err }, InvalidArgumentError},
		{"NewAddrInfo family 99", func(t *testing.T) error { _, err := NewAddrInfo("127.0.0.1", 99, AIAddrConfig); return err }, InvalidArgumentError},
		{"NewAddrInfo flags 0", func(t *testing.T) error { _, err := NewAddrInfo("127.0.0.1", AFInet, 0); return err }, InvalidArgumentError},
		{"NewAddrInfoContext nil context", func(t *testing.T) error {
			_, err := NewAddrInfoContext(nilCtx, "127.0.0.1", AFInet, AIAddrConfig)
			return err
		}, InvalidArgumentError},
		{"NewHostEntryContext nil context", func(t *testing.T) error { _, err := NewHostEntryContext(nilCtx, "localhost"); return err }, InvalidArgumentError},
		{"NewHostEntryByAddr zero address", func(t *testing.T) error { _, err := NewHostEntryByAddr(NetworkAddress{}); return err }, InvalidArgumentError},
		{"NewHostEntryByAddr Unix address", func(t *testing.T) error { _, err := NewHostEntryByAddr(unixAddr(t)); return err }, InvalidArgumentError},
		{"AddrInfo At -1", func(t *testing.T) error {
			ai, err := NewAddrInfo("127.0.0.1", AFInet, AIAddrConfig)
			if err == nil {
				_, err = ai.At(-1)
			}
			return err
		}, InvalidArgumentError},
		{"nil AddrInfo At", func(t *testing.T) error { _, err := nilAI.At(0); return err }, InvalidArgumentError},
		{"nil AddrInfo Len", func(t *testing.T) error {
			return zeroOr(nilAI.Len() == 0 && nilAI.Hostname() == "" && nilAI.String() != "", "AddrInfo")
		}, 0},
		{"nil HostEntry NetworkAddress", func(t *testing.T) error { _, err := nilHE.NetworkAddress(1); return err }, DirectoryLookupError},
		{"nil HostEntry Len", func(t *testing.T) error {
			return zeroOr(nilHE.Len() == 0 && nilHE.Hostname() == "" && nilHE.String() != "", "HostEntry")
		}, 0},

		// Foundation.
		{"GetProtoByName empty", func(t *testing.T) error { _, err := GetProtoByName(""); return err }, DirectoryLookupError},
		{"GetProtoByNumber -1", func(t *testing.T) error { _, _, err := GetProtoByNumber(-1); return err }, DirectoryLookupError},
		{"ErrorCodeOf nil", func(t *testing.T) error { return zeroOr(ErrorCodeOf(nil) == 0, "ErrorCodeOf") }, 0},
		{"nil Error methods", func(t *testing.T) error {
			var e *Error
			return zeroOr(e.Error() == "<nil>" && e.Unwrap() == nil && !e.Is(IOTimeoutError) && !e.Timeout() && !e.Temporary(), "nil *Error")
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectCode(t, tt.call, tt.code) })
	}
}

// noErrorMethods are the methods of *Socket without an error result: on a
// nil or closed socket they return a zero value (Family, DescType) or a
// view whose calls fail as the socket's do.
var noErrorMethods = map[string]bool{"Family": true, "DescType": true, "Conn": true, "Listener": true, "PacketConn": true, "Lines": true}

// socketMethodCalls calls each exported method of *Socket with valid
// arguments and returns its error. Methods without an error result report
// the error of a call on what they return (a view, the lines), or an error
// of their own making when their zero result is not the one expected of a
// nil or closed socket. TestBadInputCoversSocketMethods keeps the map
// complete: a new method fails that test until it has a row here.
func socketMethodCalls() map[string]func(s *Socket) error {
	v4 := loopback(AFInet, 1)
	group, _ := NewNetworkAddress("224.0.0.251", 0, AFInet)
	buf := make([]byte, 8)
	tick := Interval(1)
	errOf := func(_ any, err error) error { return err }
	ctx := context.Background()
	return map[string]func(s *Socket) error{
		"Accept":             func(s *Socket) error { _, _, err := s.Accept(tick); return err },
		"AcceptContext":      func(s *Socket) error { _, _, err := s.AcceptContext(ctx); return err },
		"AcceptRead":         func(s *Socket) error { _, _, _, err := s.AcceptRead(8, tick); return err },
		"Available":          func(s *Socket) error { return errOf(s.Available()) },
		"Available64":        func(s *Socket) error { return errOf(s.Available64()) },
		"Bind":               func(s *Socket) error { return s.Bind(v4) },
		"Broadcast":          func(s *Socket) error { return errOf(s.Broadcast()) },
		"Close":              func(s *Socket) error { return s.Close() },
		"Conn":               func(s *Socket) error { return errOf(s.Conn().Read(buf)) },
		"Connect":            func(s *Socket) error { return s.Connect(v4, tick) },
		"ConnectContext":     func(s *Socket) error { return s.ConnectContext(ctx, v4) },
		"ConnectContinue":    func(s *Socket) error { return s.ConnectContinue(PollWrite) },
		"DescType":           func(s *Socket) error { return zeroOr(s.DescType() == 0, "DescType") },
		"Family":             func(s *Socket) error { return zeroOr(s.Family() == AFUnspec, "Family") },
		"Fileno":             func(s *Socket) error { return errOf(s.Fileno()) },
		"GetSocketOption":    func(s *Socket) error { return errOf(s.GetSocketOption(SockOptReuseAddr)) },
		"IPv6Only":           func(s *Socket) error { return errOf(s.IPv6Only()) },
		"JoinGroup":          func(s *Socket) error { return s.JoinGroup(group, NetworkAddress{}) },
		"KeepAlive":          func(s *Socket) error { return errOf(s.KeepAlive()) },
		"KeepAliveCount":     func(s *Socket) error { return errOf(s.KeepAliveCount()) },
		"KeepAliveIdle":      func(s *Socket) error { return errOf(s.KeepAliveIdle()) },
		"KeepAliveInterval":  func(s *Socket) error { return errOf(s.KeepAliveInterval()) },
		"LeaveGroup":         func(s *Socket) error { return s.LeaveGroup(group, NetworkAddress{}) },
		"LineReader":         func(s *Socket) error { return errOf(s.LineReader()) },
		"Lines":              func(s *Socket) error { return firstLineError(s.Lines(tick)) },
		"Linger":             func(s *Socket) error { return errOf(s.Linger()) },
		"Listen":             func(s *Socket) error { return s.Listen(1) },
		"Listener":           func(s *Socket) error { return errOf(s.Listener().Accept()) },
		"MakeFile":           func(s *Socket) error { return errOf(s.MakeFile("r", 0)) },
		"MaxSegment":         func(s *Socket) error { return errOf(s.MaxSegment()) },
		"MulticastInterface": func(s *Socket) error { return errOf(s.MulticastInterface()) },
		"MulticastLoopback":  func(s *Socket) error { return errOf(s.MulticastLoopback()) },
		"MulticastTTL":       func(s *Socket) error { return errOf(s.MulticastTTL()) },
		"NetAddr":            func(s *Socket) error { return errOf(s.NetAddr()) },
		"NoDelay":            func(s *Socket) error { return errOf(s.NoDelay()) },
		"Nonblocking":        func(s *Socket) error { return errOf(s.Nonblocking()) },
		"PacketConn":         func(s *Socket) error { _, _, err := s.PacketConn().ReadFrom(buf); return err },
		"PeerName":           func(s *Socket) error { return errOf(s.PeerName()) },
		"Read":               func(s *Socket) error { return errOf(s.Read(buf)) },
		"ReadFrom":           func(s *Socket) error { return errOf(s.ReadFrom(bytes.NewReader(buf))) },
		"ReadLine":           func(s *Socket) error { return errOf(s.ReadLine(0, tick)) },
		"ReadLineInto":       func(s *Socket) error { return errOf(s.ReadLineInto(buf, tick)) },
		"ReadLines":          func(s *Socket) error { return errOf(s.ReadLines(0, tick)) },
		"ReadLinesInto": func(s *Socket) error {
			return errOf(s.ReadLinesInto(buf, make([][]byte, 2), tick))
		},
		"ReadSize":          func(s *Socket) error { return errOf(s.ReadSize(8, tick)) },
		"Recv":              func(s *Socket) error { return errOf(s.Recv(buf, tick)) },
		"RecvBufferSize":    func(s *Socket) error { return errOf(s.RecvBufferSize()) },
		"RecvFrom":          func(s *Socket) error { _, _, err := s.RecvFrom(buf, tick); return err },
		"RecvFromBatch":     func(s *Socket) error { return errOf(s.RecvFromBatch([]Datagram{{Buf: buf}}, tick)) },
		"ReuseAddr":         func(s *Socket) error { return errOf(s.ReuseAddr()) },
		"ReusePort":         func(s *Socket) error { return errOf(s.ReusePort()) },
		"Send":              func(s *Socket) error { return errOf(s.Send(buf, tick)) },
		"SendBufferSize":    func(s *Socket) error { return errOf(s.SendBufferSize()) },
		"SendFile":          func(s *Socket) error { return errOf(s.SendFile(SendFileData{File: os.Stdin}, 0, tick)) },
		"SendTo":            func(s *Socket) error { return errOf(s.SendTo(buf, v4, tick)) },
		"SendToBatch":       func(s *Socket) error { return errOf(s.SendToBatch([]Datagram{{Buf: buf, Addr: v4}}, tick)) },
		"Sendall":           func(s *Socket) error { return errOf(s.Sendall(buf, tick)) },
		"SetBroadcast":      func(s *Socket) error { return s.SetBroadcast(true) },
		"SetIPv6Only":       func(s *Socket) error { return s.SetIPv6Only(true) },
		"SetKeepAlive":      func(s *Socket) error { return s.SetKeepAlive(true) },
		"SetKeepAliveCount": func(s *Socket) error { return s.SetKeepAliveCount(3) },
		"SetKeepAliveIdle":  func(s *Socket) error { return s.SetKeepAliveIdle(SecondsToInterval(10)) },
		"SetKeepAliveInterval": func(s *Socket) error {
			return s.SetKeepAliveInterval(SecondsToInterval(10))
		},
		"SetLinger":             func(s *Socket) error { return s.SetLinger(Linger{}) },
		"SetMaxSegment":         func(s *Socket) error { return s.SetMaxSegment(1000) },
		"SetMulticastInterface": func(s *Socket) error { return s.SetMulticastInterface(NetworkAddress{}) },
		"SetMulticastLoopback":  func(s *Socket) error { return s.SetMulticastLoopback(true) },
		"SetMulticastTTL":       func(s *Socket) error { return s.SetMulticastTTL(1) },
		"SetUDPOffload":         func(s *Socket) error { return s.SetUDPOffload(false) },
		"SetNoDelay":            func(s *Socket) error { return s.SetNoDelay(true) },
		"SetNonblocking":        func(s *Socket) error { return s.SetNonblocking(true) },
		"SetRecvBufferSize":     func(s *Socket) error { return s.SetRecvBufferSize(4096) },
		"SetReuseAddr":          func(s *Socket) error { return s.SetReuseAddr(true) },
		"SetReusePort":          func(s *Socket) error { return s.SetReusePort(true) },
		"SetSendBufferSize":     func(s *Socket) error { return s.SetSendBufferSize(4096) },
		"SetSocketOption":       func(s *Socket) error { return s.SetSocketOption(SockOptReuseAddr, Bool(true)) },
		"SetTOS":                func(s *Socket) error { return s.SetTOS(0) },
		"SetTTL":                func(s *Socket) error { return s.SetTTL(64) },
		"Shutdown":              func(s *Socket) error { return s.Shutdown(ShutdownBoth) },
		"SockName":              func(s *Socket) error { return errOf(s.SockName()) },
		"TOS":                   func(s *Socket) error { return errOf(s.TOS()) },
		"TTL":                   func(s *Socket) error { return errOf(s.TTL()) },
		"TransmitFile":          func(s *Socket) error { return errOf(s.TransmitFile(os.Stdin, buf, 0, tick)) },
		"Write":                 func(s *Socket) error { return errOf(s.Write(buf)) },
		"WriteTo":               func(s *Socket) error { return errOf(s.WriteTo(io.Discard)) },
		"Writev":                func(s *Socket) error { return errOf(s.Writev([][]byte{buf}, tick)) },
	}
}

// zeroOr is nil when a method returned its zero value, else an error.
func zeroOr(zero bool, method string) error {
	if zero {
		return nil
	}
	return errors.New(method + " returned a value for a nil socket")
}

// firstLineError returns the error of the first line lines yields.
func firstLineError(lines iter.Seq2[[]byte, error]) error {
	for _, err := range lines {
		return err
	}
	return errors.New("no line and no error")
}

// TestBadInputSocketMethods calls every method of a nil and of a closed
// socket: each fails with PR_BAD_DESCRIPTOR_ERROR, promptly, without
// panicking; those without an error result return their zero value for a
// nil socket (Family, DescType) or a view or sequence that fails so.
func TestBadInputSocketMethods(t *testing.T) {
	for name, call := range socketMethodCalls() {
		for _, which := range []string{"nil", "closed"} {
			t.Run(which+" "+name, func(t *testing.T) {
				var s *Socket
				if which == "closed" {
					s = newTestSocket(t, AFInet, DescSocketTCP)
					s.Close()
				}
				want := BadDescriptorError
				if (name == "Family" || name == "DescType") && which == "nil" {
					want = 0
				}
				if (name == "Family" || name == "DescType") && which == "closed" {
					return // a closed socket keeps its family and type
				}
				expectCode(t, func(t *testing.T) error { return call(s) }, want)
			})
		}
	}
}

// TestBadInputCoversSocketMethods fails when an exported method of *Socket
// has no row in socketMethodCalls, so the bad-input table stays complete.
func TestBadInputCoversSocketMethods(t *testing.T) {
	calls := socketMethodCalls()
	typ := reflect.TypeFor[*Socket]()
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if calls[name] == nil {
			t.Errorf("(*Socket).%s has no row in socketMethodCalls (badinput_test.go)", name)
		}
		returnsErr := false
		for j := range typ.Method(i).Type.NumOut() {
			returnsErr = returnsErr || typ.Method(i).Type.Out(j) == reflect.TypeFor[error]()
		}
		if !returnsErr && !noErrorMethods[name] {
			t.Errorf("(*Socket).%s returns no error: say in noErrorMethods how its bad input shows", name)
		}
	}
	for name := range calls {
		if _, ok := typ.MethodByName(name); !ok {
			t.Errorf("socketMethodCalls has a row for %s, which *Socket lacks", name)
		}
	}
}

// expectCode runs call on a goroutine of its own and checks that it returns
// an *Error with code (nil for code 0) within five seconds, without
// panicking.
func expectCode(t *testing.T, call func(t *testing.T) error, code ErrorCode) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("panic: %v", r)
			}
		}()
		done <- call(t)
	}()
	select {
	case err := <-done:
		var e *Error
		switch {
		case code == 0 && err != nil:
			t.Errorf("got %v, want no error", err)
		case code == 0:
		case !errors.As(err, &e):
			t.Errorf("got %v, want *nspr.Error %v", err, code)
		case e.Code != code:
			t.Errorf("got %v, want %v", e, code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("hung")
	}
}
