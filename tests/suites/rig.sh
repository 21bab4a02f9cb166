#!/usr/bin/env bash
# The rig can fail: a kernel splat, a hung guest and a failing guest script
# must each fail the boot with the documented status (scripts/boot.sh); and
# the no-IOMMU variant of the rig (-n) boots and gives vfio a noiommu group.
. "$TOP/tests/suites/lib.sh"
ktap_begin 4
boot() {
	KERNEL=$CHECK/obj/arch/x86/boot/bzImage TOOLS=${CHECK#$TOP/}/tools "$TOP/scripts/boot.sh" -q \
		-o "$RESULTS/rig-$1" "${@:2}" tests/guest/selftest.sh "$1" > "$RESULTS/rig-$1.log" 2>&1
}
expect() {
	local what=$1 want=$2 rc
	shift 2
	boot "$@"; rc=$?
	tail -n 3 "$RESULTS/rig-$1.log" | diag
	if [ $rc -eq "$want" ]; then ok "$what (exit $rc)"; else not_ok "$what (exit $rc, want $want)"; fi
}
expect "a WARNING on the guest console fails the boot" 125 splat -T 120
expect "a guest that hangs is stopped at the timeout" 124 hang -T 20
expect "a failing guest script fails the boot" 3 fail -T 120
expect "without an IOMMU, vfio opens the CXL device through a noiommu group" 0 noiommu -n -T 120
