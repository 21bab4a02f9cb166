# Guest suite for topology 3: two cxl-type3 devices under one host bridge,
# one region interleaved across both.
. "$RIG/tests/guest/lib.sh"
ktap_begin boot-interleave 8
MiB=$((1 << 20))

mapfile -t bdfs < <(cxl_pci_devices)
mems=()
for b in "${bdfs[@]}"; do mems+=("$(memdev_of "$b")"); done
check "two CXL memory devices, each with a memdev" sh -c "echo ${bdfs[*]} ${mems[*]}; [ ${#mems[@]} -eq 2 ] && [ -n '${mems[1]:-}' ]"
region=$(create_ram_region $((256 * MiB)) "${mems[@]}" 2>/tmp/err); cat /tmp/err
check "a two-way interleaved RAM region commits" sh -c '
	echo "region ${1:-none}: ways $(cat $2/interleave_ways) commit $(cat $2/commit)"
	[ -n "$1" ] && [ "$(cat $2/interleave_ways)" = 2 ] && [ "$(cat $2/commit)" = 1 ]' \
	_ "$region" "$CXLSYS/${region:-none}"
# HDM decoder control: interleave ways in bits 7:4 (1 means two ways).
check "both devices decode the region with two-way interleave" sh -c '
	[ $# -eq 2 ] || { echo "expected two devices, have $#"; exit 1; }
	rc=0
	for b in "$@"; do
		h=$('"$TOOLS"'/cxl-hdm $b); echo "$b: $(echo "$h" | grep ^decoder0)"
		c=$(echo "$h" | sed -n "s/^decoder0 .*ctrl=\(0x[0-9a-f]*\) committed=1/\1/p")
		[ -n "$c" ] && [ $(( (c >> 4) & 0xf )) -eq 1 ] || rc=1
	done; exit $rc' _ "${bdfs[@]}"
dax=$(dax_of "$region")
check "a pattern over both devices reads back" sh -c "
	$TOOLS/memcheck write /dev/$dax $((64 * MiB)) 9 && $TOOLS/memcheck verify /dev/$dax $((64 * MiB)) 9"

# Reset one device of the interleave set: its decoder comes back with the
# same interleave, and every other 4 KiB of the pattern lives on it.
taint0=$(tainted)
before=$(hdm "${bdfs[0]}")
echo 1 > "/sys/bus/pci/devices/${bdfs[0]}/reset"
after=$(hdm "${bdfs[0]}")
check "a reset of one device of the set restores it; the pattern over both reads back; the region in use is reported" \
	kept_across_reset "$after" "$before" "$taint0" "$dax" $((64 * MiB)) 9 "$region"

# CXL Reset on QEMU: a member of an interleave set can only be reset with
# the whole region (the PCI reset method declines a member: "in use"); the
# emulated devices are not capable, so the method is not even offered, and
# the region operation refuses as not capable.  Nothing may change on
# either device.
CXL_RESET_BDFS="${bdfs[*]}"
check "(QEMU) CXL Reset of the bound interleaved region is refused" \
	cxl_reset_is "$region" "$BUSY"
echo "$region" > /sys/bus/cxl/drivers/cxl_region/unbind
check "(QEMU) a member's reset_method offers no cxl_reset: the device is not CXL Reset capable" \
	cxl_reset_method "${bdfs[0]}"
check "(QEMU) CXL Reset of the whole idle region passes its checks and is refused as not supported" \
	cxl_reset_is "$region" "$NOTSUPP"
