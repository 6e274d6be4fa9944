//go:build linux

package nspr

import (
	"strconv"
	"time"
)

// Bullets of docs/compat.md cited by the poll scenarios.
const (
	compatPollTimeout = "Reading lines and Poll: Poll clears every out flag on a timeout"
	compatPollClosed  = "Reading lines and Poll: A closed socket reports PR_POLL_NVAL"
	compatPollNil     = "Reading lines and Poll: Nil entries are ignored"
	compatPollFlags   = "Reading lines and Poll: Flags other than READ, WRITE and EXCEPT"
)

// flagList formats out-flags as run.py formats the original's tuple.
func flagList(out []PollFlags, err error) string {
	items := make([][]byte, len(out))
	for i, f := range out {
		items[i] = strconv.AppendInt(nil, int64(f), 10)
	}
	return lineList(items, err)
}

// pollEach polls each entry alone, as the scenarios' r = [poll(...)[0], ...].
func pollEach(descs ...PollDesc) string {
	out := make([]PollFlags, len(descs))
	for i, d := range descs {
		got, err := Poll([]PollDesc{d}, MillisecondsToInterval(100))
		if err != nil {
			return res(nil, err)
		}
		out[i] = got[0]
	}
	return flagList(out, nil)
}

// pollDiffCases are the scenarios of Socket.poll; udp is socketDiffCases'
// helper. The original's flags are Linux poll(2)'s through
// NSPR's mapping, so most scenarios compare kernel states one by one.
func pollDiffCases(udp func(func(u *Socket) string) func() string) []diffCase {
	const (
		pyPoll  = "import time; P = io.Socket.poll; T = io.milliseconds_to_interval(100); "
		pyUDP   = pyPoll + "u = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP); u.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0)); a = u.get_sock_name(); "
		pyReady = pyUDP + "u.send_to(b'x', a); time.sleep(0.05); "
		pyPollL = pyPoll + pyListen
		pyPollC = pyPoll + pyConn
	)
	tick := MillisecondsToInterval(100)
	settle := func() { time.Sleep(50 * time.Millisecond) }
	// polled binds u, queues a datagram on it when ready, and polls descs(u).
	polled := func(ready bool, timeout Interval, descs func(u *Socket) []PollDesc) func() string {
		return udp(func(u *Socket) string {
			u.Bind(loopback(AFInet, 0))
			if ready {
				a, _ := u.SockName()
				u.SendTo([]byte("x"), a, tick)
				settle()
			}
			return flagList(Poll(descs(u), timeout))
		})
	}
	one := func(f PollFlags) func(u *Socket) []PollDesc {
		return func(u *Socket) []PollDesc { return []PollDesc{{Socket: u, InFlags: f}} }
	}
	return []diffCase{
		{name: "poll udp idle read write", py: pyUDP + "r = P([(u, io.PR_POLL_READ | io.PR_POLL_WRITE)], T)",
			got: polled(false, tick, one(PollRead|PollWrite))},
		{name: "poll udp readable", py: pyReady + "r = P([(u, io.PR_POLL_READ)], T)",
			got: polled(true, tick, one(PollRead))},
		{name: "poll udp readable read write", py: pyReady + "r = P([(u, io.PR_POLL_READ | io.PR_POLL_WRITE)], T)",
			got: polled(true, tick, one(PollRead|PollWrite))},
		{name: "poll udp readable no wait", py: pyReady + "r = P([(u, io.PR_POLL_READ)], io.PR_INTERVAL_NO_WAIT)",
			got: polled(true, IntervalNoWait, one(PollRead))},
		{name: "poll duplicate entries", py: pyReady + "r = P([(u, 1), (u, 2), (u, 3)], T)",
			got: polled(true, tick, func(u *Socket) []PollDesc {
				return []PollDesc{{Socket: u, InFlags: 1}, {Socket: u, InFlags: 2}, {Socket: u, InFlags: 3}}
			})},
		{name: "poll except idle", py: pyUDP + "r = P([(u, io.PR_POLL_EXCEPT | io.PR_POLL_WRITE)], T)",
			got: polled(false, tick, one(PollExcept|PollWrite))},
		{name: "poll zero flags", py: pyReady + "r = P([(u, 0)], T)",
			got: polled(true, tick, one(0))},
		{name: "poll empty", py: pyPoll + "r = P([], io.milliseconds_to_interval(50))",
			got: func() string { return flagList(Poll(nil, MillisecondsToInterval(50))) }},
		{name: "poll 100 sockets", py: pyReady + "v = [io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP) for i in range(99)]; [x.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0)) for x in v]; r = P([(x, 1) for x in v] + [(u, 1)], T)",
			got: udp(func(u *Socket) string {
				u.Bind(loopback(AFInet, 0))
				a, _ := u.SockName()
				u.SendTo([]byte("x"), a, tick)
				settle()
				descs := make([]PollDesc, 0, 100)
				for range 99 {
					v, _ := NewSocket(AFInet, DescSocketUDP)
					defer v.Close()
					v.Bind(loopback(AFInet, 0))
					descs = append(descs, PollDesc{Socket: v, InFlags: PollRead})
				}
				return flagList(Poll(append(descs, PollDesc{Socket: u, InFlags: PollRead}), tick))
			})},
		{name: "poll timeout", compat: compatPollTimeout, orig: "V [1]", ours: "V [0]",
			py: pyUDP + "r = P([(u, io.PR_POLL_READ)], T)", got: polled(false, tick, one(PollRead))},
		{name: "poll no wait idle", compat: compatPollTimeout, orig: "V [1]", ours: "V [0]",
			py: pyUDP + "r = P([(u, io.PR_POLL_READ)], io.PR_INTERVAL_NO_WAIT)", got: polled(false, IntervalNoWait, one(PollRead))},
		{name: "poll unknown in-flag", compat: compatPollFlags, orig: "V [1]", ours: "E PR_INVALID_ARGUMENT_ERROR",
			py: pyReady + "r = P([(u, io.PR_POLL_READ | 0x40)], T)", got: polled(true, tick, one(PollRead|0x40))},
		{name: "poll out-only in-flags", compat: compatPollFlags, orig: "V [0]", ours: "E PR_INVALID_ARGUMENT_ERROR",
			py: pyReady + "r = P([(u, io.PR_POLL_ERR | io.PR_POLL_NVAL | io.PR_POLL_HUP)], T)", got: polled(true, tick, one(PollErr|PollNval|PollHup))},
		{name: "poll closed socket", compat: compatPollClosed, orig: "V [0]", ours: flagList([]PollFlags{PollNval}, nil),
			py: pyPoll + "s = io.Socket(); s.close(); r = P([(s, io.PR_POLL_READ)], T)",
			got: func() string {
				s, _ := NewSocket(AFInet, DescSocketTCP)
				s.Close()
				return flagList(Poll([]PollDesc{{Socket: s, InFlags: PollRead}}, tick))
			}},
		{name: "poll None", compat: compatPollNil, orig: "X TypeError", ours: "V [0]",
			py: pyPoll + "r = P([(None, io.PR_POLL_READ)], T)", got: func() string { return flagList(Poll([]PollDesc{{Socket: nil, InFlags: PollRead}}, tick)) }},
		{name: "poll unconnected tcp", py: pyPoll + "s = io.Socket(); r = [P([(s, 1)], T)[0], P([(s, 2)], T)[0], P([(s, 3)], T)[0]]",
			got: func() string {
				s, _ := NewSocket(AFInet, DescSocketTCP)
				defer s.Close()
				return pollEach(PollDesc{Socket: s, InFlags: PollRead}, PollDesc{Socket: s, InFlags: PollWrite}, PollDesc{Socket: s, InFlags: PollRead | PollWrite})
			}},
		{name: "poll connected", py: pyPollC + "r = P([(c, io.PR_POLL_WRITE), (s, io.PR_POLL_READ), (c, 3)], T)",
			got: diffConn(func(c, s *Socket) string {
				return flagList(Poll([]PollDesc{{Socket: c, InFlags: PollWrite}, {Socket: s, InFlags: PollRead}, {Socket: c, InFlags: PollRead | PollWrite}}, tick))
			})},
		{name: "poll peer closed", py: pyPollC + "c.close(); time.sleep(0.05); r = [P([(s, 1)], T)[0], P([(s, 2)], T)[0], P([(s, 7)], T)[0]]",
			got: diffConn(func(c, s *Socket) string {
				c.Close()
				settle()
				return pollEach(PollDesc{Socket: s, InFlags: PollRead}, PollDesc{Socket: s, InFlags: PollWrite}, PollDesc{Socket: s, InFlags: PollRead | PollWrite | PollExcept})
			})},
		{name: "poll peer reset", py: pyPollC + "s.send(b'unread'); time.sleep(0.05); c.close(); time.sleep(0.05); r = [P([(s, 1)], T)[0], P([(s, 3)], T)[0]]",
			got: diffConn(func(c, s *Socket) string {
				s.Send([]byte("unread"), tick)
				settle()
				c.Close()
				settle()
				return pollEach(PollDesc{Socket: s, InFlags: PollRead}, PollDesc{Socket: s, InFlags: PollRead | PollWrite})
			})},
		{name: "poll after shutdown", py: pyPollC + "s.shutdown(); r = [P([(s, 1)], T)[0], P([(s, 2)], T)[0]]",
			got: diffConn(func(c, s *Socket) string {
				s.Shutdown(ShutdownBoth)
				return pollEach(PollDesc{Socket: s, InFlags: PollRead}, PollDesc{Socket: s, InFlags: PollWrite})
			})},
		{name: "poll listener pending", py: pyPollL + "c = io.Socket(); c.connect(io.NetworkAddress(io.PR_IpAddrLoopback, p)); time.sleep(0.05); r = P([(l, 1), (l, 3)], T)",
			got: diffConnecting(func(l, c *Socket, a NetworkAddress) string {
				c.Connect(a, SecondsToInterval(5))
				settle()
				return flagList(Poll([]PollDesc{{Socket: l, InFlags: PollRead}, {Socket: l, InFlags: PollRead | PollWrite}}, tick))
			})},
		{name: "poll non-blocking connect", py: pyPollL + "c = io.Socket(); c.set_socket_option(io.PR_SockOpt_Nonblocking, True)\ntry:\n    c.connect(io.NetworkAddress(io.PR_IpAddrLoopback, p))\nexcept Exception:\n    pass\nr = P([(c, io.PR_POLL_WRITE | io.PR_POLL_EXCEPT)], io.milliseconds_to_interval(2000))",
			got: diffConnecting(func(l, c *Socket, a NetworkAddress) string {
				c.SetNonblocking(true)
				c.Connect(a, IntervalNoTimeout)
				return flagList(Poll([]PollDesc{{Socket: c, InFlags: PollWrite | PollExcept}}, MillisecondsToInterval(2000)))
			})},
		{name: "poll after readline", py: pyPollC + "c.send(b'one\\ntwo\\n'); time.sleep(0.05); s.readline(); r = P([(s, io.PR_POLL_READ)], T)",
			got: diffConn(func(c, s *Socket) string {
				c.Send([]byte("one\ntwo\n"), tick)
				settle()
				s.ReadLine(0, tick)
				return flagList(Poll([]PollDesc{{Socket: s, InFlags: PollRead}}, tick))
			})},
	}
}
