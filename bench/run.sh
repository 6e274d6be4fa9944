#!/usr/bin/env bash
# Runs every implementation of the benchmark workloads (nspr and Go's net in
# one Go process, NSPR in C, python-nss) several times, interleaved, and
# prints one table of medians with their spread and the ratios of nspr to
# each peer. See BENCHMARKS.md.
#
#   bench/run.sh            full sizes, 5 rounds
#   bench/run.sh --quick    small sizes, 1 round (a smoke test of the suite)
#   bench/run.sh --rounds N
# RESULTS=FILE keeps the raw results (default: a temporary file).
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
gcc -O2 -o "$work/nsprbench" bench/c/nsprbench.c $(pkg-config --cflags --libs nspr)
go test -c -o "$work/nspr.test" .
go build -o "$work/manyconns" ./bench/go/manyconns
py="/usr/bin/python3 bench/python/nssbench.py"
c="$work/nsprbench"

# gobench runs one Go benchmark for nspr and net with a fixed count.
gobench() {
  (cd "$work" && ./nspr.test -test.run '^$' -test.bench "$1" -test.benchtime "$2x" -test.benchmem) |
    grep '^Benchmark' >>"$results"
}

for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  # Interleave: each workload runs under every implementation before the next.
  gobench '^BenchmarkTCPBulk$' $((bulk / 65536))
  $c tcp_bulk "$bulk" >>"$results"
  $py tcp_bulk "$bulk" >>"$results"
  for size in 1 64; do
    gobench "^BenchmarkTCPPingPong\$/^${size}B\$" "$pingpong"
    $c tcp_pingpong "$size" "$pingpong" >>"$results"
    $py tcp_pingpong "$size" "$pingpong" >>"$results"
  done
  gobench '^BenchmarkTCPAccept$' "$accept"
  $c tcp_accept "$accept" >>"$results"
  $py tcp_accept "$accept" >>"$results"
  gobench '^BenchmarkUDP(Batch)?$' "$udp"
  $c udp_pps "$udp" >>"$results"
  $py udp_pps "$udp" >>"$results"
  for p in $polls; do
    gobench "^BenchmarkPollIdle\$/^N=${p%%:*}\$" "${p##*:}"
    $c poll_idle "${p%%:*}" "${p##*:}" >>"$results"
    $py poll_idle "${p%%:*}" "${p##*:}" >>"$results"
  done
  gobench '^BenchmarkReadLine$' "$lines"
  $c readline "$lines" >>"$results"
  $py readline "$lines" >>"$results"
  for impl in nspr net; do "$work/manyconns" -impl "$impl" -n "$conns" >>"$results"; done
  $c many_conns "$conns" >>"$results"
  $py many_conns "$conns" >>"$results"
done

/usr/bin/python3 bench/report.py "$results"
