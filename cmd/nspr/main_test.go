package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nspr-go/nspr/internal/leakcheck"
)

// The tests run the command end to end: TestMain builds it once, and each
// test starts it as a process of its own, with every wait bounded.

// nsprBin is the command under test, built by TestMain. relayBin is the
// same built with the race detector when the tests run with it, for listen
// and connect, whose goroutines it checks; the rest run nsprBin, as a
// race-enabled binary takes a second to start on a loaded machine.
var nsprBin, relayBin string

// noDNS is the DNS server every run of the command is pointed at unless a
// test gives its own: nothing listens there, so no test can reach the
// machine's DNS servers.
const noDNS = "127.0.0.1:1"

const (
	exitWait = 30 * time.Second // how long a command may take to exit
	lineWait = 10 * time.Second // how long a command may take to say something
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nspr-cmd-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := build(dir)
	if code == 0 {
		code = leakcheck.Run(m, func() {
			// Start the runtime poller, which keeps descriptors of its own.
			if r, w, err := os.Pipe(); err == nil {
				r.Close()
				w.Close()
			}
		})
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// build builds the command into dir, and with the race detector too when
// the tests run with it.
func build(dir string) int {
	// go test puts the go command that runs it first on PATH.
	goTool, err := exec.LookPath("go")
	if err != nil {
		fmt.Fprintln(os.Stderr, "building the nspr command:", err)
		return 1
	}
	nsprBin, relayBin = filepath.Join(dir, "nspr"), filepath.Join(dir, "nspr")
	builds := [][]string{{"build", "-o", nsprBin, "."}}
	if raceEnabled {
		relayBin = filepath.Join(dir, "nspr-race")
		builds = append(builds, []string{"build", "-race", "-o", relayBin, "."})
	}
	for _, args := range builds {
		cmd := exec.Command(goTool, args...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building the nspr command:", err)
			return 1
		}
	}
	return 0
}

// syncBuffer is a bytes.Buffer that a command writes while a test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// proc is one run of the command.
type proc struct {
	t              *testing.T
	cmd            *exec.Cmd
	stdin          io.WriteCloser // when started with a nil stdin
	stdout, stderr syncBuffer
	done           chan struct{}
}

// newProc prepares a run of the command with args. stdin is what the
// command reads, ending there; nil keeps its stdin open as p.stdin.
func newProc(t *testing.T, stdin io.Reader, args ...string) *proc {
	t.Helper()
	bin := nsprBin
	if len(args) > 0 && (args[0] == "listen" || args[0] == "connect") {
		bin = relayBin
	}
	p := &proc{t: t, cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), "NSPR_DNS_SERVER="+noDNS)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if stdin != nil {
		p.cmd.Stdin = stdin
	} else {
		w, err := p.cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		p.stdin = w
	}
	return p
}

// withDNS points the command's lookups at the DNS server addr.
func (p *proc) withDNS(addr string) *proc {
	p.cmd.Env = append(p.cmd.Env, "NSPR_DNS_SERVER="+addr) // the last one counts
	return p
}

// start starts the command; it is killed at the end of the test if it is
// still running then.
func (p *proc) start() *proc {
	p.t.Helper()
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		close(p.done)
	}()
	p.t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func startProc(t *testing.T, stdin io.Reader, args ...string) *proc {
	t.Helper()
	return newProc(t, stdin, args...).start()
}

// wait waits for the command to exit and returns its exit code.
func (p *proc) wait() int {
	p.t.Helper()
	if p.stdin != nil {
		p.stdin.Close()
	}
	return p.waitOpen()
}

// waitOpen is wait without closing stdin first.
func (p *proc) waitOpen() int {
	p.t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(exitWait):
		p.cmd.Process.Kill()
		<-p.done
		p.t.Fatalf("nspr %s did not exit within %v; stderr:\n%s", strings.Join(p.cmd.Args[1:], " "), exitWait, p.stderr.String())
		return -1
	}
}

// interrupt sends sig to the command and checks that it exits with 130.
func (p *proc) interrupt(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
	if code := p.waitOpen(); code != exitInterrupted {
		p.t.Errorf("nspr %s exited with %d after %v, want %d; stderr:\n%s",
			strings.Join(p.cmd.Args[1:], " "), code, sig, exitInterrupted, p.stderr.String())
	}
}

// waitFor waits until the output buf (p.stdout or p.stderr) matches re and
// returns the first submatch, or the whole match.
func (p *proc) waitFor(buf *syncBuffer, re *regexp.Regexp) string {
	p.t.Helper()
	deadline := time.Now().Add(lineWait)
	for {
		if m := re.FindStringSubmatch(buf.String()); m != nil {
			return m[len(m)-1]
		}
		select {
		case <-p.done:
			p.t.Fatalf("nspr %s exited (%v) before printing %q; stdout:\n%s\nstderr:\n%s",
				strings.Join(p.cmd.Args[1:], " "), p.cmd.ProcessState, re, p.stdout.String(), p.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("nspr %s printed no %q within %v; stderr:\n%s", strings.Join(p.cmd.Args[1:], " "), re, lineWait, p.stderr.String())
		}
	}
}

var listeningRE = regexp.MustCompile(`listening on (\S+)\n`)

// bound waits for a listen command to print its address and returns it.
func (p *proc) bound() string {
	p.t.Helper()
	return p.waitFor(&p.stderr, listeningRE)
}

// result is the outcome of a command run to its end.
type result struct {
	stdout, stderr string
	code           int
}

// runNSPR runs the command with args and stdin to its end.
func runNSPR(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runProc(newProc(t, strings.NewReader(stdin), args...))
}

func runProc(p *proc) result {
	p.t.Helper()
	code := p.start().wait()
	return result{p.stdout.String(), p.stderr.String(), code}
}
