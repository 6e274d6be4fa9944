#!/usr/bin/env bash
# Runs every implementation of the benchmark workloads (nspr and Go's net
# through go test -bench, NSPR in C, python-nss) several times, interleaved,
# and prints one table of medians with their spread and the ratios of nspr to
# each peer. See BENCHMARKS.md.
#
#   bench/run.sh            full sizes, 5 rounds
#   bench/run.sh --quick    small sizes, 1 round (a smoke test of the suite)
#   bench/run.sh --rounds N
# RESULTS=FILE keeps the raw results (default: a temporary file).
#
# Each implementation of a workload runs in a process of its own, one after
# the other, and each round starts the sequence at the next implementation:
# on the 2-vCPU machine of BENCHMARKS.md the first of a sequence of runs was
# measurably the slowest, so a fixed order would favour the implementation
# that always runs later.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=5 quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 rounds=1 ;;
    --rounds) rounds="$2"; shift ;;
    *) echo "usage: bench/run.sh [--quick] [--rounds N]" >&2; exit 2 ;;
  esac
  shift
done

if [ "$quick" = 1 ]; then
  bulk=$((64 << 20)) pingpong=5000 accept=5000 udp=50000 lines=500000 conns=2000
  polls="100:500 1000:200"
else
  bulk=$((1 << 30)) pingpong=20000 accept=20000 udp=200000 lines=2000000 conns=10000
  polls="100:2000 1000:1000 10000:100"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=${RESULTS:-$work/results.txt}
: >"$results"

echo "building" >&2
gcc -O2 -Wall -o "$work/nsprbench" bench/c/nsprbench.c $(pkg-config --cflags --libs nspr)
go test -c -o "$work/nspr.test" .
go build -o "$work/manyconns" ./bench/go/manyconns
py="/usr/bin/python3 bench/python/nssbench.py"
c="$work/nsprbench"
impls=(go-nspr go-net nspr-c python-nss)

# gobench PATTERN COUNT runs the Go benchmarks matching PATTERN, COUNT times each.
gobench() {
  local out
  if ! out=$(cd "$work" && ./nspr.test -test.run '^$' -test.bench "$1" -test.benchtime "$2x" -test.benchmem); then
    printf '%s\nbench/run.sh: %s failed\n' "$out" "$1" >&2
    exit 1
  fi
  grep '^Benchmark' <<<"$out" >>"$results" || echo "bench/run.sh: no benchmark matches $1" >&2
}

# retrans prints the TCP segments the kernel has retransmitted so far.
retrans() {
  awk '$1 == "Tcp:" && !c { for (i = 2; i <= NF; i++) if ($i == "RetransSegs") c = i; next }
       $1 == "Tcp:" && c { print $c }' /proc/net/snmp
}

# workload IMPL NAME ARGS... runs one implementation of one workload; ARGS
# are those of the C program and the python script.
workload() {
  local impl=$1 name=$2
  shift 2
  local sub=impl=${impl#go-}
  case "$impl/$name" in
    go-*/tcp_bulk) gobench "^BenchmarkTCPBulk\$/^$sub\$" $(($1 / 65536)) ;;
    go-*/tcp_pingpong) gobench "^BenchmarkTCPPingPong\$/^${1}B\$/^$sub\$" "$2" ;;
    go-*/tcp_accept) gobench "^BenchmarkTCPAccept\$/^$sub\$" "$1" ;;
    go-*/udp_pps)
      gobench "^BenchmarkUDP\$/^$sub\$" "$1"
      if [ "$impl" = go-nspr ]; then gobench '^BenchmarkUDPBatch$' "$1"; fi ;;
    go-*/poll_idle) gobench "^Benchmark(PollIdle|PollerWait)\$/^N=$1\$/^$sub\$" "$2" ;;
    go-*/readline) gobench "^BenchmarkReadLine\$/^$sub\$" "$1" ;;
    go-*/many_conns) "$work/manyconns" -impl "${impl#go-}" -n "$1" >>"$results" ;;
    nspr-c/*) "$c" "$name" "$@" >>"$results" ;;
    python-nss/*) $py "$name" "$@" >>"$results" ;;
  esac
}

for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  # Other work on the machine skews every figure: record the load it saw.
  echo "LOAD $(cut -d' ' -f1 /proc/loadavg)" >>"$results"
  # This round's order of the implementations: rotated by one each round.
  order=()
  for i in "${!impls[@]}"; do order+=("${impls[(i + round - 1) % ${#impls[@]}]}"); done
  # Interleave: each workload runs under every implementation before the next.
  run() { for impl in "${order[@]}"; do workload "$impl" "$@"; done; }
  run tcp_bulk "$bulk"
  run tcp_pingpong 1 "$pingpong"
  run tcp_pingpong 64 "$pingpong"
  run tcp_accept "$accept"
  run udp_pps "$udp"
  for p in $polls; do run poll_idle "${p%%:*}" "${p##*:}"; done
  run readline "$lines"
  # many_conns's time hangs on whether the kernel dropped a connection
  # request (a full listen queue) and the client had to send it again, a
  # second or more later: count the retransmitted segments of each run.
  for impl in "${order[@]}"; do
    before=$(retrans)
    workload "$impl" many_conns "$conns"
    echo "RESULT many_conns_retrans $impl $(($(retrans) - before)) segs" >>"$results"
  done
done
echo "LOAD $(cut -d' ' -f1 /proc/loadavg)" >>"$results"

/usr/bin/python3 bench/report.py "$results"
