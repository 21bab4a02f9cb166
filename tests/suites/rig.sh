#!/usr/bin/env bash
# The rig can fail, and says how: a kernel splat (exit 125), a hung guest
# (124, with the running test and the guest's task stacks collected), a
# failing guest script (its status) and a guest that stops without
# finishing (126) each fail their boot as scripts/qemu-boot.sh documents;
# and the no-IOMMU variant of the rig (-n) boots and gives vfio a noiommu
# group.
. "$TOP/tests/suites/lib.sh"
ktap_begin 6
boot() {
	KERNEL=$CHECK/obj/arch/x86/boot/bzImage TOOLS=${CHECK#"$TOP"/}/tools "$TOP/scripts/qemu-boot.sh" -q \
		-o "$RESULTS/rig-$1" "${@:2}" tests/guest/selftest.sh "$1" > "$RESULTS/rig-$1.log" 2>&1
}
expect() {
	local what=$1 want=$2 rc
	shift 2
	boot "$@"; rc=$?
	tail -n 3 "$RESULTS/rig-$1.log" | diag
	if [ $rc -eq "$want" ]; then ok "$what (exit $rc)"; else not_ok "$what (exit $rc, want $want)"; fi
}
expect "a WARNING on the guest console fails the boot as a splat" 125 splat -T 120
expect "a guest that hangs is stopped at the timeout" 124 hang -T 45
# The report of the hang: the test that was running, and the stack of the
# task that hangs (sysrq t through the QEMU monitor and the PS/2 keyboard).
hang_report() {
	local r=$RESULTS/rig-hang/hang.txt
	[ -f "$r" ] || { echo "no $r"; return 1; }
	sed -n '1,2p' "$r"
	grep -q '^running: rig: running test 1: rig self-test: a test that hangs' "$r" ||
		{ echo "the report does not name the running test"; return 1; }
	local st
	st=$(grep -a -A12 -E 'task:sleep ' "$r")
	head -n 14 <<< "$st"
	grep -q -E 'nanosleep' <<< "$st" ||
		{ echo "no stack of the sleeping task in the report"; return 1; }
	grep -q -E '^RAX=|^RIP=' "$r" || { echo "no vCPU registers in the report"; return 1; }
}
if out=$(hang_report 2>&1); then echo "$out" | diag; ok "the hang report names the running test and has the guest's task stacks and registers"
else echo "$out" | diag; not_ok "the hang report names the running test and has the guest's task stacks and registers"; fi
expect "a failing guest script fails the boot with its status" 3 fail -T 120
expect "a guest that stops before its end is told from a splat and a timeout" 126 vanish -T 120
expect "without an IOMMU, vfio opens the CXL device through a noiommu group" 0 noiommu -n -T 120
