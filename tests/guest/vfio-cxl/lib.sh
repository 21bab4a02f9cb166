# Shared by the areas of the boot-vfio-cxl suite (tests/guest/vfio-cxl/*.sh,
# run in order by tests/guest/vfio-cxl.sh, each also runnable alone) and by
# tests/guest/measure-vfio-cxl.sh: the devices of topology vfio-cxl, helpers,
# and a registry of tests from which the plan is computed.
[ -n "${_vfio_cxl_lib:-}" ] && return 0
_vfio_cxl_lib=1
# shellcheck source=tests/guest/lib.sh
. "$RIG/tests/guest/lib.sh"

MiB=$((1 << 20))
V=$TOOLS/vfio
PARAMS=/sys/module/vfio_pci_core/parameters
# Resets reset_timing times, with and without the CXL layer; the caller's
# RESETS (BOOT_APPEND=RESETS=1000, which the kernel hands to init) wins.
RESETS=${RESETS:-100}
# What vfio_cxl_test's mem_leave_pattern writes and cxl_region_owner reads.
PATTERN=/tmp/vfio-cxl.pattern

# ---- The registry ----
# test_add NAME FUNC [ARG...]: a test.  FUNC runs in a subshell (through a
# command substitution): it sees every variable and function, its output
# becomes diagnostics, its status is the verdict; SKIP (skip_test) skips it.
# step_add FUNC [ARG...]: not a test: runs in the suite's own shell between
# tests (to set state that later tests read, or to undo what one left).
SKIP=77
_reg_kind=() _reg_name=() _reg_argi=() _reg_argc=() _reg_argv=()
_reg() {
	_reg_kind+=("$1") _reg_name+=("$2")
	shift 2
	_reg_argi+=(${#_reg_argv[@]}) _reg_argc+=($#)
	_reg_argv+=("$@")
}
test_add() { _reg test "$@"; }
step_add() { _reg step "" "$@"; }
# skip_test REASON: in a test function, "skip_test REASON; return".
skip_test() { printf '%s\n' "$*"; return $SKIP; }

# run_test NAME CMD...: one test; a skip's reason is the last line it printed.
_failed=0
run_test() {
	local name=$1 out rc
	shift
	running "$name"
	out=$("$@" 2>&1); rc=$?
	if [ $rc = $SKIP ]; then
		[ "$(echo "$out" | wc -l)" -gt 1 ] && diag "$(echo "$out" | sed '$d')"
		skip "$name" "$(echo "$out" | tail -n1)"
		return 0
	fi
	[ -n "$out" ] && diag "$out"
	if [ $rc = 0 ]; then ok "$name"; else not_ok "$name"; _failed=1; fi
}

# suite_run NAME REGISTER...: call each REGISTER (an area's function that
# registers its tests), print the plan they add up to, run them in order.
# Fails when a test failed.
suite_run() {
	local name=$1 f i n=0
	shift
	for f in "$@"; do "$f"; done
	for i in "${!_reg_kind[@]}"; do
		[ "${_reg_kind[i]}" = test ] && n=$((n + 1))
	done
	ktap_begin "$name" $n
	diag "CXL device ${bdf:-none}, NIC ${nic:-none}; vfio_cxl_test has ${#CASES[@]} cases; RESETS=$RESETS"
	for i in "${!_reg_kind[@]}"; do
		set -- "${_reg_argv[@]:${_reg_argi[i]}:${_reg_argc[i]}}"
		if [ "${_reg_kind[i]}" = test ]; then run_test "${_reg_name[i]}" "$@"; else "$@"; fi
	done
	return $_failed
}

# area_main REGISTER: at the end of an area script: when the script is run
# itself (not sourced by tests/guest/vfio-cxl.sh), run its tests as a KTAP
# document of their own.
area_main() {
	[ "${BASH_SOURCE[1]}" = "$0" ] || return 0
	local a
	a=$(basename "${BASH_SOURCE[1]}" .sh)
	suite_run "boot-vfio-cxl.$a" "$1"
	exit
}

# setup CMD...: a step that brings the device into the state an area needs
# when it runs alone; says what it did, if anything.
setup() {
	local out
	out=$("$@" 2>&1) || out="$out${out:+
}setup $* failed"
	[ -n "$out" ] && diag "setup: $out"
	return 0
}
dmesg_clear() { dmesg -c > /dev/null; }

# ---- The devices ----
bdf=$(cxl_pci_devices | head -n1)
dev=/sys/bus/pci/devices/$bdf
nic=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x8086 ] && [ "$(cat "$d/device")" = 0x10c9 ] && nic=$(basename "$d")
done
unset d

