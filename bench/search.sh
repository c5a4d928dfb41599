#!/usr/bin/env bash
# bench/search.sh: search benchmark on SQLite and PostgreSQL.
#
# Builds bench/searchbench and runs it on a throwaway SQLite database, then
# on PostgreSQL when one is available (in a fresh schema, dropped at the
# end). Each run imports the shared Arabic news corpus BENCH_COPIES times
# with distinct ids (7 × 3,046 = 21,322 articles), times a full rebuild of
# the search index (search.Service.Reindex) and the latency of a fixed mix
# of queries through search.Service.Search. Prints each run's report and a
# summary against the targets:
#   index throughput >= 1,000 articles/s on SQLite
#   query latency p95 < 20 ms on SQLite and on PostgreSQL
#
# Usage: bash bench/search.sh             (from anywhere)
# Env:   KHABAR_BENCH_DATABASE_URL  PostgreSQL URL (else KHABAR_TEST_DATABASE_URL,
#                                   else postgres://postgres@127.0.0.1:5432/test?sslmode=disable
#                                   when pg_isready says it is up; else SQLite only)
#        BENCH_COPIES   copies of the corpus   (default 7)
#        BENCH_QUERIES  queries in the mix     (default 100)
#        BENCH_RUNS     timed runs per query   (default 5)
#        BENCH_CORPUS   corpus file            (default ../shared/data/arabic-news.jsonl)
#        BENCH_TIMEOUT  seconds per backend    (default 1200)
# Every run is bounded by a timeout.
set -euo pipefail

copies=${BENCH_COPIES:-7}
queries=${BENCH_QUERIES:-100}
runs=${BENCH_RUNS:-5}
limit=${BENCH_TIMEOUT:-1200}
for v in "$copies" "$queries" "$runs" "$limit"; do
  case $v in '' | *[!0-9]*) echo "BENCH_COPIES, BENCH_QUERIES, BENCH_RUNS and BENCH_TIMEOUT must be whole numbers" >&2; exit 2 ;; esac
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

corpus=${BENCH_CORPUS:-$repo/../shared/data/arabic-news.jsonl}
if [ ! -f "$corpus" ]; then
  echo "search.sh: corpus $corpus not found." >&2
  echo "It is the shared Arabic news corpus; it must sit in shared/data/ beside this repository (or set BENCH_CORPUS)." >&2
  exit 1
fi
command -v go >/dev/null 2>&1 || { echo "search.sh: go not found on PATH" >&2; exit 1; }

tmp=$(mktemp -d /tmp/khabar-searchbench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

echo "building searchbench…"
go build -o "$tmp/searchbench" ./bench/searchbench

pg=${KHABAR_BENCH_DATABASE_URL:-${KHABAR_TEST_DATABASE_URL:-}}
if [ -z "$pg" ] && command -v pg_isready >/dev/null 2>&1 &&
  timeout 10 pg_isready -q -h 127.0.0.1 -p 5432 -t 5 2>/dev/null; then
  pg="postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
fi

backends=(sqlite)
[ -n "$pg" ] && backends+=(postgres)
status=0
for b in "${backends[@]}"; do
  db=""
  [ "$b" = postgres ] && db=$pg
  echo
  echo "== $b ($copies copies of $(basename "$corpus"), $queries queries × $runs runs)"
  # -timeout lets searchbench stop and drop its schema itself; the outer
  # timeout is the backstop (TERM, then KILL 30 s later).
  if timeout -k 30 $((limit + 60)) "$tmp/searchbench" -db "$db" -corpus "$corpus" -copies "$copies" \
    -queries "$queries" -runs "$runs" -timeout "${limit}s" | tee "$tmp/$b.out"; then
    :
  else
    echo "search.sh: the $b run failed" >&2
    echo "failed" >"$tmp/$b.out"
    status=1
  fi
done

# Pick "key=value" from the first line starting with $2 in file $1.
field() { awk -v w="$2" -v k="$3" '$1==w { for (i=2;i<=NF;i++) { split($i,a,"="); if (a[1]==k) { print a[2]; exit } } }' "$1"; }

echo
echo "== summary ($(date -u +%F), $(nproc) cores, $copies copies of the corpus, $queries queries × $runs runs, Limit 10)"
printf '%-9s %8s %9s %9s %8s %8s %8s %8s  %s\n' backend articles import/s index/s p50_ms p95_ms p99_ms max_ms "targets met"
for b in "${backends[@]}"; do
  f="$tmp/$b.out"
  if grep -q '^latency ' "$f"; then
    idx=$(field "$f" index rate) p95=$(field "$f" latency p95_ms)
    ok=$(awk -v b="$b" -v idx="$idx" -v p95="$p95" 'BEGIN {
      s = (p95+0 < 20) ? "p95 yes" : "p95 NO"
      if (b == "sqlite") s = ((idx+0 >= 1000) ? "index yes" : "index NO") ", " s
      print s }')
    printf '%-9s %8s %9s %9s %8s %8s %8s %8s  %s\n' "$b" "$(field "$f" index articles)" "$(field "$f" import rate)" "$idx" \
      "$(field "$f" latency p50_ms)" "$p95" "$(field "$f" latency p99_ms)" "$(field "$f" latency max_ms)" "$ok"
  else
    printf '%-9s failed (see above)\n' "$b"
  fi
done
[ -n "$pg" ] || echo "postgres: skipped (no KHABAR_BENCH_DATABASE_URL / KHABAR_TEST_DATABASE_URL and nothing on 127.0.0.1:5432)"
echo "targets: index >= 1000 articles/s on SQLite; query p95 < 20 ms on SQLite and on PostgreSQL"
exit $status
