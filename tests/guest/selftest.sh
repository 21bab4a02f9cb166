# Guest side of the rig's self-test (tests/suites/rig.sh): misbehave as asked.
. "$RIG/tests/guest/lib.sh"
case ${1:-} in
splat) echo "WARNING: CPU: 0 PID: 1 at rig self-test: an injected warning" > /dev/kmsg ;;
# A test that never ends: the report of the timeout must name it and show
# the stack of its task (sleep, in hrtimer_nanosleep).
hang) running "rig self-test: a test that hangs"; sleep 600 ;;
fail) exit 3 ;;
# The guest powers off under the script's feet: no "rig: done".
vanish) echo o > /proc/sysrq-trigger; sleep 30 ;;
esac
# noiommu: vfio-pci without an IOMMU (qemu-boot.sh -n) still hands the CXL
# device to a user through a noiommu group.
if [ "${1:-}" = noiommu ]; then
	bdf=$(cxl_pci_devices | head -n1)
	[ -n "$bdf" ] || exit 1
	echo "$bdf" > "/sys/bus/pci/devices/$bdf/driver/unbind"
	echo vfio-pci > "/sys/bus/pci/devices/$bdf/driver_override"
	echo "$bdf" > /sys/bus/pci/drivers/vfio-pci/bind || exit 1
	"$TOOLS/vfio-info" "$bdf" reset | tee /tmp/vi
	grep -q "group noiommu-" /tmp/vi && grep -q 'VFIO_DEVICE_RESET: done' /tmp/vi
fi
