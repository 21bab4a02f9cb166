#!/usr/bin/env bash
# measure.sh: the measurements that are not tests (`make measure`).  Boots
# the rig kernel (KERNEL, default build/obj's) on topology vfio-cxl with
# tests/guest/measure-vfio-cxl.sh: the cost of a VFIO_DEVICE_RESET of the
# CXL device with the CXL layer against the same device with
# disable_cxl=1, and what opening a device that is not CXL (the NIC) costs
# with disable_cxl=0 against =1.  Prints the "measure:" lines of the guest,
# also kept in build/results/measure.txt, then the time of each suite of
# the last `make check` (build/results/times), if there is one.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
out=$top/build/results/measure
"$top/scripts/qemu-boot.sh" -q -t vfio-cxl -T "${BOOT_TIMEOUT:-900}" -o "$out" tests/guest/measure-vfio-cxl.sh >&2 ||
	die "the measurement boot failed (see $out/console.log)"
tr -d '\r' < "$out/console.log" | grep -a '^measure: ' | tee "$top/build/results/measure.txt"
if [ -s "$top/build/results/times" ]; then
	echo "seconds per suite of the last make check:"
	sed 's/^/  /' "$top/build/results/times"
fi
