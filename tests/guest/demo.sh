# The demo: what a user sees of an emulated CXL Type-3 device on this kernel.
# Not a test (tests/guest/single.sh checks the same things); it shows.
. "$RIG/tests/guest/lib.sh"
OUT=/dev/null
MiB=$((1 << 20))
step() { printf '\n===== %s\n' "$*"; }
run() { printf '$'; printf ' %q' "$@"; printf '\n'; "$@"; }

bdf=$(cxl_pci_devices | head -n1)
[ -n "$bdf" ] || { echo "no CXL memory device found"; exit 1; }
mem=$(memdev_of "$bdf")

step "The device and its CXL DVSECs"
run lspci -vvv -s "$bdf"
step "Its reset methods"
run cat "/sys/bus/pci/devices/$bdf/reset_method"

step "The CXL objects the kernel made for it"
run cxl list -M -P -D -u

step "A RAM region on it (sysfs ABI: Debian 12's cxl cannot create RAM regions), and data in it"
region=$(create_ram_region $((256 * MiB)) "$mem")
run cxl list -R -u -r "$region"
dax=$(dax_of "$region")
run "$TOOLS/memcheck" write "/dev/$dax" $((16 * MiB)) 2026

step "HDM decoders as the hardware holds them, before a reset"
run "$TOOLS/cxl-hdm" "$bdf"
step "Reset through sysfs (the cxl_bus method: secondary bus reset)"
echo "kernel taint before: $(tainted)"
run sh -c "echo 1 > /sys/bus/pci/devices/$bdf/reset"
step "HDM decoders after the reset"
run "$TOOLS/cxl-hdm" "$bdf"
echo "kernel taint after: $(tainted)"
echo "(the region was in use during the reset: the kernel names it, since a device's volatile contents are undefined after a secondary bus reset)"
run sh -c "dmesg | grep 'reset while in use' | tail -n 2"
if run "$TOOLS/memcheck" verify "/dev/$dax" $((16 * MiB)) 2026; then
	echo "(the CXL core saved the DVSEC and the decoders before the reset and restored them after: same mapping, same data)"
else
	echo "(the data is gone from the region's addresses: the decoders were not restored)"
fi

step "Handing the device to vfio-pci"
echo "$region" > "$CXLSYS/decoder0.0/delete_region" 2>/dev/null
run sh -c "echo $bdf > /sys/bus/pci/devices/$bdf/driver/unbind"
run sh -c "echo vfio-pci > /sys/bus/pci/devices/$bdf/driver_override"
run sh -c "echo $bdf > /sys/bus/pci/drivers/vfio-pci/bind"
run readlink "/sys/bus/pci/devices/$bdf/driver"
echo "(vfio-pci registered the device with the CXL core, which provisioned a region for it:)"
run sh -c "dmesg | grep -E 'vfio-pci $bdf: CXL|provisioned region' | tail -n 2"

step "HDM decoders before VFIO_DEVICE_RESET"
run "$TOOLS/cxl-hdm" "$bdf"
step "What VFIO reports for the device; a pattern through its CXL memory mmap across VFIO_DEVICE_RESET"
run "$TOOLS/vfio-info" "$bdf" cxl-reset
step "HDM decoders after VFIO_DEVICE_RESET"
run "$TOOLS/cxl-hdm" "$bdf"
