#!/usr/bin/env bash
# checkpatch --strict on every patch of the series: no error, no warning, no
# check.
. "$TOP/tests/suites/lib.sh"
mapfile -t patches < <(grep -v '^#' "$TOP/patches/series" | sed '/^$/d')
ktap_begin ${#patches[@]}
for p in "${patches[@]}"; do
	# spdxcheck.py (run for new files) needs Debian's python3 with ply and
	# GitPython, not whichever python3 comes first on PATH.
	out=$(cd "$CHECK_TREE" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict --no-signoff -q --showfile \
		--ignore FILE_PATH_CHANGES "$TOP/patches/$p" 2>&1)
	rc=$?
	# A patch must carry a Signed-off-by: check it here, not through
	# --no-signoff's absence, so that the message names the patch.
	grep -q '^Signed-off-by: ' "$TOP/patches/$p" || { out+=$'\nno Signed-off-by'; rc=1; }
	[ -n "$out" ] && echo "$out" | diag
	if [ $rc -eq 0 ] && [ -z "$out" ]; then ok "$p"; else not_ok "$p"; fi
done
