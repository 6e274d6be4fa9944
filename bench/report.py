"""Reads the raw results of bench/run.sh and prints two Markdown tables: a
one-screen summary (per workload nspr's median, the best peer's, the ratio
and the target's verdict), then the full table: per workload the median of
each implementation with its spread, and the ratio of nspr to each peer.

    report.py RESULTS                 print both
    report.py --write FILE RESULTS    also put them into FILE (BENCHMARKS.md)
                                      between its <!-- summary --> and
                                      <!-- results --> begin/end markers
"""

import os
import re
import statistics
import sys
from collections import defaultdict

IMPLS = ["go-nspr", "go-net", "nspr-c", "python-nss"]
# The floor: the same work in raw system calls from Go, where a benchmark
# measures it (impl=epoll: epoll_wait(2) on the polled sockets; impl=mmsg:
# sendmmsg(2)/recvmmsg(2) on the batch workload's; impl=raw: the calls nspr
# makes for udp_pps and tcp_accept). Never a peer: the summary's best peer
# is chosen among IMPLS[1:] alone. tcp_accept has a second floor, raw-object:
# the raw calls plus the object and finalizer any Go socket keeps for a
# descriptor, so what lies between it and nspr is the library's own code.
RAW = {"go-epoll": "raw", "go-mmsg": "raw", "go-raw": "raw", "go-raw-object": "raw-object"}
FLOORS = ["raw", "raw-object"]
LOWER_IS_BETTER = {"us", "us/op", "s", "MB", "segs"}

# Go benchmark name (without the impl) -> (workload, unit to read).
GO_BENCH = {
    "TCPBulk": ("tcp_bulk", "MB/s"),
    "TCPPingPong/1B": ("tcp_pingpong_1B", "rt/s"),
    "TCPPingPong/64B": ("tcp_pingpong_64B", "rt/s"),
    "TCPAccept": ("tcp_accept", "conn/s"),
    "UDP": ("udp_pps", "pkt/s"),
    "UDPBatch": ("udp_pps_batch", "pkt/s"),
    "UDPGSO": ("udp_gso", "pkt/s"),
    "UDPGSOPlain": ("udp_gso_plain", "pkt/s"),
    "PollIdle/N=100": ("poll_idle_100", "us"),
    "PollIdle/N=1000": ("poll_idle_1000", "us"),
    "PollIdle/N=10000": ("poll_idle_10000", "us"),
    "PollIdleKept/N=100": ("poll_idle_100_kept", "us"),
    "PollIdleKept/N=1000": ("poll_idle_1000_kept", "us"),
    "PollIdleKept/N=10000": ("poll_idle_10000_kept", "us"),
    "PollerWait/N=100": ("poll_idle_100_poller", "us"),
    "PollerWait/N=1000": ("poll_idle_1000_poller", "us"),
    "PollerWait/N=10000": ("poll_idle_10000_poller", "us"),
    "ReadLine": ("readline", "lines/s"),
    "ReadLineBatch": ("readline_batch", "lines/s"),
    "ReadLineReader": ("readline_reader", "lines/s"),
    "TCPAcceptNoMPTCP": ("tcp_accept_nomptcp", "conn/s"),
    "FileSend": ("file_send", "MB/s"),
    "FileSendSendfile": ("file_send_sendfile", "MB/s"),
    "Proxy": ("proxy", "MB/s"),
    "Writev": ("writev", "ops/s"),
    "WritevSends": ("writev_sends", "ops/s"),
}

# The round-trip time percentiles the ping-pong benchmarks report as metrics
# NAME-us, filed as workload WORKLOAD_NAME in microseconds, as the C program
# and the python script print them.
LATENCY = ["p50", "p99", "p99.9"]
GO_LATENCY = {
    "TCPPingPong/1B": "tcp_pingpong_1B",
    "TCPPingPong/64B": "tcp_pingpong_64B",
}

