# Area "aer" of boot-vfio-cxl: error recovery.  aer_inject reports an error
# from the device as if it had signalled one.  Uncorrectable, non-fatal
# (Completion Timeout): nothing is reset, the memory stays usable.  Fatal
# (Malformed TLP): the PCI core resets the link behind the driver's back;
# vfio-pci withholds the memory at once, a reset cannot restore it while the
# BARs are gone (-EIO), and closing the device (vfio-pci reloads its config
# space and resets it) brings it back.  Needs the CXL device on vfio-pci
# with its region.
# shellcheck source=tests/guest/vfio-cxl/lib.sh
. "$RIG/tests/guest/vfio-cxl/lib.sh"

AER_NONE="no /dev/aer_inject or no AER service on the root port"
# aer_ready: the injector, and the AER service (pcie002) on a port.
aer_ready() { [ -c /dev/aer_inject ] && compgen -G '/sys/bus/pci_express/devices/*:pcie002' > /dev/null; }
# What vfio-info runs between writing its pattern and its reset: inject the
# error, then wait (at most 10 s) for the AER core to finish the recovery
# the error starts, which runs in the AER interrupt thread.  vfio-info runs
# it with system(3), under /bin/sh: a loop, not wait_for.  The device and
# the error bits come from the environment.
# shellcheck disable=SC2016
AER_CMD='"$TOOLS/aer-inject" "$AER_BDF" "$AER_UNCOR" && for i in $(seq 100); do dmesg | grep -q "AER: device recovery successful" && break; sleep 0.1; done'
# aer_vfio_info UNCOR: vfio-info's cxl-cmd with that error injected.
aer_vfio_info() {
	env AER_BDF="$bdf" AER_UNCOR="$1" TOOLS="$TOOLS" "$TOOLS/vfio-info" "$bdf" cxl-cmd "$AER_CMD" 2>&1
}

aer_nonfatal() {
	local out rc
	aer_ready || { skip_test "$AER_NONE"; return; }
	dmesg -c > /dev/null
	out=$(aer_vfio_info 0x4000); rc=$?
	echo "$out" | grep -E 'CXL:|RESET|inject'; dmesg -c | grep -E 'AER|CXL|vfio'
	[ $rc = 0 ] && echo "$out" | grep -q 'read() of the memory then: ok' &&
	echo "$out" | grep -q 'afterwards the mapping reads the same pattern'
}
aer_fatal() {
	local out
	aer_ready || { skip_test "$AER_NONE"; return; }
	out=$(aer_vfio_info 0x40000)
	echo "$out" | grep -E 'CXL:|RESET|inject'; dmesg | grep -E 'AER|CXL|vfio'
	echo "$out" | grep -q 'read() of the memory then: Input/output error' &&
	echo "$out" | grep -q 'VFIO_DEVICE_RESET: Input/output error' &&
	dmesg_has "vfio-pci $bdf: CXL memory withheld until the device is reset" &&
	dmesg_has 'AER: device recovery successful'
}
# vfio-info of aer_fatal closed the device: vfio-pci reset it then.
aer_close() {
	aer_ready || { skip_test "$AER_NONE"; return; }
	wait_for 10 dmesg_has "vfio-pci $bdf: CXL state restored after reset, CXL memory enabled again" &&
	"$TOOLS/vfio-info" "$bdf" cxl-reset | grep -E 'CXL:|RESET'
}

aer_tests() {
	step_add setup need_vfio_cxl
	test_add "a non-fatal error leaves the CXL memory usable across VFIO_DEVICE_RESET" aer_nonfatal
	test_add "a fatal error withholds the CXL memory; the reset after it reports EIO" aer_fatal
	test_add "closing the device after the fatal error gives the memory back" aer_close
}
area_main aer_tests
