package workload

import (
	"bufio"
	"io"
	"net"
	"net/netip"
)

// Net is the standard library's implementation, the baseline nspr is
// measured against.
type Net struct{}

// Name returns "net".
func (Net) Name() string { return "net" }

// TCPPair returns both ends of a loopback TCP connection; net turns Nagle's
// algorithm off itself.
func (Net) TCPPair() (client, server io.ReadWriteCloser, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return nil, nil, err
	}
	s, err := ln.Accept()
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return c, s, nil
}

// TCPListener returns a listener on a loopback port.
func (Net) TCPListener() (Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return netListener{ln}, nil
}

type netListener struct{ net.Listener }

func (l netListener) ConnectAccept() error {
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		return err
	}
	defer c.Close()
	s, err := l.Accept()
	if err != nil {
		return err
	}
	return s.Close()
}

// LineReader reads lines with a 64 KiB bufio.Reader's ReadSlice, copying
// each into p.
func (Net) LineReader(server io.Reader) func(p []byte) (int, error) {
	r := bufio.NewReaderSize(server, BulkChunk)
	return func(p []byte) (int, error) {
		line, err := r.ReadSlice('\n')
		return copy(p, line), err
	}
}

// UDPPair returns two bound loopback UDP sockets.
func (Net) UDPPair() (Datagrams, error) {
	lo := net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0"))
	tx, err := net.ListenUDP("udp", lo)
	if err != nil {
		return nil, err
	}
	rx, err := net.ListenUDP("udp", lo)
	if err != nil {
		tx.Close()
		return nil, err
	}
	return &netDatagrams{tx: tx, rx: rx, to: rx.LocalAddr().(*net.UDPAddr).AddrPort()}, nil
}

type netDatagrams struct {
	tx, rx *net.UDPConn
	to     netip.AddrPort
}

func (d *netDatagrams) Burst(msg, buf []byte, k int) error {
	for range k {
		if _, err := d.tx.WriteToUDPAddrPort(msg, d.to); err != nil {
			return err
		}
	}
	for range k {
		if _, _, err := d.rx.ReadFromUDPAddrPort(buf); err != nil {
			return err
		}
	}
	return nil
}

func (d *netDatagrams) Close() error { return CloseAll(d.tx, d.rx) }
