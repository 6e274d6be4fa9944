// Command manyconns is the many_conns workload of bench/run.sh for nspr and
// for Go's net: n concurrent loopback connections, a goroutine each on both
// sides, each echoing 64 bytes once and held open until all have. The client
// side runs in a second process (this program, re-executed), because the
// two sides together need more descriptors than one process may open.
//
//	manyconns -impl nspr|net -n 10000
//
// It prints "RESULT many_conns_time IMPL seconds s" (the client's time from
// the first connect until every echo arrived) and "RESULT many_conns_rss
// IMPL MB MB" (the peak resident sets of both processes, added).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nspr-go/nspr"
)

const echoSize = 64

// impl is one implementation: a listener and a dialer.
type impl struct {
	listen func() (accept func() (io.ReadWriteCloser, error), port int, closer io.Closer)
	dial   func(port int) (io.ReadWriteCloser, error)
}

var impls = map[string]impl{
	"nspr": {listen: nsprListen, dial: nsprDial},
	"net":  {listen: netListen, dial: netDial},
}

func nsprListen() (func() (io.ReadWriteCloser, error), int, io.Closer) {
	l, err := nspr.NewSocket(nspr.AFInet, nspr.DescSocketTCP)
	if err == nil {
		err = l.Bind(nspr.NewNetworkAddressFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	}
	if err == nil {
		err = l.Listen(4096)
	}
	if err != nil {
		log.Fatal(err)
	}
	addr, err := l.SockName()
	if err != nil {
		log.Fatal(err)
	}
	accept := func() (io.ReadWriteCloser, error) {
		c, _, err := l.Accept(nspr.IntervalNoTimeout)
		return c, err
	}
	return accept, int(addr.Port()), l
}

func nsprDial(port int) (io.ReadWriteCloser, error) {
	c, err := nspr.NewSocket(nspr.AFInet, nspr.DescSocketTCP)
	if err != nil {
		return nil, err
	}
	to := nspr.NewNetworkAddressFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port)))
	if err := c.Connect(to, nspr.IntervalNoTimeout); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func netListen() (func() (io.ReadWriteCloser, error), int, io.Closer) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	accept := func() (io.ReadWriteCloser, error) { return l.Accept() }
	return accept, l.Addr().(*net.TCPAddr).Port, l
}

func netDial(port int) (io.ReadWriteCloser, error) {
	return net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
}

// peakRSS returns this process's peak resident set (VmHWM) in MB.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func client(im impl, port, n int) {
	var (
		mu     sync.Mutex
		echoed = sync.NewCond(&mu)
		done   int
		open   bool
		wg     sync.WaitGroup
	)
	start := time.Now()
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := im.dial(port)
			if err != nil {
				log.Fatal("dial: ", err)
			}
			defer c.Close()
			msg := make([]byte, echoSize)
			if _, err := c.Write(msg); err != nil {
				log.Fatal(err)
			}
			if _, err := io.ReadFull(c, msg); err != nil {
				log.Fatal(err)
			}
			mu.Lock() // hold the connection until every client has its echo
			done++
			echoed.Broadcast()
			for !open {
				echoed.Wait()
			}
			mu.Unlock()
		}()
	}
	mu.Lock()
	for done < n {
		echoed.Wait()
	}
	elapsed := time.Since(start)
	open = true
	echoed.Broadcast()
	mu.Unlock()
	wg.Wait()
	fmt.Printf("CLIENT %.6f %.3f\n", elapsed.Seconds(), peakRSS())
}

func server(name string, im impl, n int) {
	accept, port, l := im.listen()
	defer l.Close()
	child := exec.Command(os.Args[0], "-impl", name, "-n", strconv.Itoa(n), "-client", strconv.Itoa(port))
	child.Stderr = os.Stderr
	out, err := child.StdoutPipe()
	if err != nil {
		log.Fatal(err)
	}
	if err := child.Start(); err != nil {
		log.Fatal(err)
	}
	var wg sync.WaitGroup
	for range n {
		c, err := accept()
		if err != nil {
			log.Fatal("accept: ", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			buf := make([]byte, echoSize)
			for {
				if _, err := io.ReadFull(c, buf); err != nil {
					return // the client closed
				}
				if _, err := c.Write(buf); err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		log.Fatal("client: ", err)
	}
	if err := child.Wait(); err != nil {
		log.Fatal("client: ", err)
	}
	var secs, rss float64
	if _, err := fmt.Sscanf(line, "CLIENT %f %f", &secs, &rss); err != nil {
		log.Fatalf("client said %q: %v", line, err)
	}
	fmt.Printf("RESULT many_conns_time go-%s %.6g s\n", name, secs)
	fmt.Printf("RESULT many_conns_rss go-%s %.6g MB\n", name, peakRSS()+rss)
}

func main() {
	name := flag.String("impl", "nspr", "implementation: nspr or net")
	n := flag.Int("n", 10000, "concurrent connections")
	port := flag.Int("client", 0, "run as the client of the server on this port")
	flag.Parse()
	im, ok := impls[*name]
	if !ok || *n < 1 {
		log.Fatalf("unknown -impl %q or bad -n %d", *name, *n)
	}
	if *port != 0 {
		client(im, *port, *n)
		return
	}
	server(*name, im, *n)
}
