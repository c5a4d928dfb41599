#!/usr/bin/env bash
# Prints Lighthouse's four category scores (0–100) for each URL, with the
# default mobile preset (a mid-range phone on a throttled 4G connection),
# in Debian's Chromium kept off the network.
#
#   bash bench/lighthouse.sh http://127.0.0.1:8080/ http://127.0.0.1:8080/news/1/…
#
# Needs tools/browser/node_modules (cd tools/browser && npm ci --ignore-scripts)
# and chromium. The full reports are kept in $KHABAR_TEST_OUTPUT/lighthouse
# (default test-output/lighthouse).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

[ $# -gt 0 ] || { echo "usage: bash bench/lighthouse.sh URL..." >&2; exit 2; }
lh=$root/tools/browser/node_modules/.bin/lighthouse
[ -x "$lh" ] || { echo "lighthouse: $lh missing; run: (cd tools/browser && npm ci --ignore-scripts)" >&2; exit 1; }
chrome=${KHABAR_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$chrome" ] || { echo "lighthouse: chromium missing (apt-get install chromium)" >&2; exit 1; }

out=${KHABAR_TEST_OUTPUT:-$root/test-output}/lighthouse
mkdir -p "$out"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir=$profile"

printf '%-12s %-6s %-6s %-6s %-6s %s\n' page perf a11y best seo url
i=0
for url in "$@"; do
  i=$((i + 1))
  report=$out/report-$i.json
  "$lh" "$url" --quiet --chrome-path="$chrome" --chrome-flags="$flags" \
    --only-categories=performance,accessibility,best-practices,seo \
    --output=json --output-path="$report" >"$out/lighthouse-$i.log" 2>&1 ||
    { echo "lighthouse failed on $url:" >&2; tail -20 "$out/lighthouse-$i.log" >&2; exit 1; }
  node -e '
    const r = require(process.argv[1]);
    const s = k => r.categories[k].score === null ? "n/a" : String(Math.round(r.categories[k].score * 100));
    const below = Object.values(r.audits).filter(a => a.score !== null && a.score < 1 && a.scoreDisplayMode !== "informative" && a.scoreDisplayMode !== "manual" && a.scoreDisplayMode !== "notApplicable");
    console.log([("report-" + process.argv[2]).padEnd(12), s("performance").padEnd(6), s("accessibility").padEnd(6), s("best-practices").padEnd(6), s("seo").padEnd(6), r.finalDisplayedUrl].join(" "));
    for (const a of below) console.log("    below full marks: " + a.id + (a.displayValue ? " (" + a.displayValue + ")" : ""));
  ' "$report" "$i"
done
echo "reports in $out"
