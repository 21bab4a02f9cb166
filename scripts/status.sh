#!/usr/bin/env bash
# Say whether build/linux and patches/ agree; exit 1 when they do not.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
tree=${TREE:-$top/build/linux}
if [ ! -d "$tree/.git" ]; then
	echo "no tree at $tree ('make tree' makes one): nothing to compare"
	exit 0
fi
rc=0
if [ -n "$(git -C "$tree" status --porcelain)" ]; then
	echo "uncommitted changes in $tree:"
	git -C "$tree" status --short | head -n 20
	rc=1
fi
if [ -d "$tree/.git/rebase-apply" ] || [ -d "$tree/.git/rebase-merge" ]; then
	echo "a git am or rebase is in progress in $tree"
	rc=1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$top/scripts/format-patches.sh" "$tree" "$tmp"
(cd "$tmp" && ls *.patch 2>/dev/null || true) > "$tmp/series.new"
if ! diff -q "$tmp/series.new" "$top/patches/series" >/dev/null; then
	echo "the tree's commits and patches/series differ:"
	diff -u "$top/patches/series" "$tmp/series.new" | tail -n +3 | head -n 20
	rc=1
else
	while read -r p; do
		cmp -s "$tmp/$p" "$top/patches/$p" || { echo "patches/$p differs from the tree's commit"; rc=1; }
	done < "$tmp/series.new"
fi
[ $rc -eq 0 ] && echo "tree and patches agree ($(wc -l < "$tmp/series.new") patches)"
exit $rc
