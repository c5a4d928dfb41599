#!/usr/bin/env bash
# bench/crash.sh: is what khabar acknowledged still there after kill -9?
#
# Builds khabar and bench/crashbench and runs crashbench: it starts
# "khabar serve --demo" on a free loopback port with a throwaway data
# directory, signs in with the printed one-time login, publishes articles
# through the newsroom's form and posts comments through the API while it
# kill -9s the server at random moments and starts it again. Then it checks
# every acknowledged article and comment is stored exactly once, every
# article page renders, search finds every article, no outbox cursor is
# past the last event, and every alert asked for (one article in ten is
# published with a Telegram alert, sent to a Bot API crashbench plays)
# arrived, again only as often as the kills explain. Halfway through the
# articles it takes a backup with "khabar backup"; at the end it restores
# it and checks the restored site serves what the backup held. It fails on any loss,
# duplicate or failed check.
#
# Usage: bash bench/crash.sh [crashbench flags]
#   e.g. bash bench/crash.sh -articles 100 -comments 1000 -kills 5
#        bash bench/crash.sh -db 'postgres://postgres@127.0.0.1:5432/crash?sslmode=disable' \
#             -restore-db 'postgres://postgres@127.0.0.1:5432/crash_restored?sslmode=disable'
#        (both PostgreSQL databases must be empty: the demo loads into the
#        first, the backup is restored into the second)
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
