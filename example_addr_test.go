package nspr_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/miekg/dns"
	"github.com/nspr-go/nspr"
)

// The AddrInfo loop of python-nss's nss.io: resolve a name, then try each
// address in order until a connect succeeds (nspr.Dial does this for you).
func ExampleNewAddrInfo() {
	// A server on 127.0.0.1 to connect to.
	l, err := nspr.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	name, _ := l.Socket().SockName()
	port := name.Port()

	hostname := "localhost"
	addrInfo, err := nspr.NewAddrInfo(hostname, nspr.AFInet, nspr.AIAddrConfig)
	if err != nil {
		fmt.Println("ERROR: could not resolve address for", hostname)
		return
	}
	for netAddr := range addrInfo.All() {
		netAddr.SetPort(int(port))
		sock, err := nspr.NewSocket(netAddr.Family(), nspr.DescSocketTCP)
		if err != nil {
			continue
		}
		err = sock.Connect(netAddr, nspr.SecondsToInterval(1))
		sock.Close()
		if err == nil {
			fmt.Println("connected to", netAddr.Address())
			return
		}
	}
	fmt.Printf("ERROR: could not connect to %s at port %d\n", hostname, port)
	// Output: connected to 127.0.0.1
}

// AddrInfo prints as the original does, each address with its port.
func ExampleAddrInfo_String() {
	ai, err := nspr.NewAddrInfo("127.0.0.1", nspr.AFUnspec, nspr.AIAddrConfig)
	if err != nil {
		panic(err)
	}
	fmt.Println(ai)
	ai, _ = nspr.NewAddrInfo("::1", nspr.AFInet6, nspr.AIAddrConfig|nspr.AINoCanonName)
	fmt.Println(ai)
	// Output:
	// host=127.0.0.1 canonical=127.0.0.1 (1 addrs) addr[0]=127.0.0.1:0
	// host=::1 canonical=None (1 addrs) addr[0]=[::1]:0
}

// The original cannot ask for IPv6 only and suggests filtering by family;
// both work here.
func ExampleAddrInfo_All() {
	ai, err := nspr.NewAddrInfo("::1", nspr.AFUnspec, nspr.AIAddrConfig)
	if err != nil {
		panic(err)
	}
	for netAddr := range ai.All() {
		if netAddr.Family() != nspr.AFInet6 {
			continue
		}
		fmt.Println(netAddr.Address(), netAddr.Family())
	}
	// Output: ::1 PR_AF_INET6
}

// The HostEntry loop of python-nss's nss.io, with the port given to
// NetworkAddresses.
func ExampleNewHostEntry() {
	// A server on 127.0.0.1 to connect to.
	l, err := nspr.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	name, _ := l.Socket().SockName()
	port := name.Port()

	hostEntry, err := nspr.NewHostEntry("localhost")
	if err != nil {
		panic(err)
	}
	for _, netAddr := range hostEntry.NetworkAddresses(port) {
		sock, err := nspr.NewSocket(netAddr.Family(), nspr.DescSocketTCP)
		if err != nil {
			continue
		}
		err = sock.Connect(netAddr, nspr.SecondsToInterval(1))
		sock.Close()
		if err == nil {
			fmt.Println(hostEntry.Hostname(), hostEntry.Family(), "connected")
			break
		}
	}
	// Output: localhost PR_AF_INET connected
}

// The NetworkAddress example of python-nss's nss.io, on localhost: an
// address built from a name remembers the name; one built from a number,
// the number.
func ExampleNewNetworkAddress() {
	netaddr, err := nspr.NewNetworkAddress("localhost", 0, nspr.AFInet)
	if err != nil {
		panic(err)
	}
	fmt.Println(netaddr, netaddr.Hostname())
	netaddr, _ = nspr.NewNetworkAddress("127.0.0.1", 0, nspr.AFInet)
	fmt.Println(netaddr, netaddr.Hostname())
	netaddr, _ = nspr.NewNetworkAddress("::1", 80, nspr.AFInet6)
	fmt.Println(netaddr, netaddr.Address(), netaddr.Port(), netaddr.Family())
	// Output:
	// 127.0.0.1:0 localhost
	// 127.0.0.1:0 127.0.0.1
	// [::1]:80 ::1 80 PR_AF_INET6
}

