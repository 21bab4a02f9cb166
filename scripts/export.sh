#!/usr/bin/env bash
# Regenerate patches/ from the commits base..work of build/linux.
#
# Output is deterministic: zero "From" hashes, no signature, no numbering in
# subjects (so inserting a patch does not rewrite its neighbours), stable file
# names.  patches/0000-cover-letter.patch is written by hand and kept.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
tree=${TREE:-$top/build/linux}
[ -d "$tree/.git" ] || die "no tree at $tree: run 'make tree' first"
[ -z "$(git -C "$tree" status --porcelain)" ] ||
	die "$tree has uncommitted changes: commit them first"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$top/scripts/format-patches.sh" "$tree" "$tmp"
find "$top/patches" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' -delete
cp "$tmp"/*.patch "$top/patches/" 2>/dev/null || true
(cd "$tmp" && ls *.patch 2>/dev/null || true) > "$top/patches/series"
git -C "$tree" tag -f exported >/dev/null
say "exported $(wc -l < "$top/patches/series") patches"
