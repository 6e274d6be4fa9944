package dnstest

import (
	"testing"
	"time"

	"github.com/miekg/dns"
)

func exchange(t *testing.T, s *Server, name string, qtype uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	c := &dns.Client{Timeout: 5 * time.Second}
	r, _, err := c.Exchange(m, s.Addr)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

func TestServerAnswers(t *testing.T) {
	s := Start(t,
		"a.test. 60 IN A 127.0.0.2",
		"c1.test. 60 IN CNAME c2.test.",
		"c2.test. 60 IN CNAME A.test.",
		"l1.test. 60 IN CNAME l2.test.",
		"l2.test. 60 IN CNAME l1.test.",
	)
	s.ServFail("bad.test")
	tests := []struct {
		name    string
		qtype   uint16
		rcode   int
		answers int
	}{
		{"a.test.", dns.TypeA, dns.RcodeSuccess, 1},
		{"A.TEST.", dns.TypeA, dns.RcodeSuccess, 1},
		{"a.test.", dns.TypeAAAA, dns.RcodeSuccess, 0}, // the name exists: NOERROR, no data
		{"c1.test.", dns.TypeA, dns.RcodeSuccess, 3},   // two CNAMEs then the A
		{"c1.test.", dns.TypeCNAME, dns.RcodeSuccess, 1},
		{"l1.test.", dns.TypeA, dns.RcodeSuccess, maxChain}, // a loop stops
		{"none.test.", dns.TypeA, dns.RcodeNameError, 0},
		{"bad.test.", dns.TypeA, dns.RcodeServerFailure, 0},
	}
	for _, tt := range tests {
		r := exchange(t, s, tt.name, tt.qtype)
		if r.Rcode != tt.rcode || len(r.Answer) != tt.answers || !r.Authoritative {
			t.Errorf("%s/%s: rcode %s, %d answers, aa %v; want %s, %d",
				tt.name, dns.TypeToString[tt.qtype], dns.RcodeToString[r.Rcode], len(r.Answer), r.Authoritative,
				dns.RcodeToString[tt.rcode], tt.answers)
		}
	}
	if !s.Asked("NONE.test") || s.Asked("never.test.") {
		t.Errorf("query log: %v", s.Queries())
	}
	if q := s.Queries()[0]; q != (Query{Name: "a.test.", Type: dns.TypeA}) {
		t.Errorf("first query %v", q)
	}
}

func TestServerDelay(t *testing.T) {
	s := Start(t, "slow.test. 60 IN A 127.0.0.2")
	const d = 200 * time.Millisecond
	s.Delay("slow.test.", d)
	start := time.Now()
	r := exchange(t, s, "slow.test.", dns.TypeA)
	if elapsed := time.Since(start); elapsed < d || len(r.Answer) != 1 {
		t.Errorf("answered after %v with %v, want after %v", elapsed, r.Answer, d)
	}
}

// TestServerCloseReleasesDelayed checks that stopping the server does not
// wait out a long delay.
func TestServerCloseReleasesDelayed(t *testing.T) {
	s := Start(t, "slow.test. 60 IN A 127.0.0.2")
	s.Delay("slow.test.", time.Hour)
	m := new(dns.Msg)
	m.SetQuestion("slow.test.", dns.TypeA)
	c := &dns.Client{Timeout: 100 * time.Millisecond}
	if _, _, err := c.Exchange(m, s.Addr); err == nil {
		t.Fatal("a delayed answer arrived at once")
	}
	start := time.Now()
	s.close()
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("close took %v", elapsed)
	}
}
