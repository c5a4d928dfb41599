#!/usr/bin/env bash
# bench/comments.sh: readers post comments while others read the article.
#
# Builds khabar and bench/commentload, starts "khabar serve --demo" on a
# free loopback port with a throwaway SQLite data directory, and runs, on
# the longest demo article's page:
#   1. baseline: wrk alone reads the article page;
#   2. pre-moderation (the default): wrk reads while 200 commenters post
#      through the API, each post from its own 127.x.y.z address;
#   3. post-moderation: the same, but every accepted comment is published
#      at once, so each one re-renders the article page under load.
# Then it stops khabar and checks that every comment the server accepted
# is in the database, unchanged. It fails on any 5xx or missing comment.
#
# Usage: bash bench/comments.sh
# Env:   BENCH_SECONDS      seconds per phase          (default 30)
#        BENCH_COMMENTERS   concurrent commenters      (default 200)
#        BENCH_CONNECTIONS  wrk connections            (default 64)
set -euo pipefail

secs=${BENCH_SECONDS:-30}
commenters=${BENCH_COMMENTERS:-200}
conns=${BENCH_CONNECTIONS:-64}
for v in "$secs" "$commenters" "$conns"; do
  case $v in '' | *[!0-9]*) echo "BENCH_SECONDS, BENCH_COMMENTERS and BENCH_CONNECTIONS must be whole numbers" >&2; exit 2 ;; esac
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} with apt-get…"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

tmp=$(mktemp -d /tmp/khabar-comments.XXXXXX)
pid=""
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "building khabar and commentload…"
go build -o "$tmp/khabar" ./cmd/khabar
go build -o "$tmp/commentload" ./bench/commentload

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$tmp/khabar" serve --demo --data "$tmp/data" --addr "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 300); do
  curl -fsS -o /dev/null --max-time 2 "$base/healthz" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.log" >&2; exit 1; }
  sleep 0.1
done

# The longest demo article, at its canonical URL.
article=$(curl -fsS "$base/feeds/feed.json" | python3 -c '
import json, sys
items = json.load(sys.stdin)["items"]
print(max(items, key=lambda i: len(i.get("content_html", "")))["url"].replace("http://localhost:'"$port"'", ""))')
url="$base$article"
curl -fsS -o /dev/null "$url"

read_run() { # label
  timeout $((secs + 30)) wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s --latency -H 'Accept-Encoding: gzip' "$url" >"$tmp/wrk-$1.txt"
}
rps() { awk '/Requests\/sec/ {print $2}' "$tmp/wrk-$1.txt"; }
p99() { awk '$1 == "99%" {print $2}' "$tmp/wrk-$1.txt"; }
non2xx() { awk '/Non-2xx/ {print $NF}' "$tmp/wrk-$1.txt"; }

echo "phase 1: wrk alone on $article (${secs}s)…"
read_run baseline

phase() { # label
  timeout $((secs + 120)) "$tmp/commentload" -base "$base" -workers "$commenters" -duration "${secs}s" -out "$tmp/accepted-$1.tsv" >"$tmp/load-$1.txt" &
  local lp=$!
  read_run "$1"
  wait "$lp" || { cat "$tmp/load-$1.txt" >&2; echo "comments.sh: the commenters failed" >&2; exit 1; }
}
echo "phase 2: wrk while $commenters commenters post, pre-moderation (${secs}s)…"
phase pre
"$tmp/commentload" -mode post -data "$tmp/data"
sleep 2 # the server reads the settings event at its next poll
echo "phase 3: wrk while $commenters commenters post, post-moderation (${secs}s)…"
phase post

kill "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
pid=""
cat "$tmp/accepted-pre.tsv" "$tmp/accepted-post.tsv" >"$tmp/accepted.tsv"
"$tmp/commentload" -verify -data "$tmp/data" -in "$tmp/accepted.tsv" >"$tmp/verify.txt"
errors=$(grep -c 'level=ERROR' "$tmp/serve.log" || true)

echo
echo "== bench/comments.sh: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, ${secs}s per phase, wrk -t2 -c$conns, $commenters commenters"
printf '%-34s %12s %10s %10s\n' "phase" "reads req/s" "p99" "non-2xx"
for ph in baseline pre post; do
  printf '%-34s %12s %10s %10s\n' "$ph" "$(rps $ph)" "$(p99 $ph)" "$(non2xx $ph || true)"
done
echo "pre-moderation:  $(cat "$tmp/load-pre.txt")"
echo "post-moderation: $(cat "$tmp/load-post.txt")"
cat "$tmp/verify.txt"
python3 - "$(rps baseline)" "$(rps pre)" "$(rps post)" <<'PY'
import sys
b, pre, post = (float(x) for x in sys.argv[1:])
print(f"read throughput under comment load: {pre / b:.2f}x (pre-moderation), {post / b:.2f}x (post-moderation) of the baseline")
PY
echo "server errors logged: $errors"
[ "$errors" -eq 0 ] || { grep 'level=ERROR' "$tmp/serve.log" | head -5 >&2; exit 1; }