# workload -> [(peer, minimum ratio of nspr to the peer, as a speed-up)], or
# (None, bound) for a bound on nspr's own median in the workload's unit; a
# peer "row:W" is nspr's own median in workload W.
TARGETS = {
    "tcp_bulk": [("go-net", 1.0), ("nspr-c", 1.0)],
    "tcp_pingpong_1B": [("go-net", 1.0)],
    "tcp_pingpong_64B": [("go-net", 1.0)],
    "tcp_accept": [("nspr-c", 1.2)],
    "udp_pps": [("nspr-c", 1.0)],
    "udp_pps_batch": [("nspr-c", 2.0)],
    "udp_gso": [("row:udp_gso_plain", 1.5)],
    "poll_idle_10000": [("nspr-c", 1.0)],
    "poll_idle_10000_kept": [("nspr-c", 1.0)],
    "poll_idle_10000_poller": [(None, 5.0)],
    "readline": [("go-net", 1.0)],
    "readline_reader": [("go-net", 1.0)],
    "readline_batch": [("nspr-c", 0.8)],
    "file_send": [("go-net", 1.0), ("nspr-c", 1.0)],
    "file_send_sendfile": [("go-net", 1.0), ("nspr-c", 1.0)],
    "proxy": [("go-net", 1.0)],
    "writev": [("go-net", 1.0)],
    "many_conns_time": [("go-net", 1.0)],
    "many_conns_rss": [("go-net", 1.0)],
}

# nspr-only rows -> the workload whose peer figures they are compared with:
# the peers have no such call, so their columns are what they do for the same
# workload, and LABELS says so in the row.
EXTRA_ROWS = {
    "udp_pps_batch": "udp_pps",
    "udp_pps_batch_cpu": "udp_pps_cpu",
    "readline_batch": "readline",
    "readline_batch_cpu": "readline_cpu",
    "readline_reader": "readline",
    "readline_reader_cpu": "readline_cpu",
    "poll_idle_100_kept": "poll_idle_100",
    "poll_idle_1000_kept": "poll_idle_1000",
    "poll_idle_10000_kept": "poll_idle_10000",
    "poll_idle_100_poller": "poll_idle_100",
    "poll_idle_1000_poller": "poll_idle_1000",
    "poll_idle_10000_poller": "poll_idle_10000",
    "file_send_sendfile": "file_send",
    "file_send_sendfile_cpu": "file_send_cpu",
    "writev_sends": "writev",
    "writev_sends_cpu": "writev_cpu",
}

# What a row's columns measure where they measure different work, printed
# beside the row's name in the full table.
LABELS = {
    "udp_pps_batch": "nspr: SendToBatch/RecvFromBatch, a call a burst; peers: a call a datagram (udp_pps); "
                     "raw: sendmmsg/recvmmsg from Go",
    "readline_batch": "nspr: ReadLinesInto, a batch of lines a call; peers: a line a call (readline)",
    "readline_reader": "nspr: a LineReader's ReadLineInto, the read side held; peers: as in readline",
}
for n in ("100", "1000", "10000"):
    LABELS[f"poll_idle_{n}"] = "all scan every descriptor (nspr: the first Poll of a list)"
    LABELS[f"poll_idle_{n}_kept"] = ("nspr: Poll of a list seen before, from its kept epoll set; "
                                     f"peers: their scan (poll_idle_{n}); raw: epoll_wait from Go")
    LABELS[f"poll_idle_{n}_poller"] = (f"nspr: Poller.Wait; peers: their scan (poll_idle_{n}); "
                                       "raw: epoll_wait from Go")
LABELS.update({row + "_cpu": label for row, label in list(LABELS.items())})

# INFO lines of the results: the commit measured and the date of the run.
INFO = {}

# Rows of one peer's variant -> the workload whose other figures (nspr's
# among them) they are compared with.
PEER_ROWS = {
    "tcp_accept_nomptcp": "tcp_accept",  # net's listener without MPTCP
    "tcp_accept_nomptcp_cpu": "tcp_accept_cpu",
}

ORDER = ["tcp_bulk",
         "tcp_pingpong_1B", "tcp_pingpong_1B_p50", "tcp_pingpong_1B_p99", "tcp_pingpong_1B_p99.9",
         "tcp_pingpong_64B", "tcp_pingpong_64B_p50", "tcp_pingpong_64B_p99", "tcp_pingpong_64B_p99.9",
         "tcp_accept", "tcp_accept_nomptcp",
         "udp_pps", "udp_pps_batch", "udp_gso", "udp_gso_plain",
         "poll_idle_100", "poll_idle_1000", "poll_idle_10000",
         "poll_idle_100_kept", "poll_idle_1000_kept", "poll_idle_10000_kept",
         "poll_idle_100_poller", "poll_idle_1000_poller", "poll_idle_10000_poller",
         "readline", "readline_reader", "readline_batch",
         "file_send", "file_send_sendfile", "proxy", "writev", "writev_sends",
         "many_conns_time", "many_conns_rss", "many_conns_retrans", "many_conns_cpu"]

