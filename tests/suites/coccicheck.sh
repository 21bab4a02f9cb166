#!/usr/bin/env bash
# make coccicheck MODE=report, one semantic patch at a time, over the series'
# subsystems and the directories of touched C files: no report that the base
# does not have.  A semantic patch that cannot run here (Debian 12's spatch
# lacks OCaml scripting; some have no report mode) is listed, not counted.
. "$TOP/tests/suites/lib.sh"
ktap_begin 1
command -v spatch >/dev/null || { ok "coccicheck" "SKIP missing: spatch (Debian package coccinelle)"; exit 0; }
# What to check: the series' subsystems whole, and any other touched C file
# alone (a one-line fix in kernel/ should not cost a coccicheck of kernel/).
SUBSYS="drivers/cxl drivers/vfio/pci"
mapfile -t dirs < <({ printf '%s\n' $SUBSYS
	touched_files | grep '\.c$' | grep -v '^tools/' | grep -v -E "^(${SUBSYS// /|})/"; } | sort -u)
mapfile -t coccis < <(grep -rl '^virtual report' "$CHECK_TREE/scripts/coccinelle" | sort)
# cocci REV FILE DIR|C-FILE: the normalized reports of one semantic patch on
# a directory (make coccicheck) or on one C file (spatch as coccicheck runs it).
cocci() {
	if [[ $3 == *.c ]]; then
		(cd "$CHECK_TREE" && spatch -D report --very-quiet --no-show-diff \
			--no-includes --include-headers --sp-file "$2" "$3") \
			> "$CHECK/cocci.out" 2>&1 || return 1
	else
		make -s -C "$CHECK_TREE" coccicheck MODE=report COCCI="$2" M="$3" J=1 \
			> "$CHECK/cocci.out" 2>&1 || return 1
	fi
	{ grep -E '^[^ ]+\.[ch]:[0-9]+' "$CHECK/cocci.out" || true; } |
		sed -E 's/:[0-9]+:[0-9]+-[0-9]+:/:/' | sort -u
}
start=$(git -C "$CHECK_TREE" rev-parse HEAD)
ran=0 norun=() new=""
for c in "${coccis[@]}"; do
	name=${c#"$CHECK_TREE"/scripts/coccinelle/}
	for d in "${dirs[@]}"; do
		if ! head=$(cocci HEAD "$c" "$d"); then
			norun+=("$name: $(grep -m1 -E 'OCaml|not supported|rror' "$CHECK/cocci.out" | cut -c1-80)")
			continue 2
		fi
		[ -z "$head" ] && continue
		git -C "$CHECK_TREE" checkout -q base
		base=$(cocci base "$c" "$d")
		git -C "$CHECK_TREE" checkout -q "$start"
		new+=$(comm -13 <(echo "$base") <(echo "$head") | sed '/^$/d')
	done
	ran=$((ran + 1))
done
git -C "$CHECK_TREE" checkout -q "$start"
echo "$ran semantic patches ran on ${dirs[*]}; ${#norun[@]} could not run here:" | diag
printf '%s\n' "${norun[@]}" | diag
if [ "$ran" -eq 0 ]; then
	not_ok "coccicheck: no new reports (no semantic patch ran)"
elif [ -n "$new" ]; then
	echo "$new" | diag
	not_ok "coccicheck: no new reports"
else
	ok "coccicheck: no new reports"
fi
