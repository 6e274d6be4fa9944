//go:build linux || darwin || freebsd

package nspr_test

import (
	"bufio"
	"fmt"
	"io"

	"github.com/nspr-go/nspr"
)

// Reading a line-oriented protocol: each line keeps its "\r\n", and an
// empty line with no error marks the end of the stream.
func ExampleSocket_ReadLine() {
	peer, s, err := nspr.NewTCPPair()
	if err != nil {
		panic(err)
	}
	defer s.Close()
	peer.Send([]byte("HELO example.org\r\nDATA\r\nno newline at the end"), nspr.IntervalNoTimeout)
	peer.Close()
	for {
		line, err := s.ReadLine(0, nspr.SecondsToInterval(5))
		if err != nil {
			fmt.Println(err)
			return
		}
		if len(line) == 0 {
			break
		}
		fmt.Printf("%q\n", line)
	}
	// Output:
	// "HELO example.org\r\n"
	// "DATA\r\n"
	// "no newline at the end"
}

// ReadLineInto reuses the caller's buffer, so a server reading many lines
// allocates nothing per line; the buffer's length bounds the line.
func ExampleSocket_ReadLineInto() {
	peer, s, err := nspr.NewTCPPair()
	if err != nil {
		panic(err)
	}
	defer s.Close()
	peer.Send([]byte("GET /\nA line longer than the buffer\n"), nspr.IntervalNoTimeout)
	peer.Close()
	buf := make([]byte, 16)
	for {
		n, err := s.ReadLineInto(buf, nspr.SecondsToInterval(5))
		if err != nil || n == 0 {
			break
		}
		fmt.Printf("%q\n", buf[:n])
	}
	// Output:
	// "GET /\n"
	// "A line longer th"
	// "an the buffer\n"
}

// A LineReader holds the socket's read side while one goroutine reads a
// stream of lines, sparing the lock that ReadLineInto takes for each line;
// Release gives the read side back, with the unread bytes still buffered.
func ExampleLineReader() {
	peer, s, err := nspr.NewTCPPair()
	if err != nil {
		panic(err)
	}
	defer s.Close()
	peer.Send([]byte("one\ntwo\nthree\nrest"), nspr.IntervalNoTimeout)
	peer.Close()
	r, err := s.LineReader()
	if err != nil {
		panic(err)
	}
	buf := make([]byte, 64)
	for range 3 {
		n, err := r.ReadLineInto(buf, nspr.SecondsToInterval(5))
		if err != nil || n == 0 {
			break
		}
		fmt.Printf("%q\n", buf[:n])
	}
	r.Release()
	n, _ := s.Recv(buf, nspr.SecondsToInterval(5))
	fmt.Printf("then Recv: %q\n", buf[:n])
	// Output:
	// "one\n"
	// "two\n"
	// "three\n"
	// then Recv: "rest"
}

// A File is the socket as an io.Reader and io.Writer, so the standard
// library's readers and writers work on it. Closing the File leaves the
// socket open.
func ExampleSocket_MakeFile() {
	peer, s, err := nspr.NewTCPPair()
	if err != nil {
		panic(err)
	}
	defer peer.Close()
	defer s.Close()

	f, err := s.MakeFile("rw", 0)
	if err != nil {
		panic(err)
	}
	fmt.Fprintf(f, "%d items\n", 3)
	line, _ := bufio.NewReader(peer).ReadString('\n')
	fmt.Printf("peer got %q\n", line)

	peer.Send([]byte("one\ntwo\n"), nspr.IntervalNoTimeout)
	peer.Shutdown(nspr.ShutdownSend)
	for line, err := range f.Lines() {
		if err != nil {
			panic(err)
		}
		fmt.Printf("line %q\n", line)
	}
	_, err = f.ReadLine(0)
	fmt.Println(err == io.EOF)

	r, _ := s.MakeFile("r", 0)
	_, err = r.Write([]byte("x"))
	fmt.Println(err)
	f.Close()
	_, err = s.SockName()
	fmt.Println("socket still open:", err == nil)
	// Output:
	// peer got "3 items\n"
	// line "one\n"
	// line "two\n"
	// true
	// nspr: write: PR_BAD_DESCRIPTOR_ERROR: the file descriptor is not valid or is closed (bad file descriptor)
	// socket still open: true
}
