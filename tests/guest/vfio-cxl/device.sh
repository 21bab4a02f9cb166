# Area "device" of boot-vfio-cxl: the CXL device handed from cxl_pci to
# vfio-pci, whose CXL core provisions its region (QEMU never commits
# decoders); the vfio_cxl_test selftest (each case a test) must leave the
# host's HDM decoders and CXL Device DVSEC as they were; the upstream vfio
# selftests on the device.  Starts from the device on cxl_pci, as at boot.
# shellcheck source=tests/guest/vfio-cxl/lib.sh
. "$RIG/tests/guest/vfio-cxl/lib.sh"

dev_cxl_pci_lets_go() {
	echo "$bdf" > "$dev/driver/unbind" && ! ls -d "$dev"/mem* 2>/dev/null
}
dev_bind() {
	vfio_bind "$bdf" || { echo 'vfio-pci did not bind'; return 1; }
	dmesg | grep -E 'vfio|cxl'
	provisioned || return 1
	grep -E 'CXL Window|region' /proc/iomem
}
# dev_state: what later tests compare against, once the region is there.
dev_state() {
	region=$(regions | awk '{ print $1 }')
	hpa=$( [ -n "$region" ] && printf '%#x' $(($(cat "$CXLSYS/$region/resource"))) )
	size=$( [ -n "$region" ] && printf '%d' $(($(cat "$CXLSYS/$region/size"))) )
	diag "region ${region:-none} at ${hpa:-?}, $size bytes"
	hdm_before=$(hdm "$bdf")
	dvsec_before=$(dvsec_host)
	diag "host HDM decoders before the tests:
$hdm_before"
}
# dev_run: vfio_cxl_test, all its cases in one run; dev_case reports each.
dev_run() {
	running "vfio_cxl_test (all ${#CASES[@]} cases, reported one by one)"
	need_pattern > /dev/null
	env VFIO_SELFTESTS_BDF="$bdf" VFIO_CXL_MEM_SIZE="$size" VFIO_CXL_FIRMWARE=0 \
		VFIO_CXL_PATTERN="$PATTERN" VFIO_CXL_BW_MIB=16 VFIO_CXL_RESETS="$RESETS" \
		"$V/vfio_cxl_test" > /tmp/vfio_cxl_test.out 2>&1
	diag "vfio_cxl_test exit $?: $(grep -E '^# Totals' /tmp/vfio_cxl_test.out)"
	cat /tmp/vfio_cxl_test.out
}
# dev_case CASE: the case's verdict in that run; one the run did not
# report fails.
dev_case() {
	local c=$1 f=/tmp/vfio_cxl_test.out line
	line=$(grep -E "^(not )?ok [0-9]+ vfio_cxl\.$c( |$)" $f | head -n1)
	case $line in
	ok*'# SKIP'*) skip_test "${line#*# SKIP }"; return ;;
	ok*) return 0 ;;
	'not ok'*)
		sed -n "/^#  RUN .*vfio_cxl\.$c \.\.\./,/vfio_cxl\.$c\$/p" $f | grep -v -E '^#  RUN|^ok|^not ok' | head -n 30
		return 1 ;;
	*) echo "not reported: the run ended early"; return 1 ;;
	esac
}
dev_summary() {
	diag "$(grep -E '^(bandwidth|cap:|BAR [0-9]|reset_timing:|hot reset|DVSEC capability|Status2)' /tmp/vfio_cxl_test.out)"
}
dev_bad_inputs() {
	local bad
	bad=$(sed -n 's/^vfio_cxl_test: \([0-9]*\) bad inputs checked$/\1/p' /tmp/vfio_cxl_test.out)
	echo "bad inputs checked by vfio_cxl_test: ${bad:-?}"
	[ "${bad:-0}" -gt 0 ]
}

