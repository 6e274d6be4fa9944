/*
 * nsprbench: the workloads of bench/run.sh against NSPR in C, with PR_Send,
 * PR_Recv, PR_SendTo, PR_RecvFrom, PR_Accept, PR_Connect, PR_Poll and
 * PR_TransmitFile.
 *
 *   cc -O2 -o nsprbench nsprbench.c $(pkg-config --cflags --libs nspr)
 *   nsprbench WORKLOAD ARGS...
 *
 * Each run prints lines "RESULT workload impl value unit". The same workloads
 * are in bench_test.go (Go), bench/python/nssbench.py (python-nss) and
 * bench/go/manyconns (Go, many_conns); BENCHMARKS.md describes them.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <nspr.h>

#define IMPL "nspr-c"
#define CHUNK (64 * 1024)
#define UDP_SIZE 64
#define UDP_BURST 32
#define LINE_LEN 40
#define ECHO_SIZE 64

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "nsprbench: %s: NSPR error %d, errno %d\n", what, (int)PR_GetError(), (int)PR_GetOSError());
    exit(1);
}

static void result(const char *workload, double value, const char *unit) {
    printf("RESULT %s %s %.6g %s\n", workload, IMPL, value, unit);
    fflush(stdout);
}

/* peak_rss_mb returns this process's peak resident set (VmHWM) in MB. */
static double peak_rss_mb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %lf kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb / 1024;
}

static PRThread *spawn(void (*fn)(void *), void *arg, PRUint32 stack) {
    PRThread *t = PR_CreateThread(PR_USER_THREAD, fn, arg, PR_PRIORITY_NORMAL, PR_GLOBAL_THREAD,
                                  PR_JOINABLE_THREAD, stack);
    if (!t)
        die("PR_CreateThread");
    return t;
}

/* listener opens a TCP socket listening on 127.0.0.1 and fills in its address. */
static PRFileDesc *listener(PRNetAddr *addr, int backlog) {
    PRFileDesc *l = PR_OpenTCPSocket(PR_AF_INET);
    if (!l)
        die("PR_OpenTCPSocket");
    PR_InitializeNetAddr(PR_IpAddrLoopback, 0, addr);
    if (PR_Bind(l, addr) != PR_SUCCESS || PR_Listen(l, backlog) != PR_SUCCESS ||
        PR_GetSockName(l, addr) != PR_SUCCESS)
        die("listen");
    return l;
}

static void nodelay(PRFileDesc *fd) {
    PRSocketOptionData opt = {.option = PR_SockOpt_NoDelay};
    opt.value.no_delay = PR_TRUE;
    if (PR_SetSocketOption(fd, &opt) != PR_SUCCESS)
        die("PR_SockOpt_NoDelay");
}

/* tcp_pair returns both ends of a loopback TCP connection, Nagle off. */
static void tcp_pair(PRFileDesc **client, PRFileDesc **server) {
    PRNetAddr addr;
    PRFileDesc *l = listener(&addr, 16);
    *client = PR_OpenTCPSocket(PR_AF_INET);
    if (!*client || PR_Connect(*client, &addr, PR_INTERVAL_NO_TIMEOUT) != PR_SUCCESS)
        die("PR_Connect");
    *server = PR_Accept(l, NULL, PR_INTERVAL_NO_TIMEOUT);
    if (!*server)
        die("PR_Accept");
    PR_Close(l);
    nodelay(*client);
    nodelay(*server);
}

/* recv_full reads exactly n bytes; it returns 0 at the end of the stream. */
static int recv_full(PRFileDesc *fd, char *buf, int n) {
    for (int got = 0; got < n;) {
        PRInt32 r = PR_Recv(fd, buf + got, n - got, 0, PR_INTERVAL_NO_TIMEOUT);
        if (r < 0)
            die("PR_Recv");
        if (r == 0)
            return 0;
        got += r;
    }
    return 1;
}

/* ---- tcp_bulk: 64 KiB PR_Send calls one way, PR_Recv into 64 KiB ---- */

