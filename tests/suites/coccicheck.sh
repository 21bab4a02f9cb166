#!/usr/bin/env bash
# coccicheck's report mode, every semantic patch that has one, over the
# series' subsystems and any other touched C file: no report that the base
# does not have.  A semantic patch that cannot run here (Debian 12's spatch
# lacks OCaml scripting) is listed, not counted.
#
# spatch runs as scripts/coccicheck would run it (the semantic patch's own
# "Options:" line, the kernel's include paths), but once per semantic patch
# over a --file-groups list with one file per group, instead of once per
# directory through make: 73 semantic patches on 7 places were 511 spatch
# and make start-ups, most of the suite's 5 1/2 minutes.  One file per
# group keeps what coccicheck's --dir does: each file is matched alone.
# Before the real run, a control file with two known faults must give two
# reports, so that a spatch that silently matches nothing cannot pass; and
# a second control runs the base comparison on a file whose head version
# adds a second instance of a report its base version already has, which
# must come out as exactly one new report.
. "$TOP/tests/suites/lib.sh"
ktap_begin 3
command -v spatch >/dev/null || {
	ok "coccicheck reports a planted fault" "SKIP missing: spatch (Debian package coccinelle)"
	ok "coccicheck's base comparison finds a second instance of a report" "SKIP missing: spatch (Debian package coccinelle)"
	ok "coccicheck" "SKIP missing: spatch (Debian package coccinelle)"
	exit 0
}
SUBSYS="drivers/cxl drivers/vfio/pci"
mapfile -t places < <({ printf '%s\n' $SUBSYS
	touched_files | grep '\.c$' | grep -v '^tools/' | grep -v -E "^(${SUBSYS// /|})/"; } | sort -u)
mapfile -t coccis < <(cd "$CHECK_TREE" && grep -rl '^virtual report' scripts/coccinelle | sort)
out=$CHECK/cocci
rm -rf "$out" && mkdir -p "$out/head" "$out/base" "$out/control"
# The includes of LINUXINCLUDE, as scripts/coccicheck passes them, with the
# generated headers of the rig's configured object tree.
o=$CHECK/obj
inc=(-I arch/x86/include -I "$o/arch/x86/include/generated" -I include -I "$o/include"
	-I arch/x86/include/uapi -I "$o/arch/x86/include/generated/uapi"
	-I include/uapi -I "$o/include/generated/uapi"
	--include include/linux/compiler-version.h --include include/linux/kconfig.h)

# groups FILE: the C files and headers of $places that exist in the
# checked-out tree, one group each.
groups() {
	local p
	for p in "${places[@]}"; do
		if [ -d "$CHECK_TREE/$p" ]; then
			(cd "$CHECK_TREE" && find "$p" -name '*.[ch]' | sort)
		elif [ -f "$CHECK_TREE/$p" ]; then
			echo "$p"
		fi
	done | sed 's/$/\n/' > "$1"
}
# cocci SMPL GROUPS: the normalized reports (file: message, no positions) of
# one semantic patch, sorted, one line per instance (so that a second one
# in the same file counts); fails when spatch cannot run it.
cocci() {
	local opt
	opt=$(grep "Options:" "$CHECK_TREE/$1" | cut -d: -f2)
	# shellcheck disable=SC2086 # the Options: line is a word list
	(cd "$CHECK_TREE" && spatch -D report --no-show-diff --very-quiet \
		--cocci-file "$1" $opt --file-groups "$2" "${inc[@]}" \
		--jobs "$JOBS" --chunksize 1) > "$out/spatch.log" 2>&1 || return 1
	{ grep -E '^[^ ]+\.[ch]:[0-9]+' "$out/spatch.log" || true; } |
		sed -E 's/:[0-9]+:[0-9]+-[0-9]+:/:/' | sort
}
# new_reports BASE HEAD: the reports of HEAD that BASE does not have, as
# many times as HEAD has more of them.
new_reports() { comm -13 "$1" "$2" | sed '/^$/d'; }

