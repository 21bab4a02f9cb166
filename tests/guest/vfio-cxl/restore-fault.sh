# Area "restore-fault" of boot-vfio-cxl: a reset whose restore fails.  Every
# commit of an HDM decoder in a restore fails (-ETIMEDOUT, without touching
# the device), as if the device never committed: the reset fails with EIO
# and the memory is withheld until vfio-pci binds the device again.  Needs
# the CXL device on vfio-pci with its region.
# shellcheck source=tests/guest/vfio-cxl/lib.sh
. "$RIG/tests/guest/vfio-cxl/lib.sh"

FAILFN=/sys/kernel/debug/fail_function

# fail_function's retval is unsigned: -110 is written as its 64-bit two's
# complement.
rf_inject() {
	[ -d $FAILFN ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	echo cxl_hdm_commit > $FAILFN/inject &&
	printf '%#x\n' $((-110)) > $FAILFN/cxl_hdm_commit/retval &&
	echo 100 > $FAILFN/probability && echo -1 > $FAILFN/times &&
	echo 1 > $FAILFN/interval && echo 0 > $FAILFN/verbose &&
	echo "inject: $(cat $FAILFN/inject); retval $(cat $FAILFN/cxl_hdm_commit/retval)"
}
rf_reset_fault() {
	tail_of 30 env VFIO_SELFTESTS_BDF="$bdf" VFIO_CXL_FAULT=restore "$V/vfio_cxl_test" -t reset_fault
}
rf_nothing_committed() {
	local hw c
	hw=$(hdm "$bdf") || return 1
	echo "$hw"
	! echo "$hw" | grep -q 'committed=1' || return 1
	for c in $(echo "$hw" | sed -n 's/^decoder.* ctrl=\(0x[0-9a-f]*\) .*/\1/p'); do
		[ $((c & 0x200)) = 0 ] || { echo "a decoder has Commit set: ctrl=$c"; return 1; }
	done
}
rf_kernel_says() {
	dmesg | grep -E 'not restored|not committed|decoder[0-9.]*:'
	dmesg_has "vfio-pci $bdf: CXL state not restored after reset"
}
rf_rebind() {
	[ -z "$(cat $FAILFN/inject)" ] || { echo 'fail_function still injects:'; cat $FAILFN/inject; return 1; }
	vfio_unbind "$bdf" && vfio_bind "$bdf" || { echo 'vfio-pci did not bind again'; dmesg; return 1; }
	dmesg | grep -E 'vfio|cxl'
	echo "regions: $(regions)"
	provisioned && [ -n "$(regions)" ]
}
rf_reset() {
	tail_of 12 env VFIO_SELFTESTS_BDF="$bdf" "$V/vfio_cxl_test" -t reset
}

restore_fault_tests() {
	step_add setup need_vfio_cxl
	test_add "fail_function fails every HDM decoder commit of a restore (cxl_hdm_commit, -ETIMEDOUT)" rf_inject
	step_add dmesg_clear
	test_add "vfio_cxl_test reset_fault: the reset fails with EIO and the memory is gone, the registers stay" rf_reset_fault
	test_add "after the failed restore no HDM decoder of the device is committed or left committing" rf_nothing_committed
	test_add "the kernel says the CXL state was not restored" rf_kernel_says
	step_add no_fail_injection
	step_add dmesg_clear
	test_add "with the injection removed vfio-pci binds the device again, with a fresh region" rf_rebind
	test_add "vfio_cxl_test reset passes on the device bound again" rf_reset
}
area_main restore_fault_tests
