// Package dnstest runs a small authoritative DNS server on loopback for
// tests, so that name resolution is tested against a real server without ever
// asking the machine's configured one.
//
// The server answers from records given in zone-file syntax, follows CNAME
// chains, answers NXDOMAIN for names it does not know, and can be told to
// fail (SERVFAIL) or to answer late for chosen names. It records every
// question, so a test can prove its lookup reached this server.
package dnstest

import (
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Query is one question the server received.
type Query struct {
	Name string // lower case, fully qualified ("host.nspr.test.")
	Type uint16 // dns.TypeA, dns.TypeAAAA, …
}

// Server is a running test DNS server. Its methods are safe for concurrent
// use.
type Server struct {
	// Addr is the "127.0.0.1:port" the server answers on, over UDP and TCP.
	Addr string

	udp, tcp  *dns.Server
	closing   chan struct{}
	closeOnce sync.Once

	mu      sync.Mutex
	records map[string][]dns.RR // by lower-case owner name
	fail    map[string]bool
	delay   map[string]time.Duration
	queries []Query
}

// maxChain bounds CNAME chains, so a loop in the records cannot hang the
// server.
const maxChain = 8

// Start starts a server answering from records, each one resource record in
// zone-file syntax ("host.nspr.test. 60 IN A 127.0.0.2"), and stops it when
// the test ends. A record that does not parse fails the test.
func Start(tb testing.TB, records ...string) *Server {
	tb.Helper()
	s := &Server{
		closing: make(chan struct{}),
		records: map[string][]dns.RR{},
		fail:    map[string]bool{},
		delay:   map[string]time.Duration{},
	}
	for _, text := range records {
		rr, err := dns.NewRR(text)
		if err != nil || rr == nil {
			tb.Fatalf("dnstest: record %q: %v", text, err)
		}
		name := strings.ToLower(rr.Header().Name)
		s.records[name] = append(s.records[name], rr)
	}
	pc, l, err := listen()
	if err != nil {
		tb.Fatalf("dnstest: %v", err)
	}
	s.Addr = pc.LocalAddr().String()
	handler := dns.HandlerFunc(s.serve)
	s.udp = &dns.Server{PacketConn: pc, Handler: handler}
	s.tcp = &dns.Server{Listener: l, Handler: handler}
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go srv.ActivateAndServe() //nolint:errcheck // reported through Shutdown
		<-started
	}
	tb.Cleanup(s.close)
	return s
}

// listen opens a UDP socket and a TCP listener on the same loopback port.
func listen() (net.PacketConn, net.Listener, error) {
	var lastErr error
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		l, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, l, nil
		}
		pc.Close()
		lastErr = err
	}
	return nil, nil, lastErr
}

// close releases delayed answers, then stops both servers; later calls do
// nothing.
func (s *Server) close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.udp.Shutdown()
		s.tcp.Shutdown()
	})
}

// ServFail makes the server answer SERVFAIL for name.
func (s *Server) ServFail(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[key(name)] = true
}

// Delay makes the server wait d before answering for name (or until the
// server stops).
func (s *Server) Delay(name string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay[key(name)] = d
}

// Queries returns the questions received so far, in order.
func (s *Server) Queries() []Query {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.queries)
}

// Asked reports whether the server received a question for name, of any
// type.
func (s *Server) Asked(name string) bool {
	name = key(name)
	return slices.ContainsFunc(s.Queries(), func(q Query) bool { return q.Name == name })
}

func key(name string) string { return strings.ToLower(dns.Fqdn(name)) }

// serve answers one query.
func (s *Server) serve(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	m.RecursionAvailable = true
	if len(req.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	name := key(q.Name)

	s.mu.Lock()
	s.queries = append(s.queries, Query{Name: name, Type: q.Qtype})
	fail, delay := s.fail[name], s.delay[name]
	answer, found := s.answer(name, q.Qtype)
	s.mu.Unlock()

	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-s.closing:
			t.Stop()
			return // no answer: the client times out
		}
	}
	switch {
	case fail:
		m.Rcode = dns.RcodeServerFailure
	case !found:
		m.Rcode = dns.RcodeNameError
	default:
		m.Answer = answer
	}
	w.WriteMsg(m)
}

// answer collects the records of type qtype for name, following CNAMEs as a
// recursive server would. found is false when name has no records at all
// (NXDOMAIN). The caller holds s.mu.
func (s *Server) answer(name string, qtype uint16) (answer []dns.RR, found bool) {
	_, found = s.records[name]
	for range maxChain {
		var cname *dns.CNAME
		matched := false
		for _, rr := range s.records[name] {
			switch {
			case rr.Header().Rrtype == qtype:
				answer = append(answer, dns.Copy(rr))
				matched = true
			case rr.Header().Rrtype == dns.TypeCNAME:
				cname = rr.(*dns.CNAME)
			}
		}
		if cname == nil || matched {
			return answer, found
		}
		answer = append(answer, dns.Copy(cname))
		name = key(cname.Target)
	}
	return answer, found
}
