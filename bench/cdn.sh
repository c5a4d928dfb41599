#!/usr/bin/env bash
# bench/cdn.sh: an article page through Varnish (deploy/varnish/khabar.vcl)
# against nginx serving the same bytes, without and with a purge of the
# article every second.
#
# Builds khabar, starts "khabar serve --demo --cdn varnish" on a free
# loopback port with a throwaway data directory, and varnishd with the
# shipped VCL (both backends of nodes.vcl pointed at that node), picks the
# largest demo article and runs ../shared/bench/static-vs.sh on its address
# through Varnish twice: once as it is, once while a loop sends Varnish the
# purge Khabar's outbox consumer sends when the article changes
# (PURGE with "xkey-purge: article:ID") every second. A purged page is
# fetched again from the node (whose own page cache still holds it: the
# purge measures Varnish's refill, not a render). Prints both reports and a
# summary line each.
#
# Usage: bash bench/cdn.sh            (from anywhere)
# Env:   BENCH_SECONDS     seconds per wrk run     (default 8)
#        BENCH_CONNECTIONS wrk connections          (default 64)
# Loopback only; every wait and every run is bounded by a timeout.
set -euo pipefail

secs=${BENCH_SECONDS:-8}
conns=${BENCH_CONNECTIONS:-64}
case $secs in '' | *[!0-9]*) echo "BENCH_SECONDS must be a whole number" >&2; exit 2 ;; esac
case $conns in '' | *[!0-9]*) echo "BENCH_CONNECTIONS must be a whole number" >&2; exit 2 ;; esac

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

static_vs="$repo/../shared/bench/static-vs.sh"
if [ ! -f "$static_vs" ]; then
  echo "cdn.sh: $static_vs not found (the shared wrk-vs-nginx script, in shared/bench/ beside this repository)" >&2
  exit 1
fi

# --- tools ------------------------------------------------------------------
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || missing+=(nginx)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v varnishd >/dev/null 2>&1 || missing+=(varnish varnish-modules)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} with apt-get…"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v go >/dev/null 2>&1 || { echo "cdn.sh: go not found on PATH" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- build and start khabar and varnish ---------------------------------------
tmp=$(mktemp -d /tmp/khabar-cdn.XXXXXX)
pid="" vpid="" purge_pid=""
stop() { # stop PID, by its id: TERM, then KILL after 5 s
  [ -n "$1" ] || return 0
  kill "$1" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
}
cleanup() {
  stop "$purge_pid"
  stop "$vpid"
  stop "$pid"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "building khabar…"
go build -o "$tmp/khabar" ./cmd/khabar

port=$(free_port)
vport=$(free_port)
base="http://127.0.0.1:$port"
vbase="http://127.0.0.1:$vport"
"$tmp/khabar" serve --demo --data "$tmp/data" --addr "127.0.0.1:$port" \
  --cdn varnish --cdn-purge-url "$vbase" --trusted-proxies 127.0.0.1 >"$tmp/serve.log" 2>&1 &
pid=$!
up=""
for _ in $(seq 300); do # 30 s at most
  if curl -fsS -o /dev/null --max-time 2 "$base/healthz" 2>/dev/null; then up=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$up" ] || { echo "cdn.sh: khabar did not answer $base/healthz within 30 s; its log:" >&2; cat "$tmp/serve.log" >&2; exit 1; }

# The shipped VCL, both backends of nodes.vcl moved to the node.
cp deploy/varnish/khabar.vcl "$tmp/khabar.vcl"
sed -e "s/\.port = \"808[12]\";/.port = \"$port\";/" deploy/varnish/nodes.vcl >"$tmp/nodes.vcl"
[ "$(grep -c "\.port = \"$port\";" "$tmp/nodes.vcl")" = 2 ] || { echo "cdn.sh: nodes.vcl no longer has backends on ports 8081 and 8082 to move" >&2; exit 1; }
varnishd -F -j none -n "$tmp/varnish" -a "127.0.0.1:$vport" -f "$tmp/khabar.vcl" -s malloc,256m -T 127.0.0.1:0 >"$tmp/varnish.log" 2>&1 &
vpid=$!
up=""
for _ in $(seq 300); do
  if curl -fsS -o /dev/null --max-time 2 "$vbase/healthz" 2>/dev/null; then up=1; break; fi
  kill -0 "$vpid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$up" ] || { echo "cdn.sh: varnish did not reach the node within 30 s; its log:" >&2; cat "$tmp/varnish.log" >&2; exit 1; }
