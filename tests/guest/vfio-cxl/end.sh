# Area "end" of boot-vfio-cxl: vfio-pci lets go of the CXL device, cxl_pci
# takes it back, and nothing of vfio-pci's CXL setup is left: no committed
# decoder, no region.  Needs the device on vfio-pci.
# shellcheck source=tests/guest/vfio-cxl/lib.sh
. "$RIG/tests/guest/vfio-cxl/lib.sh"

need_vfio() { [ "$(driver_of "$bdf")" = vfio-pci ] || need_vfio_cxl; }
end_cxl_pci() {
	vfio_unbind "$bdf"; echo 0 > $PARAMS/disable_cxl
	echo "$bdf" > /sys/bus/pci/drivers/cxl_pci/bind &&
	wait_for 10 memdev_of "$bdf" && ls -d "$dev"/mem*
}
end_decodes_nothing() {
	local hw
	hw=$(hdm "$bdf"); echo "$hw"
	! echo "$hw" | grep -q 'committed=1'
}
end_no_region() { ! ls -d "$CXLSYS"/region* 2>/dev/null; }

end_tests() {
	step_add setup need_vfio
	test_add "vfio-pci lets go and cxl_pci takes the device back" end_cxl_pci
	test_add "the device decodes nothing after vfio-pci left" end_decodes_nothing
	test_add "no region is left" end_no_region
}
area_main end_tests
