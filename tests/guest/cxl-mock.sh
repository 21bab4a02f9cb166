# Guest suite of the cxl-mock check suite: the CXL mock topology of
# tools/testing/cxl (cxl_test) and its mock Type-2 accelerator
# (test/accel.c, platform device cxl_type2_accel.0), loaded into the
# modular kernel once per case.  No hardware and no QEMU CXL device is
# involved: cxl_test makes platform devices and mocks their registers and
# the firmware's tables, so these tests prove the CXL core's region logic,
# not a device.
#
# Argument: the module tree (relative to the project) that the host-side
# suite staged: the kernel's modules and, in updates/, the cxl_test builds
# of cxl_core, cxl_acpi, cxl_port, cxl_mem and cxl_pmem that replace them.
# modprobe -d reads it in place: the host's root, read-only here, need not
# have a /lib/modules to mount over; and the host's modprobe.d (ndctl's
# "install libnvdimm" runs a modprobe without -d) does not apply.
. "$RIG/tests/guest/lib.sh"
MODROOT=$RIG/$1

# The cases: a name, cxl_test's parameters, and what must become of the
# accelerator (a function below; no_region ERRNO: its probe fails with
# -ERRNO and leaves nothing behind).
CASES=(
	"a type2_test=1                                    firmware_region"
	"b type2_test=1,type2_no_auto=1                    provisioned_region"
	"c type2_test=1,type2_no_auto=1,type2_window=small no_region 28"
	"d type2_test=1,type2_no_auto=1,type2_window=type3 no_region 6"
)
# How many tests each expectation reports, besides loading and unloading.
declare -A NTESTS=([firmware_region]=4 [provisioned_region]=10 [no_region]=4)

ACCEL=/sys/bus/platform/devices/cxl_type2_accel.0
PERM="Operation not permitted"
# The modules cxl_test replaces: modprobe must find its builds of them.
REPLACED="cxl_core cxl_acpi cxl_port cxl_mem cxl_pmem"
# What the rig counts as a splat (scripts/qemu-boot.sh).
SPLAT=$(cat "$RIG/scripts/splat.ere")

plan=2
for c in "${CASES[@]}"; do set -- $c; plan=$((plan + 2 + NTESTS[$3])); done
ktap_begin cxl-mock $plan
diag "these tests run on cxl_test's mock topology (tools/testing/cxl), not on hardware or a QEMU device"

# An empty configuration directory: the host's modprobe.d does not apply.
mkdir -p /tmp/modprobe.d
modprobe() { command modprobe -C /tmp/modprobe.d -d "$MODROOT" "$@"; }
modinfo() { command modinfo -b "$MODROOT" "$@"; }
found() {
	local m f rc=0
	for m in $REPLACED cxl_test cxl_mock_accel; do
		f=$(modinfo -n $m) || { rc=1; continue; }
		echo "$m: ${f#"$MODROOT"/}"
		case $f in */updates/*) ;; *) rc=1 ;; esac
	done
	return $rc
}
check "modprobe finds the cxl_test builds of $REPLACED, and the mock modules" found

# mark NAME: a line in the kernel log; log_since_mark: the log from there.
mark() { MARK="cxl-mock: $1"; echo "$MARK" > /dev/kmsg; }
log_since_mark() { dmesg | sed -n "\|$MARK\$|,\$p"; }
# accel_says ERE: the accelerator's kernel messages since the mark that match.
accel_says() { log_since_mark | grep -E "cxl_type2_accel\.0: .*$1"; }
accel_driver() { [ -e "$ACCEL/driver" ] && basename "$(readlink "$ACCEL/driver")"; }
accel_memdev() { local m; for m in "$ACCEL"/mem*; do [ -e "$m" ] && basename "$m"; done; }
# memdev_of_decoder DECODER: the memdev whose endpoint port has DECODER.
memdev_of_decoder() { basename "$(readlink -f "$CXLSYS/$1/../uport")"; }
# accel_region: the region of an endpoint decoder of the accelerator's memdev.
accel_region() {
	local d mem
	mem=$(accel_memdev) || return 1
	for d in "$CXLSYS"/decoder*; do
		[ -e "$d/dpa_size" ] && [ "$(memdev_of_decoder "${d##*/}")" = "$mem" ] &&
			[ -n "$(cat "$d/region")" ] && { cat "$d/region"; return 0; }
	done
	return 1
}
regions() { local r; for r in "$CXLSYS"/region*; do [ -e "$r" ] && basename "$r"; done; }
# dpa_holders: the endpoint decoders (those with dpa_size) that hold DPA.
dpa_holders() {
	local d
	for d in "$CXLSYS"/decoder*; do
		[ -e "$d/dpa_size" ] && [ $(($(cat "$d/dpa_size"))) -ne 0 ] &&
			echo "${d##*/} dpa_size $(cat "$d/dpa_size")"
	done
	return 0
}

