# Measurements on topology vfio-cxl, not tests: lines "measure: ..." on the
# console, no KTAP.  Boot it with
#   scripts/qemu-boot.sh -t vfio-cxl tests/guest/measure-vfio-cxl.sh
# (BOOT_APPEND=RESETS=1000 for more resets than the default 100).
#   - the cost of a reset with the CXL layer: vfio_cxl_test's reset_timing,
#     RESETS resets of the CXL device on vfio-pci with its region (another
#     thread faulting the mapping in), then as many with disable_cxl=1 (a
#     plain device), and us per reset with the layer over without;
#   - the cost of CXL awareness for a device without CXL: binding the igb
#     NIC to vfio-pci and vfio_pci_device_init_perf_test on it, with
#     disable_cxl=0 and =1.
# Exit status 1 when a measurement could not be taken.
# shellcheck source=tests/guest/vfio-cxl/lib.sh
. "$RIG/tests/guest/vfio-cxl/lib.sh"
measure() { local l; while IFS= read -r l; do printf 'measure: %s\n' "$l"; done <<< "$*"; }
# measure_of CMD...: CMD's output as measure lines; CMD's status.
measure_of() {
	local out rc
	out=$("$@" 2>&1); rc=$?
	measure "$out"
	return $rc
}
rc=0

# reset_timing MODE [ENV...]: one reset_timing run of the CXL device, its
# output in /tmp/measure-MODE.out; prints its reset_timing line, or what
# went wrong.
reset_timing() {
	local m=$1 f=/tmp/measure-$1.out
	shift
	env VFIO_SELFTESTS_BDF="$bdf" VFIO_CXL_RESETS="$RESETS" "$@" "$V/vfio_cxl_test" -t reset_timing > "$f" 2>&1 ||
		{ echo "reset_timing $m failed:"; grep -v -E '^#  RUN' "$f" | tail -n 10; return 1; }
	grep "^reset_timing: $m: " "$f"
}
# us_per_reset MODE: from that run's line.
us_per_reset() { sed -n "s/^reset_timing: $1: .*, \([0-9.]*\) us per reset, .*/\1/p" "/tmp/measure-$1.out"; }

# ---- The cost of a reset with the CXL layer ----
if out=$(need_vfio_cxl 2>&1); then
	[ -n "$out" ] && echo "$out"
	measure_of reset_timing cxl || rc=1
	if vfio_unbind "$bdf" && echo 1 > $PARAMS/disable_cxl && vfio_bind "$bdf"; then
		measure_of reset_timing plain VFIO_CXL_EXPECT=plain || rc=1
	else
		measure "vfio-pci did not bind $bdf with disable_cxl=1"; rc=1
	fi
	vfio_unbind "$bdf"; echo 0 > $PARAMS/disable_cxl
	c=$(us_per_reset cxl) p=$(us_per_reset plain)
	if [ -n "$c" ] && [ -n "$p" ]; then
		measure_of awk -v c="$c" -v p="$p" 'BEGIN { if (p <= 0) exit 1
			printf "us per reset with the CXL layer / without: %d / %d = %.2f\n", c, p, c / p }' || rc=1
	else
		measure "a reset_timing line is missing (cxl: ${c:-none}, plain: ${p:-none})"; rc=1
	fi
else
	measure "the CXL device ${bdf:-?} is not on vfio-pci with a region: $out"; rc=1
fi

# ---- The cost of CXL awareness for a device without CXL: bind and open ----
# perf DISABLE_CXL: the best of 5 binds of the NIC, and the best of 3 runs
# of vfio_pci_device_init_perf_test's average per IOMMU mode.
perf() {
	local i s e best_bind="" out avg
	echo "$1" > $PARAMS/disable_cxl || return 1
	for i in 1 2 3 4 5; do
		vfio_unbind "$nic" || return 1
		s=$(date +%s%N); vfio_bind "$nic" || return 1; e=$(date +%s%N)
		[ -z "$best_bind" ] || [ $((e - s)) -lt "$best_bind" ] && best_bind=$((e - s))
	done
	out=$(for i in 1 2 3; do env VFIO_SELFTESTS_BDF="$nic" "$V/vfio_pci_device_init_perf_test" 2>&1; done)
	echo "$out" | grep -q '^not ok' && { echo "$out" | grep -E 'not ok|Assert'; return 1; }
	avg=$(echo "$out" | awk '/RUN/ { split($3, a, "."); m = a[2] } /Avg init time/ { t = $NF; sub(/s$/, "", t); if (!(m in best) || t < best[m]) best[m] = t }
		END { for (m in best) printf "%s=%dus ", m, best[m] * 1e6 }')
	echo "disable_cxl=$1: NIC bind (best of 5) $((best_bind / 1000))us; vfio_pci_device_init avg (best of 3 runs) $avg"
}
if [ -n "$nic" ] && vfio_bind "$nic"; then
	measure_of perf 0 || rc=1
	measure_of perf 1 || rc=1
	echo 0 > $PARAMS/disable_cxl
	vfio_unbind "$nic"
else
	measure "no igb NIC on vfio-pci (${nic:-none in the topology})"; rc=1
fi
exit $rc
