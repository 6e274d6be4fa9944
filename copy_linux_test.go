package nspr

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// countSplice counts the calls through sysSplice until the end of the test.
func countSplice(t *testing.T) *int {
	n, raw := new(int), sysSplice
	hook(t, &sysSplice, func(in, out, count int) (int, syscall.Errno) {
		*n++
		return raw(in, out, count)
	})
	return n
}

// streamEnd is one end of a stream connection for the relay tests, with the
// other end: r is what io.Copy sees, peer the far side of the connection.
type streamEnd struct {
	name string
	make func(t *testing.T) (end io.ReadWriter, peer io.ReadWriteCloser)
}

func nsprEnd(view bool) func(t *testing.T) (io.ReadWriter, io.ReadWriteCloser) {
	return func(t *testing.T) (io.ReadWriter, io.ReadWriteCloser) {
		client, server := connectedPair(t, AFInet)
		if view {
			return server.Conn(), client
		}
		return server, client
	}
}

func netEnd(network string) func(t *testing.T) (io.ReadWriter, io.ReadWriteCloser) {
	return func(t *testing.T) (io.ReadWriter, io.ReadWriteCloser) {
		addr := "127.0.0.1:0"
		if network == "unix" {
			addr = filepath.Join(t.TempDir(), "s")
		}
		l, err := net.Listen(network, addr)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		peer, err := net.Dial(network, l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		end, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { peer.Close(); end.Close() })
		return end, peer
	}
}

var streamEnds = []streamEnd{
	{"nspr-Socket", nsprEnd(false)},
	{"nspr-Conn", nsprEnd(true)},
	{"net-TCPConn", netEnd("tcp")},
	{"net-UnixConn", netEnd("unix")},
}

// TestSpliceRelay relays 4 MiB between every pair of stream sockets where
// one is nspr's, with io.Copy in each direction, and checks the bytes,
// the count and that splice(2) carried them. An nspr source has bytes
// read ahead by ReadLine, which must come first.
func TestSpliceRelay(t *testing.T) {
	data := randomBytes(4<<20, 40)
	for _, src := range streamEnds {
		for _, dst := range streamEnds {
			nsprSrc := src.name[:4] == "nspr"
			if !nsprSrc && dst.name[:4] != "nspr" {
				continue // net to net is net's business
			}
			t.Run(src.name+"->"+dst.name, func(t *testing.T) {
				calls := countSplice(t)
				srcEnd, srcPeer := src.make(t)
				dstEnd, dstPeer := dst.make(t)
				want := data
				if nsprSrc {
					// A line read ahead with some of the data behind it.
					go srcPeer.Write([]byte("first line\n"))
					if _, err := readLineOf(srcEnd).ReadLine(0, SecondsToInterval(5)); err != nil {
						t.Fatal(err)
					}
				}
				go func() {
					srcPeer.Write(want)
					if err := closeWrite(srcPeer); err != nil {
						t.Error(err)
					}
				}()
				got := drain(dstPeer)
				n, err := io.Copy(dstEnd, srcEnd)
				if err != nil || n != int64(len(want)) {
					t.Fatalf("io.Copy: %d, %v; want %d", n, err, len(want))
				}
				if err := closeWrite(dstEnd); err != nil {
					t.Fatal(err)
				}
				if b := received(t, got); !bytes.Equal(b, want) {
					t.Fatalf("received %d bytes, want %d equal", len(b), len(want))
				}
				if *calls == 0 {
					t.Error("splice(2) never ran")
				}
			})
		}
	}
}

// readLineOf returns the Socket behind an nspr end.
func readLineOf(end io.ReadWriter) *Socket {
	if c, ok := end.(*Conn); ok {
		return c.Socket()
	}
	return end.(*Socket)
}

// TestSpliceLimited checks io.CopyN between sockets: exactly n bytes move,
// and the source keeps every byte after them.
func TestSpliceLimited(t *testing.T) {
	data := randomBytes(3<<20, 41)
	calls := countSplice(t)
	srcClient, src := connectedPair(t, AFInet)
	dst, dstPeer := connectedPair(t, AFInet)
	go func() {
		srcClient.Send(data, IntervalNoTimeout)
		srcClient.Shutdown(ShutdownSend)
	}()
	got := drain(dstPeer)
	const n = 2<<20 + 12345
	if m, err := io.CopyN(dst, src, n); err != nil || m != n {
		t.Fatalf("io.CopyN: %d, %v", m, err)
	}
	dst.Shutdown(ShutdownSend)
	if b := received(t, got); !bytes.Equal(b, data[:n]) {
		t.Fatalf("received %d bytes, want %d equal", len(b), n)
	}
	rest, err := io.ReadAll(src)
	if err != nil || !bytes.Equal(rest, data[n:]) {
		t.Fatalf("the source kept %d bytes, %v; want %d", len(rest), err, len(data)-n)
	}
	if *calls == 0 {
		t.Error("splice(2) never ran")
	}
}

// TestSpliceDeadlineAndClose checks that the view's write deadline bounds a
// relay into it (the count returned is what the peer then reads) and that
// closing the destination under a relay ends it with net.ErrClosed.
func TestSpliceDeadlineAndClose(t *testing.T) {
	t.Run("deadline", func(t *testing.T) {
		srcClient, src := connectedPair(t, AFInet)
		dst, dstPeer := connectedPair(t, AFInet)
		data := randomBytes(32<<20, 42)
		go srcClient.Send(data, SecondsToInterval(30))
		c := dst.Conn()
		c.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := io.Copy(c, src)
		if n <= 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("io.Copy to a peer that does not read: %d, %v", n, err)
		}
		dst.Shutdown(ShutdownSend)
		if b := received(t, drain(dstPeer)); !bytes.Equal(b, data[:n]) {
			t.Fatalf("the peer read %d bytes, want the %d reported, equal", len(b), n)
		}
	})
	t.Run("read-deadline", func(t *testing.T) {
		_, src := connectedPair(t, AFInet)
		dst, _ := netEnd("tcp")(t)
		c := src.Conn()
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if n, err := io.Copy(dst, c); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("io.Copy from a silent view with a read deadline: %d, %v", n, err)
		}
	})
	t.Run("close", func(t *testing.T) {
		srcClient, src := connectedPair(t, AFInet)
		dst, _ := connectedPair(t, AFInet)
		go srcClient.Send(randomBytes(32<<20, 43), SecondsToInterval(30))
		time.AfterFunc(200*time.Millisecond, func() { dst.Close() })
		if n, err := io.Copy(dst, src); n <= 0 || !errors.Is(err, net.ErrClosed) {
			t.Fatalf("io.Copy closed under it: %d, %v", n, err)
		}
	})
	t.Run("source-closed", func(t *testing.T) {
		_, src := connectedPair(t, AFInet)
		dst, _ := connectedPair(t, AFInet)
		time.AfterFunc(200*time.Millisecond, func() { src.Close() })
		if n, err := io.Copy(dst, src); n != 0 || !errors.Is(err, net.ErrClosed) {
			t.Fatalf("io.Copy from a source closed under it: %d, %v", n, err)
		}
	})
}
