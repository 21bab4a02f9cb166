# Guest side of the rig's self-test (tests/suites/rig.sh): misbehave as asked.
case ${1:-} in
splat) echo "WARNING: CPU: 0 PID: 1 at rig self-test: an injected warning" > /dev/kmsg ;;
hang) sleep 600 ;;
fail) exit 3 ;;
esac
# noiommu: vfio-pci without an IOMMU (boot.sh -n) still hands the CXL
# device to a user through a noiommu group.
if [ "${1:-}" = noiommu ]; then
	. "$RIG/tests/guest/lib.sh"
	bdf=$(cxl_pci_devices | head -n1)
	[ -n "$bdf" ] || exit 1
	echo "$bdf" > "/sys/bus/pci/devices/$bdf/driver/unbind"
	echo vfio-pci > "/sys/bus/pci/devices/$bdf/driver_override"
	echo "$bdf" > /sys/bus/pci/drivers/vfio-pci/bind || exit 1
	"$TOOLS/vfio-info" "$bdf" reset | tee /tmp/vi
	grep -q "group noiommu-" /tmp/vi && grep -q 'VFIO_DEVICE_RESET: done' /tmp/vi
fi
