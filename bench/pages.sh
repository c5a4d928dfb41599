#!/usr/bin/env bash
# bench/pages.sh: load benchmark of Khabar's public pages against nginx.
#
# Builds khabar, starts "khabar serve --demo" on a free loopback port with a
# throwaway data directory, picks three pages from the running site (the
# longest demo article at its canonical URL, the home page and the politics
# section) and runs ../shared/bench/static-vs.sh on each: wrk against Khabar
# and against nginx serving the same bytes (precompressed gzip), alternated.
# Prints each page's report and then a one-line-per-page summary.
#
# Usage: bash bench/pages.sh            (from anywhere)
#        bash bench/pages.sh analytics  the cost of counting page views: the
#          longest article, a cache hit, on a node counting (the default) and
#          on one started with --analytics=false, in the same run, alternated,
#          as a phone's browser (wrk's own requests name no browser and
#          would not be counted)
# Env:   BENCH_SECONDS     seconds per wrk run     (default 8)
#        BENCH_CONNECTIONS wrk connections          (default 64)
#        BENCH_ROUNDS      analytics: on/off rounds (default 3)
# Loopback only; every wait and every run is bounded by a timeout.
set -euo pipefail

mode=${1:-}
case $mode in '' | analytics) ;; *) echo "usage: bash bench/pages.sh [analytics]" >&2; exit 2 ;; esac

secs=${BENCH_SECONDS:-8}
conns=${BENCH_CONNECTIONS:-64}
case $secs in '' | *[!0-9]*) echo "BENCH_SECONDS must be a whole number" >&2; exit 2 ;; esac
case $conns in '' | *[!0-9]*) echo "BENCH_CONNECTIONS must be a whole number" >&2; exit 2 ;; esac

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

static_vs="$repo/../shared/bench/static-vs.sh"
if [ -z "$mode" ] && [ ! -f "$static_vs" ]; then
  echo "pages.sh: $static_vs not found." >&2
  echo "It is the shared wrk-vs-nginx script; it must sit in shared/bench/ beside this repository." >&2
  exit 1
fi

# --- tools ------------------------------------------------------------------
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || missing+=(nginx)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} with apt-get…"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v go >/dev/null 2>&1 || { echo "pages.sh: go not found on PATH" >&2; exit 1; }

