"""nssbench: the workloads of bench/run.sh against python-nss (nss.io).

Run with Debian's interpreter, which has python3-nss:
    /usr/bin/python3 nssbench.py WORKLOAD ARGS...
Each run prints lines "RESULT workload impl value unit", as bench/c/nsprbench.c
does for NSPR in C; BENCHMARKS.md describes the workloads.
"""

import math
import os
import subprocess
import sys
import threading
import time

import nss.io as io

IMPL = "python-nss"
CHUNK = 64 * 1024
UDP_SIZE, UDP_BURST = 64, 32
LINE_LEN = 40
ECHO_SIZE = 64
NO_TIMEOUT = io.PR_INTERVAL_NO_TIMEOUT
LATENCY_PERCENTILES = [("p50", 0.50), ("p99", 0.99), ("p99.9", 0.999)]


def result(workload, value, unit):
    print(f"RESULT {workload} {IMPL} {value:.6g} {unit}", flush=True)


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def listener(backlog=16):
    sock = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_TCP)
    sock.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
    sock.listen(backlog)
    return sock, sock.get_sock_name()


def tcp_pair():
    lst, addr = listener()
    client = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_TCP)
    client.connect(addr, NO_TIMEOUT)
    server, _ = lst.accept(NO_TIMEOUT)
    lst.close()
    for s in (client, server):
        s.set_socket_option(io.PR_SockOpt_NoDelay, True)
    return client, server


def recv_full(sock, n):
    """Reads exactly n bytes; returns b"" at the end of the stream."""
    buf = sock.recv(n, NO_TIMEOUT)
    while buf and len(buf) < n:
        more = sock.recv(n - len(buf), NO_TIMEOUT)
        if not more:
            return b""
        buf += more
    return buf


def tcp_bulk(total):
    client, server = tcp_pair()
    chunk = bytes(CHUNK)

    def reader():
        got = 0
        while got < total:
            data = server.recv(CHUNK, NO_TIMEOUT)
            if not data:
                raise SystemExit("bulk: early end of stream")
            got += len(data)

    t0 = time.perf_counter()
    t = threading.Thread(target=reader)
    t.start()
    for _ in range(0, total, CHUNK):
        client.send(chunk, NO_TIMEOUT)
    t.join()
    result("tcp_bulk", total / (time.perf_counter() - t0) / 1e6, "MB/s")
    client.close()
    server.close()


def echo_loop(sock, size):
    while True:
        buf = recv_full(sock, size)
        if not buf:
            return
        sock.send(buf, NO_TIMEOUT)


def percentile(ordered, p):
    """The nearest-rank p-quantile of a sorted list, as internal/workload's
    Percentile computes it."""
    i = math.ceil(p * len(ordered)) - 1
    return ordered[min(max(i, 0), len(ordered) - 1)]


def tcp_pingpong(size, count):
    client, server = tcp_pair()
    t = threading.Thread(target=echo_loop, args=(server, size))
    t.start()
    msg = bytes(size)
    # Each round trip's time, one clock reading a round trip, into a list
    # made beforehand.
    rtt = [0.0] * count
    clock = time.perf_counter
    t0 = prev = clock()
    for i in range(count):
        client.send(msg, NO_TIMEOUT)
        msg = recv_full(client, size)
        now = clock()
        rtt[i] = now - prev
        prev = now
    rate = count / (prev - t0)
    client.shutdown(io.PR_SHUTDOWN_SEND)
    t.join()
    result(f"tcp_pingpong_{size}B", rate, "rt/s")
    rtt.sort()
    for name, p in LATENCY_PERCENTILES:
        result(f"tcp_pingpong_{size}B_{name}", percentile(rtt, p) * 1e6, "us")
    client.close()
    server.close()


def tcp_accept(count):
    lst, addr = listener(128)
    t0 = time.perf_counter()
    for _ in range(count):
        c = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_TCP)
        c.connect(addr, NO_TIMEOUT)
        s, _ = lst.accept(NO_TIMEOUT)
        s.close()
        c.close()
    result("tcp_accept", count / (time.perf_counter() - t0), "conn/s")
    lst.close()


def udp_socket():
    sock = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_UDP)
    sock.bind(io.NetworkAddress(io.PR_IpAddrLoopback, 0))
    return sock, sock.get_sock_name()


