#!/usr/bin/env bash
# boot-topology.sh TOPOLOGY [GUEST_SCRIPT]: boot the rig kernel on a
# topology and run the guest suite (tests/guest/TOPOLOGY.sh by default);
# its KTAP comes back over the second serial port.  A last test says
# whether the boot itself was clean: it completed within its timeout and
# the kernel printed no splat.  KERNEL (default: the check's rig kernel) and
# RESULT_NAME (default: boot-TOPOLOGY) let the heavy and kasan suites reuse it.
. "$TOP/tests/suites/lib.sh"
topo=$1
script=${2:-tests/guest/$topo.sh}
out=$RESULTS/${RESULT_NAME:-boot-$topo}
mkdir -p "$out"
KERNEL=${KERNEL:-$CHECK/obj/arch/x86/boot/bzImage} TOOLS=${CHECK#"$TOP"/}/tools \
	"$TOP/scripts/qemu-boot.sh" -q -t "$topo" -T "${BOOT_TIMEOUT:-600}" -o "$out" "$script" > "$out.boot.log" 2>&1
rc=$?
plan=$(guest_plan "$out/ktap.log")
ktap_begin $((plan + 1))
guest_results "$out/ktap.log"
diag < "$out.boot.log"
boot_verdict $rc "$out" "$plan" "boot $topo"