# Rows left out of the summary (the full table has them).
NOT_SUMMARISED = {"many_conns_retrans", "many_conns_cpu"}

# What a row's columns are, where the name does not say it: printed under
# the summary for the rows present.
NOTES = {
    "tcp_accept": "tcp_accept: `net`'s column is Go's default listener, which uses MPTCP "
                  "since Go 1.24; tcp_accept_nomptcp is the same run with GODEBUG=multipathtcp=0, "
                  "the other columns repeated from tcp_accept. The full table's raw column is the "
                  "floor: the system calls nspr makes for a connection (socket, connect twice, "
                  "accept4, close twice), raw from Go; its raw-object column adds what any Go socket "
                  "that cannot leak its descriptor pays for it: an object a descriptor with a "
                  "finalizer set and cleared, as net's netFD has.",
    "udp_pps": "udp_pps: the full table's raw column is the floor: the system calls nspr makes for a "
               "datagram (sendto with its address, recvfrom with an address buffer), raw from Go.",
    "readline": "readline: nspr's entry is `Socket.ReadLineInto` (a lock a line, safe for "
                "concurrent readers); readline_reader is a `LineReader`'s, which holds the read side "
                "as a `bufio.Reader` does; readline_batch is `ReadLinesInto`.",
    "udp_pps_batch": "udp_pps_batch: nspr's batch calls (a call a burst of 32) against the peers' call "
                     "a datagram (udp_pps's figures); the full table's raw column is the floor, raw "
                     "sendmmsg/recvmmsg from Go.",
    "poll_idle_100": "poll_idle_N: every implementation scans every descriptor (nspr: the first Poll of a "
                     "list); poll_idle_N_kept is nspr's Poll of a list seen before, from its kept epoll "
                     "set, and poll_idle_N_poller a Poller's Wait, both against the peers' scan, with "
                     "epoll_wait from Go as the full table's raw column.",
    "tcp_pingpong_1B_p50": "_p50, _p99, _p99.9: percentiles of the round-trip time, in µs, "
                           "over every round trip of the run; medians over the rounds.",
}


def parse(path):
    values = defaultdict(list)  # (workload, impl) -> [value]
    units, allocs, alloc_bytes = {}, defaultdict(list), defaultdict(list)
    for line in open(path):
        f = line.split()
        if f and f[0] == "INFO" and len(f) >= 3:
            INFO[f[1]] = " ".join(f[2:])
        elif f and f[0] == "LOAD" and len(f) == 2:
            values["load", ""].append(float(f[1]))
        elif f and f[0] == "RESULT" and len(f) == 5:
            values[f[1], f[2]].append(float(f[3]))
            units[f[1]] = f[4]
        elif f and f[0].startswith("Benchmark"):
            name = re.sub(r"-\d+$", "", f[0][len("Benchmark"):])
            m = re.search(r"/impl=([^/]+)", name)
            impl = "go-" + (m.group(1) if m else "nspr")
            impl = RAW.get(impl, impl)
            name = re.sub(r"/impl=[^/]+", "", name)
            if impl.startswith("go-nspr-"):  # another API of nspr's: a row of its own
                name, impl = name + impl[len("go-nspr-"):].capitalize(), "go-nspr"
            metrics = {f[i + 1]: float(f[i]) for i in range(2, len(f) - 1, 2)}
            if name in GO_LATENCY:
                for p in LATENCY:
                    if p + "-us" in metrics:
                        values[f"{GO_LATENCY[name]}_{p}", impl].append(metrics[p + "-us"])
                        units[f"{GO_LATENCY[name]}_{p}"] = "us"
            if name not in GO_BENCH:
                continue
            workload, unit = GO_BENCH[name]
            if unit in metrics:
                values[workload, impl].append(metrics[unit])
                units[workload] = unit
            if "allocs/op" in metrics:
                allocs[workload, impl].append(metrics["allocs/op"])
            if "B/op" in metrics:
                alloc_bytes[workload, impl].append(metrics["B/op"])
    # The batch API and the Poller are nspr's entries in rows of their own,
    # against the peers' figures for the same workload.
    for row, base in EXTRA_ROWS.items():
        for impl in IMPLS[1:]:
            if (row, "go-nspr") in values and (base, impl) in values:
                values[row, impl] = values[base, impl]
    # A peer's variant is a row of its own, against the others' figures.
    for row, base in PEER_ROWS.items():
        for impl in IMPLS + FLOORS:
            if any((row, i) in values for i in IMPLS) and (row, impl) not in values and (base, impl) in values:
                values[row, impl] = values[base, impl]
                if (base, impl) in allocs:
                    allocs[row, impl] = allocs[base, impl]
    return values, units, (allocs, alloc_bytes)


