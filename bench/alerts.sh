#!/usr/bin/env bash
# bench/alerts.sh: the speed benchmarks of issue 5.
#
#  (a) bench/ssebench: BENCH_SSE_N readers (default 10,000) hold
#      GET /live?topic=ticker open on a Khabar server on loopback; a ticker
#      item is added through the store BENCH_SSE_ROUNDS times (default 5)
#      and each reader's delay from the write to its `event: ticker` is
#      measured. Also the server's memory per idle stream.
#      Target: p99 < 1 s.
#  (b) bench/fanoutbench: BENCH_PUSH_N Web Push subscriptions (default
#      100,000) stored in the database, one alert created, planned and
#      delivered batch by batch to a push service on loopback, on SQLite
#      and then on PostgreSQL when one is available (a fresh database,
#      dropped at the end). Target: < 60 s on this 2-core machine.
#
# Usage: bash bench/alerts.sh             (from anywhere)
# Env:   KHABAR_BENCH_DATABASE_URL  PostgreSQL URL (else KHABAR_TEST_DATABASE_URL,
#                                   else postgres://postgres@127.0.0.1:5432/test?sslmode=disable
#                                   when pg_isready says it is up; else SQLite only)
#        BENCH_SSE_N       SSE readers             (default 10000)
#        BENCH_SSE_ROUNDS  ticker writes           (default 5)
#        BENCH_PUSH_N      push subscriptions      (default 100000)
#        BENCH_PUSH_JOBS   batches sent at once    (default 4, the alert queue's workers)
#        BENCH_TIMEOUT     seconds per run         (default 900)
# The machine's 2 cores are shared: the 1-minute load average is printed
# before and after each run, and the figures should be read with it.
set -euo pipefail

sse_n=${BENCH_SSE_N:-10000}
sse_rounds=${BENCH_SSE_ROUNDS:-5}
push_n=${BENCH_PUSH_N:-100000}
push_jobs=${BENCH_PUSH_JOBS:-4}
limit=${BENCH_TIMEOUT:-900}
for v in "$sse_n" "$sse_rounds" "$push_n" "$push_jobs" "$limit"; do
  case $v in '' | *[!0-9]*) echo "BENCH_SSE_N, BENCH_SSE_ROUNDS, BENCH_PUSH_N, BENCH_PUSH_JOBS and BENCH_TIMEOUT must be whole numbers" >&2; exit 2 ;; esac
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
command -v go >/dev/null 2>&1 || { echo "alerts.sh: go not found on PATH" >&2; exit 1; }

tmp=$(mktemp -d /tmp/khabar-alertbench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

echo "building ssebench and fanoutbench…"
go build -o "$tmp/ssebench" ./bench/ssebench
go build -o "$tmp/fanoutbench" ./bench/fanoutbench

pg=${KHABAR_BENCH_DATABASE_URL:-${KHABAR_TEST_DATABASE_URL:-}}
if [ -z "$pg" ] && command -v pg_isready >/dev/null 2>&1 &&
  timeout 10 pg_isready -q -h 127.0.0.1 -p 5432 -t 5 2>/dev/null; then
  pg="postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
fi

load() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo unknown; }
status=0

# bench NAME COMMAND…: runs one benchmark with a time limit, keeping its
# output in $tmp/NAME.out and the load average around it in $tmp/NAME.load.
bench() {
  local name=$1
  shift
  echo
  echo "== $name (load $(load))"
  local before
  before=$(load)
  # The programs stop and clean up on their own -timeout; the outer
  # timeout is the backstop (TERM, then KILL 30 s later).
  if timeout -k 30 $((limit + 60)) "$@" -timeout "${limit}s" | tee "$tmp/$name.out"; then
    :
  else
    echo "alerts.sh: $name failed" >&2
    echo "failed" >>"$tmp/$name.out"
    status=1
  fi
  echo "$before → $(load)" >"$tmp/$name.load"
}

bench sse "$tmp/ssebench" -n "$sse_n" -rounds "$sse_rounds"
bench push-sqlite "$tmp/fanoutbench" -n "$push_n" -jobs "$push_jobs"
runs=(push-sqlite)
if [ -n "$pg" ]; then
  bench push-postgres "$tmp/fanoutbench" -n "$push_n" -jobs "$push_jobs" -db "$pg"
  runs+=(push-postgres)
fi

# field FILE WORD KEY: the value of KEY on the first line of FILE that
# starts with WORD.
field() { awk -v w="$2" -v k="$3" '$1==w { for (i=2;i<=NF;i++) { split($i,a,"="); if (a[1]==k) { print a[2]; exit } } }' "$1"; }

echo
echo "== summary ($(date -u +%F), $(nproc) cores; load average before → after each run)"
f="$tmp/sse.out"
if grep -q '^total ' "$f" && ! grep -q '^failed' "$f"; then
  p99=$(field "$f" total p99_ms)
  printf 'sse     %s readers × %s writes: p50 %s ms, p99 %s ms, max %s ms (p99 < 1 s: %s); per idle stream: heap %s KB + stacks %s KB, RSS %s KB; load %s\n' \
    "$sse_n" "$sse_rounds" "$(field "$f" total p50_ms)" "$p99" "$(field "$f" total max_ms)" \
    "$(awk -v p="$p99" 'BEGIN { print (p+0 < 1000) ? "yes" : "NO" }')" \
    "$(field "$f" mem_per_conn heap_inuse_kb)" "$(field "$f" mem_per_conn stack_inuse_kb)" "$(field "$f" mem_per_conn rss_kb)" \
    "$(cat "$tmp/sse.load")"
else
  echo "sse     failed (see above)"
fi
for r in "${runs[@]}"; do
  f="$tmp/$r.out"
  if grep -q '^progress ' "$f" && ! grep -q '^failed' "$f"; then
    ms=$(field "$f" fanout ms)
    printf '%-14s %s subscriptions in %s ms, %s/s (< 60 s: %s); sent %s, missing %s, sent twice %s; insert %s/s (not counted); load %s\n' \
      "$r" "$push_n" "$ms" "$(field "$f" fanout per_sec)" "$(awk -v m="$ms" 'BEGIN { print (m+0 < 60000) ? "yes" : "NO" }')" \
      "$(field "$f" progress sent)" "$(field "$f" service missing)" "$(field "$f" service more_than_once)" \
      "$(field "$f" setup insert_per_sec)" "$(cat "$tmp/$r.load")"
  else
    printf '%-14s failed (see above)\n' "$r"
  fi
done
[ -n "$pg" ] || echo "push-postgres: skipped (no KHABAR_BENCH_DATABASE_URL / KHABAR_TEST_DATABASE_URL and nothing on 127.0.0.1:5432)"
exit $status
