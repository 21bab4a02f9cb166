#!/usr/bin/env bash
# sparse (C=2) over the series' subsystems and the directories of every C
# file the series touches: no warning that the base does not have.
. "$TOP/tests/suites/lib.sh"
obj=$CHECK/obj-bisect
ktap_begin 1
command -v sparse >/dev/null || { ok "sparse" "SKIP sparse is not installed"; exit 0; }
mapfile -t dirs < <({ printf '%s\n' drivers/cxl/ drivers/vfio/pci/;
	touched_files | grep '\.c$' | grep -v '^tools/' | sed 's|/[^/]*$|/|'; } | sort -u)
run() {
	git -C "$CHECK_TREE" checkout -q "$1" &&
	make -s -C "$CHECK_TREE" O="$obj" CC="ccache gcc" -j"$(nproc)" C=2 "${dirs[@]}" > "$2" 2>&1
}
start=$(git -C "$CHECK_TREE" rev-parse HEAD)
mkdir -p "$obj"
cp "$CHECK/obj/.config" "$obj/.config"
make -s -C "$CHECK_TREE" O="$obj" olddefconfig >/dev/null 2>&1
run base "$CHECK/sparse-base.log"
run "$start" "$CHECK/sparse-head.log"
rc=$?
git -C "$CHECK_TREE" checkout -q "$start"
new=$(comm -13 <(warnings_of "$CHECK/sparse-base.log") <(warnings_of "$CHECK/sparse-head.log"))
echo "checked: ${dirs[*]} ($(grep -c 'CHECK' "$CHECK/sparse-head.log" || true) files reported by kbuild)" | diag
if [ $rc -ne 0 ]; then
	tail -n 20 "$CHECK/sparse-head.log" | diag
	not_ok "sparse: no new warnings"
elif [ -n "$new" ]; then
	echo "$new" | diag
	not_ok "sparse: no new warnings"
else
	ok "sparse: no new warnings ($(warnings_of "$CHECK/sparse-base.log" | wc -l) in the base)"
fi