// NSPR's logical addresses, for binding to every interface or to loopback.
func ExampleNewNetworkAddressSpecial() {
	for _, v := range []nspr.IPAddrSpecial{nspr.IPAddrAny, nspr.IPAddrLoopback, nspr.IPAddrV4Mapped} {
		for _, family := range []nspr.Family{nspr.AFInet, nspr.AFInet6} {
			a, err := nspr.NewNetworkAddressSpecial(v, 8080, family)
			if err != nil {
				fmt.Println(v, family, nspr.ErrorCodeOf(err).String())
				continue
			}
			fmt.Println(v, family, a)
		}
	}
	// Output:
	// PR_IpAddrAny PR_AF_INET 0.0.0.0:8080
	// PR_IpAddrAny PR_AF_INET6 [::]:8080
	// PR_IpAddrLoopback PR_AF_INET 127.0.0.1:8080
	// PR_IpAddrLoopback PR_AF_INET6 [::1]:8080
	// PR_IpAddrV4Mapped PR_AF_INET PR_INVALID_ARGUMENT_ERROR
	// PR_IpAddrV4Mapped PR_AF_INET6 [::ffff:0.0.0.0]:8080
}

func ExampleNetworkAddress_SetPort() {
	a, _ := nspr.NewNetworkAddress("127.0.0.1", 80, nspr.AFInet)
	fmt.Println(a.SetPort(8080), a)
	fmt.Println(nspr.ErrorCodeOf(a.SetPort(70000)).String(), a)
	// Output:
	// <nil> 127.0.0.1:8080
	// PR_INVALID_ARGUMENT_ERROR 127.0.0.1:8080
}

func ExampleNetworkAddress_SetFromString() {
	a, _ := nspr.NewNetworkAddress("127.0.0.1", 80, nspr.AFInet)
	fmt.Println(a.SetFromString("::1", nspr.AFInet6), a)
	err := a.SetFromString("::1", nspr.AFInet)
	fmt.Println(nspr.ErrorCodeOf(err).String(), a)
	// Output:
	// <nil> [::1]:80
	// PR_DIRECTORY_LOOKUP_ERROR [::1]:80
}

func ExampleParseNetworkAddress() {
	for _, s := range []string{"127.0.0.1:80", "[::1]:443", "/run/app.sock", "localhost:80"} {
		a, err := nspr.ParseNetworkAddress(s)
		if err != nil {
			fmt.Println(s, nspr.ErrorCodeOf(err).String())
			continue
		}
		fmt.Println(a, a.Family(), a.Network())
	}
	// Output:
	// 127.0.0.1:80 PR_AF_INET ip
	// [::1]:443 PR_AF_INET6 ip
	// /run/app.sock PR_AF_LOCAL unix
	// localhost:80 PR_INVALID_ARGUMENT_ERROR
}

// A Resolver sends its queries to the DNS server given, with a bound on each
// lookup; its methods take a context. Here the server is a small one the
// program starts on loopback, which knows one name: a lookup of any other
// is PR_DIRECTORY_LOOKUP_ERROR wrapping the *net.DNSError.
func ExampleResolver() {
	server, err := startDNS("db.internal.example. 60 IN A 192.0.2.10")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer server.Shutdown()

	r := &nspr.Resolver{Server: server.PacketConn.LocalAddr().String(), Timeout: 2 * time.Second}
	ctx := context.Background()
	for _, name := range []string{"db.internal.example.", "nowhere.internal.example."} {
		he, err := r.HostEntry(ctx, name)
		if err != nil {
			var dnsErr *net.DNSError
			fmt.Println(name, nspr.ErrorCodeOf(err).String(), errors.As(err, &dnsErr) && dnsErr.IsNotFound)
			continue
		}
		fmt.Println(he)
	}
	// Output:
	// name=db.internal.example family=PR_AF_INET aliases=() addresses=(192.0.2.10:0)
	// nowhere.internal.example. PR_DIRECTORY_LOOKUP_ERROR true
}

// startDNS serves the records given (zone-file syntax) over UDP on
// 127.0.0.1 and answers NXDOMAIN for names it does not know.
func startDNS(records ...string) (*dns.Server, error) {
	zone := map[string][]dns.RR{}
	for _, text := range records {
		rr, err := dns.NewRR(text)
		if err != nil {
			return nil, err
		}
		zone[rr.Header().Name] = append(zone[rr.Header().Name], rr)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	started := make(chan struct{})
	server := &dns.Server{PacketConn: pc, NotifyStartedFunc: func() { close(started) },
		Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
			m := new(dns.Msg)
			m.SetReply(q)
			name, qtype := q.Question[0].Name, q.Question[0].Qtype
			if _, known := zone[name]; !known {
				m.Rcode = dns.RcodeNameError
			}
			for _, rr := range zone[name] {
				if rr.Header().Rrtype == qtype {
					m.Answer = append(m.Answer, rr)
				}
			}
			w.WriteMsg(m)
		})}
	go server.ActivateAndServe()
	<-started
	return server, nil
}
