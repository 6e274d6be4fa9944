package nspr

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The multicast test runs in network namespaces of its own: it re-executes
// the test binary under `unshare -rn` (a user and network namespace, where
// it may configure links), and there starts a second namespace joined to
// the first by a veth pair. The namespaces vanish with their processes, so
// the host's network is never touched.
//
//	namespace A (the test)            namespace B (a sleep process)
//	va 10.0.0.1  fd00::1  <-- veth -->  vb 10.0.0.2  fd00::2
//	sender, local member               remote member
//
// A datagram reaches the remote member only over the wire, so the
// multicast TTL decides (0 never leaves the host); it reaches the local
// member only through the kernel's loopback copy, so McastLoopback decides.
const netnsEnv = "NSPR_TEST_MULTICAST_NETNS"

func TestMulticast(t *testing.T) {
	if os.Getenv(netnsEnv) == "" {
		runInNetns(t)
		return
	}
	peer := setupNetns(t)
	groups := []struct {
		name                string
		family              Family
		group, local, wire  string
		localAddr, peerAddr string
	}{
		{"IPv4", AFInet, "239.1.2.3", "10.0.0.1", "10.0.0.2", "0.0.0.0", "0.0.0.0"},
		{"IPv6", AFInet6, "ff02::4242", "fd00::1", "fd00::2", "::", "::"},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			ip := func(s string) NetworkAddress { return addrOf(bracket(s) + ":0") }
			group, local, remote := ip(g.group), ip(g.local), ip(g.wire)

			// The remote member lives in namespace B.
			var member *Socket
			var port int
			inNetns(t, peer, func() error {
				var err error
				if member, err = NewSocket(g.family, DescSocketUDP); err != nil {
					return err
				}
				t.Cleanup(func() { member.Close() })
				if err := member.Bind(ip(g.peerAddr)); err != nil {
					return err
				}
				a, err := member.SockName()
				port = int(a.Port())
				if err != nil {
					return err
				}
				if err := member.JoinGroup(group, remote); err != nil {
					return err
				}
				wantCode(t, "join twice", member.JoinGroup(group, remote), AddressInUseError)
				return nil
			})

			// The local member and the sender live in namespace A.
			localMember := newTestSocket(t, g.family, DescSocketUDP)
			bindAt := ip(g.localAddr)
			mustOK(t, "set port", bindAt.SetPort(port))
			mustOK(t, "bind local member", localMember.Bind(bindAt))
			mustOK(t, "join on "+g.local, localMember.JoinGroup(group, local))

			sender := newTestSocket(t, g.family, DescSocketUDP)
			mustOK(t, "set interface", sender.SetMulticastInterface(local))
			dest := group
			mustOK(t, "set port", dest.SetPort(port))

			seq := 0
			send := func(ttl int, loop bool) []byte {
				t.Helper()
				mustOK(t, "set TTL", sender.SetMulticastTTL(ttl))
				mustOK(t, "set loopback", sender.SetMulticastLoopback(loop))
				if got, err := sender.MulticastTTL(); got != ttl || err != nil {
					t.Fatalf("MulticastTTL = %d, %v; want %d", got, err, ttl)
				}
				seq++
				msg := []byte(g.name + " datagram " + strconv.Itoa(seq))
				if _, err := sender.SendTo(msg, dest, SecondsToInterval(5)); err != nil {
					t.Fatalf("send to %v: %v", dest, err)
				}
				return msg
			}
			// expect checks whether s receives msg: a datagram that should
			// not arrive is looked for briefly, and the next expected one
			// proves an earlier one was not merely late.
			expect := func(who string, s *Socket, msg []byte, arrives bool) {
				t.Helper()
				wait := MillisecondsToInterval(300)
				if arrives {
					wait = SecondsToInterval(5)
				}
				buf := make([]byte, 256)
				n, _, err := s.RecvFrom(buf, wait)
				switch {
				case arrives && (err != nil || !bytes.Equal(buf[:n], msg)):
					t.Errorf("%s: got %q, %v; want %q", who, buf[:n], err, msg)
				case !arrives && err == nil:
					t.Errorf("%s received %q; want nothing", who, buf[:n])
				case !arrives:
					wantCode(t, who+" receiving nothing", err, IOTimeoutError)
				}
			}

			// Right after a host joins an IPv6 group on a new link, the
			// kernel may drop its first datagram to the group (seen with
			// plain sockets too): send until one arrives, then drain.
			settle(t, member, func() { send(1, true) })
			settle(t, localMember, nil)

			msg := send(1, true)
			expect("remote member, TTL 1", member, msg, true)
			expect("local member, loopback on", localMember, msg, true)

			msg = send(0, true)
			expect("remote member, TTL 0", member, msg, false)
			expect("local member, TTL 0, loopback on", localMember, msg, true)

			msg = send(1, false)
			expect("remote member, TTL 1, loopback off", member, msg, true)
			expect("local member, loopback off", localMember, msg, false)

			inNetns(t, peer, func() error {
				if err := member.LeaveGroup(group, remote); err != nil {
					return err
				}
				wantCode(t, "leave twice", member.LeaveGroup(group, remote), AddressNotAvailableError)
				return nil
			})
			msg = send(1, true)
			expect("remote member after DropMember", member, msg, false)
			expect("local member, still joined", localMember, msg, true)
		})
	}
}