# wait_accel: until the accelerator's probe has an outcome (bound, or a
# "no CXL region" message), 30 s at most.  cxl_test's init waits for the
# asynchronous probe already; this covers a deferred one.
wait_accel() {
	local i
	for i in $(seq 150); do
		[ -e "$ACCEL/driver" ] && return 0
		accel_says 'no CXL region' > /dev/null && return 0
		sleep 0.2
	done
	return 1
}

# The checks.
bound() {
	echo "driver: $(accel_driver || echo none), memdev: $(accel_memdev || echo none)"
	[ -n "$(accel_driver)" ] && [ -n "$(accel_memdev)" ]
}
# says WHAT: the accelerator or its memdev logged "WHAT regionN" for the
# accelerator's region.
says() {
	local r mem named
	r=$(accel_region); mem=$(accel_memdev)
	named=$(log_since_mark | grep -E "(cxl_type2_accel\.0|${mem:-nomemdev}): .*$1 region[0-9]+" |
		tail -n1 | grep -oE "$1 region[0-9]+" | grep -oE 'region[0-9]+$')
	echo "the accelerator's region: ${r:-none}; named in the log: ${named:-none}"
	[ -n "$named" ] && [ "$named" = "$r" ] && return 0
	echo "the log of the accelerator and its memdev:"
	log_since_mark | grep -E "(cxl_type2_accel\.0|${mem:-nomemdev}): "
	return 1
}
# listed REGION: cxl list shows REGION, mapped by an endpoint decoder of the
# accelerator's memdev.  (Debian 12's libcxl cannot parse the accelerator's
# memdev, so a mapping names only its decoder.)
listed() {
	local mem ep
	[ -n "$1" ] || { echo "the accelerator has no region"; return 1; }
	mem=$(accel_memdev)
	cxl list -R -T -r "$1" > /tmp/list; cat /tmp/list
	ep=$(sed -n 's/.*"decoder":"\(decoder[0-9.]*\)".*/\1/p' /tmp/list | head -n1)
	echo "mapped by ${ep:-nothing}, of $(memdev_of_decoder "${ep:-none}"); the accelerator's memdev is ${mem:-none}"
	grep -q "\"region\":\"$1\"" /tmp/list && [ -n "$ep" ] && [ "$(memdev_of_decoder "$ep")" = "$mem" ]
}
committed() {
	echo "${1:-no region} commit: $(cat "$CXLSYS/${1:-none}/commit" 2>&1)"
	[ "$(cat "$CXLSYS/${1:-none}/commit" 2>/dev/null)" = 1 ]
}
# decoded REGION: committed, its target0 an endpoint decoder of the
# accelerator's memdev in ram mode with DPA, whose region is REGION.
decoded() {
	local t
	committed "$1" || return 1
	t=$(cat "$CXLSYS/$1/target0")
	[ -n "$t" ] || { echo "$1 has no target0"; return 1; }
	echo "target0: $t of $(memdev_of_decoder "$t")"
	grep -H . "$CXLSYS/$t"/{mode,dpa_size,region} | sed "s|$CXLSYS/||"
	[ "$(memdev_of_decoder "$t")" = "$(accel_memdev)" ] && [ "$(cat "$CXLSYS/$t/mode")" = ram ] &&
	[ $(($(cat "$CXLSYS/$t/dpa_size"))) -ne 0 ] && [ "$(cat "$CXLSYS/$t/region")" = "$1" ]
}
# refused ATTR VALUE ERRNO_MESSAGE: writing VALUE to a sysfs ATTR fails so.
refused() {
	local got
	got=$(write_errno "$1" "$2")
	echo "${1#"$CXLSYS"/} <- '$2': $got (want: $3)"
	[ "$got" = "$3" ]
}
# nothing_left: no region in sysfs or cxl list.
nothing_left() {
	local r l
	r=$(regions); l=$(cxl list -R 2>/dev/null | grep '"region"')
	echo "regions: ${r:-none}"; echo "in cxl list -R: ${l:-none}"
	[ -z "$r" ] && [ -z "$l" ]
}
no_dpa() { local d; d=$(dpa_holders); echo "endpoint decoders with DPA: ${d:-none}"; [ -z "$d" ]; }

