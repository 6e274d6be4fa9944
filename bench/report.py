"""Reads the raw results of bench/run.sh and prints one Markdown table:
per workload the median of each implementation with its spread, and the
ratio of nspr to each peer with the target the project set."""

import os
import re
import statistics
import sys
from collections import defaultdict

IMPLS = ["go-nspr", "go-net", "nspr-c", "python-nss"]
# The floor: the same work in raw system calls from Go, where a benchmark
# measures it (impl=epoll: epoll_wait(2) on the Poller's sockets).
RAW = {"go-epoll": "raw"}
LOWER_IS_BETTER = {"us", "us/op", "s", "MB", "segs"}

# Go benchmark name (without the impl) -> (workload, unit to read).
GO_BENCH = {
    "TCPBulk": ("tcp_bulk", "MB/s"),
    "TCPPingPong/1B": ("tcp_pingpong_1B", "rt/s"),
    "TCPPingPong/64B": ("tcp_pingpong_64B", "rt/s"),
    "TCPAccept": ("tcp_accept", "conn/s"),
    "UDP": ("udp_pps", "pkt/s"),
    "UDPBatch": ("udp_pps_batch", "pkt/s"),
    "PollIdle/N=100": ("poll_idle_100", "us"),
    "PollIdle/N=1000": ("poll_idle_1000", "us"),
    "PollIdle/N=10000": ("poll_idle_10000", "us"),
    "PollerWait/N=100": ("poll_idle_100_poller", "us"),
    "PollerWait/N=1000": ("poll_idle_1000_poller", "us"),
    "PollerWait/N=10000": ("poll_idle_10000_poller", "us"),
    "ReadLine": ("readline", "lines/s"),
    "ReadLineBatch": ("readline_batch", "lines/s"),
}

# workload -> [(peer, minimum ratio of nspr to the peer, as a speed-up)], or
# (None, bound) for a bound on nspr's own median in the workload's unit.
TARGETS = {
    "tcp_bulk": [("go-net", 1.0), ("nspr-c", 1.0)],
    "tcp_pingpong_1B": [("go-net", 1.0)],
    "tcp_accept": [("nspr-c", 1.2)],
    "udp_pps": [("nspr-c", 1.0)],
    "udp_pps_batch": [("nspr-c", 2.0)],
    "poll_idle_10000": [("nspr-c", 1.0)],
    "poll_idle_10000_poller": [(None, 5.0)],
    "readline": [("nspr-c", 3.0)],
    "many_conns_time": [("go-net", 1.0)],
    "many_conns_rss": [("go-net", 1.0)],
}

# nspr-only rows -> the workload whose peer figures they are compared with.
EXTRA_ROWS = {
    "udp_pps_batch": "udp_pps",
    "udp_pps_batch_cpu": "udp_pps_cpu",
    "readline_batch": "readline",
    "readline_batch_cpu": "readline_cpu",
    "poll_idle_100_poller": "poll_idle_100",
    "poll_idle_1000_poller": "poll_idle_1000",
    "poll_idle_10000_poller": "poll_idle_10000",
}

ORDER = ["tcp_bulk", "tcp_pingpong_1B", "tcp_pingpong_64B", "tcp_accept", "udp_pps",
         "udp_pps_batch", "poll_idle_100", "poll_idle_1000", "poll_idle_10000",
         "poll_idle_100_poller", "poll_idle_1000_poller", "poll_idle_10000_poller", "readline",
         "readline_batch",
         "many_conns_time", "many_conns_rss", "many_conns_retrans", "many_conns_cpu"]


def parse(path):
    values = defaultdict(list)  # (workload, impl) -> [value]
    units, allocs = {}, defaultdict(list)
    for line in open(path):
        f = line.split()
        if f and f[0] == "LOAD" and len(f) == 2:
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
            if impl == "go-nspr-batch":  # a batch API of nspr's: a row of its own
                name, impl = name + "Batch", "go-nspr"
            if name not in GO_BENCH:
                continue
            workload, unit = GO_BENCH[name]
            metrics = {f[i + 1]: float(f[i]) for i in range(2, len(f) - 1, 2)}
            if unit in metrics:
                values[workload, impl].append(metrics[unit])
                units[workload] = unit
            if "allocs/op" in metrics:
                allocs[workload, impl].append(metrics["allocs/op"])
    # The batch API and the Poller are nspr's entries in rows of their own,
    # against the peers' figures for the same workload.
    for row, base in EXTRA_ROWS.items():
        for impl in IMPLS[1:]:
            if (row, "go-nspr") in values and (base, impl) in values:
                values[row, impl] = values[base, impl]
    return values, units, allocs


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


def speedup(workload, unit, values, impl):
    """nspr's median over impl's as a speed-up (above 1: nspr is better)."""
    ours, theirs = values.get((workload, "go-nspr")), values.get((workload, impl))
    if not ours or not theirs:
        return None
    a, b = statistics.median(ours), statistics.median(theirs)
    if a == 0 or b == 0:
        return None
    return b / a if unit in LOWER_IS_BETTER else a / b


def main(path):
    values, units, allocs = parse(path)
    load = values.pop(("load", ""), [])
    rounds = max((len(v) for v in values.values()), default=0)
    print(f"Medians of {rounds} round(s), ± half the range as % of the median. "
          "Ratios are nspr's speed-up over the peer (above 1×: nspr is faster or smaller). "
          "A _cpu row is the CPU time (user and system, all threads) per operation of the row above: "
          "64 KiB, round trip, connection, datagram, line, connection. raw is the floor, the same work "
          "in raw system calls from Go, where measured.")
    if load:
        print(f"One-minute load average at the rounds' starts and the end: {min(load):g} to {max(load):g} "
              f"(the machine has {os.cpu_count()} CPUs).")
    print()
    print("| workload | unit | " + " | ".join(IMPLS) + " | raw | nspr/net | nspr/C | nspr/python | target | nspr allocs/op |")
    print("|---" * (len(IMPLS) + 8) + "|")
    # Each workload's row is followed by the CPU time it took per operation.
    for workload in [w for base in ORDER for w in (base, base + "_cpu")]:
        if not any((workload, i) in values for i in IMPLS):
            continue
        unit = units.get(workload, "")
        row = [workload, unit] + [cell(values.get((workload, i))) for i in IMPLS + ["raw"]]
        for peer in IMPLS[1:]:
            r = speedup(workload, unit, values, peer)
            row.append("—" if r is None else f"{r:.2f}×")
        verdicts = []
        for peer, want in TARGETS.get(workload, []):
            if peer is None:
                ours = values.get((workload, "go-nspr"))
                if ours:
                    m = statistics.median(ours)
                    ok = m <= want if unit in LOWER_IS_BETTER else m >= want
                    verdicts.append(f"{'≤' if unit in LOWER_IS_BETTER else '≥'}{want:g} {unit}: "
                                    f"{'met' if ok else 'MISSED'}")
                continue
            r = speedup(workload, unit, values, peer)
            if r is not None:
                verdicts.append(f"≥{want:g}× {peer}: {'met' if r >= want else 'MISSED'}")
        row.append("; ".join(verdicts) or "—")
        a = allocs.get((workload, "go-nspr"))
        row.append(f"{statistics.median(a):g}" if a else "—")
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
