//go:build linux || darwin || freebsd

package nspr

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// ctxCase is one way a context ends a call: cancelled before the call,
// cancelled while it waits, or its deadline passing while it waits.
type ctxCase struct {
	name     string
	ctx      func() (context.Context, context.CancelFunc)
	wantErr  error     // the context error the call must wrap
	wantCode ErrorCode // and its NSPR code
	within   time.Duration
}

var ctxCases = []ctxCase{
	{"cancelled before", func() (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx, cancel
	}, context.Canceled, PendingInterruptError, 0},
	{"cancelled while waiting", func() (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		return ctx, cancel
	}, context.Canceled, PendingInterruptError, 100 * time.Millisecond},
	{"deadline", func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 100*time.Millisecond)
	}, context.DeadlineExceeded, IOTimeoutError, 100 * time.Millisecond},
	{"deadline passed", func() (context.Context, context.CancelFunc) {
		return context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	}, context.DeadlineExceeded, IOTimeoutError, 0},
}

// checkCtxErr checks that err carries both the context's error and the
// NSPR code, and that the call returned about when the context ended.
func checkCtxErr(t *testing.T, tc ctxCase, start time.Time, err error) {
	t.Helper()
	elapsed := time.Since(start)
	if !errors.Is(err, tc.wantErr) {
		t.Errorf("error %v does not match %v", err, tc.wantErr)
	}
	wantCode(t, tc.name, err, tc.wantCode)
	if tc.wantErr == context.DeadlineExceeded {
		var ne net.Error
		if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("%v is not a timeout", err)
		}
	}
	if elapsed < tc.within || elapsed > tc.within+time.Second {
		t.Errorf("returned after %v, want about %v", elapsed, tc.within)
	}
}

func TestConnectContextEnds(t *testing.T) {
	for _, tc := range ctxCases {
		t.Run(tc.name, func(t *testing.T) {
			c, addr := stalledConnect(t)
			start := time.Now()
			ctx, cancel := tc.ctx()
			defer cancel()
			checkCtxErr(t, tc, start, c.ConnectContext(ctx, addr))
		})
	}
}

func TestAcceptContextEnds(t *testing.T) {
	for _, tc := range ctxCases {
		t.Run(tc.name, func(t *testing.T) {
			l, _ := listen(t, AFInet)
			start := time.Now()
			ctx, cancel := tc.ctx()
			defer cancel()
			c, _, err := l.AcceptContext(ctx)
			if c != nil {
				c.Close()
				t.Fatal("accepted a connection no one made")
			}
			checkCtxErr(t, tc, start, err)
		})
	}
}

