#!/usr/bin/env bash
# Make build/linux: a git repository of the pristine base (one commit, tagged
# "base") with every patch of patches/series applied on top by git am.
#
# The base commit is made once and reused.  An existing tree is rebuilt only
# when it holds nothing that the patch files lack (see scripts/status.sh);
# FORCE=1 discards such work.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
. "$top/base/base.conf"
tree=${TREE:-$top/build/linux}
export GIT_AUTHOR_NAME="Linux base" GIT_AUTHOR_EMAIL="base@localhost"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"

if [ -d "$tree/.git" ] && [ "${FORCE:-0}" != 1 ]; then
	TREE=$tree "$top/scripts/status.sh" >/dev/null 2>&1 ||
		die "$tree holds work the patch files lack: run 'make export' (or FORCE=1 make tree to discard it)"
fi

if ! git -C "$tree" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	src=$("$top/scripts/base.sh")
	say "creating $tree from $src"
	rm -rf "$tree"
	mkdir -p "$tree"
	# Copy the tree, leaving out build products a LINUX_SRC tree may hold.
	tar -C "$src" --exclude=.git --exclude=.complete -cf - . | tar -C "$tree" -xf -
	# Debian's tarball ignores everything at the top level (/*); without that
	# block removed, files the series adds would not show in git status.
	sed -i '/^# Debian packaging: ignore everything/,/^!\/debian\//d' "$tree/.gitignore"
	sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$tree/.gitignore"
	git -C "$tree" init -q -b work
	git -C "$tree" config core.abbrev 12
	git -C "$tree" config user.name "${USER_NAME:-$(git -C "$top" config user.name || echo Developer)}"
	git -C "$tree" config user.email "${USER_EMAIL:-$(git -C "$top" config user.email || echo dev@localhost)}"
	git -C "$tree" add -A .
	git -C "$tree" commit -q -m "Linux $BASE_VERSION (${LINUX_SRC:-$BASE_PACKAGE $BASE_PACKAGE_VERSION})"
	git -C "$tree" tag base
fi

unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE GIT_COMMITTER_DATE
git -C "$tree" am --abort >/dev/null 2>&1 || true
git -C "$tree" checkout -q -f -B work base
git -C "$tree" clean -q -fdx -e /.cache
n=0
[ "${NO_PATCHES:-0}" = 1 ] && { say "$tree: base only"; exit 0; }
while read -r p; do
	case $p in ''|'#'*) continue ;; esac
	# Committer date follows the author date, so re-creating the tree gives
	# the same commit ids every time.
	git -C "$tree" am -q --committer-date-is-author-date "$top/patches/$p" ||
		die "patches/$p does not apply (git am stopped in $tree)"
	n=$((n + 1))
done < "$top/patches/series"
git -C "$tree" tag -f exported >/dev/null
say "$tree: base + $n patches on branch work"
