# Guest suite for topology 1: one cxl-type3 with volatile memory on a root
# port.  Enumeration, the DVSECs, VFIO on the device, a region with data,
# and what a cxl_bus reset does to the decoders and the data.
. "$RIG/tests/guest/lib.sh"
ktap_begin boot-single 13
MiB=$((1 << 20))

bdf=$(cxl_pci_devices | head -n1)
check "one CXL memory device (class 0x050210) is enumerated" test -n "$bdf"
check "cxl_pci binds it and makes a memdev" \
	sh -c "[ \"\$(basename \$(readlink /sys/bus/pci/devices/$bdf/driver))\" = cxl_pci ] && ls -d /sys/bus/pci/devices/$bdf/mem*"
mem=$(memdev_of "$bdf")

# lspci decodes the CXL Device DVSEC (id 0) and the Register Locator (id 8).
lsp=$(lspci -vvv -s "$bdf")
check "lspci shows the CXL Device and Register Locator DVSECs" sh -c '
	echo "$1" | grep -E "Vendor=1e98 ID=000[08]"
	echo "$1" | grep -q "Vendor=1e98 ID=0000" && echo "$1" | grep -q "Vendor=1e98 ID=0008"' _ "$lsp"
check "its only reset method is cxl_bus" \
	sh -c "cat /sys/bus/pci/devices/$bdf/reset_method; [ \"\$(cat /sys/bus/pci/devices/$bdf/reset_method)\" = cxl_bus ]"
hdm0=$(hdm "$bdf")
check "the hardware has HDM decoders and none is committed at boot" \
	sh -c 'echo "$1"; echo "$1" | grep -q "^decoder0 " && ! echo "$1" | grep -q "committed=1"' _ "$hdm0"

# VFIO: the base has no CXL awareness; the device must still work as PCI.
vfio_bind() {
	echo "$bdf" > "/sys/bus/pci/devices/$bdf/driver/unbind" &&
	echo vfio-pci > "/sys/bus/pci/devices/$bdf/driver_override" &&
	echo "$bdf" > /sys/bus/pci/drivers/vfio-pci/bind &&
	readlink "/sys/bus/pci/devices/$bdf/driver"
}
cxl_rebind() {
	echo "$bdf" > "/sys/bus/pci/devices/$bdf/driver/unbind" &&
	echo > "/sys/bus/pci/devices/$bdf/driver_override" &&
	echo "$bdf" > /sys/bus/pci/drivers/cxl_pci/bind &&
	sleep 1 && memdev_of "$bdf"
}
if check "vfio-pci binds the device in place of cxl_pci" vfio_bind; then
	check "VFIO reports a resettable PCI device and resets it" sh -c "
		$TOOLS/vfio-info $bdf reset > /tmp/vi && cat /tmp/vi &&
		grep -q '^flags.* PCI' /tmp/vi && grep -q '^flags.* RESET' /tmp/vi &&
		grep -q '^region 0 ' /tmp/vi && grep -q 'VFIO_DEVICE_RESET: done' /tmp/vi"
	check "the vfio selftest vfio_pci_device_test passes on the device" \
		env VFIO_SELFTESTS_BDF="$bdf" "$TOOLS/vfio/vfio_pci_device_test"
	check "cxl_pci binds again after vfio-pci and the memdev returns" cxl_rebind
else
	skip "VFIO reports a resettable PCI device and resets it" "vfio-pci did not bind"
	skip "the vfio selftest vfio_pci_device_test passes on the device" "vfio-pci did not bind"
	skip "cxl_pci binds again after vfio-pci and the memdev returns" "vfio-pci did not bind"
fi
mem=$(memdev_of "$bdf")

# A region made the way an administrator makes one, and data in it.
region=$(create_ram_region $((256 * MiB)) "$mem" 2>/tmp/err); cat /tmp/err
hdm1=$(hdm "$bdf")
res=$(cat "$CXLSYS/$region/resource" 2>/dev/null)
check "a committed RAM region programs and commits HDM decoder 0" sh -c '
	echo "$1"; printf "region %s resource %s\n" "$2" "$3"
	echo "$1" | grep -q "^decoder0 base=$(printf 0x%x "$3") size=0x10000000 skip=0x0 .* committed=1"' \
	_ "$hdm1" "$region" "${res:-0}"
dax=$(dax_of "$region")
check "a pattern written through /dev/${dax:-dax?} reads back" sh -c "
	$TOOLS/memcheck write /dev/$dax $((64 * MiB)) 42 && $TOOLS/memcheck verify /dev/$dax $((64 * MiB)) 42"

# The base's known gap: the cxl_bus reset (a secondary bus reset) wipes the
# decoders, cxl_reset_done() only warns and taints, and the data is gone from
# the region's addresses.  The save/restore issue turns this into a pass.
taint0=$(tainted)
echo 1 > "/sys/bus/pci/devices/$bdf/reset"
hdm2=$(hdm "$bdf")
restored() {
	echo "before reset:"; echo "$hdm1"; echo "after reset:"; echo "$hdm2"
	echo "taint before $taint0 after $(tainted)"
	local rc=0
	[ "$(echo "$hdm1" | grep '^decoder')" = "$(echo "$hdm2" | grep '^decoder')" ] ||
		{ echo "HDM decoders differ after the reset"; rc=1; }
	"$TOOLS/memcheck" verify "/dev/$dax" $((64 * MiB)) 42 || rc=1
	[ "$(tainted)" = "$taint0" ] || { echo "the kernel was tainted by the reset"; rc=1; }
	return $rc
}
xfail "a cxl_bus reset keeps the decoders, the data and an untainted kernel" \
	"the base does not restore HDM decoders after a reset" restored
check "the reset left the device enumerated and bound to cxl_pci" \
	sh -c "[ \"\$(basename \$(readlink /sys/bus/pci/devices/$bdf/driver))\" = cxl_pci ] && cxl list -m $mem"
