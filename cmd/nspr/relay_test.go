package main

import (
	"bytes"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// skipWithoutIPv6 skips a test where the host has no ::1.
func skipWithoutIPv6(t *testing.T) {
	t.Helper()
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback (::1) on this host: %v", err)
	}
	l.Close()
}

// randomBytes returns n bytes of noise, different in every test.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rand.Uint32())
	}
	return b
}

// streamCases are the stream transports listen and connect relay over:
// the listen arguments, and whether the case needs IPv6.
var streamCases = []struct {
	name   string
	listen func(t *testing.T) []string
	ipv6   bool
}{
	{"tcp4", func(*testing.T) []string { return []string{"127.0.0.1:0"} }, false},
	{"tcp6", func(*testing.T) []string { return []string{"[::1]:0"} }, true},
	{"tcp-wildcard", func(*testing.T) []string { return []string{":0"} }, false},
	{"unix", func(t *testing.T) []string { return []string{"--unix", filepath.Join(t.TempDir(), "s.sock")} }, false},
}

// connectArgs returns the connect arguments for what listen printed.
func connectArgs(listenArgs []string, bound string) []string {
	if listenArgs[0] == "--unix" {
		return []string{"--unix", bound}
	}
	if strings.HasPrefix(bound, "[::]:") || strings.HasPrefix(bound, "0.0.0.0:") {
		return []string{bound[strings.LastIndex(bound, ":"):]} // ":port", loopback
	}
	return []string{bound}
}

// TestStreamRelay runs listen and connect against each other over each
// stream transport and checks that the bytes arrive intact both ways and
// both exit with 0 once both stdins have ended.
func TestStreamRelay(t *testing.T) {
	for _, tc := range streamCases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.ipv6 {
				skipWithoutIPv6(t)
			}
			toClient, toServer := randomBytes(300<<10), randomBytes(200<<10)
			largs := tc.listen(t)
			l := startProc(t, bytes.NewReader(toClient), append([]string{"listen"}, largs...)...)
			bound := l.bound()
			c := startProc(t, bytes.NewReader(toServer), append([]string{"connect"}, connectArgs(largs, bound)...)...)
			if code := c.wait(); code != 0 {
				t.Fatalf("connect exited with %d; stderr:\n%s", code, c.stderr.String())
			}
			if code := l.wait(); code != 0 {
				t.Fatalf("listen exited with %d; stderr:\n%s", code, l.stderr.String())
			}
			if got := c.stdout.String(); got != string(toClient) {
				t.Errorf("connect printed %d bytes, want the %d listen read", len(got), len(toClient))
			}
			if got := l.stdout.String(); got != string(toServer) {
				t.Errorf("listen printed %d bytes, want the %d connect read", len(got), len(toServer))
			}
			if !strings.Contains(l.stderr.String(), "connection from ") {
				t.Errorf("listen did not report the connection; stderr:\n%s", l.stderr.String())
			}
			if largs[0] == "--unix" {
				if _, err := os.Stat(bound); !os.IsNotExist(err) {
					t.Errorf("listen left its socket file %s behind: %v", bound, err)
				}
			}
		})
	}
}

// TestEchoStream checks listen --echo over TCP and Unix: connections one
// after the other get their own bytes back (over TCP the second by host
// name, through the AddrInfo loop), and SIGINT ends it with 130.
func TestEchoStream(t *testing.T) {
	tests := []struct {
		name   string
		listen []string
		// connect returns the connect arguments for the bound address.
		connect func(bound string) [][]string
	}{
		{"tcp", []string{"127.0.0.1:0"}, func(bound string) [][]string {
			_, port, _ := net.SplitHostPort(bound)
			return [][]string{{bound}, {"localhost:" + port}}
		}},
		{"unix", []string{"--unix", filepath.Join(t.TempDir(), "echo.sock")}, func(bound string) [][]string {
			return [][]string{{"--unix", bound}, {bound, "--unix"}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := startProc(t, nil, append([]string{"listen", "--echo"}, tt.listen...)...)
			for _, args := range tt.connect(l.bound()) {
				data := randomBytes(100 << 10)
				r := runNSPR(t, string(data), append([]string{"connect"}, args...)...)
				if r.code != 0 || r.stdout != string(data) {
					t.Fatalf("connect %v: exit code %d, %d bytes back of %d; stderr:\n%s", args, r.code, len(r.stdout), len(data), r.stderr)
				}
			}
			l.interrupt(syscall.SIGINT)
		})
	}
}

// TestUDPEcho relays datagrams through listen --udp --echo: connect --udp
// prints what comes back and exits once stdin has ended and its timeout has
// passed.
func TestUDPEcho(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		t.Run(addr, func(t *testing.T) {
			if strings.HasPrefix(addr, "[") {
				skipWithoutIPv6(t)
			}
			l := startProc(t, nil, "listen", "--udp", "--echo", addr)
			bound := l.bound()
			const data = "hello over udp\n"
			r := runNSPR(t, data, "connect", "--udp", bound, "--timeout", "1s")
			if r.code != 0 || r.stdout != data {
				t.Errorf("connect --udp: exit code %d, stdout %q, want 0 and %q; stderr:\n%s", r.code, r.stdout, data, r.stderr)
			}
			l.interrupt(syscall.SIGINT)
		})
	}
}

