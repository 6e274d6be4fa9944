//go:build linux || darwin || freebsd

package nspr_test

import (
	"bufio"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/nspr-go/nspr"
)

// Code written for net moves to nspr by its package name: Listen and Dial
// take net's networks and addresses, and return net.Listener and net.Conn
// views of NSPR sockets, with net's TCP_NODELAY and keep-alive.
func ExampleDial() {
	l, err := nspr.Listen("tcp", "127.0.0.1:0") // was net.Listen
	if err != nil {
		panic(err)
	}
	defer l.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		line, _ := bufio.NewReader(c).ReadString('\n')
		fmt.Fprintf(c, "echo: %s", line)
	}()

	c, err := nspr.Dial("tcp", l.Addr().String()) // was net.Dial
	if err != nil {
		panic(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "hello\n")
	reply, _ := bufio.NewReader(c).ReadString('\n')
	fmt.Print(reply)
	<-done

	noDelay, _ := c.Socket().NoDelay() // the NSPR socket behind the view
	fmt.Println("TCP_NODELAY:", noDelay)

	// A bad address is PR_INVALID_ARGUMENT_ERROR, as net would refuse it.
	_, err = nspr.Dial("tcp", "127.0.0.1:http")
	fmt.Println(nspr.ErrorCodeOf(err).String())
	// Output:
	// echo: hello
	// TCP_NODELAY: true
	// PR_INVALID_ARGUMENT_ERROR
}

// A net-style server: Listen, then a goroutine per accepted connection.
// Closing the listener ends the accept loop.
func ExampleListen() {
	l, err := nspr.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	var served sync.WaitGroup
	served.Add(1)
	go func() {
		defer served.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return // closed
			}
			served.Add(1)
			go func(c net.Conn) {
				defer served.Done()
				defer c.Close()
				s := bufio.NewScanner(c)
				for s.Scan() {
					fmt.Fprintf(c, "%d bytes\n", len(s.Text()))
				}
			}(c)
		}
	}()

	replies := make([]string, 3)
	var clients sync.WaitGroup
	for i := range replies {
		clients.Add(1)
		go func() {
			defer clients.Done()
			c, err := nspr.Dial("tcp", l.Addr().String())
			if err != nil {
				panic(err)
			}
			defer c.Close()
			fmt.Fprintf(c, "%*s\n", 10*(i+1), "x")
			replies[i], _ = bufio.NewReader(c).ReadString('\n')
		}()
	}
	clients.Wait()
	l.Close()
	served.Wait()
	for _, r := range replies {
		fmt.Print(r)
	}
	// Output:
	// 10 bytes
	// 20 bytes
	// 30 bytes
}

// ListenPacket and a dialled UDP socket exchange datagrams as net's do.
func ExampleListenPacket() {
	pc, err := nspr.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer pc.Close()
	c, err := nspr.Dial("udp", pc.LocalAddr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	pc.SetDeadline(time.Now().Add(5 * time.Second)) // datagrams can be lost
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Write([]byte("ping"))
	buf := make([]byte, 64)
	n, from, _ := pc.ReadFrom(buf)
	pc.WriteTo([]byte("pong"), from)
	fmt.Println(string(buf[:n]))
	n, _ = c.Read(buf)
	fmt.Println(string(buf[:n]))
	// Output:
	// ping
	// pong
}