# The control: a file outside the tree with an open-coded resource_size()
# and an open-coded str_enabled_disabled().
cat > "$out/control/planted.c" <<'EOF'
#include <linux/ioport.h>
#include <linux/printk.h>

unsigned long planted(struct resource *r, int on)
{
	pr_info("%s\n", on ? "enabled" : "disabled");
	return r->end - r->start + 1;
}
EOF
printf '%s\n\n' "$out/control/planted.c" > "$out/control.groups"
n=0
for c in scripts/coccinelle/api/resource_size.cocci scripts/coccinelle/api/string_choices.cocci; do
	r=$(cocci "$c" "$out/control.groups") || true
	[[ $r == *planted.c:* ]] && n=$((n + 1))
done
if [ "$n" -eq 2 ]; then
	ok "coccicheck reports a planted fault"
else
	echo "$n of 2 planted faults reported" | diag
	not_ok "coccicheck reports a planted fault"
fi

# The base comparison's control: planted.c at the "base" has one
# open-coded resource_size(), at the "head" a second one as well.
rs=scripts/coccinelle/api/resource_size.cocci
cat > "$out/control/planted.c" <<'EOF'
#include <linux/ioport.h>

unsigned long planted(struct resource *r)
{
	return r->end - r->start + 1;
}
EOF
cocci "$rs" "$out/control.groups" > "$out/control/base" || true
cat >> "$out/control/planted.c" <<'EOF'

unsigned long planted_too(struct resource *r)
{
	return r->end - r->start + 1;
}
EOF
cocci "$rs" "$out/control.groups" > "$out/control/head" || true
cnew=$(new_reports "$out/control/base" "$out/control/head")
if [ "$(grep -c . "$out/control/base")" -eq 1 ] && [ "$(grep -c . <<< "$cnew")" -eq 1 ] &&
   [[ $cnew == *planted.c:* ]]; then
	ok "coccicheck's base comparison finds a second instance of a report"
else
	{ echo "base:"; cat "$out/control/base"; echo "head:"; cat "$out/control/head"; echo "new: $cnew"; } | diag
	not_ok "coccicheck's base comparison finds a second instance of a report"
fi

# report_file SMPL: where the reports of one semantic patch are kept, under
# $out/head and $out/base.
report_file() { local n=${1#scripts/coccinelle/}; echo "${n//\//_}"; }
groups "$out/head.groups"
ran=0 norun=() again=()
for c in "${coccis[@]}"; do
	name=${c#scripts/coccinelle/}
	f=$out/head/$(report_file "$c")
	if ! cocci "$c" "$out/head.groups" > "$f"; then
		norun+=("$name: $(grep -m1 -E 'OCaml|not supported|rror' "$out/spatch.log" | cut -c1-80)")
		continue
	fi
	ran=$((ran + 1))
	[ -s "$f" ] && again+=("$c")
done
# Only the semantic patches that report something at the series' head run
# again at the base.
new=""
if [ ${#again[@]} -gt 0 ]; then
	start=$(git -C "$CHECK_TREE" rev-parse HEAD)
	git -C "$CHECK_TREE" checkout -q base
	groups "$out/base.groups"
	for c in "${again[@]}"; do
		f=$(report_file "$c")
		cocci "$c" "$out/base.groups" > "$out/base/$f" || true
		new+=$(new_reports "$out/base/$f" "$out/head/$f")
	done
	git -C "$CHECK_TREE" checkout -q "$start"
fi
echo "$ran semantic patches ran on ${places[*]} ($(grep -c . "$out/head.groups") files); ${#again[@]} reported at the head and ran at the base too; ${#norun[@]} could not run here:" | diag
printf '%s\n' "${norun[@]}" | diag
if [ "$ran" -eq 0 ]; then
	not_ok "coccicheck: no new reports (no semantic patch ran)"
elif [ -n "$new" ]; then
	echo "$new" | diag
	not_ok "coccicheck: no new reports"
else
	ok "coccicheck: no new reports"
fi
