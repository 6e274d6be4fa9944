//go:build linux || darwin || freebsd

package nspr_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/nspr-go/nspr"
)

// The net.Conn view hands an nspr socket to Go code that takes a net.Conn:
// here bufio reads a line with a deadline, as a protocol parser would; the
// same view carries crypto/tls (tls.Client(s.Conn(), cfg)).
func ExampleSocket_Conn() {
	peer, s, err := nspr.NewTCPPair()
	if err != nil {
		panic(err)
	}
	defer peer.Close()
	defer s.Close()

	conn := s.Conn()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	peer.Send([]byte("220 ready\r\n"), nspr.IntervalNoTimeout)
	line, err := bufio.NewReader(conn).ReadString('\n')
	fmt.Printf("%q %v\n", line, err)

	// Nothing more arrives: the deadline ends the read with a net.Error
	// timeout that is also PR_IO_TIMEOUT_ERROR.
	conn.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	_, err = conn.Read(make([]byte, 1))
	var ne net.Error
	fmt.Println(errors.As(err, &ne) && ne.Timeout(), nspr.ErrorCodeOf(err).String())
	// Output:
	// "220 ready\r\n" <nil>
	// true PR_IO_TIMEOUT_ERROR
}

// ConnectContext bounds a connect by a context, as DialContext does for
// net/http's Transport, here serving from the Listener view of an NSPR
// socket.
func ExampleSocket_ConnectContext() {
	l, err := nspr.NewSocket(nspr.AFInet, nspr.DescSocketTCP)
	if err != nil {
		panic(err)
	}
	defer l.Close()
	addr, _ := nspr.ParseNetworkAddress("127.0.0.1:0")
	if err := l.Bind(addr); err != nil {
		panic(err)
	}
	if err := l.Listen(16); err != nil {
		panic(err)
	}
	addr, _ = l.SockName()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello from nspr")
	})}
	go srv.Serve(l.Listener())
	defer srv.Close()

	// nspr.DialContext has the signature http.Transport wants, but returns
	// *nspr.Conn: return a nil net.Conn, not a nil *nspr.Conn, on error.
	tr := &http.Transport{DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
		c, err := nspr.DialContext(ctx, network, address)
		if err != nil {
			return nil, err
		}
		return c, nil
	}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get("http://" + addr.String() + "/")
	if err != nil {
		panic(err)
	}
	body := new(strings.Builder)
	bufio.NewReader(resp.Body).WriteTo(body)
	resp.Body.Close()
	fmt.Println(body)

	// A cancelled context ends the connect at once, with an error that is
	// both context.Canceled and PR_PENDING_INTERRUPT_ERROR.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c, _ := nspr.NewSocket(nspr.AFInet, nspr.DescSocketTCP)
	defer c.Close()
	err = c.ConnectContext(ctx, addr)
	fmt.Println(errors.Is(err, context.Canceled), nspr.ErrorCodeOf(err).String())
	// Output:
	// hello from nspr
	// true PR_PENDING_INTERRUPT_ERROR
}
