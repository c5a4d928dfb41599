#!/usr/bin/env bash
# bench/wxr.sh: WordPress import speed on SQLite and PostgreSQL.
#
# Generates a WXR export of BENCH_POSTS posts from the shared Arabic news
# corpus (bench/wxrgen: half with a category and tags, 10 % with three
# comments, 5 % with a picture), then times `khabar import wxr` into a
# fresh SQLite data directory and, when PostgreSQL answers, into a fresh
# database (dropped at the end). Prints each import's summary, its time
# and peak memory, and posts/s against the target of >= 200 posts/s.
#
# Usage: bash bench/wxr.sh
# Env:   BENCH_POSTS    posts in the export (default 50000)
#        BENCH_CORPUS   corpus file (default ../shared/data/arabic-news.jsonl)
#        KHABAR_BENCH_PG_ADMIN  PostgreSQL URL to create the database from
#                       (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)
#        BENCH_TIMEOUT  seconds per import (default 1800)
set -euo pipefail

posts=${BENCH_POSTS:-50000}
limit=${BENCH_TIMEOUT:-1800}
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${BENCH_CORPUS:-$root/../shared/data/arabic-news.jsonl}
admin=${KHABAR_BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
[ -f "$corpus" ] || { echo "wxr.sh: no corpus at $corpus" >&2; exit 1; }

tmp=$(mktemp -d)
db="khabar_wxrbench_$$"
cleanup() {
	if [ -n "${made_db:-}" ]; then psql -q "$admin" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

cd "$root"
go build -o "$tmp/khabar" ./cmd/khabar
go run ./bench/wxrgen -n "$posts" -o "$tmp/export.xml" "$corpus"
echo "export: $posts posts, $(du -h "$tmp/export.xml" | cut -f1)"

run() { # name, extra flags…
	local name=$1; shift
	local start end
	start=$(date +%s.%N)
	/usr/bin/time -f "peak memory %M KB" timeout "$limit" "$tmp/khabar" import wxr "$tmp/export.xml" "$@" \
		>"$tmp/$name.out" 2>"$tmp/$name.err"
	end=$(date +%s.%N)
	# The progress bar redraws its line with \r: keep only its last state.
	cat "$tmp/$name.out" "$tmp/$name.err" | tr '\r' '\n' | grep -v 'migration applied\|^importing \|^$' || true
	python3 - "$name" "$posts" "$start" "$end" <<'PY'
import sys
name, posts, start, end = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
rate = posts / (end - start)
print(f"{name}: {posts} posts in {end - start:.1f} s = {rate:.0f} posts/s ({'meets' if rate >= 200 else 'MISSES'} >= 200)")
PY
}

run sqlite --data "$tmp/data"
if pg_isready -q -d "$admin" 2>/dev/null && psql -q "$admin" -c "CREATE DATABASE $db" >/dev/null; then
	made_db=1
	run postgres --data "$tmp/pgdata" --db "${admin%/*}/$db?sslmode=disable"
else
	echo "postgres: not available, skipped"
fi
