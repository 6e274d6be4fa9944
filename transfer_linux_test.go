package nspr

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// buildNSPRSendfile compiles testdata/c/sendfile.c against NSPR, skipping
// the test where gcc or NSPR's development files are missing.
func buildNSPRSendfile(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc is not installed: cannot build the NSPR C program")
	}
	flags, err := exec.Command("pkg-config", "--cflags", "--libs", "nspr").Output()
	if err != nil {
		t.Skipf("pkg-config nspr failed (libnspr4-dev missing?): %v", err)
	}
	bin := filepath.Join(t.TempDir(), "sendfile")
	args := append([]string{"-o", bin, "testdata/c/sendfile.c"}, strings.Fields(string(flags))...)
	if out, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	return bin
}

// TestSendFileMatchesNSPR runs PR_SendFile and PR_TransmitFile of NSPR in C
// and SendFile and TransmitFile on the same file and arguments, and
// compares the bytes the peer receives, the counts and the error codes.
func TestSendFileMatchesNSPR(t *testing.T) {
	bin := buildNSPRSendfile(t)
	data := randomBytes(3*4096+77, 20)
	path := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f := testFile(t, data)
	cases := []struct {
		mode           string
		off, n         int64
		header, trailr string
		flags          TransmitFileFlags
	}{
		{"tcp", 0, 0, "", "", 0},
		{"tcp", 0, 0, "GET / HTTP/1.0\r\n\r\n", "-- end --", 0},
		{"tcp", 4095, 2, "h", "t", 0},
		{"tcp", 4096, 0, "", "trailer", 1},
		{"tcp", int64(len(data)), 0, "only", "framing", 0},
		{"transmit", 0, 0, "headers", "", 0},
		{"transmit", 0, 0, "headers", "", 1},
		{"nonblocking", 0, 0, "h", "", 0},
		{"udp", 0, 0, "h", "", 0},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/%d+%d/flags=%d", tc.mode, tc.off, tc.n, tc.flags), func(t *testing.T) {
			// NSPR in C sends to our listener.
			l, addr := listen(t, AFInet)
			cmd := exec.Command(bin, tc.mode, strconv.Itoa(int(addr.Port())), path,
				strconv.FormatInt(tc.off, 10), strconv.FormatInt(tc.n, 10), tc.header, tc.trailr, strconv.Itoa(int(tc.flags)))
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var cBytes []byte
			if tc.mode != "udp" {
				c, _, err := l.Accept(SecondsToInterval(10))
				if err != nil {
					cmd.Process.Kill()
					t.Fatalf("accept from the C program: %v", err)
				}
				cBytes = received(t, drain(c))
				c.Close()
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("the C program: %v\n%s", err, out.Bytes())
			}
			var cRV int64
			var cCode string
			if _, err := fmt.Sscanf(out.String(), "RESULT %d %s", &cRV, &cCode); err != nil {
				t.Fatalf("the C program printed %q", out.String())
			}

			// nspr sends the same.
			var s, peer *Socket
			if tc.mode == "udp" {
				s = newTestSocket(t, AFInet, DescSocketUDP)
			} else {
				s, peer = connectedPair(t, AFInet)
			}
			if tc.mode == "nonblocking" {
				s.SetNonblocking(true)
			}
			var got <-chan []byte
			if peer != nil {
				got = drain(peer)
			}
			var n int64
			var err error
			if tc.mode == "transmit" {
				n, err = s.TransmitFile(f, []byte(tc.header), tc.flags, SecondsToInterval(10))
			} else {
				n, err = s.SendFile(SendFileData{File: f, FileOffset: tc.off, FileNbytes: tc.n, Header: []byte(tc.header), Trailer: []byte(tc.trailr)},
					tc.flags, SecondsToInterval(10))
			}
			code := "none"
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("SendFile: %v, not an *Error", err)
				}
				code, n = e.Code.String(), -1
			}
			if n != cRV || code != cCode {
				t.Errorf("nspr: %d, %s; NSPR: %d, %s", n, code, cRV, cCode)
			}
			if peer != nil {
				if err == nil && tc.flags != TransmitFileCloseSocket {
					s.Close()
				} else if err != nil {
					s.Close()
				}
				if b := received(t, got); !bytes.Equal(b, cBytes) {
					t.Errorf("nspr sent %d bytes, NSPR %d; they differ", len(b), len(cBytes))
				}
			}
		})
	}
}

// TestSendFileCorks checks that the header and trailer are corked with
// TCP_CORK while the file goes out when NoDelay is off, as NSPR does, not
// when it is on or without them, and that the cork is off afterwards.
func TestSendFileCorks(t *testing.T) {
	f := testFile(t, randomBytes(10_000, 21))
	for _, tc := range []struct {
		name    string
		nodelay bool
		header  []byte
		corked  bool
	}{
		{"header", false, []byte("h"), true},
		{"nodelay", true, []byte("h"), false},
		{"no-header-or-trailer", false, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client, server := connectedPair(t, AFInet)
			if err := client.SetNoDelay(tc.nodelay); err != nil {
				t.Fatal(err)
			}
			cork := -1
			raw := sysSendfile
			hook(t, &sysSendfile, func(out, in int, off *int64, count int) (int, syscall.Errno) {
				cork, _ = unix.GetsockoptInt(out, unix.IPPROTO_TCP, unix.TCP_CORK)
				return raw(out, in, off, count)
			})
			got := drain(server)
			if _, err := client.SendFile(SendFileData{File: f, Header: tc.header}, 0, SecondsToInterval(10)); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 1, false: 0}[tc.corked]; cork != want {
				t.Errorf("TCP_CORK during sendfile(2): %d, want %d", cork, want)
			}
			fd, _ := client.Fileno()
			if after, _ := unix.GetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_CORK); after != 0 {
				t.Errorf("TCP_CORK after SendFile: %d", after)
			}
			client.Close()
			if b := received(t, got); len(b) != 10_000+len(tc.header) {
				t.Errorf("received %d bytes", len(b))
			}
		})
	}
}