# tc NAME CMD...: a test of the case ($T), not run (and so failed) when
# cxl_test did not load for it.  Each expectation reports NTESTS of them.
tc() {
	if [ "$LOADED" = 1 ]; then check "$T: $1" "${@:2}"; return; fi
	not_ok "$T: $1"; diag "not run: cxl_test did not load for this case"; return 1
}

firmware_region() {
	local region
	region=$(accel_region)
	tc "the accelerator binds to its driver" bound
	tc "it reports the firmware's region (dmesg 'firmware region regionN', from it or its memdev)" says 'firmware region'
	tc "cxl list shows its region (${region:-none}), mapped by its memdev" listed "$region"
	tc "the region is committed" committed "$region"
}

provisioned_region() {
	local region root ep drv
	region=$(accel_region)
	root=none
	[ -n "$region" ] && root=$(basename "$(dirname "$(readlink -f "$CXLSYS/$region")")")
	ep=$(cat "$CXLSYS/${region:-none}/target0" 2>/dev/null)
	drv=$(accel_driver)
	tc "the accelerator binds to its driver" bound
	tc "the CXL core provisioned its region (dmesg 'provisioned region regionN', from it or its memdev)" says 'provisioned region'
	tc "cxl list shows its region (${region:-none}), mapped by its memdev" listed "$region"
	tc "the region is committed; target0 is the memdev's endpoint decoder, ram, with DPA" decoded "$region"
	tc "sysfs refuses to decommit the accelerator's region (EPERM)" \
		refused "$CXLSYS/${region:-none}/commit" 0 "$PERM"
	# A root decoder shows delete_region only if it can create regions
	# (Type-3 RAM or PMEM): a Type-2 window has none to refuse with.
	if [ "$LOADED" = 1 ] && [ -n "$region" ] && [ ! -e "$CXLSYS/$root/delete_region" ]; then
		skip "$T: sysfs refuses to delete it ($root/delete_region: EBUSY)" \
			"$root (a Type-2 window) has no delete_region attribute"
	else
		tc "sysfs refuses to delete it ($root/delete_region: EBUSY)" \
			refused "$CXLSYS/$root/delete_region" "${region:-none}" "$BUSY"
	fi
	tc "sysfs refuses to detach its target (target0 <- '': EBUSY)" \
		refused "$CXLSYS/${region:-none}/target0" "" "$BUSY"
	tc "the region is still there and committed after the refusals" committed "$region"
	unbound() {
		echo "cxl_type2_accel.0 > drivers/${drv:-none}/unbind"
		echo cxl_type2_accel.0 > "/sys/bus/platform/drivers/${drv:-none}/unbind" || return 1
		if [ -n "$ep" ] && [ -e "$CXLSYS/$ep" ]; then echo "$ep dpa_size $(cat "$CXLSYS/$ep/dpa_size")"
		else echo "${ep:-its decoder} is gone with the memdev"; fi
		nothing_left && no_dpa
	}
	tc "unbinding the accelerator removes the region and frees the decoder's DPA" unbound
	rebound() {
		mark "case $CASE: bind again"
		echo cxl_type2_accel.0 > "/sys/bus/platform/drivers/${drv:-none}/bind" || return 1
		region=$(accel_region)
		bound && says 'provisioned region' && listed "$region" && decoded "$region"
	}
	tc "binding it again provisions a region again (bound, dmesg, cxl list, decoder)" rebound
}