// TestUDPRelay relays datagrams both ways between listen --udp, which takes
// the sender of the first datagram as its peer, and connect --udp.
func TestUDPRelay(t *testing.T) {
	l := startProc(t, nil, "listen", "--udp", "127.0.0.1:0")
	bound := l.bound()
	c := startProc(t, nil, "connect", "--udp", bound, "--timeout", "1s")
	if _, err := c.stdin.Write([]byte("ping\n")); err != nil {
		t.Fatal(err)
	}
	l.waitFor(&l.stdout, regexp.MustCompile(`^ping\n$`))
	if _, err := l.stdin.Write([]byte("pong\n")); err != nil {
		t.Fatal(err)
	}
	c.waitFor(&c.stdout, regexp.MustCompile(`^pong\n$`))
	if code := c.wait(); code != 0 {
		t.Errorf("connect --udp exited with %d, want 0; stderr:\n%s", code, c.stderr.String())
	}
	l.interrupt(syscall.SIGTERM)
}

// TestInterrupt checks that SIGINT and SIGTERM end a command blocked in
// accept, in a relay and in a receive with 130, saying so, and that listen
// removes its Unix socket file.
func TestInterrupt(t *testing.T) {
	t.Run("accept", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "s.sock")
		l := startProc(t, nil, "listen", "--unix", path)
		l.bound()
		l.interrupt(syscall.SIGINT)
		if !strings.Contains(l.stderr.String(), "nspr: listen: interrupted") {
			t.Errorf("stderr does not say interrupted:\n%s", l.stderr.String())
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("socket file left behind: %v", err)
		}
	})
	t.Run("relay", func(t *testing.T) {
		l := startProc(t, nil, "listen", "--echo", "127.0.0.1:0")
		c := startProc(t, nil, "connect", l.bound())
		if _, err := c.stdin.Write([]byte("are you there?\n")); err != nil {
			t.Fatal(err)
		}
		c.waitFor(&c.stdout, regexp.MustCompile(`are you there\?\n`))
		c.interrupt(syscall.SIGTERM)
		l.interrupt(syscall.SIGINT)
	})
}

// TestRelayErrors checks the NSPR names and exit codes of failures to
// connect and to listen.
func TestRelayErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"connect", closedAddr}, 1, "nspr: connect: PR_CONNECT_REFUSED_ERROR"},
		{[]string{"connect", "--unix", filepath.Join(t.TempDir(), "none.sock")}, 1, "PR_FILE_NOT_FOUND_ERROR"},
		{[]string{"listen", busy.Addr().String()}, 1, "nspr: bind: PR_ADDRESS_IN_USE_ERROR"},
		{[]string{"listen", "--unix", file}, 1, "PR_ADDRESS_IN_USE_ERROR"},
		{[]string{"listen", "203.0.113.7:0"}, 1, "PR_ADDRESS_NOT_AVAILABLE_ERROR"},
		{[]string{"connect", "nx.nspr.test.:80"}, 3, "PR_DIRECTORY_LOOKUP_ERROR"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runNSPR(t, "", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("exit code %d, want %d with %q on stderr; stderr:\n%s", r.code, tt.code, tt.stderr, r.stderr)
			}
		})
	}
}

// TestListenOnLeftoverSocketFile checks that listen on the socket file a
// killed listener left behind says that the file exists and how to remove
// it, without removing it, and that a path that is no socket gets no such
// advice.
func TestListenOnLeftoverSocketFile(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "stale.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false) // as a killed listener leaves it
	l.Close()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path        string
		want, avoid string
	}{
		{stale, "the socket file " + stale + " exists; if no listener uses it, remove it (rm " + stale + ")", ""},
		{file, file + " exists and is not a socket", "rm "},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			r := runNSPR(t, "", "listen", "--unix", tt.path)
			if r.code != 1 || !strings.Contains(r.stderr, "PR_ADDRESS_IN_USE_ERROR") || !strings.Contains(r.stderr, tt.want) ||
				(tt.avoid != "" && strings.Contains(r.stderr, tt.avoid)) {
				t.Errorf("exit code %d, want 1 with PR_ADDRESS_IN_USE_ERROR and %q on stderr; stderr:\n%s", r.code, tt.want, r.stderr)
			}
			if _, err := os.Lstat(tt.path); err != nil {
				t.Errorf("listen removed %s: %v", tt.path, err)
			}
		})
	}
}
