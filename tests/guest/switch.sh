# Guest suite for topology 2: a cxl-type3 behind a CXL switch.  The decode
# path has one more port; a region must commit decoders at the host bridge,
# the switch and the device, and survive a reset of the device.
. "$RIG/tests/guest/lib.sh"
ktap_begin boot-switch 6
MiB=$((1 << 20))

bdf=$(cxl_pci_devices | head -n1)
mem=$(memdev_of "$bdf" 2>/dev/null)
check "the device behind the switch gets a memdev" test -n "$mem"
# The endpoint's parent port is the switch (its upstream port), itself below
# the host bridge's port: two ports between the root and the endpoint.
sw=$(basename "$(dirname "$(readlink -f "$CXLSYS/$(endpoint_decoder "$mem" | sed 's/decoder\([0-9]*\)\..*/endpoint\1/')")")")
check "the memdev's endpoint hangs off a switch port below the host bridge" sh -c '
	p=$(readlink -f /sys/bus/cxl/devices/$1); echo "$p"
	[ "$(echo "$p" | tr / "\n" | grep -c "^port[0-9]")" -ge 2 ]' _ "$sw"
region=$(create_ram_region $((256 * MiB)) "$mem" 2>/tmp/err); cat /tmp/err
hdm1=$(hdm "$bdf")
# The host bridge has a single root port, so Linux gives it a pass-through
# decoder with nothing to commit; the switch and the device must commit.
check "the region commits the switch's and the device's decoders" sh -c '
	echo "$1"; rc=0
	for p in /sys/bus/cxl/devices/port*; do
		printf "%s decoders_committed=%s\n" "${p##*/}" "$(cat $p/decoders_committed)"
	done
	echo "switch port: $2"
	[ "$(cat /sys/bus/cxl/devices/$2/decoders_committed)" -ge 1 ] || rc=1
	echo "$1" | grep -q "^decoder0 .*committed=1" || rc=1
	exit $rc' _ "$hdm1" "$sw"
dax=$(dax_of "$region")
check "a pattern written through /dev/${dax:-dax?} reads back" sh -c "
	$TOOLS/memcheck write /dev/$dax $((32 * MiB)) 7 && $TOOLS/memcheck verify /dev/$dax $((32 * MiB)) 7"
taint0=$(tainted)
check "the device behind the switch resets through cxl_bus" sh -c "
	cat /sys/bus/pci/devices/$bdf/reset_method; echo 1 > /sys/bus/pci/devices/$bdf/reset"
hdm2=$(hdm "$bdf")
check "after the reset the decoders, the DVSEC and the data are back; the region in use is reported" \
	kept_across_reset "$hdm2" "$hdm1" "$taint0" "$dax" $((32 * MiB)) 7 "$region"
