#!/usr/bin/env bash
# Runs every implementation of the benchmark workloads (nspr and Go's net
# through go test -bench, NSPR in C, python-nss) several times, interleaved,
# and prints one table of medians with their spread and the ratios of nspr to
# each peer. See BENCHMARKS.md.
#
#   bench/run.sh            full sizes, 5 rounds
#   bench/run.sh --quick    small sizes, 1 round (a smoke test of the suite)
#   bench/run.sh --rounds N
#   bench/run.sh --record   also write the tables into BENCHMARKS.md
#   bench/run.sh --only readline,udp_pps --rounds 15
#                           only these workloads (many rounds of a few rows;
#                           not with --record, whose summary is every row)
# RESULTS=FILE keeps the raw results (default: a temporary file).
#
# Each implementation of a workload runs in a process of its own, one after
# the other, and each round starts the sequence at the next implementation:
# on the 2-vCPU machine of BENCHMARKS.md the first of a sequence of runs was
# measurably the slowest, so a fixed order would favour the implementation
# that always runs later.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=5 quick=0 record=() only=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 rounds=1 ;;
    --rounds) rounds="$2"; shift ;;
    --record) record=(--write BENCHMARKS.md) ;;
    --only) only=",$2,"; shift ;;
    *) echo "usage: bench/run.sh [--quick] [--rounds N] [--record] [--only W1,W2,...]" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$only" ] && [ ${#record[@]} -gt 0 ]; then
  echo "bench/run.sh: --record writes the summary of every workload: not with --only" >&2
  exit 2
fi
workloads=",tcp_bulk,tcp_pingpong,tcp_accept,udp_pps,poll_idle,readline,file_send,proxy,writev,many_conns,"
for w in ${only//,/ }; do
  case "$workloads" in *",$w,"*) ;; *)
    echo "bench/run.sh: --only: no workload $w (${workloads:1:-1})" >&2
    exit 2 ;;
  esac
done

if [ "$quick" = 1 ]; then
  bulk=$((64 << 20)) pingpong=5000 accept=5000 udp=50000 lines=500000 conns=2000 waits=2000
  polls="100:500 1000:200"
  filesize=$((64 << 20)) writevs=20000
else
  # 20M lines: at 2M, C's run lasted 30-60 ms, and its start (a thread,
  # the first touch of its buffers) weighed in its figure.
  bulk=$((1 << 30)) pingpong=20000 accept=20000 udp=200000 lines=20000000 conns=10000 waits=20000
  polls="100:2000 1000:1000 10000:100"
  filesize=$((1 << 30)) writevs=200000
fi

# wanted WORKLOAD says whether --only (if given) names the workload.
wanted() {
  case "$only" in "" | *",$1,"*) return 0 ;; esac
  return 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=${RESULTS:-$work/results.txt}
: >"$results"
# What was measured and when, for the report's header.
echo "INFO commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo +changes)" >>"$results"
echo "INFO date $(date -u '+%Y-%m-%d %H:%M UTC')" >>"$results"

echo "building" >&2
# file_send's file, shared by every implementation: random bytes, so that
# no layer can send it cheaper than a real file.
export NSPR_BENCH_FILE="$work/file"
if wanted file_send; then head -c "$filesize" /dev/urandom >"$NSPR_BENCH_FILE"; fi
gcc -O2 -Wall -o "$work/nsprbench" bench/c/nsprbench.c $(pkg-config --cflags --libs nspr) -lm
go test -c -o "$work/nspr.test" .
go build -o "$work/manyconns" ./bench/go/manyconns
py="/usr/bin/python3 bench/python/nssbench.py"
c="$work/nsprbench"
impls=(go-nspr go-net nspr-c python-nss)

perf=$(command -v perf || true)

# fail OUTPUT WHAT reports a run that failed and stops.
fail() {
  printf '%s\nbench/run.sh: %s failed\n' "$1" "$2" >&2
  exit 1
}

# timed NAME IMPL OPS CMD... runs CMD and appends its results. Where perf is
# installed and OPS > 0 it also appends the CPU time the run took (user and
# system, every thread and child process) per operation as workload NAME_cpu:
# other work on the machine skews that much less than it skews the rates.
timed() {
  local name=$1 impl=$2 ops=$3 out
  shift 3
  if [ -n "$perf" ] && [ "$ops" -gt 0 ]; then
    out=$("$perf" stat -x, -e task-clock -o "$work/cpu.txt" -- "$@") || fail "$out" "$*"
    awk -F, -v w="$name" -v i="$impl" -v n="$ops" '$3 == "task-clock" {
      printf "RESULT %s_cpu %s %.4g us/op\n", w, i, $1 * 1000 / n }' "$work/cpu.txt" >>"$results"
  else
    out=$("$@") || fail "$out" "$*"
  fi
  # rename (a sed script, empty by default) files a run under another name.
  grep -E '^(Benchmark|RESULT)' <<<"$out" | sed -e "${rename:-}" >>"$results" ||
    echo "bench/run.sh: no result from $*" >&2
}