// settle repeats prime (if any) until s receives a datagram, bounded by
// time, then reads s until it is quiet.
func settle(t *testing.T, s *Socket, prime func()) {
	t.Helper()
	buf := make([]byte, 256)
	if prime != nil {
		for start := time.Now(); ; {
			prime()
			if _, _, err := s.RecvFrom(buf, MillisecondsToInterval(100)); err == nil {
				break
			}
			if time.Since(start) > 5*time.Second {
				t.Fatal("no multicast datagram crossed the veth link within 5s")
			}
		}
	}
	for i := 0; i < 100; i++ {
		if _, _, err := s.RecvFrom(buf, MillisecondsToInterval(200)); err != nil {
			return
		}
	}
	t.Fatal("the socket kept receiving datagrams while none were sent")
}

func bracket(s string) string {
	if strings.Contains(s, ":") {
		return "[" + s + "]"
	}
	return s
}

func mustOK(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// runInNetns re-runs TestMulticast in a new user and network namespace.
func runInNetns(t *testing.T) {
	for _, tool := range []string{"unshare", "nsenter", "ip", "sleep"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("multicast test needs %s(1) to make network namespaces: %v", tool, err)
		}
	}
	if out, err := exec.Command("unshare", "-rn", "true").CombinedOutput(); err != nil {
		t.Skipf("cannot create a user and network namespace here (unshare -rn: %v: %s)", err, bytes.TrimSpace(out))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "-rn", os.Args[0],
		"-test.run=^TestMulticast$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), netnsEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--- PASS: TestMulticast ")) {
		t.Fatalf("TestMulticast in a network namespace: %v\n%s", err, out)
	}
	t.Logf("in a network namespace:\n%s", out)
}

// setupNetns builds the two namespaces and the veth pair between them, and
// returns the path of namespace B. Its process is killed at the end.
func setupNetns(t *testing.T) string {
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	run("ip", "link", "set", "lo", "up")
	peer := exec.Command("unshare", "-n", "sleep", "120")
	if err := peer.Start(); err != nil {
		t.Fatalf("start namespace B: %v", err)
	}
	t.Cleanup(func() {
		peer.Process.Kill()
		peer.Wait()
	})
	pid := strconv.Itoa(peer.Process.Pid)
	path := "/proc/" + pid + "/ns/net"
	self, _ := os.Readlink("/proc/self/ns/net")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if ns, err := os.Readlink(path); err == nil && ns != self {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("namespace B did not appear within 5s")
		}
	}
	// No duplicate address detection: until it ends, IPv6 on a new link
	// is not ready and the first datagrams are lost.
	noDAD := "echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad"
	run("sh", "-c", noDAD)
	run("nsenter", "-t", pid, "-n", "sh", "-c", noDAD)
	run("ip", "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", pid)
	run("ip", "addr", "add", "10.0.0.1/24", "dev", "va")
	run("ip", "-6", "addr", "add", "fd00::1/64", "dev", "va", "nodad")
	run("ip", "link", "set", "va", "up")
	in := []string{"nsenter", "-t", pid, "-n"}
	run(append(in, "ip", "link", "set", "lo", "up")...)
	run(append(in, "ip", "addr", "add", "10.0.0.2/24", "dev", "vb")...)
	run(append(in, "ip", "-6", "addr", "add", "fd00::2/64", "dev", "vb", "nodad")...)
	run(append(in, "ip", "link", "set", "vb", "up")...)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out, _ := exec.Command("ip", "-o", "link", "show", "va").Output()
		if bytes.Contains(out, []byte("LOWER_UP")) && !bytes.Contains(out, []byte("NO-CARRIER")) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("veth has no carrier within 5s: %s", out)
		}
	}
	return path
}

// inNetns runs f on a thread moved into the network namespace at path, so
// that the sockets f creates belong there (and stay there when used from
// any thread), and interface lookups see that namespace's links. An error
// from f fails the test.
func inNetns(t *testing.T, path string, f func() error) {
	t.Helper()
	done := make(chan struct{})
	var fail string
	go func() {
		defer close(done)
		runtime.LockOSThread()
		self, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			fail = "open own namespace: " + err.Error()
			return
		}
		defer unix.Close(self)
		target, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			fail = "open " + path + ": " + err.Error()
			return
		}
		defer unix.Close(target)
		if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
			fail = "setns: " + err.Error()
			return
		}
		if err := f(); err != nil {
			fail = "in namespace B: " + err.Error()
		}
		if unix.Setns(self, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread() // else the thread ends with the goroutine
		}
	}()
	<-done
	if fail != "" {
		t.Fatal(fail)
	}
}
