# Guest suite on topology 1 (one cxl-type3, see topologies/owner.args): an
# in-kernel owner of the device's memory.  samples/cxl's cxl_region_owner
# takes the device from cxl_pci and asks the CXL core for a region; QEMU
# never commits decoders, so the core must provision one: DPA, a region in
# the CXL window, the endpoint and host bridge decoders committed.  The
# region must be visible like any other, refuse sysfs teardown while owned,
# carry data, and be undone completely when the owner lets go.
. "$RIG/tests/guest/lib.sh"
ktap_begin boot-owner 17
MiB=$((1 << 20))
OWNERFS=/sys/kernel/debug/cxl_region_owner
[ -d /sys/kernel/debug/cxl_region_owner ] || mount -t debugfs debugfs /sys/kernel/debug

bdf=$(cxl_pci_devices | head -n1)
dev=/sys/bus/pci/devices/$bdf

owner_bind() {
	echo cxl_region_owner > "$dev/driver_override" &&
	echo "$bdf" > /sys/bus/pci/drivers_probe &&
	[ "$(basename "$(readlink "$dev/driver")")" = cxl_region_owner ] &&
	cat "$OWNERFS/$bdf/region"
}
owner_unbind() { echo "$bdf" > /sys/bus/pci/drivers/cxl_region_owner/unbind; }
# owned_region: the region whose resource starts where the owner's range does.
owned_region() {
	local start r
	start=$(cut -d' ' -f2 "$OWNERFS/$bdf/region" | cut -d- -f1)
	for r in "$CXLSYS"/region*; do
		[ -e "$r/resource" ] && [ $(($(cat "$r/resource"))) -eq $((start)) ] &&
			{ basename "$r"; return 0; }
	done
	return 1
}
# region_is_provisioned REGION: a committed, locked one-way RAM region of
# 512 MiB whose target is an endpoint decoder of the owner's memdev, shown by
# `cxl list`, and decoded by the device's HDM decoder 0 at its address.
region_is_provisioned() {
	local r=$CXLSYS/$1 t mem hw
	grep . "$r"/{commit,locked,mode,size,interleave_ways,target0,resource}
	[ "$(cat "$r/commit")" = 1 ] && [ "$(cat "$r/locked")" = 1 ] &&
	[ "$(cat "$r/mode")" = ram ] && [ "$(cat "$r/interleave_ways")" = 1 ] &&
	[ $(($(cat "$r/size"))) -eq $((512 * MiB)) ] || return 1
	t=$(cat "$r/target0")
	mem=$(basename "$(readlink -f "$CXLSYS/$t/../uport")")
	echo "target $t of $mem"
	[ "$(basename "$(readlink -f "/sys/bus/cxl/devices/$mem/..")")" = "$bdf" ] ||
		{ echo "the target is not on $bdf"; return 1; }
	cxl list -R -r "$1" | tee /dev/stderr | grep -q "\"region\":\"$1\"" ||
		{ echo "cxl list does not show $1"; return 1; }
	hw=$(hdm "$bdf") && echo "$hw"
	echo "$hw" | grep -q "^decoder0 base=$(printf '0x%x' $(($(cat "$r/resource")))) size=0x20000000 .*committed=1$" ||
		{ echo "HDM decoder 0 does not decode the region"; return 1; }
}
# pattern_roundtrip SEED: write 1 MiB of pseudo-random data at the start and
# at the end of the owner's mapping through debugfs, read both back.
pattern_roundtrip() {
	local f=$OWNERFS/$bdf/mem off
	head -c $MiB /dev/urandom > /tmp/pattern.$1 || return 1
	for off in 0 511; do
		dd if=/tmp/pattern.$1 of="$f" bs=$MiB seek=$off conv=notrunc 2>/dev/null || return 1
	done
	pattern_still_there "$1"
}
pattern_still_there() {
	local f=$OWNERFS/$bdf/mem off
	for off in 0 511; do
		dd if="$f" bs=$MiB skip=$off count=1 2>/dev/null | cmp - /tmp/pattern.$1 ||
			{ echo "MiB $off differs"; return 1; }
	done
	echo "2 MiB read back as written"
}

check "cxl_pci lets go of the device" sh -c "echo $bdf > $dev/driver/unbind && ! ls -d $dev/mem* 2>/dev/null"

# No room: a region without targets holds all but 256 MiB of the 4 GiB
# window, so the device's 512 MiB cannot be placed.
filler=$(cat "$CXLSYS/decoder0.0/create_ram_region")
check "a placeholder region takes 3840 MiB of the 4 GiB window" sh -c "
	echo $filler > $CXLSYS/decoder0.0/create_ram_region &&
	cat $CXLSYS/decoder0.0/interleave_granularity > $CXLSYS/$filler/interleave_granularity &&
	echo 1 > $CXLSYS/$filler/interleave_ways && echo $((3840 * MiB)) > $CXLSYS/$filler/size"
