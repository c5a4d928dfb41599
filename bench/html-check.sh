#!/usr/bin/env bash
# Checks the HTML of the reader and newsroom pages with the W3C Nu HTML
# Checker (vnu.jar, from tools/browser/node_modules) and exits non-zero on
# any error.
#
#   bash bench/html-check.sh            # builds khabar, starts a demo outlet on a free port
#   bash bench/html-check.sh URL        # checks a running site instead; newsroom pages too
#                                       # when KHABAR_CHECK_EMAIL and KHABAR_CHECK_PASSWORD are set
#
# The pages are saved under $KHABAR_TEST_OUTPUT/html (default
# test-output/html) and checked as files, so the checker fetches nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

vnu=$root/tools/browser/node_modules/vnu-jar/build/dist/vnu.jar
[ -f "$vnu" ] || { echo "html-check: $vnu missing; run: (cd tools/browser && npm ci --ignore-scripts)" >&2; exit 1; }
command -v java >/dev/null || { echo "html-check: java missing (apt-get install default-jre-headless)" >&2; exit 1; }

out=${KHABAR_TEST_OUTPUT:-$root/test-output}/html
rm -rf "$out"
mkdir -p "$out"
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

base=${1:-}
email=${KHABAR_CHECK_EMAIL:-}
password=${KHABAR_CHECK_PASSWORD:-}
if [ -z "$base" ]; then
  echo "html-check: building khabar and loading the demo outlet"
  go build -o "$work/khabar" ./cmd/khabar
  data=$work/data
  "$work/khabar" demo --data "$data" >"$work/demo.log" 2>&1
  email=html-check@khabar.test
  password=html-check-$RANDOM-$RANDOM-password
  printf '%s\n' "$password" | "$work/khabar" user add --data "$data" --email "$email" --name "مدقق HTML" --role admin >"$work/user.log" 2>&1
  "$work/khabar" serve --data "$data" --addr 127.0.0.1:0 >"$work/serve.log" 2>&1 &
  server_pid=$!
  # The server picks a free port and logs it.
  for _ in $(seq 100); do
    addr=$(sed -n 's/.*msg="khabar serving" addr=\([^ ]*\).*/\1/p' "$work/serve.log")
    [ -n "$addr" ] && break
    sleep 0.1
  done
  base=http://${addr:-none}
  curl -fs "$base/healthz" >/dev/null || { echo "html-check: the demo server did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
fi
base=${base%/}
jar=$work/cookies

# save NAME PATH [STATUS]: fetch a page into $out/NAME.html, insisting on
# the expected status (200 unless given) so a broken page is not "valid".
save() {
  local name=$1 path=$2 want=${3:-200} got
  # An empty path (a link the previous page lacked) would check the home
  # page under another name.
  [ -n "$path" ] || { echo "html-check: no link found for $name" >&2; exit 1; }
  got=$(curl -s -b "$jar" -c "$jar" -o "$out/$name.html" -w '%{http_code}' "$base$path")
  if [ "$got" != "$want" ]; then
    echo "html-check: $path answered $got, want $want" >&2
    exit 1
  fi
}
# first HREF_PATTERN FILE: the first href in FILE matching the pattern.
first() { { grep -o "href=\"$1\"" "$2" || true; } | sed -n -e '1{s/^href="//;s/"$//;s/&amp;/\&/g;p;}'; }

save home /
article=$(first '/news/[0-9]*/[^"]*' "$out/home.html")
[ -n "$article" ] || { echo "html-check: no article link on the home page" >&2; exit 1; }
save article "$article"
article_id=${article#/news/}
article_id=${article_id%%/*}
save comments "/comments/$article_id"
# The live article (the demo has one) shows its live blog.
live=
for a in $({ grep -o 'href="/news/[0-9]*/[^"]*"' "$out/home.html" || true; } | sed -e 's/^href="//' -e 's/"$//' | sort -u); do
  # Into a file, not a pipe: under pipefail, grep -q leaving at the first
  # match makes curl fail on the closed pipe, and the live page is missed.
  curl -s -o "$work/candidate.html" "$base$a"
  if grep -q 'class="liveblog"' "$work/candidate.html"; then live=$a; break; fi
done
if [ -z "$live" ] && [ -z "${1:-}" ]; then
  echo "html-check: the demo outlet's live article is not on its home page" >&2
  exit 1
fi
if [ -n "$live" ]; then
  save live "$live"
  live_id=${live#/news/}
  live_id=${live_id%%/*}
  save liveblog "/liveblog/$live_id"
fi
save section "$(first '/section/[^"]*' "$out/article.html")"
save tag "$(first '/tag/[^"]*' "$out/article.html")"
save author "$(first '/author/[^"]*' "$out/article.html")"
save search "/search?q=%D8%A7%D9%84%D8%AD%D9%83%D9%88%D9%85%D8%A9"
save search-empty "/search?q=zzzqqqxxx"
save not-found /no/such/page 404
save login /admin/login

if [ -n "$email" ] && [ -n "$password" ]; then
  code=$(curl -s -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}' \
    --data-urlencode "email=$email" --data-urlencode "password=$password" "$base/admin/login")
  [ "$code" = 303 ] || { echo "html-check: newsroom login answered $code" >&2; exit 1; }
  save dashboard /admin/
  edit=$(first '/admin/articles/[0-9]*' "$out/dashboard.html")
  [ -n "$edit" ] || { echo "html-check: no article on the dashboard" >&2; exit 1; }
  save edit "$edit"
  save preview "$edit/preview"
  save revisions "$edit/revisions"
  [ -z "${live_id:-}" ] || save liveblog-editor "/admin/articles/$live_id/liveblog"
  save media /admin/media
  save new /admin/articles/new
  save ticker /admin/ticker
  save ticker-edit "$(first '/admin/ticker/[0-9]*' "$out/ticker.html")"
  save settings /admin/settings
  save sections /admin/sections
  save section-edit "$(first '/admin/sections/[0-9]*' "$out/sections.html")"
  save authors /admin/authors
  save author-edit "$(first '/admin/authors/[0-9]*' "$out/authors.html")"
  save moderation /admin/comments
  save bans /admin/comments/bans
  save audit /admin/audit
  save status /admin/status
  save alerts /admin/alerts
  save tokens /admin/tokens
  save users /admin/users
  save account /admin/account
else
  echo "html-check: KHABAR_CHECK_EMAIL/KHABAR_CHECK_PASSWORD not set; newsroom pages after the login page skipped"
fi

pages=("$out"/*.html)
echo "html-check: checking ${#pages[@]} pages from $base (saved in $out)"
status=0
java -jar "$vnu" --errors-only --format gnu "${pages[@]}" >"$out/vnu.txt" 2>&1 || status=$?
errors=$(grep -c ':.*error' "$out/vnu.txt" || true)
if [ "$status" -ne 0 ] || [ "$errors" -ne 0 ]; then
  sed "s|$out/||" "$out/vnu.txt"
  echo "html-check: $errors errors (vnu exit $status)"
  exit 1
fi
echo "html-check: 0 errors in ${#pages[@]} pages"