def cell(vals):
    if not vals:
        return "—"
    med = statistics.median(vals)
    spread = (max(vals) - min(vals)) / 2 / med * 100 if med else 0
    return f"{fmt(med)} ±{spread:.0f}%"


def fmt(v):
    if v >= 1e6:
        return f"{v / 1e6:.2f}M"
    if v >= 1e4:
        return f"{v / 1e3:.1f}k"
    if v >= 100:
        return f"{v:.0f}"
    return f"{v:.3g}"


def speedup(workload, unit, values, impl, of="go-nspr"):
    """of's median (nspr's unless said) over impl's as a speed-up (above 1:
    of is better)."""
    ours, theirs = values.get((workload, of)), values.get((workload, impl))
    if impl.startswith("row:"):
        theirs = values.get((impl[len("row:"):], "go-nspr"))
    if not ours or not theirs:
        return None
    a, b = statistics.median(ours), statistics.median(theirs)
    if a == 0 or b == 0:
        return None
    return b / a if unit in LOWER_IS_BETTER else a / b


def verdicts(workload, unit, values):
    """The target's verdicts for a row, or "—" where it has none."""
    out = []
    for peer, want in TARGETS.get(workload, []):
        if peer is None:
            ours = values.get((workload, "go-nspr"))
            if ours:
                m = statistics.median(ours)
                ok = m <= want if unit in LOWER_IS_BETTER else m >= want
                out.append(f"{'≤' if unit in LOWER_IS_BETTER else '≥'}{want:g} {unit}: "
                           f"{'met' if ok else 'MISSED'}")
            continue
        r = speedup(workload, unit, values, peer)
        if r is not None:
            out.append(f"≥{want:g}× {peer.removeprefix('row:')}: {'met' if r >= want else 'MISSED'}"
                       + floor_note(workload, unit, values, peer))
    return "; ".join(out) or "—"


def floor_note(workload, unit, values, peer):
    """Where the row's raw floor stands against peer, and nspr against the
    floor, for a row that has one: a target above the floor's own ratio is
    out of reach of any library, and nspr's ratio to the floor is the cost
    of the library itself."""
    floor = speedup(workload, unit, values, peer, of="raw")
    ours = speedup(workload, unit, values, "raw")
    if floor is None or ours is None:
        return ""
    obj = speedup(workload, unit, values, peer, of="raw-object")
    ours_obj = speedup(workload, unit, values, "raw-object")
    if obj is None or ours_obj is None:
        return f" (floor {ratio(floor)}; nspr {ratio(ours)} the floor)"
    return (f" (floor {ratio(floor)}, with a Go object a descriptor {ratio(obj)}; "
            f"nspr {ratio(ours)} the floor, {ratio(ours_obj)} the object floor)")


def ratio(r):
    """A ratio to two decimals, or to three significant digits where two
    decimals would round it to nothing."""
    return f"{r:.2f}×" if r >= 0.1 else f"{r:.3g}×"


def rows(values):
    """The workloads present, in ORDER, each followed by its _cpu row."""
    return [w for base in ORDER for w in (base, base + "_cpu")
            if any((w, i) in values for i in IMPLS)]


def load_line(load):
    if not load:
        return []
    starts, end = load[:-1] or load, load[-1]
    idle = all(x < 2 for x in starts)
    return [f"One-minute load average at each round's start: {', '.join(f'{x:g}' for x in starts)}; "
            f"at the end {end:g} (the machine has {os.cpu_count()} CPUs): "
            + ("idle (under 2 at every round's start)." if idle
               else "NOT idle: under 2 is idle; record only an idle run.")]


