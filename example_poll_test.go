//go:build linux || darwin || freebsd

package nspr_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/nspr-go/nspr"
)

// Poll waits for any of several sockets, as PR_Poll does: here the listener
// has a connection to accept and the connected socket room to send.
func ExamplePoll() {
	ln, err := nspr.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	l := ln.Socket() // the NSPR socket behind the net.Listener view
	addr, _ := l.SockName()
	c, err := nspr.NewSocket(nspr.AFInet, nspr.DescSocketTCP)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	if err := c.Connect(addr, nspr.SecondsToInterval(5)); err != nil {
		panic(err)
	}
	// Wait for the connection to reach the listener, then ask about both.
	if _, err := nspr.Poll([]nspr.PollDesc{{Socket: l, InFlags: nspr.PollRead}}, nspr.SecondsToInterval(5)); err != nil {
		panic(err)
	}
	out, err := nspr.Poll([]nspr.PollDesc{
		{Socket: l, InFlags: nspr.PollRead},
		{Socket: c, InFlags: nspr.PollRead | nspr.PollWrite},
		{Socket: nil, InFlags: nspr.PollRead}, // ignored
	}, nspr.SecondsToInterval(5))
	if err != nil {
		panic(err)
	}
	fmt.Println(out)
	// Output:
	// [PR_POLL_READ PR_POLL_WRITE 0]
}

// A Poller holds sockets between waits; Wait reports the ready ones.
func ExamplePoller() {
	a, b, err := nspr.NewTCPPair()
	if err != nil {
		panic(err)
	}
	defer a.Close()
	defer b.Close()
	p, err := nspr.NewPoller()
	if err != nil {
		panic(err)
	}
	defer p.Close()
	for _, s := range []*nspr.Socket{a, b} {
		if err := p.Add(s, nspr.PollRead); err != nil {
			panic(err)
		}
	}
	if _, err := a.Send([]byte("ping"), nspr.IntervalNoTimeout); err != nil {
		panic(err)
	}
	events := make([]nspr.PollEvent, 8)
	n, err := p.Wait(events, nspr.SecondsToInterval(5))
	if err != nil {
		panic(err)
	}
	for _, e := range events[:n] {
		fmt.Println(e.Socket == b, e.OutFlags)
	}
	// Output:
	// true PR_POLL_READ
}

// A Poll-driven line server: poll, read every complete line without
// waiting, poll again. The first line arrives in two parts; while only
// "hel" is there, ReadLine times out and Poll waits for the rest instead
// of reporting the buffered bytes again.
func ExamplePoll_lineServer() {
	client, server, err := nspr.NewTCPPair()
	if err != nil {
		panic(err)
	}
	defer server.Close()
	go func() {
		defer client.Close()
		client.Send([]byte("hel"), nspr.IntervalNoTimeout)
		time.Sleep(50 * time.Millisecond)
		client.Send([]byte("lo\nworld\n"), nspr.IntervalNoTimeout)
	}()
	descs := []nspr.PollDesc{{Socket: server, InFlags: nspr.PollRead}}
	for {
		out, err := nspr.Poll(descs, nspr.SecondsToInterval(5))
		if err != nil {
			panic(err)
		}
		if out[0] == 0 {
			fmt.Println("timed out")
			return
		}
		for {
			line, err := server.ReadLine(0, nspr.IntervalNoWait)
			if nspr.ErrorCodeOf(err) == nspr.IOTimeoutError {
				break // no whole line yet: poll again
			}
			if err != nil {
				panic(err)
			}
			if len(line) == 0 {
				return // the end of the stream
			}
			fmt.Printf("%q\n", line)
		}
	}
	// Output:
	// "hello\n"
	// "world\n"
}

// A PollableEvent wakes a Poll that would otherwise wait forever: here
// another goroutine sets it while Poll waits on an idle socket and the
// event.
func ExamplePollableEvent() {
	ev, err := nspr.NewPollableEvent()
	if err != nil {
		panic(err)
	}
	defer ev.Close()
	idle, err := nspr.NewSocket(nspr.AFInet, nspr.DescSocketUDP)
	if err != nil {
		panic(err)
	}
	defer idle.Close()
	go ev.Set()
	out, err := nspr.Poll([]nspr.PollDesc{
		{Socket: idle, InFlags: nspr.PollRead},
		{Event: ev, InFlags: nspr.PollRead},
	}, nspr.IntervalNoTimeout)
	if err != nil {
		panic(err)
	}
	fmt.Println(out)
	// Consume the event, as PR_WaitForPollableEvent does; it is then clear.
	fmt.Println(ev.Wait(nspr.IntervalNoWait))
	fmt.Println(errors.Is(ev.Wait(nspr.IntervalNoWait), nspr.IOTimeoutError))
	// Output:
	// [0 PR_POLL_READ]
	// <nil>
	// true
}