def udp_pps(count):
    a, _ = udp_socket()
    b, b_addr = udp_socket()
    from_addr = io.NetworkAddress()
    msg = bytes(UDP_SIZE)
    t0 = time.perf_counter()
    for i in range(0, count, UDP_BURST):
        burst = min(UDP_BURST, count - i)
        for _ in range(burst):
            a.send_to(msg, b_addr, NO_TIMEOUT)
        for _ in range(burst):
            b.recv_from(2048, from_addr, NO_TIMEOUT)
    result("udp_pps", count / (time.perf_counter() - t0), "pkt/s")
    a.close()
    b.close()


def poll_idle(n, iters):
    socks = [udp_socket() for _ in range(n + 1)]
    ready, ready_addr = socks[-1]
    ready.send_to(b"x", ready_addr, NO_TIMEOUT)  # stays readable
    descs = [(s, io.PR_POLL_READ) for s, _ in socks]
    t0 = time.perf_counter()
    for _ in range(iters):
        flags = io.Socket.poll(descs, NO_TIMEOUT)
        if not flags[-1] & io.PR_POLL_READ:
            raise SystemExit("poll: the ready socket was not reported")
    result(f"poll_idle_{n}", (time.perf_counter() - t0) / iters * 1e6, "us")
    for s, _ in socks:
        s.close()


def readline(count):
    client, server = tcp_pair()
    per = CHUNK // LINE_LEN
    block = b"".join(bytes([97 + i % 26]) * (LINE_LEN - 1) + b"\n" for i in range(per))

    def writer():
        for sent in range(0, count, per):
            k = min(per, count - sent)
            client.send(block[: k * LINE_LEN], NO_TIMEOUT)

    t0 = time.perf_counter()
    t = threading.Thread(target=writer)
    t.start()
    for _ in range(count):
        if len(server.readline()) != LINE_LEN:
            raise SystemExit("readline: short line")
    result("readline", count / (time.perf_counter() - t0), "lines/s")
    t.join()
    client.close()
    server.close()


MANY_STACK = 256 * 1024


def many_conns_client(port, n):
    threading.stack_size(MANY_STACK)
    target = io.NetworkAddress(io.PR_IpAddrLoopback, port)
    cond = threading.Condition()
    state = {"done": 0, "open": False}

    def one():
        sock = io.Socket(io.PR_AF_INET, io.PR_DESC_SOCKET_TCP)
        sock.connect(target, NO_TIMEOUT)
        sock.send(b"\x01" * ECHO_SIZE, NO_TIMEOUT)
        if len(recv_full(sock, ECHO_SIZE)) != ECHO_SIZE:
            raise SystemExit("many_conns: short echo")
        with cond:  # hold the connection until every client has its echo
            state["done"] += 1
            cond.notify_all()
            cond.wait_for(lambda: state["open"])
        sock.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    with cond:
        cond.wait_for(lambda: state["done"] == n)
        elapsed = time.perf_counter() - t0
        state["open"] = True
        cond.notify_all()
    for t in threads:
        t.join()
    print(f"CLIENT {elapsed:.6f} {peak_rss_mb():.3f}", flush=True)


def many_conns(n):
    threading.stack_size(MANY_STACK)
    lst, addr = listener(4096)
    child = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "many_conns_client", str(addr.port), str(n)],
        stdout=subprocess.PIPE, text=True)
    done = threading.Semaphore(0)

    def serve(sock):
        echo_loop(sock, ECHO_SIZE)
        sock.close()
        done.release()

    for _ in range(n):
        sock, _ = lst.accept(NO_TIMEOUT)
        threading.Thread(target=serve, args=(sock,)).start()
    for _ in range(n):
        done.acquire()
    out = child.stdout.readline().split()
    child.wait()
    if len(out) != 3 or out[0] != "CLIENT":
        raise SystemExit(f"many_conns: client said {out}")
    result("many_conns_time", float(out[1]), "s")
    result("many_conns_rss", peak_rss_mb() + float(out[2]), "MB")
    lst.close()


WORKLOADS = {
    "tcp_bulk": tcp_bulk,
    "tcp_pingpong": tcp_pingpong,
    "tcp_accept": tcp_accept,
    "udp_pps": udp_pps,
    "poll_idle": poll_idle,
    "readline": readline,
    "many_conns": many_conns,
    "many_conns_client": many_conns_client,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in WORKLOADS:
        sys.exit("usage: nssbench.py {" + "|".join(WORKLOADS) + "} ARGS...")
    WORKLOADS[sys.argv[1]](*map(int, sys.argv[2:]))