no_region() {
	tc "the accelerator does not bind" not_bound
	tc "it reports why (dmesg 'no CXL region: -$1')" says_no_region "$1"
	tc "no region is left, in sysfs or in cxl list" nothing_left
	tc "no endpoint decoder holds DPA" no_dpa
}
not_bound() { echo "driver: $(accel_driver || echo none)"; [ ! -e "$ACCEL/driver" ]; }
says_no_region() {
	accel_says "no CXL region: -$1\$" && return 0
	echo "the accelerator's messages:"; accel_says ''
	return 1
}

# load PARAMS: cxl_test with PARAMS (comma-separated), and the accelerator's
# driver, which udev would load; only if cxl_test takes every parameter.
load() {
	local p missing=
	[ "$(loaded_modules)" = "$MODULES0" ] || { echo "modules of an earlier case are still loaded"; return 1; }
	for p in ${1//,/ }; do
		modinfo -F parm cxl_test | grep -q "^${p%%=*}:" || missing="$missing ${p%%=*}"
	done
	[ -z "$missing" ] || { echo "cxl_test has no parameter$missing: not loaded"; return 1; }
	modprobe cxl_mock_accel && modprobe cxl_test ${1//,/ } || return 1
	wait_accel || echo "the accelerator's probe had no outcome within 30 s"
	log_since_mark | grep -E 'cxl|CXL' | tail -n 20
}
loaded_modules() { cut -d' ' -f1 /proc/modules | sort; }
# unload: modprobe -r of the two modules the case loaded, then of what
# they left (kmod leaves a dependency that another of the set still holds:
# those no module uses, until none is left); no splat in the kernel log.
unload() {
	local i left unused
	echo "modprobe -r cxl_mock_accel cxl_test"
	modprobe -r cxl_mock_accel cxl_test 2>&1 | grep -v 'is in use'
	for i in 1 2 3 4 5 6 7 8; do
		left=$(comm -13 <(echo "$MODULES0") <(loaded_modules))
		[ -z "$left" ] && break
		unused=$(awk '$3 == 0 { print $1 }' /proc/modules | grep -xF "$left")
		echo "modprobe -r" $unused
		modprobe -r -a $unused
	done
	[ -z "$left" ] || { echo "still loaded:" $left; return 1; }
	! log_since_mark | grep -E "$SPLAT"
}

MODULES0=$(loaded_modules)
for c in "${CASES[@]}"; do
	set -- $c
	CASE=$1 T="(cxl_test mock) $1: ${2//,/ }"
	mark "case $1: ${2//,/ }"
	if check "$T: cxl_test loads" load "$2"; then LOADED=1; else LOADED=0; fi
	"${@:3}"
	if [ $LOADED = 1 ]; then
		check "$T: modprobe -r unloads everything it loaded, no kernel splat" unload
	else
		unload > /dev/null 2>&1
		not_ok "$T: modprobe -r unloads everything it loaded, no kernel splat"
		diag "not run: cxl_test did not load for this case"
	fi
done

# kmemleak reports objects unreferenced for 5 s when it scans.  A leak's
# jiffies tell the case: they start 300 s before boot (HZ=1000 here).
leaks() {
	local f=/sys/kernel/debug/kmemleak
	[ -w $f ] || { echo "no kmemleak"; return 1; }
	sleep 6; echo scan > $f
	grep -q . $f || return 0
	cat $f
	awk '/jiffies/ { printf "a leak allocated %.1f s after boot\n", ($NF - 4294667296) / 1000 }' $f
	dmesg | grep 'cxl-mock: case'
	return 1
}
check "kmemleak finds no leak after the cases loaded and unloaded cxl_test" leaks