struct bulk {
    PRFileDesc *fd;
    long long total;
};

static void bulk_reader(void *arg) {
    struct bulk *b = arg;
    char *buf = malloc(CHUNK);
    for (long long got = 0; got < b->total;) {
        PRInt32 n = PR_Recv(b->fd, buf, CHUNK, 0, PR_INTERVAL_NO_TIMEOUT);
        if (n <= 0)
            die("PR_Recv");
        got += n;
    }
    free(buf);
}

static void tcp_bulk(long long total) {
    PRFileDesc *c, *s;
    tcp_pair(&c, &s);
    char *chunk = calloc(1, CHUNK);
    struct bulk b = {s, total};
    double t0 = now();
    PRThread *t = spawn(bulk_reader, &b, 0);
    for (long long sent = 0; sent < total; sent += CHUNK)
        if (PR_Send(c, chunk, CHUNK, 0, PR_INTERVAL_NO_TIMEOUT) != CHUNK)
            die("PR_Send");
    PR_JoinThread(t);
    result("tcp_bulk", total / (now() - t0) / 1e6, "MB/s");
    free(chunk);
    PR_Close(c);
    PR_Close(s);
}

/* ---- file_send: PR_TransmitFile of a whole file, COUNT times; PR_Recv into 64 KiB ---- */

static void file_send(const char *path, long count) {
    PRFileDesc *c, *s;
    tcp_pair(&c, &s);
    PRFileDesc *f = PR_Open(path, PR_RDONLY, 0);
    PRFileInfo64 info;
    if (!f || PR_GetOpenFileInfo64(f, &info) != PR_SUCCESS)
        die("PR_Open");
    struct bulk b = {s, info.size * count};
    double t0 = now();
    PRThread *t = spawn(bulk_reader, &b, 0);
    for (long i = 0; i < count; i++)
        if (PR_TransmitFile(c, f, NULL, 0, PR_TRANSMITFILE_KEEP_OPEN, PR_INTERVAL_NO_TIMEOUT) != info.size)
            die("PR_TransmitFile");
    PR_JoinThread(t);
    result("file_send", b.total / (now() - t0) / 1e6, "MB/s");
    PR_Close(f);
    PR_Close(c);
    PR_Close(s);
}

/* ---- tcp_pingpong: a message and its echo, Nagle off ---- */

struct echo {
    PRFileDesc *fd;
    int size;
};