driver_of() { basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null; }
# vfio_bind BDF: hand the device to vfio-pci through driver_override.  The
# probe runs within the write to drivers_probe.
vfio_bind() {
	local d=/sys/bus/pci/devices/$1
	[ -e "$d/driver" ] && { echo "$1" > "$d/driver/unbind" || return 1; }
	echo vfio-pci > "$d/driver_override" || return 1
	echo "$1" > /sys/bus/pci/drivers_probe 2>/dev/null
	[ "$(driver_of "$1")" = vfio-pci ]
}
vfio_unbind() {
	echo "$1" > /sys/bus/pci/drivers/vfio-pci/unbind && echo > "/sys/bus/pci/devices/$1/driver_override"
}
# regions: the CXL regions, each name followed by a space.
regions() {
	local r
	for r in "$CXLSYS"/region*; do [ -e "$r" ] && printf '%s ' "${r##*/}"; done
	return 0
}
committed() { hdm "$bdf" | grep -c 'committed=1$'; }
# dmesg_has PATTERN: the kernel log has a line matching PATTERN (grep BRE).
dmesg_has() { dmesg | grep -q -- "$1"; }
# provisioned: vfio-pci says it got the CXL device a region.
provisioned() { dmesg_has "vfio-pci $bdf: CXL memory provisioned region"; }
# cxl_pci_bound BDF: cxl_pci drives the device and made its memdev.
cxl_pci_bound() { [ "$(driver_of "$1")" = cxl_pci ] && memdev_of "$1" > /dev/null; }

# find_dvsec_off: the config space offset of the CXL Device DVSEC.
find_dvsec_off() {
	local pos=256 h
	while [ $pos -ge 256 ]; do
		h=$(od -A n -t u4 -j $pos -N 4 "$dev/config" | tr -d ' ')
		[ "${h:-0}" = 0 ] && return 1
		if [ $((h & 0xffff)) = $((0x23)) ] &&
		   [ $(($(od -A n -t u4 -j $((pos + 4)) -N 4 "$dev/config") & 0xffff)) = $((0x1e98)) ] &&
		   [ $(($(od -A n -t u4 -j $((pos + 8)) -N 4 "$dev/config") & 0xffff)) = 0 ]; then
			echo $pos; return 0
		fi
		pos=$((h >> 20))
	done
	return 1
}
dvsec_off=$(find_dvsec_off 2>/dev/null)
# dvsec_host: the CXL Device DVSEC as the device holds it (sysfs config).
dvsec_host() { od -A x -t x4 -j $((dvsec_off)) -N 56 "$dev/config"; }

# The cases of vfio_cxl_test, one test each.
mapfile -t CASES < <(VFIO_SELFTESTS_BDF=$bdf "$V/vfio_cxl_test" -l 2>&1 | awk 'NR > 1 && !/^---/ { t = substr($0, 48); if (t ~ /^[a-z0-9_]+$/) print t }')

# need_vfio_cxl: the CXL device on vfio-pci with the region the CXL core
# provisions.  The areas before leave it so in the suite; an area run alone
# needs it made.
need_vfio_cxl() {
	[ "$(driver_of "$bdf")" = vfio-pci ] && [ -n "$(regions)" ] && return 0
	[ "$(driver_of "$bdf")" = vfio-pci ] && { vfio_unbind "$bdf" || return 1; }
	echo 0 > $PARAMS/disable_cxl; echo 0 > $PARAMS/cxl_required
	vfio_bind "$bdf" || { echo "vfio-pci did not bind $bdf"; return 1; }
	wait_for 10 regions_present || return 1
	echo "$bdf bound to vfio-pci, region $(regions)"
}
regions_present() { [ -n "$(regions)" ]; }
# need_pattern: the 1 MiB pattern mem_leave_pattern writes, made once.
need_pattern() {
	[ -s "$PATTERN" ] && return 0
	head -c $MiB /dev/urandom > "$PATTERN" && echo "made $PATTERN"
}

# tail_of N CMD...: CMD's output without the harness's RUN lines, its last N
# lines; CMD's status.
tail_of() {
	local n=$1 out rc
	shift
	out=$("$@" 2>&1); rc=$?
	echo "$out" | grep -v -E '^#  RUN' | tail -n "$n"
	return $rc
}

# selftest NAME BDF [ENV...]: one upstream selftest binary on a device, a
# test function: the selftest's own skip (exit 4) is a skip.
selftest() {
	local t=$1 b=$2 out rc
	shift 2
	# The driver test maps a 1 GiB shared buffer; the rig guest has 1 GiB.
	if [ "$t" = vfio_pci_driver_test ] &&
	   [ "$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)" -lt $((2 << 20)) ]; then
		skip_test "its 1 GiB buffer does not fit in the rig guest's memory ($(awk '/^MemTotal:/ { print $2 " " $3 }' /proc/meminfo))"
		return
	fi
	out=$(env VFIO_SELFTESTS_BDF="$b" "$@" "$V/$t" 2>&1); rc=$?
	echo "$out" | grep -E '^(ok|not ok|# (Totals|FAILED|PASSED))|Assertion|Expected|errno' | head -n 40
	if [ $rc != 0 ] && [ "$t" = vfio_pci_driver_test ] && ! echo "$out" | grep -q '^ok ' &&
	   echo "$out" | grep -q 'errno: 12 - Cannot allocate memory'; then
		skip_test "its 1 GiB buffer does not fit in the rig guest's 1 GiB of RAM (ENOMEM)"
		return
	fi
	case $rc in
	0) return 0 ;;
	4) skip_test "the selftest skipped"; return ;;
	*) echo "$t exit $rc"; return 1 ;;
	esac
}

# tasks PID...: where the tasks of the processes wait.
tasks() {
	local p t
	for p in "$@"; do
		for t in /proc/$p/task/*; do
			[ -e "$t" ] || continue
			echo "$t ($(cat "$t/comm" 2>/dev/null)) in $(cat "$t/wchan" 2>/dev/null):"
			cat "$t/stack" 2>/dev/null
		done
	done
}
