#!/usr/bin/env bash
# Shows where the time of the per-call rows goes, for the rows whose targets
# are measured against NSPR in C (see BENCHMARKS.md, "Where the time goes"):
#
#   udp_pps, tcp_accept  CPU time per operation, user and system, of NSPR in
#                        C, of the same system calls made raw from Go (the
#                        floor of any Go library: impl=raw), and of nspr;
#                        for tcp_accept also impl=raw-object, the floor with
#                        the object and finalizer a Go socket keeps for each
#                        descriptor
#   readline             the share of Socket.ReadLineInto's own samples on
#                        the two locked instructions of its per-line lock,
#                        against a LineReader's line, which has no lock
#
#   bench/profile.sh [ROUNDS]   (default 3; medians of the rounds)
#
# It needs perf. Run it on an idle machine: it prints the load average.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
command -v perf >/dev/null || { echo "bench/profile.sh: perf is not installed" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -O2 -Wall -o "$work/nsprbench" bench/c/nsprbench.c $(pkg-config --cflags --libs nspr) -lm
go test -c -o "$work/nspr.test" .
echo "commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"

# cpu NAME OPS CMD... runs CMD under perf stat and prints NAME, the rate
# line CMD printed, and user and system microseconds per operation.
cpu() {
  local name=$1 ops=$2
  shift 2
  local out
  out=$(perf stat -x, -e user_time,system_time -o "$work/stat" -- "$@")
  local rate
  rate=$(printf '%s\n' "$out" | awk '/^RESULT/ { print $4 } /^Benchmark/ {
    for (i = 1; i < NF; i++) if ($(i + 1) ~ /^(pkt|conn)\/s$/) print $i }')
  awk -F, -v n="$name" -v r="$rate" -v ops="$ops" '
    $3 == "user_time" { u = $1 } $3 == "system_time" { s = $1 }
    END { printf "%s %s %.3f %.3f\n", n, r, u / 1000 / ops, s / 1000 / ops }' "$work/stat"
}

# MEDIAN is an awk function: the median of a[1..n], sorting a.
MEDIAN='function median(a, n,   i, j, t) {
  for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}'

udp=400000 accept=40000
# one WORKLOAD IMPL runs one implementation of one workload.
one() {
  local count bench
  case $1 in
    udp_pps) count=$udp bench=BenchmarkUDP ;;
    tcp_accept) count=$accept bench=BenchmarkTCPAccept ;;
  esac
  case $2 in
    C) cpu "$1 C" "$count" "$work/nsprbench" "$1" "$count" ;;
    *) cpu "$1 $2" "$count" "$work/nspr.test" -test.run '^$' -test.bench "^$bench\$/^impl=$2\$" -test.benchtime "${count}x" ;;
  esac
}
# As bench/run.sh does, each round starts at the next implementation: here
# the machine's speed drifts by a quarter between runs minutes apart, and a
# fixed order would hand the drift to whichever runs at the same place.
# tcp_accept also runs raw-object: the floor with the object and finalizer
# any Go socket keeps for a descriptor.
for round in $(seq "$rounds"); do
  for w in udp_pps tcp_accept; do
    impls=(C raw nspr)
    if [ "$w" = tcp_accept ]; then impls+=(raw-object); fi
    n=${#impls[@]}
    for i in $(seq 0 $((n - 1))); do one "$w" "${impls[(i + round) % n]}"; done
  done
done >"$work/cpu.txt"

echo
echo "| workload | implementation | rate | user µs/op | system µs/op |"
echo "|---|---|---|---|---|"
# Medians over the rounds, per workload and implementation.
sort -k1,2 "$work/cpu.txt" | awk "$MEDIAN"'
  function flush() {
    if (key != "") printf "| %s | %s | %.0f | %.2f | %.2f |\n", w, impl, median(r, k), median(u, k), median(s, k)
  }
  { if ($1 " " $2 != key) { flush(); key = $1 " " $2; w = $1; impl = $2; k = 0 }
    k++; r[k] = $3; u[k] = $4; s[k] = $5 }
  END { flush() }'

# readline: the lock's share of Socket.ReadLineInto. perf's samples land on
# the instruction after the one that took the time, so the lock's cost is
# what lands right after each lock-prefixed instruction.
lines=40000000
echo
echo "| readline, buffered lines | ns a line |"
echo "|---|---|"
"$work/nspr.test" -test.run '^$' -test.bench '^BenchmarkReadLineBuffered$' -test.benchtime "${lines}x" \
  -test.count "$rounds" | awk "$MEDIAN"'
  /^Benchmark/ { sub(/^.*impl=/, "", $1); sub(/-[0-9]+$/, "", $1); v[$1] = v[$1] " " $3 }
  END { for (k in v) { n = split(v[k], a, " "); for (i = 1; i <= n; i++) a[i] += 0; printf "| %s | %.1f |\n", k, median(a, n) } }' | sort
perf record -q -F 5000 -o "$work/rl.data" -- "$work/nspr.test" -test.run '^$' \
  -test.bench '^BenchmarkReadLineBuffered$/^impl=nspr$' -test.benchtime "${lines}x" >"$work/rl.txt" 2>/dev/null
sym='github.com/nspr-go/nspr.(*Socket).ReadLineInto'
self=$(perf report -i "$work/rl.data" --no-children --sort sym 2>/dev/null |
  awk -v s="$sym" '!found && /%/ && index($0, s) { sub("%", "", $1); print $1; found = 1 }')
locked=$(perf annotate -i "$work/rl.data" --stdio -s "$sym" 2>/dev/null |
  awk 'after { sum += $1; after = 0 } / lock / { after = 1 } END { print sum + 0 }')
ns=$(awk '/^Benchmark/ { print $3 }' "$work/rl.txt")
echo
awk -v self="$self" -v locked="$locked" -v ns="$ns" 'BEGIN {
  share = self * locked / 10000
  printf "readline, ReadLineInto on buffered lines: %.1f ns a line; the function itself %.1f%% of the samples, " \
    "%.1f%% of them on the lock'\''s two locked instructions: %.1f%% of the time, %.1f ns a line\n",
    ns, self, locked, share * 100, share * ns }'
