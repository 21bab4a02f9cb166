# Area "nic" of boot-vfio-cxl: a PCI device that is not CXL (the igb NIC,
# no driver in the rig kernel) is a plain vfio-pci device as before, with
# the upstream selftests.  Without a NIC every test is skipped.
# shellcheck source=tests/guest/vfio-cxl/lib.sh
. "$RIG/tests/guest/vfio-cxl/lib.sh"

# The upstream selftests run on the NIC, in order; spaces or commas between
# names (NIC_SELFTESTS=a,b on the kernel command line).  Each finishes in
# under 20 s under TCG on an idle host (vfio_pci_device_test 2.6 s,
# vfio_iommufd_setup_test 2.1 s, vfio_dma_mapping_test 13.8 s); the driver
# test needs a 1 GiB buffer the 1 GiB guest cannot give and is skipped with
# that reason.  A stall once reported in vfio_dma_mapping_test here was not
# reproduced; the one the rig's hang report caught in this area (at the
# exit of a selftest on the NIC) was the lost IPI of scripts/qemu-boot.sh.
NIC_SELFTESTS=${NIC_SELFTESTS:-vfio_pci_device_test vfio_iommufd_setup_test vfio_dma_mapping_test vfio_pci_driver_test}
NIC_NONE="no igb NIC in the topology"

nic_bind() {
	[ -n "$nic" ] || { skip_test "$NIC_NONE"; return; }
	dmesg -c > /dev/null
	vfio_bind "$nic" && ! dmesg | grep -i cxl
}
nic_plain() {
	[ -n "$nic" ] || { skip_test "$NIC_NONE"; return; }
	tail_of 12 env VFIO_SELFTESTS_BDF="$nic" VFIO_CXL_EXPECT=plain "$V/vfio_cxl_test" -t plain_device
}
nic_selftest() {
	[ -n "$nic" ] || { skip_test "$NIC_NONE"; return; }
	selftest "$1" "$nic"
}
nic_unbind() { [ -z "$nic" ] || vfio_unbind "$nic" > /dev/null 2>&1; }

nic_tests() {
	local t
	test_add "vfio-pci binds the NIC (${nic:-none}), with nothing of CXL in the log" nic_bind
	test_add "vfio_cxl_test sees a plain device: no CXL flag, no capability, 9 regions" nic_plain
	for t in ${NIC_SELFTESTS//,/ }; do
		test_add "$t passes on ${nic:-the NIC}" nic_selftest "$t"
	done
	step_add nic_unbind
}
area_main nic_tests
