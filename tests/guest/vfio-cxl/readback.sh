# Area "readback" of boot-vfio-cxl: vfio-pci binds the device anew (after
# the removal and rescan, or after an unbind) and vfio_cxl_test leaves a
# pattern in its memory; unbinding removes the region; the data is in the
# device: another driver of the same memory (samples/cxl's
# cxl_region_owner) reads it back.  Needs the CXL device not on vfio-pci
# (cxl_pci or no driver).
# shellcheck source=tests/guest/vfio-cxl/lib.sh
. "$RIG/tests/guest/vfio-cxl/lib.sh"

OWNERFS=/sys/kernel/debug/cxl_region_owner

# need_not_vfio: the device off vfio-pci, so that binding it is new.
need_not_vfio() {
	[ -e "$dev" ] || return 0
	[ "$(driver_of "$bdf")" = vfio-pci ] || return 0
	vfio_unbind "$bdf" && echo "$bdf unbound from vfio-pci"
}
rb_bind() {
	# after the removal hung there is no device to bind (rm_hung, remove.sh)
	[ -z "${rm_hung:-}" ] || { skip_test "the test or the removal hangs"; return; }
	vfio_bind "$bdf" || { echo 'vfio-pci did not bind'; dmesg | tail -n 20; return 1; }
	dmesg | grep -E 'vfio|cxl'
	provisioned || return 1
	tail_of 8 env VFIO_SELFTESTS_BDF="$bdf" VFIO_CXL_PATTERN="$PATTERN" "$V/vfio_cxl_test" -t mem_leave_pattern
}
rb_unbind() {
	vfio_unbind "$bdf" || return 1
	hdm "$bdf"; echo "regions: $(regions)"
	[ -z "$(regions)" ] && ! grep -q region /proc/iomem && [ "$(committed)" = 0 ]
}
# The host's view of the data: at DPA 0 and in the last MiB of the 512 MiB.
rb_owner() {
	local f=$OWNERFS/$bdf/mem rc=0
	echo cxl_region_owner > "$dev/driver_override" && echo "$bdf" > /sys/bus/pci/drivers_probe &&
	cat "$OWNERFS/$bdf/region" || rc=1
	if [ $rc = 0 ]; then
		dd if="$f" bs=$MiB skip=0 count=1 2>/dev/null | cmp - "$PATTERN" || rc=1
		dd if="$f" bs=$MiB skip=511 count=1 2>/dev/null | cmp - "$PATTERN" || rc=1
		echo "$bdf" > /sys/bus/pci/drivers/cxl_region_owner/unbind
	fi
	echo > "$dev/driver_override"
	return $rc
}

readback_tests() {
	step_add setup need_not_vfio
	step_add setup need_pattern
	step_add dmesg_clear
	test_add "vfio-pci binds the device again with a new region, and vfio_cxl_test leaves its pattern there" rb_bind
	test_add "unbinding vfio-pci removes the region, frees its HPA and uncommits the decoders" rb_unbind
	test_add "the data written through the VFIO mapping is in the device: cxl_region_owner reads it at DPA 0 and at the end" rb_owner
}
area_main readback_tests