def summary(values, units, load, rounds):
    """The one-screen table: nspr, the best peer, the ratio, the verdict."""
    when = f" on commit {INFO['commit']}" if "commit" in INFO else ""
    when += f", {INFO['date']}" if "date" in INFO else ""
    out = [f"Medians of {rounds} round(s) of `bash bench/run.sh`{when}, nspr's with ± half its range as % "
           "of the median. Ratio: nspr's speed-up over the best peer (above 1×: nspr is faster or smaller), "
           "the same direction as `nspr bench`'s nspr/net."]
    out += load_line(load)
    out += ["", "| workload | unit | nspr | best peer | ratio | target |", "|---|---|---|---|---|---|"]
    for workload in rows(values):
        if workload.endswith("_cpu") or workload in NOT_SUMMARISED:
            continue
        unit = units.get(workload, "")
        best, best_r = None, None
        for peer in IMPLS[1:]:
            r = speedup(workload, unit, values, peer)
            if r is not None and (best_r is None or r < best_r):
                best, best_r = peer, r
        peer_cell = "—" if best is None else f"{best} {fmt(statistics.median(values[workload, best]))}"
        ours = values.get((workload, "go-nspr"), [])
        out.append(f"| {workload} | {unit} | {cell(ours)} | {peer_cell} | "
                   f"{'—' if best_r is None else f'{best_r:.2f}×'} | {verdicts(workload, unit, values)} |")
    notes = [n for w, n in NOTES.items() if (w, "go-nspr") in values]
    if notes:
        out += [""] + [f"- {n}" for n in notes]
    return out


def full_table(values, units, allocs, load, rounds):
    out = [f"Medians of {rounds} round(s), ± half the range as % of the median. "
           "Ratios are nspr's speed-up over the peer (above 1×: nspr is faster or smaller). "
           "A _cpu row is the CPU time (user and system, all threads) per operation of the row above: "
           "64 KiB, round trip, connection, datagram, line, connection. raw is the floor, the same work "
           "in raw system calls from Go, where measured; raw-object adds to it the object and finalizer "
           "a Go socket keeps for each descriptor. Where a row's columns do different work, "
           "the row says which is which."]
    out += load_line(load)
    out += ["", "| workload | unit | " + " | ".join(IMPLS) +
            " | " + " | ".join(FLOORS) + " | nspr/net | nspr/C | nspr/python | target | nspr allocs/op (B/op) |",
            "|---" * (len(IMPLS) + len(FLOORS) + 7) + "|"]
    for workload in rows(values):
        unit = units.get(workload, "")
        name = f"{workload} ({LABELS[workload]})" if workload in LABELS else workload
        row = [name, unit] + [cell(values.get((workload, i))) for i in IMPLS + FLOORS]
        for peer in IMPLS[1:]:
            r = speedup(workload, unit, values, peer)
            row.append("—" if r is None else f"{r:.2f}×")
        row.append(verdicts(workload, unit, values))
        a, nb = (m.get((workload, "go-nspr")) for m in allocs)
        row.append((f"{statistics.median(a):g}" if a else "—") +
                   (f" ({statistics.median(nb):g} B)" if nb else ""))
        out.append("| " + " | ".join(row) + " |")
    return out


def write_blocks(path, blocks):
    """Replaces each <!-- NAME:begin --> … <!-- NAME:end --> block of path."""
    text = open(path).read()
    for name, lines in blocks.items():
        begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
        i, j = text.find(begin), text.find(end)
        if i < 0 or j < i:
            sys.exit(f"report.py: {path} has no {begin} … {end} block")
        text = text[:i + len(begin)] + "\n" + "\n".join(lines) + "\n" + text[j:]
    with open(path, "w") as f:
        f.write(text)


def main(argv):
    write = None
    if len(argv) == 3 and argv[0] == "--write":
        write, argv = argv[1], argv[2:]
    if len(argv) != 1:
        sys.exit("usage: report.py [--write FILE] RESULTS")
    values, units, allocs = parse(argv[0])
    load = values.pop(("load", ""), [])
    rounds = max((len(v) for v in values.values()), default=0)
    blocks = {"summary": summary(values, units, load, rounds),
              "results": full_table(values, units, allocs, load, rounds)}
    print("\n".join(blocks["summary"] + [""] + blocks["results"]))
    if write:
        write_blocks(write, blocks)


if __name__ == "__main__":
    main(sys.argv[1:])
