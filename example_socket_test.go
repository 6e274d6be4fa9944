//go:build linux || darwin || freebsd

package nspr_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/nspr-go/nspr"
)

// An accept loop in NSPR's style: a listening socket, one goroutine per
// connection, each answering its client until the client's stream ends.
// Closing the listener ends the loop.
func ExampleSocket_Accept() {
	l, err := nspr.NewSocket(nspr.AFInet, nspr.DescSocketTCP)
	if err != nil {
		panic(err)
	}
	addr, _ := nspr.NewNetworkAddressSpecial(nspr.IPAddrLoopback, 0, nspr.AFInet)
	if err := l.Bind(addr); err != nil {
		panic(err)
	}
	if err := l.Listen(16); err != nil {
		panic(err)
	}
	addr, _ = l.SockName() // the port the kernel chose

	var served sync.WaitGroup
	served.Add(1)
	go func() { // the accept loop
		defer served.Done()
		for {
			c, _, err := l.Accept(nspr.IntervalNoTimeout)
			if err != nil {
				return // the listener was closed
			}
			served.Add(1)
			go func() { // one goroutine per connection
				defer served.Done()
				defer c.Close()
				buf := make([]byte, 512)
				for {
					n, err := c.Recv(buf, nspr.SecondsToInterval(5))
					if err != nil || n == 0 { // 0, nil: the client's stream ended
						return
					}
					c.Send([]byte(strings.ToUpper(string(buf[:n]))), nspr.SecondsToInterval(5))
				}
			}()
		}
	}()

	// Three clients at once.
	replies := make([]string, 3)
	var clients sync.WaitGroup
	for i := range replies {
		clients.Add(1)
		go func() {
			defer clients.Done()
			c, err := nspr.NewSocket(nspr.AFInet, nspr.DescSocketTCP)
			if err != nil {
				panic(err)
			}
			defer c.Close()
			if err := c.Connect(addr, nspr.SecondsToInterval(5)); err != nil {
				panic(err)
			}
			c.Send([]byte(fmt.Sprintf("hello from client %d", i)), nspr.SecondsToInterval(5))
			c.Shutdown(nspr.ShutdownSend)
			reply, _ := io.ReadAll(c) // Read returns io.EOF once the server closes
			replies[i] = string(reply)
		}()
	}
	clients.Wait()
	l.Close()
	served.Wait()
	for _, r := range replies {
		fmt.Println(r)
	}
	// Output:
	// HELLO FROM CLIENT 0
	// HELLO FROM CLIENT 1
	// HELLO FROM CLIENT 2
}

// A UDP exchange with SendTo and RecvFrom: RecvFrom returns the sender, to
// answer; with nothing more to read, its interval runs out with
// PR_IO_TIMEOUT_ERROR.
func ExampleSocket_SendTo() {
	open := func() (*nspr.Socket, nspr.NetworkAddress) {
		s, err := nspr.NewSocket(nspr.AFInet, nspr.DescSocketUDP)
		if err != nil {
			panic(err)
		}
		addr, _ := nspr.NewNetworkAddressSpecial(nspr.IPAddrLoopback, 0, nspr.AFInet)
		if err := s.Bind(addr); err != nil {
			panic(err)
		}
		addr, _ = s.SockName()
		return s, addr
	}
	server, serverAddr := open()
	defer server.Close()
	client, clientAddr := open()
	defer client.Close()

	client.SendTo([]byte("ping"), serverAddr, nspr.SecondsToInterval(5))
	buf := make([]byte, 1500)
	n, from, err := server.RecvFrom(buf, nspr.SecondsToInterval(5))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(buf[:n]), from == clientAddr)
	server.SendTo([]byte("pong"), from, nspr.SecondsToInterval(5))
	n, _, _ = client.RecvFrom(buf, nspr.SecondsToInterval(5))
	fmt.Println(string(buf[:n]))

	_, _, err = client.RecvFrom(buf, nspr.MillisecondsToInterval(20))
	fmt.Println(errors.Is(err, nspr.IOTimeoutError))
	// Output:
	// ping true
	// pong
	// true
}

// Options can be set and read before Bind, as with PR_Socket: the socket
// exists from NewSocket on. SetSocketOption takes the option's typed value
// (nspr.Bool, nspr.Size, nspr.Linger, …) or Go's plain bool, int and
// time.Duration; the typed setters say the same in one call.
func ExampleSocket_SetSocketOption() {
	s, err := nspr.NewSocket(nspr.AFInet, nspr.DescSocketTCP)
	if err != nil {
		panic(err)
	}
	defer s.Close()

	s.SetSocketOption(nspr.SockOptReuseAddr, nspr.Bool(true)) // the typed value
	s.SetSocketOption(nspr.SockOptNoDelay, true)              // Go's bool
	s.SetSocketOption(nspr.SockOptKeepAliveIdle, 30*time.Second)
	s.SetLinger(nspr.Linger{On: true, Interval: nspr.SecondsToInterval(5)})
	if err := s.SetSocketOption(nspr.SockOptNoDelay, "yes"); err != nil {
		fmt.Println(nspr.ErrorCodeOf(err).String())
	}

	addr, _ := nspr.NewNetworkAddressSpecial(nspr.IPAddrLoopback, 0, nspr.AFInet)
	if err := s.Bind(addr); err != nil {
		panic(err)
	}
	reuse, _ := s.GetSocketOption(nspr.SockOptReuseAddr) // an nspr.OptionValue
	noDelay, _ := s.NoDelay()
	idle, _ := s.KeepAliveIdle()
	linger, _ := s.Linger()
	fmt.Println(reuse, noDelay, idle.Duration(), linger.On, linger.Interval.Duration())
	// Output:
	// PR_INVALID_ARGUMENT_ERROR
	// true true 30s true 5s
}

// The end of a stream: NSPR's Recv returns 0 and no error, as PR_Recv
// does; Read, on the socket and on its views, returns io.EOF as Go's
// readers do.
func ExampleSocket_Recv() {
	a, b, err := nspr.NewTCPPair()
	if err != nil {
		panic(err)
	}
	defer b.Close()
	a.Send([]byte("last words"), nspr.IntervalNoTimeout)
	a.Close()

	buf := make([]byte, 64)
	n, err := b.Recv(buf, nspr.SecondsToInterval(5))
	fmt.Printf("%q %v\n", buf[:n], err)
	n, err = b.Recv(buf, nspr.SecondsToInterval(5))
	fmt.Println(n, err) // the end of the stream
	n, err = b.Read(buf)
	fmt.Println(n, err)
	n, err = b.Conn().Read(buf)
	fmt.Println(n, err)
	// Output:
	// "last words" <nil>
	// 0 <nil>
	// 0 EOF
	// 0 EOF
}