# dev_cap_matches_host: what VFIO_DEVICE_INFO_CAP_CXL said (vfio_cxl_test's
# "cap:" line) against what the host's own tools say of the device.
dev_cap_matches_host() {
	local cap lsp want got f
	cap=$(grep -m1 '^cap: ' /tmp/vfio_cxl_test.out) || { echo "vfio_cxl_test printed no capability"; return 1; }
	lsp=$(lspci -vvv -s "$bdf")
	capv() { echo "$cap" | sed -n "s/.* $1 \([^ ]*\).*/\1/p"; }
	echo "$cap"
	echo "$lsp" | grep -E 'Region 0|Vendor=1e98 ID=0000|CXLCap:'
	cxl list -R -r "$region" 2>/dev/null | tee /tmp/cxl-list.json | tr -d '\n '; echo
	# the CXL Device DVSEC where lspci finds it
	want=$(echo "$lsp" | sed -n 's/.*Capabilities: \[\([0-9a-f]*\) v1\] Designated Vendor-Specific: Vendor=1e98 ID=0000 .*/0x\1/p')
	[ $((want)) -eq $(($(capv dvsec))) ] || { echo "DVSEC at $want for lspci"; return 1; }
	# cache and CXL Reset capability as lspci decodes CXLCap
	f=$(($(capv flags)))
	echo "$lsp" | grep -q 'CXLCap:.*Cache+' && got=2 || got=0
	[ $((f & 2)) -eq $got ] || { echo "cache capability differs from lspci"; return 1; }
	# the component registers fill BAR 0 of this device: lspci's size
	[ "$(capv comp_bar)" = 0 ] && echo "$lsp" | grep -q 'Region 0: Memory at .*\[size=64K\]' &&
		[ $(($(capv comp_size))) -eq $((64 << 10)) ] || { echo "component register block differs from BAR 0"; return 1; }
	# the memory size is the size of the region cxl list shows
	got=$(tr -d '\n ' < /tmp/cxl-list.json | sed -n 's/.*"size":\([0-9]*\).*/\1/p')
	[ -n "$got" ] && [ "$got" -eq $(($(capv mem_size))) ] || { echo "cxl list says size ${got:-?}"; return 1; }
	# as many HDM decoders as the device's HDM Decoder Capability reports
	got=$(echo "$hdm_before" | sed -n 's/.*decoders=\([0-9]*\).*/\1/p')
	[ "$got" = "$(capv hdm_count)" ] || { echo "the device has $got HDM decoders"; return 1; }
	# firmware committed nothing: the host provisioned the region
	[ $((f & 1)) -eq 0 ]
}
# dev_host_only: vfio-pci says HDM-H, and the core committed it so.
dev_host_only() {
	dmesg_has "vfio-pci $bdf: CXL memory provisioned region .*, HDM-H, " ||
		{ echo "vfio-pci did not report the region host-only coherent"; return 1; }
	host_only_coherent "$bdf" "$region"
}
dev_hdm_unchanged() {
	local after
	after=$(hdm "$bdf")
	echo "$after"
	[ "$(echo "$hdm_before" | grep -E "$DECODE")" = "$(echo "$after" | grep -E "$DECODE")" ] &&
	echo "$after" | grep -q "^decoder0 base=$hpa size=0x20000000 .*committed=1$" ||
		{ echo "the host decoders changed, or decoder 0 does not decode $hpa"; return 1; }
}
dev_dvsec_unchanged() {
	local after
	echo "DVSEC at $dvsec_off, before:"; echo "$dvsec_before"
	after=$(dvsec_host); echo after:; echo "$after"
	[ -n "$dvsec_off" ] && [ "$after" = "$dvsec_before" ]
}

device_tests() {
	local c t
	test_add "cxl_pci lets go of the CXL device" dev_cxl_pci_lets_go
	step_add dmesg_clear
	test_add "vfio-pci binds the CXL device and the CXL core provisions a 512 MiB region" dev_bind
	step_add dev_state
	test_add "the memory expander's region is committed host-only coherent (HDM-H) in a Type-3 window" dev_host_only
	step_add dev_run
	for c in "${CASES[@]}"; do
		test_add "vfio_cxl_test: $c" dev_case "$c"
	done
	step_add dev_summary
	test_add "vfio_cxl_test counted its bad inputs" dev_bad_inputs
	test_add "the capability matches lspci -vvv, cxl list and the device's HDM Decoder Capability" dev_cap_matches_host
	test_add "what the host's HDM decoders decode is unchanged by the user's decoder programming" dev_hdm_unchanged
	test_add "the host's CXL Device DVSEC is unchanged by the user's config writes" dev_dvsec_unchanged
	for t in vfio_pci_device_test vfio_dma_mapping_test vfio_iommufd_setup_test; do
		test_add "$t passes on $bdf" selftest "$t" "$bdf"
	done
}
area_main device_tests
