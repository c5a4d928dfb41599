#!/bin/sh
# Rebuilds internal/newsroom/static/vendor/prosemirror.js and its licences
# from entry.js and the versions pinned in package-lock.json. CI does not run
# this: the bundle is committed, and TestVendorBundle checks that its
# recorded source hash still matches these files.
set -eu
cd "$(dirname "$0")"
npm ci --ignore-scripts --no-audit --no-fund
out=../../internal/newsroom/static/vendor
mkdir -p "$out"
hash=$(cat entry.js package.json package-lock.json | sha256sum | cut -d' ' -f1)
./node_modules/.bin/esbuild entry.js --bundle --format=iife --global-name=PM --minify --target=es2019 \
  --legal-comments=none --banner:js="/* ProseMirror (MIT, see prosemirror.LICENSE) bundled by tools/editor/build.sh; source sha256 $hash */" \
  --outfile="$out/prosemirror.js"
: > "$out/prosemirror.LICENSE"
for p in $(node -e 'console.log(Object.keys(require("./package.json").devDependencies).filter(n => n.startsWith("prosemirror-")).join(" "))') orderedmap rope-sequence w3c-keyname; do
  printf '== %s ==\n' "$p" >> "$out/prosemirror.LICENSE"
  cat "node_modules/$p/LICENSE" >> "$out/prosemirror.LICENSE"
  printf '\n' >> "$out/prosemirror.LICENSE"
done
