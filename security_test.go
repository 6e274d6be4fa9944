//go:build linux || darwin || freebsd

package nspr

import (
	"bytes"
	"errors"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestDescriptorsNotInherited opens every kind of socket the package makes,
// then runs a child that lists its descriptors: none of ours may be there.
func TestDescriptorsNotInherited(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the child lists /proc/self/fd, which needs Linux procfs")
	}
	client, server := connectedPair(t, AFInet)
	l, _ := listen(t, AFLocal)
	u := newTestSocket(t, AFInet, DescSocketUDP)
	a, b, err := NewTCPPair()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	ours := map[string]bool{}
	for _, s := range []*Socket{client, server, l, u, a, b} {
		fd, err := s.Fileno()
		if err != nil {
			t.Fatal(err)
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC == 0 {
			t.Errorf("descriptor %d has flags %#x (%v), want FD_CLOEXEC", fd, flags, err)
		}
		ours[strconv.Itoa(fd)] = true
	}
	out, err := exec.Command("/bin/sh", "-c", "ls /proc/$$/fd").Output()
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	for _, fd := range strings.Fields(string(out)) {
		if ours[fd] {
			t.Errorf("the child inherited descriptor %s (child's descriptors: %s)", fd, bytes.TrimSpace(out))
		}
	}
}

// TestUnixPathValidated checks the length and NUL rules of Unix socket paths.
func TestUnixPathValidated(t *testing.T) {
	tests := []struct {
		name string
		path string
		code ErrorCode
	}{
		{"empty", "", InvalidArgumentError},
		{"NUL inside", "/tmp/a\x00b", InvalidArgumentError},
		{"NUL at end", "/tmp/ab\x00", InvalidArgumentError},
		{"too long", "/tmp/" + strings.Repeat("x", 200), NameTooLongError},
		{"far too long", "/" + strings.Repeat("y", 1<<16), NameTooLongError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewUnixAddress(tt.path)
			wantCode(t, "NewUnixAddress", err, tt.code)
		})
	}
}

// TestEndlessDataBoundedMemory has a peer send without end: a reader with a
// fixed buffer keeps memory bounded, however much arrives.
func TestEndlessDataBoundedMemory(t *testing.T) {
	client, server := connectedPair(t, AFInet)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		chunk := bytes.Repeat([]byte("endless line without a newline "), 1024)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := client.Send(chunk, MillisecondsToInterval(200)); err != nil {
				var e *Error
				if errors.As(err, &e) && e.Code == IOTimeoutError {
					continue
				}
				return
			}
		}
	}()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	buf := make([]byte, 64<<10)
	total := 0
	deadline := time.Now().Add(500 * time.Millisecond)
	for time.Now().Before(deadline) && total < 256<<20 {
		n, err := server.Recv(buf, SecondsToInterval(5))
		if err != nil {
			t.Fatalf("Recv after %d bytes: %v", total, err)
		}
		total += n
	}
	close(stop)
	server.Close() // unblocks the sender
	<-done
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 16<<20 {
		t.Errorf("heap grew by %d bytes while receiving %d bytes", grew, total)
	}
	if total < 1<<20 {
		t.Errorf("received only %d bytes", total)
	}
}
