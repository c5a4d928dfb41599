#!/usr/bin/env bash
# bench/crash.sh: is what khabar acknowledged still there after kill -9?
#
# Builds khabar and bench/crashbench and runs crashbench: it starts
# "khabar serve --demo" on a free loopback port with a throwaway data
# directory, signs in with the printed one-time login, publishes articles
# through the newsroom's form and posts comments through the API while it
# kill -9s the server at random moments and starts it again. Then it checks
# every acknowledged article and comment is stored exactly once, every
# article page renders, search finds every article, and no outbox cursor
# is past the last event. It fails on any loss, duplicate or failed check.
#
# Usage: bash bench/crash.sh [crashbench flags]
#   e.g. bash bench/crash.sh -articles 100 -comments 1000 -kills 5
#        bash bench/crash.sh -db 'postgres://postgres@127.0.0.1:5432/crash?sslmode=disable'
#        (the PostgreSQL database must be empty: the demo loads into it)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

tmp=$(mktemp -d /tmp/khabar-crash.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

echo "building khabar and crashbench…"
go build -o "$tmp/khabar" ./cmd/khabar
go build -o "$tmp/crashbench" ./bench/crashbench

echo "== bench/crash.sh: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, crashbench $*"
"$tmp/crashbench" -khabar "$tmp/khabar" "$@"
