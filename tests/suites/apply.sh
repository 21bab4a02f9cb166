#!/usr/bin/env bash
# The series applies to the pinned base with git am, patch by patch, and
# matches patches/series.  Leaves CHECK_TREE at the last patch.
. "$TOP/tests/suites/lib.sh"
mapfile -t patches < <(grep -v '^#' "$TOP/patches/series" | sed '/^$/d')
ktap_begin $(( ${#patches[@]} + 1 ))
TREE=$CHECK_TREE FORCE=1 NO_PATCHES=1 "$TOP/scripts/tree.sh" 2>&1 | diag
extra=$(cd "$TOP/patches" && ls [0-9]*.patch | grep -v '^0000-' | grep -vxF -f <(printf '%s\n' "${patches[@]}"))
if [ -z "$extra" ]; then ok "every patch file is in patches/series"; else
	echo "not in series: $extra" | diag; not_ok "every patch file is in patches/series"; fi
failed=0
for p in "${patches[@]}"; do
	if [ $failed = 0 ] && out=$(git -C "$CHECK_TREE" am -q --committer-date-is-author-date "$TOP/patches/$p" 2>&1); then
		ok "git am $p"
	else
		[ $failed = 0 ] && { echo "$out" | diag; git -C "$CHECK_TREE" am --abort >/dev/null 2>&1; }
		not_ok "git am $p"
		failed=1
	fi
done
exit $failed
