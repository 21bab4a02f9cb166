#!/usr/bin/env bash
# sparse (C=2) over the series' subsystems and the directories of every C
# file the series touches: no warning that the base does not have.
. "$TOP/tests/suites/lib.sh"
obj=$CHECK/obj-bisect
ktap_begin 1
if ! sp=$("$TOP/scripts/get-sparse.sh" "$CHECK_TREE" 2>"$CHECK/sparse-tool.err"); then
	ok "sparse: no new warnings" "SKIP missing: a sparse that can check v7.3: $(tail -n1 "$CHECK/sparse-tool.err")"
	exit 0
fi
mapfile -t dirs < <({ printf '%s\n' drivers/cxl/ drivers/vfio/pci/;
	touched_files | grep '\.c$' | grep -v '^tools/' | sed 's|/[^/]*$|/|'; } | sort -u)
# The rig's configuration is applied anew to each tree: olddefconfig on the
# base drops the symbols the series adds (CONFIG_VFIO_CXL_CORE, say), and
# their code would go unchecked in the series' run.
run() {
	git -C "$CHECK_TREE" checkout -q "$1" &&
	cp "$CHECK/obj/.config" "$obj/.config" &&
	make -s -C "$CHECK_TREE" O="$obj" olddefconfig >/dev/null 2>&1 &&
	make -C "$CHECK_TREE" O="$obj" CC="$KCC" -j"$JOBS" C=2 CHECK="$sp" "${dirs[@]}" > "$2" 2>&1
}
start=$(git -C "$CHECK_TREE" rev-parse HEAD)
mkdir -p "$obj"
run base "$CHECK/sparse-base.log"
run "$start" "$CHECK/sparse-head.log"
rc=$?
git -C "$CHECK_TREE" checkout -q "$start"
new=$(comm -13 <(warnings_of "$CHECK/sparse-base.log") <(warnings_of "$CHECK/sparse-head.log"))
files=$(grep -c '^  CHECK ' "$CHECK/sparse-head.log")
echo "checked ${files} files in ${dirs[*]} with $("$sp" --version)" | diag
unchecked=$(touched_files | grep '\.c$' | grep -v '^tools/' |
	while read -r f; do grep -q "^  CHECK   $f\$" "$CHECK/sparse-head.log" || printf "%s " "$f"; done)
[ -z "$unchecked" ] || echo "touched but not built in this configuration: $unchecked" | diag
if [ $rc -ne 0 ] || [ "$files" -eq 0 ]; then
	tail -n 20 "$CHECK/sparse-head.log" | diag
	not_ok "sparse: no new warnings"
elif [ -n "$new" ]; then
	echo "$new" | diag
	not_ok "sparse: no new warnings"
else
	ok "sparse: no new warnings ($(warnings_of "$CHECK/sparse-base.log" | wc -l) in the base)"
fi