// TestContextCallsSucceed checks the plain path, and that a context which
// ends after its call does not disturb the socket's next calls.
func TestContextCallsSucceed(t *testing.T) {
	for _, family := range streamFamilies {
		t.Run(family.String(), func(t *testing.T) {
			l, addr := listen(t, family)
			ctx, cancel := context.WithCancel(context.Background())
			c := newTestSocket(t, family, DescSocketTCP)
			if err := c.ConnectContext(ctx, addr); err != nil {
				t.Fatal(err)
			}
			srv, peer, err := l.AcceptContext(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			if peer.Family() != family {
				t.Errorf("peer family %v, want %v", peer.Family(), family)
			}
			cancel()
			// Accept must still wait its own interval, not fail at once.
			start := time.Now()
			_, _, err = l.Accept(MillisecondsToInterval(100))
			within(t, "accept after cancel", start, 100*time.Millisecond, err)
			if _, err := c.Send([]byte("x"), SecondsToInterval(5)); err != nil {
				t.Fatal(err)
			}
			if n, err := srv.Recv(make([]byte, 4), SecondsToInterval(5)); n != 1 || err != nil {
				t.Fatalf("recv: %d, %v", n, err)
			}
		})
	}
}

// TestContextCancelReachesOnlyItsCall cancels an AcceptContext queued behind
// an Accept that is waiting: the Accept must go on waiting and accept.
func TestContextCancelReachesOnlyItsCall(t *testing.T) {
	l, addr := listen(t, AFInet)
	accepted := make(chan error, 1)
	go func() {
		c, _, err := l.Accept(SecondsToInterval(5))
		if err == nil {
			c.Close()
		}
		accepted <- err
	}()
	time.Sleep(50 * time.Millisecond) // let Accept wait
	ctx, cancel := context.WithCancel(context.Background())
	queued := make(chan error, 1)
	go func() {
		c, _, err := l.AcceptContext(ctx)
		if err == nil {
			c.Close()
		}
		queued <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	time.Sleep(50 * time.Millisecond)
	select {
	case err := <-accepted:
		t.Fatalf("the waiting Accept returned when another call's context ended: %v", err)
	default:
	}
	c := newTestSocket(t, AFInet, DescSocketTCP)
	if err := c.Connect(addr, SecondsToInterval(5)); err != nil {
		t.Fatal(err)
	}
	if err := <-accepted; err != nil {
		t.Errorf("accept: %v", err)
	}
	if err := <-queued; !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled AcceptContext returned %v", err)
	}
}

func TestContextCallErrors(t *testing.T) {
	s := newTestSocket(t, AFInet, DescSocketTCP)
	var nilCtx context.Context // a nil context is the point
	if err := s.ConnectContext(nilCtx, loopback(AFInet, 1)); ErrorCodeOf(err) != InvalidArgumentError {
		t.Errorf("nil context: %v", err)
	}
	// A refusal stays a refusal, not a context error.
	l, addr := listen(t, AFInet)
	l.Close()
	if err := s.ConnectContext(context.Background(), addr); ErrorCodeOf(err) != ConnectRefusedError {
		t.Errorf("refused connect: %v", err)
	}
	// A non-blocking socket starts the connection and returns.
	nb := newTestSocket(t, AFInet, DescSocketTCP)
	if err := nb.SetNonblocking(true); err != nil {
		t.Fatal(err)
	}
	_, stalled := stalledConnect(t)
	if err := nb.ConnectContext(context.Background(), stalled); ErrorCodeOf(err) != InProgressError {
		t.Errorf("non-blocking connect: %v", err)
	}
	closed := newTestSocket(t, AFInet, DescSocketTCP)
	closed.Close()
	if _, _, err := closed.AcceptContext(context.Background()); !errors.Is(err, net.ErrClosed) {
		t.Errorf("accept on a closed socket: %v", err)
	}
}

// TestLookupContextCancelledWhileWaiting cancels lookups that the test DNS
// server holds back: each returns at once, matching context.Canceled and
// carrying PR_DIRECTORY_LOOKUP_ERROR, the one code NSPR's lookups report.
func TestLookupContextCancelledWhileWaiting(t *testing.T) {
	r, s := testResolver(t)
	lookups := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"AddrInfo", func(ctx context.Context) error {
			_, err := r.AddrInfo(ctx, "slow.nspr.test.", AFInet, AIAddrConfig)
			return err
		}},
		{"HostEntry", func(ctx context.Context) error {
			_, err := r.HostEntry(ctx, "slow.nspr.test.")
			return err
		}},
		{"NetworkAddress", func(ctx context.Context) error {
			_, err := r.NetworkAddress(ctx, "slow.nspr.test.", 80, AFInet)
			return err
		}},
	}
	const after = 100 * time.Millisecond
	for _, l := range lookups {
		t.Run(l.name, func(t *testing.T) {
			start := time.Now()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			time.AfterFunc(after, cancel)
			err := l.run(ctx)
			elapsed := time.Since(start)
			wantCode(t, l.name, err, DirectoryLookupError)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%v is not context.Canceled", err)
			}
			if elapsed < after || elapsed > after+time.Second {
				t.Errorf("returned after %v, want about %v", elapsed, after)
			}
		})
	}
	if !s.Asked("slow.nspr.test.") {
		t.Error("the server never saw slow.nspr.test.")
	}
}

func TestContextCallsOnNilSocket(t *testing.T) {
	var s *Socket
	if err := s.ConnectContext(context.Background(), loopback(AFInet, 1)); ErrorCodeOf(err) != BadDescriptorError {
		t.Errorf("ConnectContext: %v", err)
	}
	if _, _, err := s.AcceptContext(context.Background()); ErrorCodeOf(err) != BadDescriptorError {
		t.Errorf("AcceptContext: %v", err)
	}
}