# --- build and start khabar ---------------------------------------------------
tmp=$(mktemp -d /tmp/khabar-bench.XXXXXX)
pid=""
bare_pid=""
off_pid=""
cleanup() {
  if [ -n "$bare_pid" ]; then kill "$bare_pid" 2>/dev/null || true; fi
  if [ -n "$off_pid" ]; then kill "$off_pid" 2>/dev/null || true; fi
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "building khabar…"
go build -o "$tmp/khabar" ./cmd/khabar

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
# In analytics mode both nodes serve metrics (the same cost on each), to
# read how many views the counting one wrote.
extra=()
if [ "$mode" = analytics ]; then
  mport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  extra=(--metrics-addr "127.0.0.1:$mport")
fi
"$tmp/khabar" serve --demo --data "$tmp/data" --addr "127.0.0.1:$port" "${extra[@]}" >"$tmp/serve.log" 2>&1 &
pid=$!

up=""
for _ in $(seq 300); do # 30 s at most
  if curl -fsS -o /dev/null --max-time 2 "$base/healthz" 2>/dev/null; then up=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$up" ]; then
  echo "pages.sh: khabar did not answer $base/healthz within 30 s; its log:" >&2
  cat "$tmp/serve.log" >&2
  exit 1
fi
echo "khabar up at $base ($(grep -m1 'demo content loaded' "$tmp/serve.log" || echo 'demo state unknown'))"

# --- pick the pages -----------------------------------------------------------
# The longest demo article: follow /news/<id> to its canonical URL and keep
# the one whose HTML is largest. Stop at the first id that does not redirect.
article="" best=0 longest_id=""
for id in $(seq 1 500); do
  loc=$(curl -s -o /dev/null --max-time 5 -w '%{redirect_url}' "$base/news/$id" || true)
  [ -n "$loc" ] || break
  size=$(curl -fsS -o /dev/null --max-time 5 -H 'Accept-Encoding: identity' -w '%{size_download}' "$loc" || true)
  size=${size//[!0-9]/}
  size=${size:-0}
  if [ "$size" -gt "$best" ]; then best=$size article=$loc longest_id=$id; fi
done
if [ -z "$article" ]; then
  echo "pages.sh: no demo article found (no redirect from $base/news/1)" >&2
  exit 1
fi
echo "article: /news/$longest_id, the largest of the demo articles ($best bytes of HTML)"

if [ "$mode" = analytics ]; then
  # A second node on its own data, the same demo (so the same article at
  # the same path), counting nothing.
  oport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  omport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$tmp/khabar" serve --demo --analytics=false --data "$tmp/data-off" --addr "127.0.0.1:$oport" --metrics-addr "127.0.0.1:$omport" >"$tmp/serve-off.log" 2>&1 &
  off_pid=$!
  off="http://127.0.0.1:$oport/${article#http://*/}"
  up=""
  for _ in $(seq 300); do
    if curl -fsS -o /dev/null --max-time 2 "$off" 2>/dev/null; then up=1; break; fi
    kill -0 "$off_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$up" ] || { echo "pages.sh: the node without counting did not serve $off; its log:" >&2; cat "$tmp/serve-off.log" >&2; exit 1; }
  ua="Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
  run() { # LABEL URL -> "label rps p50ms p99ms non2xx" appended to runs
    timeout $((secs + 20)) wrk -t2 -c"$conns" -d"${secs}s" --latency -H "Accept-Encoding: gzip" -H "User-Agent: $ua" -H "Referer: https://t.co/AbC" "$2" |
      awk -v l="$1" '
        function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
        /Requests\/sec/ { rps=$2 } $1=="50%" { p50=ms($2) } $1=="99%" { p99=ms($2) } /Non-2xx/ { bad=$NF }
        END { printf "%s %s %s %s %s\n", l, rps, p50, p99, bad+0 }' >>"$tmp/runs"
  }
  rounds=${BENCH_ROUNDS:-3}
  case $rounds in '' | *[!0-9]*) echo "BENCH_ROUNDS must be a whole number" >&2; exit 2 ;; esac
  echo "wrk -t2 -c$conns -d${secs}s, a phone's User-Agent, gzip; on and off alternated $rounds times after a warm-up"
  timeout 20 wrk -t2 -c"$conns" -d2s -H "User-Agent: $ua" "$article" >/dev/null
  timeout 20 wrk -t2 -c"$conns" -d2s -H "User-Agent: $ua" "$off" >/dev/null
  # The counting node writes what a run counted every 5 s: waiting after
  # each run keeps its last write out of the next run's window (it would
  # slow the other node's run, not its own).
  for _ in $(seq "$rounds"); do run on "$article"; sleep 6; run off "$off"; sleep 6; done
  cat "$tmp/runs"
  awk '
    function median(a, n,   i, j, t) { for (i=1;i<=n;i++) for (j=i+1;j<=n;j++) if (a[j]<a[i]) { t=a[i]; a[i]=a[j]; a[j]=t }; return a[int((n+1)/2)] }
    { n[$1]++; r[$1, n[$1]]=$2; p5[$1, n[$1]]=$3; p9[$1, n[$1]]=$4; bad[$1]+=$5 }
    END {
      for (s in n) { for (i=1;i<=n[s];i++) { x[i]=r[s,i]; y[i]=p5[s,i]; z[i]=p9[s,i] }; R[s]=median(x,n[s]); P5[s]=median(y,n[s]); P9[s]=median(z,n[s]) }
      printf "%-13s %10s %8s %8s %8s\n", "", "req/s", "p50 ms", "p99 ms", "non-2xx"
      printf "%-13s %10.0f %8.2f %8.2f %8d\n", "counting on", R["on"], P5["on"], P9["on"], bad["on"]
      printf "%-13s %10.0f %8.2f %8.2f %8d\n", "counting off", R["off"], P5["off"], P9["off"], bad["off"]
      printf "on/off (req/s): %.3f  (target >= 0.95)\n", R["on"]/R["off"]
    }' "$tmp/runs"
  sleep 6 # the counter flushes every 5 s
  echo "views the counting node wrote, dropped (buffer full) and lost (failed writes):"
  curl -fsS --max-time 5 "http://127.0.0.1:$mport/metrics" | grep -E '^khabar_analytics_views_(counted|dropped|failed)_total' || true
  exit 0