check "with no room in the window the owner fails with ENOSPC and leaves nothing behind" sh -c "
	$(declare -f owner_bind); OWNERFS=$OWNERFS bdf=$bdf dev=$dev
	dmesg -c > /dev/null; owner_bind && { echo 'the owner bound'; exit 1; }
	dmesg | grep -E 'cxl_region_owner|cxl|region'
	dmesg | grep -q 'cxl_region_owner .*error -28: no CXL region' || { echo 'no ENOSPC from the owner'; exit 1; }
	regions=\$(ls -d $CXLSYS/region* | xargs -n1 basename | tr '\n' ' '); echo \"regions: \$regions\"
	[ \"\$regions\" = '$filler ' ] || { echo 'a region was left behind'; exit 1; }
	! ls -d $dev/mem* 2>/dev/null || { echo 'a memdev was left behind'; exit 1; }
	hw=\$($TOOLS/cxl-hdm $bdf); echo \"\$hw\"; ! echo \"\$hw\" | grep -q 'committed=1'"
check "deleting the placeholder frees the window" sh -c "
	echo $filler > $CXLSYS/decoder0.0/delete_region && ! [ -e $CXLSYS/$filler ]"

if check "the owner binds and the CXL core provisions its region (no firmware commit on QEMU)" \
	sh -c "$(declare -f owner_bind); OWNERFS=$OWNERFS bdf=$bdf dev=$dev owner_bind | tee /dev/stderr | grep -q '^provisioned 0x'"; then
	region=$(owned_region)
	check "the region ($region) is in cxl list, committed, and decoded by the hardware" region_is_provisioned "$region"
	check "the owner's region is committed host-only coherent (HDM-H) in a Type-3 window" sh -c "
		dmesg | grep -q 'cxl_region_owner $bdf: provisioned region .*, HDM-H\$' ||
			{ echo 'the owner did not report the region host-only coherent'; exit 1; }"
	check "the core committed the owner's region so" host_only_coherent "$bdf" "$region"
	check "a pattern written through the owner's mapping reads back" pattern_roundtrip 1
	root=$(basename "$(readlink -f "$CXLSYS/$region/..")")
	# bash, not sh: dash's echo reports every failed write as an I/O error
	check "sysfs refuses to decommit, delete or detach the owned region" bash -c "
		$(declare -f write_errno)
		c=\$(write_errno $CXLSYS/$region/commit 0)
		d=\$(write_errno $CXLSYS/$root/delete_region $region)
		t=\$(write_errno $CXLSYS/$region/target0 '')
		echo \"commit=0: \$c; delete_region: \$d; target0='': \$t\"
		[ \"\$c\" = 'Operation not permitted' ] && [ \"\$d\" = 'Device or resource busy' ] &&
		[ \"\$t\" = 'Device or resource busy' ] && [ \"\$(cat $CXLSYS/$region/commit)\" = 1 ]"
	check "the data is still there after the refused teardown" pattern_still_there 1
	check "unbinding the owner removes the region, frees its HPA and uncommits the decoders" sh -c "
		echo $bdf > /sys/bus/pci/drivers/cxl_region_owner/unbind || exit 1
		hw=\$($TOOLS/cxl-hdm $bdf); echo \"\$hw\"
		! [ -e $CXLSYS/$region ] || { echo '$region still exists'; exit 1; }
		! grep -q '$region' /proc/iomem || { echo '$region still in /proc/iomem'; exit 1; }
		! echo \"\$hw\" | grep -q 'committed=1'"
	check "binding again provisions the same range, and the device kept the data" sh -c "
		$(declare -f owner_bind pattern_still_there); OWNERFS=$OWNERFS bdf=$bdf dev=$dev MiB=$MiB
		owner_bind && pattern_still_there 1"
	region=$(owned_region)
	check "the new region ($region) is decoded like the first" region_is_provisioned "$region"
	check "the owner lets go again" sh -c "echo $bdf > /sys/bus/pci/drivers/cxl_region_owner/unbind"
else
	for t in region hdm-h hdm-h-hw data refusal data-after unbind rebind region-again unbind-again; do
		skip "$t" "the owner did not bind"
	done
fi
# cxl_pci_back: cxl_pci binds the device again and its memdev probes.
cxl_pci_back() {
	echo > "$dev/driver_override" && echo "$bdf" > /sys/bus/pci/drivers/cxl_pci/bind &&
	wait_for 30 sh -c "ls -d $dev/mem*/driver"
}
check "cxl_pci takes the device back" cxl_pci_back
check "the device decodes nothing after the owner left" sh -c "hw=\$($TOOLS/cxl-hdm $bdf); echo \"\$hw\"; ! echo \"\$hw\" | grep -q 'committed=1'"
