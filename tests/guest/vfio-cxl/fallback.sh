# Area "fallback" of boot-vfio-cxl: the CXL setup fails and the device stays
# a PCI device.  With the CXL window full the device is a working plain
# vfio-pci device and the log says so once, unless cxl_required=1, which
# refuses it and leaves nothing behind; disable_cxl=1 skips CXL altogether,
# and the plain device's resets (reset_timing, RESETS of them) work.  Needs
# the CXL device off vfio-pci with no region; leaves it on vfio-pci with
# disable_cxl=1.
# shellcheck source=tests/guest/vfio-cxl/lib.sh
. "$RIG/tests/guest/vfio-cxl/lib.sh"

need_fallback() {
	if [ "$(driver_of "$bdf")" = vfio-pci ]; then
		vfio_unbind "$bdf" || return 1
		echo "$bdf unbound from vfio-pci"
	fi
	echo 0 > $PARAMS/disable_cxl; echo 0 > $PARAMS/cxl_required
	[ -z "$(regions)" ] || { echo "regions left: $(regions)"; return 1; }
}
# fb_filler: the name the placeholder region gets, for the tests after.
fb_filler() { filler=$(cat "$CXLSYS/decoder0.0/create_ram_region"); }
fb_placeholder() {
	echo "$filler" > $CXLSYS/decoder0.0/create_ram_region &&
	cat $CXLSYS/decoder0.0/interleave_granularity > "$CXLSYS/$filler/interleave_granularity" &&
	echo 1 > "$CXLSYS/$filler/interleave_ways" && echo $((3840 * MiB)) > "$CXLSYS/$filler/size"
}
fb_no_room() {
	local n
	vfio_bind "$bdf" || { echo 'vfio-pci did not bind'; dmesg | tail -n 20; return 1; }
	dmesg | grep -E 'vfio|cxl|CXL'
	n=$(dmesg | grep -c "vfio-pci $bdf: CXL setup failed: .*continuing as a PCI device")
	echo "'CXL setup failed' lines: $n; regions: $(regions); committed decoders: $(committed)"
	[ "$n" = 1 ] && [ "$(regions)" = "$filler " ] && [ "$(committed)" = 0 ]
}
fb_plain() {
	tail_of 12 env VFIO_SELFTESTS_BDF="$bdf" VFIO_CXL_EXPECT=plain "$V/vfio_cxl_test" -t plain_device
}
fb_required() {
	local rc=0
	[ -z "$(driver_of "$bdf")" ] || vfio_unbind "$bdf" || return 1
	echo 1 > $PARAMS/cxl_required || return 1
	dmesg -c > /dev/null
	vfio_bind "$bdf" && { echo 'vfio-pci bound'; vfio_unbind "$bdf"; rc=1; }
	echo 0 > $PARAMS/cxl_required; echo > "$dev/driver_override"
	dmesg | grep -E 'vfio|cxl|CXL'
	echo "driver: $(driver_of "$bdf"); regions: $(regions); committed decoders: $(committed)"
	[ -z "$(driver_of "$bdf")" ] && dmesg_has "vfio-pci $bdf: CXL setup failed: .*refusing the device (cxl_required)" &&
	[ "$(regions)" = "$filler " ] && [ "$(committed)" = 0 ] && [ $rc = 0 ]
}
fb_delete() {
	echo "$filler" > $CXLSYS/decoder0.0/delete_region && ! [ -e "$CXLSYS/$filler" ]
}
fb_disabled() {
	echo 1 > $PARAMS/disable_cxl && vfio_bind "$bdf" || return 1
	dmesg | grep -E 'vfio|cxl|CXL'
	echo "regions: $(regions); committed decoders: $(committed)"
	dmesg_has "vfio-pci $bdf: CXL disabled by the disable_cxl parameter" &&
	! dmesg_has 'CXL setup failed' && [ -z "$(regions)" ] && [ "$(committed)" = 0 ]
}
fb_reset_timing() {
	tail_of 10 env VFIO_SELFTESTS_BDF="$bdf" VFIO_CXL_EXPECT=plain VFIO_CXL_RESETS="$RESETS" \
		"$V/vfio_cxl_test" -t reset_timing
}

fallback_tests() {
	step_add setup need_fallback
	step_add fb_filler
	test_add "a placeholder region takes 3840 MiB of the 4 GiB window" fb_placeholder
	step_add dmesg_clear
	test_add "with no room in the window vfio-pci binds the device as a plain PCI device and says so once" fb_no_room
	test_add "vfio_cxl_test sees the fallback device as a plain device" fb_plain
	test_add "vfio_pci_device_test passes on $bdf" selftest vfio_pci_device_test "$bdf"
	test_add "with cxl_required=1 vfio-pci refuses the device and leaves nothing behind" fb_required
	test_add "deleting the placeholder frees the window" fb_delete
	step_add dmesg_clear
	test_add "with disable_cxl=1 vfio-pci binds the CXL device as a plain PCI device without a region" fb_disabled
	test_add "vfio_cxl_test sees a plain device with disable_cxl=1" fb_plain
	test_add "vfio_pci_device_test passes on $bdf" selftest vfio_pci_device_test "$bdf"
	test_add "vfio_cxl_test reset_timing without the CXL layer (disable_cxl=1), $RESETS resets" fb_reset_timing
}
area_main fallback_tests