static void echo_loop(void *arg) {
    struct echo *e = arg;
    char buf[ECHO_SIZE];
    while (recv_full(e->fd, buf, e->size))
        if (PR_Send(e->fd, buf, e->size, 0, PR_INTERVAL_NO_TIMEOUT) != e->size)
            die("PR_Send");
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* percentile returns the nearest-rank p-quantile of sorted[0..n), as
 * internal/workload's Percentile does. */
static double percentile(const double *sorted, long n, double p) {
    long i = (long)ceil(p * n) - 1;
    if (i < 0)
        i = 0;
    if (i >= n)
        i = n - 1;
    return sorted[i];
}

static void tcp_pingpong(int size, long count) {
    PRFileDesc *c, *s;
    tcp_pair(&c, &s);
    struct echo e = {s, size};
    PRThread *t = spawn(echo_loop, &e, 0);
    char msg[ECHO_SIZE] = {0};
    /* Each round trip's time, one clock reading a round trip, into memory
     * allocated (and touched) beforehand. */
    double *rtt = calloc(count, sizeof *rtt);
    if (!rtt)
        die("calloc");
    double t0 = now(), prev = t0;
    for (long i = 0; i < count; i++) {
        if (PR_Send(c, msg, size, 0, PR_INTERVAL_NO_TIMEOUT) != size)
            die("PR_Send");
        if (!recv_full(c, msg, size))
            die("echo closed");
        double t1 = now();
        rtt[i] = t1 - prev;
        prev = t1;
    }
    double rate = count / (prev - t0);
    PR_Shutdown(c, PR_SHUTDOWN_SEND);
    PR_JoinThread(t);
    char name[48];
    snprintf(name, sizeof name, "tcp_pingpong_%dB", size);
    result(name, rate, "rt/s");
    qsort(rtt, count, sizeof *rtt, cmp_double);
    static const struct { const char *name; double p; } pcts[] = {{"p50", 0.50}, {"p99", 0.99}, {"p99.9", 0.999}};
    for (size_t k = 0; k < sizeof pcts / sizeof pcts[0]; k++) {
        snprintf(name, sizeof name, "tcp_pingpong_%dB_%s", size, pcts[k].name);
        result(name, percentile(rtt, count, pcts[k].p) * 1e6, "us");
    }
    free(rtt);
    PR_Close(c);
    PR_Close(s);
}

/* ---- tcp_accept: connect, accept, close both, in lock-step ---- */

static void tcp_accept(long count) {
    PRNetAddr addr;
    PRFileDesc *l = listener(&addr, 128);
    double t0 = now();
    for (long i = 0; i < count; i++) {
        PRFileDesc *c = PR_OpenTCPSocket(PR_AF_INET);
        if (!c || PR_Connect(c, &addr, PR_INTERVAL_NO_TIMEOUT) != PR_SUCCESS)
            die("PR_Connect");
        PRFileDesc *s = PR_Accept(l, NULL, PR_INTERVAL_NO_TIMEOUT);
        if (!s)
            die("PR_Accept");
        PR_Close(s);
        PR_Close(c);
    }
    result("tcp_accept", count / (now() - t0), "conn/s");
    PR_Close(l);
}

/* ---- udp_pps: 64-byte datagrams in bursts of 32, each read back ---- */

static PRFileDesc *udp_socket(PRNetAddr *addr) {
    PRFileDesc *u = PR_OpenUDPSocket(PR_AF_INET);
    if (!u)
        die("PR_OpenUDPSocket");
    PR_InitializeNetAddr(PR_IpAddrLoopback, 0, addr);
    if (PR_Bind(u, addr) != PR_SUCCESS || PR_GetSockName(u, addr) != PR_SUCCESS)
        die("bind udp");
    return u;
}

static void udp_pps(long count) {
    PRNetAddr a_addr, b_addr, from;
    PRFileDesc *a = udp_socket(&a_addr), *b = udp_socket(&b_addr);
    char msg[UDP_SIZE] = {0}, buf[2048];
    double t0 = now();
    for (long i = 0; i < count; i += UDP_BURST) {
        long burst = count - i < UDP_BURST ? count - i : UDP_BURST;
        for (long j = 0; j < burst; j++)
            if (PR_SendTo(a, msg, UDP_SIZE, 0, &b_addr, PR_INTERVAL_NO_TIMEOUT) != UDP_SIZE)
                die("PR_SendTo");
        for (long j = 0; j < burst; j++)
            if (PR_RecvFrom(b, buf, sizeof buf, 0, &from, PR_INTERVAL_NO_TIMEOUT) != UDP_SIZE)
                die("PR_RecvFrom");
    }
    result("udp_pps", count / (now() - t0), "pkt/s");
    PR_Close(a);
    PR_Close(b);
}

/* ---- poll_idle: PR_Poll over n idle UDP sockets and one with a datagram ---- */

static void poll_idle(int n, long iters) {
    PRPollDesc *pds = calloc(n + 1, sizeof *pds);
    PRNetAddr addr;
    for (int i = 0; i <= n; i++) {
        pds[i].fd = udp_socket(&addr);
        pds[i].in_flags = PR_POLL_READ;
    }
    /* The last socket sends itself a datagram, so it stays readable. */
    if (PR_SendTo(pds[n].fd, "x", 1, 0, &addr, PR_INTERVAL_NO_TIMEOUT) != 1)
        die("PR_SendTo");
    double t0 = now();
    for (long i = 0; i < iters; i++)
        if (PR_Poll(pds, n + 1, PR_INTERVAL_NO_TIMEOUT) != 1 || !(pds[n].out_flags & PR_POLL_READ))
            die("PR_Poll");
    char name[32];
    snprintf(name, sizeof name, "poll_idle_%d", n);
    result(name, (now() - t0) / iters * 1e6, "us");
    for (int i = 0; i <= n; i++)
        PR_Close(pds[i].fd);
    free(pds);
}

/* ---- readline: 40-byte lines, PR_Recv into 64 KiB, copied to a line buffer ---- */

struct lines {
    PRFileDesc *fd;
    long count;
};

static void line_writer(void *arg) {
    struct lines *l = arg;
    int per = CHUNK / LINE_LEN;
    char *block = malloc(per * LINE_LEN);
    for (int i = 0; i < per; i++) {
        memset(block + i * LINE_LEN, 'a' + i % 26, LINE_LEN - 1);
        block[i * LINE_LEN + LINE_LEN - 1] = '\n';
    }
    for (long sent = 0; sent < l->count; sent += per) {
        int k = l->count - sent < per ? l->count - sent : per;
        if (PR_Send(l->fd, block, k * LINE_LEN, 0, PR_INTERVAL_NO_TIMEOUT) != k * LINE_LEN)
            die("PR_Send");
    }
    free(block);
}

static void readline(long count) {
    PRFileDesc *c, *s;
    tcp_pair(&c, &s);
    struct lines l = {c, count};
    char *buf = malloc(CHUNK), line[256];
    int r = 0, w = 0;
    long lines = 0;
    double t0 = now();
    PRThread *t = spawn(line_writer, &l, 0);
    while (lines < count) {
        char *nl = memchr(buf + r, '\n', w - r);
        if (!nl) {
            memmove(buf, buf + r, w - r);
            w -= r;
            r = 0;
            PRInt32 n = PR_Recv(s, buf + w, CHUNK - w, 0, PR_INTERVAL_NO_TIMEOUT);
            if (n <= 0)
                die("PR_Recv");
            w += n;
            continue;
        }
        int len = nl + 1 - (buf + r);
        memcpy(line, buf + r, len);
        r += len;
        lines++;
    }
    result("readline", count / (now() - t0), "lines/s");
    PR_JoinThread(t);
    free(buf);
    PR_Close(c);
    PR_Close(s);
}

/* ---- many_conns: n concurrent connections, one echo each, a thread each ---- */

struct gate {
    PRLock *mu;
    PRCondVar *cv;
    long done;
    int open;
};

static struct gate gate;
static PRNetAddr target;

static void gate_init(void) {
    gate.mu = PR_NewLock();
    gate.cv = PR_NewCondVar(gate.mu);
}

static void gate_count(void) {
    PR_Lock(gate.mu);
    gate.done++;
    PR_NotifyAllCondVar(gate.cv);
    PR_Unlock(gate.mu);
}

static void serve_one(void *arg) {
    PRFileDesc *fd = arg;
    char buf[ECHO_SIZE];
    while (recv_full(fd, buf, ECHO_SIZE))
        if (PR_Send(fd, buf, ECHO_SIZE, 0, PR_INTERVAL_NO_TIMEOUT) != ECHO_SIZE)
            die("PR_Send");
    PR_Close(fd);
    gate_count();
}

static void client_one(void *arg) {
    (void)arg;
    char msg[ECHO_SIZE] = {1};
    PRFileDesc *fd = PR_OpenTCPSocket(PR_AF_INET);
    if (!fd || PR_Connect(fd, &target, PR_INTERVAL_NO_TIMEOUT) != PR_SUCCESS)
        die("PR_Connect");
    if (PR_Send(fd, msg, ECHO_SIZE, 0, PR_INTERVAL_NO_TIMEOUT) != ECHO_SIZE || !recv_full(fd, msg, ECHO_SIZE))
        die("echo");
    /* Hold the connection open until every client has its echo. */
    PR_Lock(gate.mu);
    gate.done++;
    PR_NotifyAllCondVar(gate.cv);
    while (!gate.open)
        PR_WaitCondVar(gate.cv, PR_INTERVAL_NO_TIMEOUT);
    PR_Unlock(gate.mu);
    PR_Close(fd);
}

#define MANY_STACK (256 * 1024)

static void many_conns_client(int port, int n) {
    gate_init();
    PR_InitializeNetAddr(PR_IpAddrLoopback, port, &target);
    PRThread **ts = calloc(n, sizeof *ts);
    double t0 = now();
    for (int i = 0; i < n; i++)
        ts[i] = spawn(client_one, NULL, MANY_STACK);
    PR_Lock(gate.mu);
    while (gate.done < n)
        PR_WaitCondVar(gate.cv, PR_INTERVAL_NO_TIMEOUT);
    double elapsed = now() - t0;
    gate.open = 1;
    PR_NotifyAllCondVar(gate.cv);
    PR_Unlock(gate.mu);
    for (int i = 0; i < n; i++)
        PR_JoinThread(ts[i]);
    printf("CLIENT %.6f %.3f\n", elapsed, peak_rss_mb());
    fflush(stdout);
}

static void many_conns(const char *self, int n) {
    PRNetAddr addr;
    PRFileDesc *l = listener(&addr, 4096);
    int fds[2];
    if (pipe(fds) != 0)
        die("pipe");
    char port[16], count[16];
    snprintf(port, sizeof port, "%d", PR_ntohs(addr.inet.port));
    snprintf(count, sizeof count, "%d", n);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        execl(self, self, "many_conns_client", port, count, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    gate_init();
    for (int i = 0; i < n; i++) {
        PRFileDesc *fd = PR_Accept(l, NULL, PR_INTERVAL_NO_TIMEOUT);
        if (!fd)
            die("PR_Accept");
        if (!PR_CreateThread(PR_USER_THREAD, serve_one, fd, PR_PRIORITY_NORMAL, PR_GLOBAL_THREAD,
                             PR_UNJOINABLE_THREAD, MANY_STACK))
            die("PR_CreateThread");
    }
    PR_Lock(gate.mu);
    while (gate.done < n)
        PR_WaitCondVar(gate.cv, PR_INTERVAL_NO_TIMEOUT);
    PR_Unlock(gate.mu);
    char out[128] = {0};
    FILE *f = fdopen(fds[0], "r");
    double secs = 0, client_rss = 0;
    if (!fgets(out, sizeof out, f) || sscanf(out, "CLIENT %lf %lf", &secs, &client_rss) != 2)
        die("client result");
    fclose(f);
    int status;
    waitpid(pid, &status, 0);
    result("many_conns_time", secs, "s");
    result("many_conns_rss", peak_rss_mb() + client_rss, "MB");
    PR_Close(l);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: nsprbench tcp_bulk BYTES | tcp_pingpong SIZE COUNT | tcp_accept COUNT |\n"
                        "  udp_pps COUNT | poll_idle N ITERS | readline LINES | many_conns N | file_send PATH COUNT\n");
        return 2;
    }
    const char *w = argv[1];
    long a = argc > 2 ? atol(argv[2]) : 0, b = argc > 3 ? atol(argv[3]) : 0;
    if (!strcmp(w, "tcp_bulk"))
        tcp_bulk(a);
    else if (!strcmp(w, "file_send"))
        file_send(argv[2], b);
    else if (!strcmp(w, "tcp_pingpong"))
        tcp_pingpong(a, b);
    else if (!strcmp(w, "tcp_accept"))
        tcp_accept(a);
    else if (!strcmp(w, "udp_pps"))
        udp_pps(a);
    else if (!strcmp(w, "poll_idle"))
        poll_idle(a, b);
    else if (!strcmp(w, "readline"))
        readline(a);
    else if (!strcmp(w, "many_conns"))
        many_conns("/proc/self/exe", a);
    else if (!strcmp(w, "many_conns_client"))
        many_conns_client(a, b);
    else {
        fprintf(stderr, "nsprbench: unknown workload %s\n", w);
        return 2;
    }
    return 0;
}
