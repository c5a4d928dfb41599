#!/usr/bin/env bash
# bench/backup.sh: how long a backup and a restore take on an outlet of
# the 33-article demo plus BENCH_POSTS imported WordPress posts, on SQLite
# and (when it answers) PostgreSQL, and that the restored outlet serves.
#
# For each database it loads the demo, imports a WXR export of the posts
# (bench/wxrgen, from the shared Arabic news corpus), times `khabar
# backup`, then `khabar restore` into an empty data directory (and, on
# PostgreSQL, a new database), starts `khabar serve` on the restored data
# and asks for the home page, the newest article and one of its pictures.
#
# Usage: bash bench/backup.sh
# Env:   BENCH_POSTS   posts imported (default 20000)
#        BENCH_CORPUS  corpus file (default ../shared/data/arabic-news.jsonl)
#        KHABAR_BENCH_PG_ADMIN  PostgreSQL URL to create databases from
#                      (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)
set -euo pipefail

posts=${BENCH_POSTS:-20000}
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${BENCH_CORPUS:-$root/../shared/data/arabic-news.jsonl}
admin=${KHABAR_BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
[ -f "$corpus" ] || { echo "backup.sh: no corpus at $corpus" >&2; exit 1; }

tmp=$(mktemp -d)
dbs=()
server=
cleanup() {
	if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
	for db in "${dbs[@]}"; do psql -q "$admin" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

cd "$root"
go build -o "$tmp/khabar" ./cmd/khabar
go run ./bench/wxrgen -n "$posts" -o "$tmp/export.xml" "$corpus"
k="$tmp/khabar"

# seconds CMD…: runs CMD quietly, prints its wall time in seconds.
seconds() {
	local start end
	start=$(date +%s.%N)
	"$@" >"$tmp/last.out" 2>&1 || { cat "$tmp/last.out" >&2; return 1; }
	end=$(date +%s.%N)
	python3 -c "print(f'{$end - $start:.1f}')"
}

# served DATA [--db URL]: serves the restored outlet on a free port and
# checks the home page, the newest article and its first picture.
served() {
	local port
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$k" serve --addr "127.0.0.1:$port" "$@" >"$tmp/serve.log" 2>&1 &
	server=$!
	for _ in $(seq 600); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
	local home article picture
	home=$(curl -fs "http://127.0.0.1:$port/") || { echo "home page failed" >&2; return 1; }
	article=$(grep -o 'href="/news/[0-9][^"]*"' <<<"$home" | awk 'NR==1' | cut -d'"' -f2)
	curl -fs -o "$tmp/article.html" "http://127.0.0.1:$port$article" || { echo "article $article failed" >&2; return 1; }
	picture=$(grep -o 'src="/media/[^"]*"' <<<"$home" | awk 'NR==1' | cut -d'"' -f2)
	curl -fs -o /dev/null "http://127.0.0.1:$port$picture" || { echo "picture $picture failed" >&2; return 1; }
	kill "$server"; wait "$server" 2>/dev/null || true; server=
	echo "served: home, ${article%/*}/… and $picture"
}

bench() { # name, then the flags naming the source database, then -- and the target's
	local name=$1; shift
	local src=() dst=()
	while [ "$1" != -- ]; do src+=("$1"); shift; done
	shift; dst=("$@")
	"$k" demo --data "$tmp/$name" "${src[@]}" >/dev/null 2>&1
	"$k" import wxr "$tmp/export.xml" --data "$tmp/$name" "${src[@]}" >/dev/null 2>&1
	local b r size
	b=$(seconds "$k" backup --data "$tmp/$name" "${src[@]}" --out "$tmp/$name.tar.gz")
	size=$(du -h "$tmp/$name.tar.gz" | cut -f1)
	r=$(seconds "$k" restore "$tmp/$name.tar.gz" --data "$tmp/$name-restored" "${dst[@]}")
	grep -E '^  (articles|media|comments) ' "$tmp/last.out" | sed 's/^/  /'
	echo "$name: backup $b s ($size archive), restore $r s"
	served --data "$tmp/$name-restored" "${dst[@]}"
}

echo "outlet: the demo and $posts imported posts ($(du -h "$tmp/export.xml" | cut -f1) of WXR)"
bench sqlite --
if pg_isready -q -d "$admin" 2>/dev/null; then
	a="khabar_backupbench_$$_a" b="khabar_backupbench_$$_b"
	psql -q "$admin" -c "CREATE DATABASE $a" -c "CREATE DATABASE $b" >/dev/null
	dbs=("$a" "$b")
	bench postgres --db "${admin%/*}/$a?sslmode=disable" -- --db "${admin%/*}/$b?sslmode=disable"
else
	echo "postgres: not available, skipped"
fi
