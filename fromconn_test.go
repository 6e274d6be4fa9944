//go:build linux || darwin || freebsd

package nspr

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/ipv4"
)

// exchange sends msg from a to b and checks it arrives.
func exchange(t *testing.T, what string, a io.Writer, b io.Reader, msg string) {
	t.Helper()
	if _, err := a.Write([]byte(msg)); err != nil {
		t.Fatalf("%s: write: %v", what, err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(b, got); err != nil || string(got) != msg {
		t.Fatalf("%s: read %q, %v", what, got, err)
	}
}

// TestFromConn takes net connections into Sockets: data flows both ways
// through the copy, and closing either the Socket or the original leaves the
// other working.
func TestFromConn(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			addr := "127.0.0.1:0"
			if network == "unix" {
				addr = t.TempDir() + "/s"
			}
			l, err := net.Listen(network, addr)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			orig, err := net.Dial(network, l.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer orig.Close()
			peer, err := l.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer peer.Close()
			peer.SetDeadline(time.Now().Add(5 * time.Second))
			orig.SetDeadline(time.Now().Add(5 * time.Second))

			s, err := FromConn(orig)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			wantFamily := AFInet
			if network == "unix" {
				wantFamily = AFLocal
			}
			if s.Family() != wantFamily || s.DescType() != DescSocketTCP {
				t.Errorf("family %v type %v", s.Family(), s.DescType())
			}
			sockName, err := s.SockName()
			if err != nil || (network == "tcp" && sockName.String() != orig.LocalAddr().String()) {
				t.Errorf("SockName %v, %v; the original's %v", sockName, err, orig.LocalAddr())
			}
			exchange(t, "socket to peer", s, peer, "one")
			exchange(t, "peer to socket", peer, s, "two")
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			exchange(t, "original after Socket.Close", orig, peer, "three")
			exchange(t, "peer to original", peer, orig, "four")

			s2, err := FromConn(orig)
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			orig.Close()
			exchange(t, "second socket after the original closed", s2, peer, "five")
		})
	}
}

// TestFromListener accepts through a Socket made from a net listener, and
// through the listener after the Socket is closed.
func TestFromListener(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	s, err := FromListener(l)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	srv, _, err := s.Accept(SecondsToInterval(5))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	exchange(t, "accepted by the socket", c, srv, "hi")
	s.Close()
	c2, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	l.(*net.TCPListener).SetDeadline(time.Now().Add(5 * time.Second))
	srv2, err := l.Accept()
	if err != nil {
		t.Fatalf("the listener after Socket.Close: %v", err)
	}
	srv2.Close()
}

func TestFromPacketConn(t *testing.T) {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	s, err := FromPacketConn(pc)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.DescType() != DescSocketUDP || s.Family() != AFInet {
		t.Errorf("family %v type %v", s.Family(), s.DescType())
	}
	to, _ := ParseNetworkAddress(pc.LocalAddr().String())
	if _, err := s.SendTo([]byte("loop"), to, SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	pc.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 8)
	if n, _, err := pc.ReadFrom(buf); err != nil || string(buf[:n]) != "loop" {
		t.Errorf("the original read %q, %v", buf[:n], err)
	}
}

// fileConn is a net.Conn whose SyscallConn reaches a file that is not a
// socket.
type fileConn struct {
	net.Conn
	f *os.File
}

func (c fileConn) SyscallConn() (syscall.RawConn, error) { return c.f.SyscallConn() }

func TestFromConnErrors(t *testing.T) {
	p1, p2 := net.Pipe()
	defer p1.Close()
	defer p2.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	closed, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	tests := []struct {
		name string
		call func() (*Socket, error)
		code ErrorCode
	}{
		{"nil", func() (*Socket, error) { return FromConn(nil) }, InvalidArgumentError},
		{"net.Pipe", func() (*Socket, error) { return FromConn(p1) }, InvalidArgumentError},
		{"tls.Conn", func() (*Socket, error) { return FromConn(tls.Client(p1, &tls.Config{})) }, InvalidArgumentError},
		{"not a socket", func() (*Socket, error) { return FromConn(fileConn{p1, r}) }, NotSocketError},
		{"closed", func() (*Socket, error) { return FromPacketConn(closed) }, BadDescriptorError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.call()
			if s != nil {
				s.Close()
			}
			wantCode(t, tt.name, err, tt.code)
		})
	}
}

// TestIPv4PacketConnOverView drives golang.org/x/net/ipv4 through the
// packet view: the TTL round-trips through SyscallConn, and control messages
// asked for with SetControlMessage arrive through ReadMsgUDP.
func TestIPv4PacketConnOverView(t *testing.T) {
	a, b, _, _ := nsprUDPPair(t)
	sender, receiver := ipv4.NewPacketConn(a.PacketConn()), ipv4.NewPacketConn(b.PacketConn())
	if err := sender.SetTTL(9); err != nil {
		t.Fatal(err)
	}
	if ttl, err := sender.TTL(); err != nil || ttl != 9 {
		t.Errorf("TTL = %d, %v, want 9", ttl, err)
	}
	flags := ipv4.FlagTTL | ipv4.FlagDst
	if err := receiver.SetControlMessage(flags, true); err != nil {
		t.Fatal(err)
	}
	to := b.PacketConn().LocalAddr()
	if _, err := sender.WriteTo([]byte("ttl"), nil, to); err != nil {
		t.Fatal(err)
	}
	pb := b.PacketConn()
	pb.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf, oob := make([]byte, 16), ipv4.NewControlMessage(flags)
	n, oobn, _, from, err := pb.ReadMsgUDP(buf, oob)
	if err != nil || string(buf[:n]) != "ttl" {
		t.Fatalf("ReadMsgUDP = %q, %v", buf[:n], err)
	}
	if from.AddrPort() != a.PacketConn().LocalAddr().(*net.UDPAddr).AddrPort() {
		t.Errorf("sender %v", from)
	}
	var cm ipv4.ControlMessage
	if err := cm.Parse(oob[:oobn]); err != nil {
		t.Fatal(err)
	}
	if cm.TTL != 9 || !cm.Dst.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("control message %v, want TTL 9 to 127.0.0.1", &cm)
	}
	pb.SetReadDeadline(time.Now().Add(-time.Second))
	if _, _, _, _, err := pb.ReadMsgUDP(buf, oob); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("ReadMsgUDP past its deadline: %v", err)
	}
}