# gobench NAME IMPL OPS COUNT PATTERN runs the Go benchmarks matching
# PATTERN for COUNT iterations each, timed as OPS operations.
gobench() {
  timed "$1" "$2" "$3" "$work/nspr.test" -test.run '^$' -test.bench "$5" -test.benchtime "$4x" -test.benchmem
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
  local sub=impl=${impl#go-} row=$name ops=$1
  case $name in
    tcp_bulk | proxy) ops=$(($1 / 65536)) ;;
    file_send) ops=1 ;; # one file per run: the figure is MB/s
    tcp_pingpong) row=tcp_pingpong_${1}B ops=$2 ;;
    poll_idle) row=poll_idle_$1 ops=0 ;; # setting up N sockets would count as much as the polls
  esac
  case "$impl/$name" in
    nspr-c/proxy | nspr-c/writev | python-nss/file_send | python-nss/proxy | python-nss/writev)
      ;; # no such call there (python-nss has no PR_TransmitFile, PR_Writev or splice)
    go-*/file_send)
      gobench "$row" "$impl" "$ops" "$ops" "^BenchmarkFileSend\$/^$sub\$"
      if [ "$impl" = go-nspr ]; then gobench file_send_sendfile "$impl" "$ops" "$ops" '^BenchmarkFileSend$/^impl=nspr-sendfile$'; fi ;;
    go-*/proxy) gobench "$row" "$impl" "$ops" "$ops" "^BenchmarkProxy\$/^$sub\$" ;;
    go-*/writev)
      gobench "$row" "$impl" "$ops" "$ops" "^BenchmarkWritev\$/^$sub\$"
      if [ "$impl" = go-nspr ]; then gobench writev_sends "$impl" "$ops" "$ops" '^BenchmarkWritev$/^impl=nspr-sends$'; fi ;;
    nspr-c/file_send) timed "$row" "$impl" "$ops" "$c" file_send "$NSPR_BENCH_FILE" 1 ;;
    go-*/tcp_bulk) gobench "$row" "$impl" "$ops" "$ops" "^BenchmarkTCPBulk\$/^$sub\$" ;;
    go-*/tcp_pingpong) gobench "$row" "$impl" "$ops" "$ops" "^BenchmarkTCPPingPong\$/^${1}B\$/^$sub\$" ;;
    go-*/tcp_accept)
      gobench "$row" "$impl" "$ops" "$ops" "^BenchmarkTCPAccept\$/^$sub\$"
      # The floor: nspr's system calls for a connection raw from Go, in a
      # run of its own so that its CPU time is its own (the raw column);
      # then the same with the object and finalizer any Go socket keeps
      # for a descriptor (the raw-object column).
      if [ "$impl" = go-nspr ]; then
        gobench "$row" raw "$ops" "$ops" '^BenchmarkTCPAccept$/^impl=raw$'
        gobench "$row" raw-object "$ops" "$ops" '^BenchmarkTCPAccept$/^impl=raw-object$'
      fi
      # Go's listeners use MPTCP by default since Go 1.24: net's accept
      # again without it, filed as workload tcp_accept_nomptcp.
      if [ "$impl" = go-net ]; then
        GODEBUG=multipathtcp=0 rename='s,^BenchmarkTCPAccept/,BenchmarkTCPAcceptNoMPTCP/,' \
          gobench tcp_accept_nomptcp "$impl" "$ops" "$ops" "^BenchmarkTCPAccept\$/^$sub\$"
      fi ;;
    go-*/udp_pps)
      gobench "$row" "$impl" "$ops" "$ops" "^BenchmarkUDP\$/^$sub\$"
      # Each row's floor runs in a run of its own, so that its CPU time is
      # its own: nspr's sendto(2)/recvfrom(2) raw from Go (the raw column
      # of udp_pps); the batch calls, and beside them the same bursts in
      # raw sendmmsg(2)/recvmmsg(2) calls from Go (that of udp_pps_batch).
      if [ "$impl" = go-nspr ]; then
        gobench "$row" raw "$ops" "$ops" '^BenchmarkUDP$/^impl=raw$'
        gobench udp_pps_batch "$impl" "$ops" "$ops" '^BenchmarkUDPBatch$/^impl=nspr$'
        gobench udp_pps_batch raw "$ops" "$ops" '^BenchmarkUDPBatch$/^impl=mmsg$'
        # 1,200-byte datagrams, batch calls with UDP_SEGMENT and UDP_GRO
        # against the same calls with them off: rows of nspr's own.
        gobench udp_gso "$impl" "$ops" "$ops" '^BenchmarkUDPGSO$/^impl=nspr$'
        gobench udp_gso_plain "$impl" "$ops" "$ops" '^BenchmarkUDPGSO$/^impl=nspr-plain$'
      fi ;;
    go-*/poll_idle)
      # Every implementation scans: nspr's figure is the first Poll of a list.
      gobench "$row" "$impl" 0 "$2" "^BenchmarkPollIdle\$/^N=$1\$/^$sub\$"
      # nspr's kept epoll set (the same list polled again, set built before
      # the timer starts) and a Poller's Wait take microseconds where the
      # scan takes milliseconds: they need many more calls for a figure
      # that one slow call does not decide. impl=epoll is epoll_wait(2) on
      # the same sockets: the floor of both.
      if [ "$impl" = go-nspr ]; then
        gobench "$row" "$impl" 0 "$waits" "^BenchmarkPollIdleKept\$/^N=$1\$/^impl=(nspr|epoll)\$"
        gobench "$row" "$impl" 0 "$waits" "^BenchmarkPollerWait\$/^N=$1\$/^impl=(nspr|epoll)\$"
      fi ;;
    go-*/readline)
      gobench "$row" "$impl" "$ops" "$ops" "^BenchmarkReadLine\$/^$sub\$"
      # ReadLinesInto: a batch of lines a call, as the batch datagram calls.
      if [ "$impl" = go-nspr ]; then gobench readline_batch "$impl" "$ops" "$ops" '^BenchmarkReadLine$/^impl=nspr-batch$'; fi
      # A LineReader's ReadLineInto: the read side held, as bufio holds its reader.
      if [ "$impl" = go-nspr ]; then gobench readline_reader "$impl" "$ops" "$ops" '^BenchmarkReadLine$/^impl=nspr-reader$'; fi ;;
    go-*/many_conns) timed "$row" "$impl" "$ops" "$work/manyconns" -impl "${impl#go-}" -n "$1" ;;
    nspr-c/*) timed "$row" "$impl" "$ops" "$c" "$name" "$@" ;;
    python-nss/*) timed "$row" "$impl" "$ops" $py "$name" "$@" ;;
  esac
}

# settle waits (at most seven minutes) for the one-minute load average to fall
# under 2, so that a round does not start in the wake of the last one's
# many_conns: the report marks a run whose rounds started above it as not idle.
settle() {
  local waited=0
  while [ "$waited" -lt 420 ] && awk '{ exit !($1 >= 2) }' /proc/loadavg; do
    sleep 5; waited=$((waited + 5))
  done
  [ "$waited" -eq 0 ] || echo "waited ${waited}s for the load to settle" >&2
}

for round in $(seq "$rounds"); do
  [ "$quick" = 1 ] || settle
  echo "round $round of $rounds" >&2
  # Other work on the machine skews every figure: record the load it saw.
  echo "LOAD $(cut -d' ' -f1 /proc/loadavg)" >>"$results"
  # This round's order of the implementations: rotated by one each round.
  order=()
  for i in "${!impls[@]}"; do order+=("${impls[(i + round - 1) % ${#impls[@]}]}"); done
  # Interleave: each workload runs under every implementation before the next.
  run() {
    wanted "$1" || return 0
    for impl in "${order[@]}"; do workload "$impl" "$@"; done
  }
  run tcp_bulk "$bulk"
  run tcp_pingpong 1 "$pingpong"
  run tcp_pingpong 64 "$pingpong"
  run tcp_accept "$accept"
  run udp_pps "$udp"
  for p in $polls; do run poll_idle "${p%%:*}" "${p##*:}"; done
  run readline "$lines"
  run file_send "$filesize"
  run proxy "$bulk"
  run writev "$writevs"
  # many_conns's time hangs on whether the kernel dropped a connection
  # request (a full listen queue) and the client had to send it again, a
  # second or more later: count the retransmitted segments of each run.
  # python-nss takes half a minute or more for it (a thread a connection in
  # both processes): it runs in the first round only.
  wanted many_conns || continue
  for impl in "${order[@]}"; do
    if [ "$impl" = python-nss ] && [ "$round" -gt 1 ]; then continue; fi
    before=$(retrans)
    workload "$impl" many_conns "$conns"
    echo "RESULT many_conns_retrans $impl $(($(retrans) - before)) segs" >>"$results"
  done
done
echo "LOAD $(cut -d' ' -f1 /proc/loadavg)" >>"$results"

/usr/bin/python3 bench/report.py "${record[@]}" "$results"
