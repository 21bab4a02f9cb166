#!/usr/bin/env bash
# Opt-in (check.sh kasan): the rig kernel built with KASAN
# (config/rig.config + config/kasan.config, in build/check/obj-kasan), and
# every boot suite on it.  A KASAN report is a splat (scripts/splat.ere), so
# it fails the boot that printed it.
. "$TOP/tests/suites/lib.sh"
obj=$CHECK/obj-kasan
log=$CHECK/kasan-build.log
topos="single owner vfio-cxl switch interleave"
if OBJ=$obj TREE=$CHECK_TREE "$TOP/scripts/build.sh" "$TOP/config/rig.config" "$TOP/config/kasan.config" > "$log" 2>&1; then
	built=1
else
	built=0
fi
parts=()
for t in $topos; do
	[ $built = 1 ] || break
	KERNEL=$obj/arch/x86/boot/bzImage RESULT_NAME=kasan-$t BOOT_TIMEOUT=${BOOT_TIMEOUT:-1800} \
		bash "$TOP/tests/suites/boot-topology.sh" "$t" > "$CHECK/kasan-$t.ktap"
	parts+=("$t")
done
total=1
for t in "${parts[@]}"; do total=$((total + $(grep -m1 -E '^1\.\.' "$CHECK/kasan-$t.ktap" | cut -c4-))); done
ktap_begin $total
if [ $built = 1 ]; then ok "the rig kernel builds with KASAN"
else tail -n 20 "$log" | diag; not_ok "the rig kernel builds with KASAN"; fi
for t in "${parts[@]}"; do
	grep -a -E '^(ok|not ok) ' "$CHECK/kasan-$t.ktap" | while IFS= read -r l; do
		_n=$((_n + 1)); echo "$l" | sed -E "s/^(ok|not ok) [0-9]+ /\1 $_n kasan $t: /"
	done
	_n=$((_n + $(grep -a -c -E '^(ok|not ok) ' "$CHECK/kasan-$t.ktap")))
done