echo "khabar at $base, varnish at $vbase ($(varnishd -V 2>&1 | head -1))"

# --- the page -------------------------------------------------------------------
# The largest demo article, at its canonical address, through Varnish.
article="" best=0 aid=""
for id in $(seq 1 500); do
  loc=$(curl -s -o /dev/null --max-time 5 -w '%{redirect_url}' "$base/news/$id" || true)
  [ -n "$loc" ] || break
  size=$(curl -fsS -o /dev/null --max-time 5 -H 'Accept-Encoding: identity' -w '%{size_download}' "$loc" || true)
  size=${size//[!0-9]/}
  size=${size:-0}
  if [ "$size" -gt "$best" ]; then best=$size article=$loc aid=$id; fi
done
[ -n "$article" ] || { echo "cdn.sh: no demo article found" >&2; exit 1; }
page="$vbase/${article#http://*/}"
cc=$(curl -fsS -o /dev/null -D - -H 'Accept-Encoding: gzip' "$page" | tr -d '\r' | awk -F': ' 'tolower($1)=="cache-control" {print $2}')
xc=$(curl -fsS -o /dev/null -D - -H 'Accept-Encoding: gzip' "$page" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache" {print $2}')
echo "article /news/$aid ($best bytes of HTML) through Varnish: X-Cache $xc, Cache-Control: $cc"
[ "$xc" = HIT ] || { echo "cdn.sh: the article is not cached by Varnish" >&2; exit 1; }

# --- measure ----------------------------------------------------------------------
measure() { # NAME: static-vs.sh on the page, into $tmp/NAME.out
  echo "== $1"
  if timeout $((secs * 6 + 180)) bash "$static_vs" "$page" "$secs" "$conns" gzip >"$tmp/$1.out" 2>&1; then
    cat "$tmp/$1.out"
  else
    cat "$tmp/$1.out"
    echo "cdn.sh: static-vs.sh failed on $1" >&2
    exit 1
  fi
  echo
}
echo "static-vs.sh: ${secs}s per run, $conns connections, Accept-Encoding gzip"
echo
measure varnish

# The purge the outbox consumer sends for the article, every second.
: >"$tmp/purges"
(
  while :; do
    curl -s -o /dev/null --max-time 2 -w '%{http_code}\n' -X PURGE -H "xkey-purge: article:$aid" "$vbase/" >>"$tmp/purges" || true
    sleep 1
  done
) &
purge_pid=$!
measure varnish-purged
stop "$purge_pid"
purge_pid=""
purges=$(grep -c '^200$' "$tmp/purges" || true)
echo "purges answered 200 during the second measurement: $purges of $(wc -l <"$tmp/purges")"

echo
echo "summary (req/s median of 3 runs; ratio = through Varnish / nginx)"
printf '%-15s %6s %11s %11s %8s %8s\n' page ratio varnish/s nginx/s "p99 ms" non-2xx
for name in varnish varnish-purged; do
  awk -v n="$name" '
    $1=="khabar" && NF==5 { kr=$2; k99=$4; kbad=$5 }
    $1=="nginx"  && NF==5 { nr=$2 }
    /^ratio/ { ratio=$NF }
    END { printf "%-15s %6s %11s %11s %8s %8s\n", n, ratio, kr, nr, k99, kbad }' "$tmp/$name.out"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