fi

# The floor for Go: a bare net/http handler writing the same article bytes
# from memory (bench/bare). Khabar's article ratio should match its ratio.
go build -o "$tmp/bare" ./bench/bare
bport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$tmp/bare" -addr "127.0.0.1:$bport" -url "$article" >"$tmp/bare.log" 2>&1 &
bare_pid=$!
for _ in $(seq 100); do curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$bport/" 2>/dev/null && break; sleep 0.1; done

# bare-go gets the article's own path: parsing a long percent-encoded Arabic
# URL is part of the cost of every request.
pages=("article|$article" "bare-go|http://127.0.0.1:$bport/${article#http://*/}" "home|$base/" "section|$base/section/politics")
for p in "${pages[@]}"; do
  u=${p#*|}
  code=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$u")
  [ "$code" = 200 ] || { echo "pages.sh: $u answered $code, want 200" >&2; exit 1; }
done

# --- measure ------------------------------------------------------------------
# static-vs.sh does a 2 s warm-up and 6 runs of $secs s, each under its own
# timeout; the outer timeout bounds the whole page, nginx start included.
echo "static-vs.sh: ${secs}s per run, $conns connections, Accept-Encoding gzip"
echo
summary=()
for p in "${pages[@]}"; do
  name=${p%%|*} u=${p#*|}
  echo "== $name"
  if timeout $((secs * 6 + 180)) bash "$static_vs" "$u" "$secs" "$conns" gzip >"$tmp/$name.out" 2>&1; then
    cat "$tmp/$name.out"
    summary+=("$(awk -v n="$name" '
      $1=="khabar" && NF==5 { kr=$2; k99=$4; kbad=$5 }
      $1=="nginx"  && NF==5 { nr=$2; n99=$4; nbad=$5 }
      /^ratio/ { ratio=$NF }
      END {
        ok = (ratio+0 >= 0.5 && k99+0 <= 2*n99 && kbad+0 == 0) ? "yes" : "NO"
        printf "%-8s %6s %11s %11s %6s %8s %11s %10s  %s\n", n, ratio, k99, n99, (n99>0 ? sprintf("%.2f", k99/n99) : "-"), kbad, kr, nr, ok
      }' "$tmp/$name.out")")
  else
    cat "$tmp/$name.out"
    summary+=("$(printf '%-8s failed (see above)' "$name")")
  fi
  echo
done

echo "== summary ($(date -u +%F), $(nproc) cores, wrk -t2 -c$conns -d${secs}s, gzip, medians of 3)"
echo "article page: $article"
printf '%-8s %6s %11s %11s %6s %8s %11s %10s  %s\n' page ratio "p99 khabar" "p99 nginx" "p99 x" non-2xx "khabar r/s" "nginx r/s" "targets met"
printf '%s\n' "${summary[@]}"
echo "targets: ratio >= 0.50, p99 khabar <= 2 x p99 nginx, non-2xx = 0 (stated for the article page)"
echo "bare-go is a plain net/http handler writing the article's bytes from memory: the floor Khabar is measured against"
