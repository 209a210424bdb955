#!/usr/bin/env bash
# Fetch the Reuters-21578 grain ARFF files from Debian's weka package (without
# installing it) into ~/.cache/edora/weka, where the `grain` task looks.
set -euo pipefail
dest="${EDORA_WEKA_CACHE:-$HOME/.cache/edora/weka}"
if [ -f "$dest/usr/share/doc/weka/examples/ReutersGrain-train.arff" ]; then
  echo "grain: already in $dest"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download weka >/dev/null 2>&1 || { apt-get update -qq && apt-get download weka; })
mkdir -p "$dest"
dpkg-deb -x "$work"/weka_*.deb "$work/x"
mkdir -p "$dest/usr/share/doc/weka/examples"
cp "$work"/x/usr/share/doc/weka/examples/ReutersGrain-*.arff "$dest/usr/share/doc/weka/examples/"
echo "grain: ARFF files in $dest/usr/share/doc/weka/examples"
