# Guest suite on topology vfio-cxl (topologies/vfio-cxl.args): the CXL
# memory device handed to vfio-pci, next to a PCI device that is not CXL.
# The areas, in the order of the device's life, each a script of
# tests/guest/vfio-cxl/ that also runs alone (scripts/qemu-boot.sh -t
# vfio-cxl tests/guest/vfio-cxl/aer.sh):
#   device         bound to vfio-pci, the CXL core provisions its region;
#                  vfio_cxl_test (each case a test) leaves the host's HDM
#                  decoders and DVSEC as they were; the upstream selftests
#   restore-fault  a restore made to fail (fail_function on cxl_hdm_commit)
#                  fails the reset and withholds the memory until a new bind
#   aer            errors injected with aer_inject: a non-fatal one leaves
#                  the memory usable, a fatal one withholds it until close
#   remove         the device removed while its user resets it goes away
#                  whole and comes back on a rescan (RIG_REMOVE=0: left out)
#   readback       bound anew, a pattern left in the memory, unbound: the
#                  region goes, cxl_region_owner reads the pattern back
#   nic            the igb NIC, a plain vfio-pci device, upstream selftests
#   fallback       CXL window full: a plain device, or refused with
#                  cxl_required=1; disable_cxl=1: plain, its resets work
#   end            cxl_pci takes the device back, nothing left committed
# Arguments: the areas to run (default: all, in that order).  RESETS
# (default 100) is how many resets reset_timing times.  What only prints
# numbers is in tests/guest/measure-vfio-cxl.sh.
# shellcheck source=tests/guest/vfio-cxl/lib.sh
. "$RIG/tests/guest/vfio-cxl/lib.sh"
areas=${*:-device restore-fault aer remove readback nic fallback end}
reg=()
for a in $areas; do
	# shellcheck disable=SC1090
	. "$RIG/tests/guest/vfio-cxl/$a.sh" || exit 1
	reg+=("${a//-/_}_tests")
done
suite_run boot-vfio-cxl "${reg[@]}"
