#!/usr/bin/env bash
# A second configuration, as the 0-day bot builds it: 32-bit x86 (ARCH=i386,
# config/i386.config, CXL and the vfio-pci CXL layer as modules, SFC with
# its CXL part).  There phys_addr_t, resource_size_t and size_t are 32 bits,
# so a 64-bit division without div_u64(), a shift past 32 bits or a printk
# format that assumes 64 bits breaks the build or warns.  Debian's gcc
# builds it with -m32 and needs nothing more.  The base and then the series
# build the touched code (W=1): the series' subsystems whole, any other
# touched C file alone; no error, and no warning the base does not have.
. "$TOP/tests/suites/lib.sh"
obj=$CHECK/obj-i386
frag=$TOP/config/i386.config
SUBSYS="drivers/cxl/ drivers/vfio/pci/"
ktap_begin 3

mkdir -p "$obj"
# targets: the subsystem directories and the object of every other touched
# C file, at the commit checked out.
targets() {
	printf '%s\n' $SUBSYS
	touched_files | grep '\.c$' | grep -v -E '^(tools|samples|Documentation)/' |
		grep -v -E "^(${SUBSYS// /|})" | sed 's/\.c$/.o/'
	echo samples/cxl/
}
mapfile -t tgts < <(targets | sort -u)
kbuild() {
	local have=() t
	git -C "$CHECK_TREE" checkout -q "$1" || return 1
	make -s -C "$CHECK_TREE" O="$obj" ARCH=i386 KCONFIG_ALLCONFIG="$frag" allnoconfig > "$2" 2>&1 || return 1
	for t in "${tgts[@]}"; do
		case $t in */) [ -d "$CHECK_TREE/$t" ] && have+=("$t") ;; *) [ -f "$CHECK_TREE/${t%.o}.c" ] && have+=("$t") ;; esac
	done
	make -C "$CHECK_TREE" O="$obj" ARCH=i386 CC="$KCC" -j"$JOBS" W=1 "${have[@]}" >> "$2" 2>&1
}
start=$(git -C "$CHECK_TREE" rev-parse HEAD)
kbuild base "$CHECK/i386-base.log"; brc=$?
kbuild "$start" "$CHECK/i386-series.log"; src=$?
git -C "$CHECK_TREE" checkout -q "$start"

bad=$(grep -E '^CONFIG_' "$frag" | while IFS= read -r want; do
	grep -qx "$want" "$obj/.config" || echo "wanted $want, got: $(grep -E "^(# )?${want%%=*}[= ]" "$obj/.config" || echo unset)"
done)
if [ -z "$bad" ]; then ok "i386: the configuration takes every symbol of config/i386.config"
else echo "$bad" | diag; not_ok "i386: the configuration takes every symbol of config/i386.config"; fi

echo "targets: ${tgts[*]}" | diag
echo "compiled: $(grep -c '^  CC ' "$CHECK/i386-series.log") files for the series, $(grep -c '^  CC ' "$CHECK/i386-base.log") for the base" | diag
if [ $src -eq 0 ]; then
	ok "i386: the series builds the touched code"
else
	grep -a -E 'error|Error' "$CHECK/i386-series.log" | head -n 20 | diag
	not_ok "i386: the series builds the touched code"
fi
[ $brc -eq 0 ] || echo "the base did not build: $(grep -a -m3 -E 'error' "$CHECK/i386-base.log")" | diag
new=$(comm -13 <(warnings_of "$CHECK/i386-base.log") <(warnings_of "$CHECK/i386-series.log"))
if [ -z "$new" ] && [ $src -eq 0 ]; then
	ok "i386: no W=1 warning the base does not have ($(warnings_of "$CHECK/i386-base.log" | wc -l) in the base)"
else
	echo "$new" | head -n 30 | diag
	not_ok "i386: no W=1 warning the base does not have"
fi
