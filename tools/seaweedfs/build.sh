#!/bin/sh
# Builds the SeaweedFS server (weed) the S3 media tests run against, once per
# cache directory, and prints the binary's path. SeaweedFS is Apache-2.0; its
# go.mod has replace directives, so `go install` refuses it and we build from
# the downloaded module instead. The version is the one in the package list.
#
#   KHABAR_WEED_CACHE  cache root (default /work/.cache/seaweedfs, else $HOME/.cache)
#
# Usage: export KHABAR_TEST_WEED=$(tools/seaweedfs/build.sh)
set -eu
version=v0.0.0-20261109003541-7506e5f91cd6
module=github.com/seaweedfs/seaweedfs
root=${KHABAR_WEED_CACHE:-}
if [ -z "$root" ]; then
	if [ -d /work ]; then root=/work/.cache/seaweedfs; else root=${HOME:-/tmp}/.cache/khabar-seaweedfs; fi
fi
dir=$root/$version
bin=$dir/weed
# A binary is reused only when its recorded checksum still matches, so a
# half-written or damaged copy is rebuilt rather than trusted.
if [ -x "$bin" ] && [ -f "$dir/weed.sha256" ] && (cd "$dir" && sha256sum -c --status weed.sha256); then
	echo "$bin"
	exit 0
fi
mkdir -p "$dir"
# The module's directory, read from go's JSON without needing jq.
src=$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "$src" ] || [ ! -d "$src" ]; then
	echo "build.sh: go mod download $module@$version gave no directory" >&2
	exit 1
fi
work=$(mktemp -d "$dir/src.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -R "$src/." "$work/"
chmod -R u+w "$work"
(cd "$work" && go build -o "$dir/weed.tmp" ./weed) >&2
mv "$dir/weed.tmp" "$bin"
(cd "$dir" && sha256sum weed >weed.sha256)
echo "$version" >"$dir/VERSION"
echo "$bin"
