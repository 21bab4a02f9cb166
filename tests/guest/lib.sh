# Helpers for guest test scripts: KTAP output and CXL/PCI operations.
# Sourced by the scripts under tests/guest/; $OUT is where KTAP goes (the
# second serial port), $RIG the project directory inside the guest.

OUT=${OUT:-/dev/stdout}
RIG=${RIG:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TOOLS=${TOOLS:-$RIG/build/tools}
CXLSYS=/sys/bus/cxl/devices
_ktap_n=0

ktap_emit() { printf '%s\n' "$*" >> "$OUT"; printf 'ktap: %s\n' "$*"; }
ktap_begin() { ktap_emit "KTAP version 1"; ktap_emit "# Subtest: $1"; ktap_emit "1..$2"; }
# diag MSG...: a diagnostic line, in the KTAP stream and on the console.
diag() { local l; while IFS= read -r l; do ktap_emit "# $l"; done <<< "$*"; }
# ok NAME / not_ok NAME [DIRECTIVE] / skip NAME REASON
ok() { _ktap_n=$((_ktap_n + 1)); ktap_emit "ok $_ktap_n $1"; }
not_ok() { _ktap_n=$((_ktap_n + 1)); ktap_emit "not ok $_ktap_n $1${2:+ # $2}"; }
skip() { _ktap_n=$((_ktap_n + 1)); ktap_emit "ok $_ktap_n $1 # SKIP $2"; }
# running NAME: say on the console which test starts, so that the report of
# a boot that times out (scripts/qemu-boot.sh) names it.  A kernel command
# line with rig.fault=hang:N (check.sh's FAULT=guest-hang:N) makes test N
# hang, blocked in the kernel opening a FIFO that has no writer: the
# deliberate hang that shows what a timeout reports.
_rig_fault=$(tr ' ' '\n' < /proc/cmdline 2>/dev/null | sed -n 's/^rig\.fault=//p')
running() {
	printf 'rig: running test %d: %s\n' $((_ktap_n + 1)) "$1"
	if [ "$_rig_fault" = "hang:$((_ktap_n + 1))" ]; then
		printf 'rig: rig.fault=%s: test %d hangs on purpose\n' "$_rig_fault" $((_ktap_n + 1))
		mkfifo /tmp/rig-fault-hang && cat /tmp/rig-fault-hang
	fi
}
# check NAME CMD...: ok when CMD succeeds; its output becomes diagnostics.
check() {
	local name=$1 out rc
	shift
	running "$name"
	out=$("$@" 2>&1); rc=$?
	[ -n "$out" ] && diag "$out"
	if [ $rc -eq 0 ]; then ok "$name"; else not_ok "$name"; fi
	return $rc
}
# xfail NAME REASON CMD...: a known gap of the base, reported as "# TODO".
# The command must fail; if it passes, the TODO mark is stale and it is a
# failure, so that the mark is removed when the gap is closed.
xfail() {
	local name=$1 reason=$2 out rc
	shift 2
	out=$("$@" 2>&1); rc=$?
	[ -n "$out" ] && diag "$out"
	if [ $rc -ne 0 ]; then
		not_ok "$name" "TODO $reason"
	else
		diag "expected failure passed: remove the TODO mark"
		not_ok "$name"
	fi
}

# wait_for SECONDS CMD...: run CMD every 0.1 s until it succeeds; fails
# (with CMD's last output) when it has not within SECONDS.
wait_for() {
	local t=$1 i out
	shift
	for i in $(seq $((t * 10))); do
		out=$("$@" 2>&1) && return 0
		sleep 0.1
	done
	[ -n "$out" ] && echo "$out"
	echo "wait_for: '$*' not true after ${t}s"
	return 1
}

# cxl_pci_devices: BDFs of PCI devices of class CXL memory (0x050210).
cxl_pci_devices() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/class")" = 0x050210 ] && basename "$d"
	done
	return 0
}

# memdev_of BDF: the memdev (memN) that cxl_pci made for the device.
memdev_of() {
	local m
	for m in /sys/bus/pci/devices/$1/mem*; do
		[ -e "$m" ] && { basename "$m"; return 0; }
	done
	return 1
}

# endpoint_decoder MEMDEV [N]: the endpoint decoder N (default 0) of a memdev.
endpoint_decoder() {
	local ep d
	for ep in "$CXLSYS"/endpoint*; do
		[ "$(basename "$(readlink -f "$ep/uport")")" = "$1" ] || continue
		d=$(basename "$ep"); d=decoder${d#endpoint}.${2:-0}
		[ -e "$CXLSYS/$d" ] && { echo "$d"; return 0; }
	done
	return 1
}

# free_endpoint_decoder MEMDEV: its first endpoint decoder without DPA.
free_endpoint_decoder() {
	local n=0 d
	while d=$(endpoint_decoder "$1" $n); do
		[ $(($(cat "$CXLSYS/$d/dpa_size"))) -eq 0 ] && { echo "$d"; return 0; }
		n=$((n + 1))
	done
	return 1
}

# create_ram_region SIZE_PER_DEVICE MEMDEV...: a RAM region interleaved over
# the memdevs in the first root decoder, through the sysfs ABI (Debian 12's
# cxl tool cannot create RAM regions).  Prints the region name.
create_ram_region() {
	local per=$1 root=decoder0.0 region ways i d m
	shift
	ways=$#
	region=$(cat "$CXLSYS/$root/create_ram_region") || return 1
	echo "$region" > "$CXLSYS/$root/create_ram_region" || return 1
	echo "$(cat "$CXLSYS/$root/interleave_granularity")" \
		> "$CXLSYS/$region/interleave_granularity" || return 1
	echo "$ways" > "$CXLSYS/$region/interleave_ways" || return 1
	echo $((per * ways)) > "$CXLSYS/$region/size" || return 1
	i=0
	for m in "$@"; do
		d=$(free_endpoint_decoder "$m") || { echo "no free endpoint decoder for $m" >&2; return 1; }
		echo ram > "$CXLSYS/$d/mode" || return 1
		echo "$per" > "$CXLSYS/$d/dpa_size" || return 1
		echo "$d" > "$CXLSYS/$region/target$i" || return 1
		i=$((i + 1))
	done
	echo 1 > "$CXLSYS/$region/commit" || return 1
	echo "$region" > /sys/bus/cxl/drivers/cxl_region/bind 2>/dev/null
	echo "$region"
}

# dax_of REGION: the device-dax instance (daxX.Y) of a RAM region.
dax_of() {
	local d
	for d in "$CXLSYS/$1"/dax_region*/dax*.*; do
		[ -e "$d" ] && { basename "$d"; return 0; }
	done
	return 1
}

# hdm BDF: the device's HDM decoders as the hardware holds them.
hdm() { "$TOOLS/cxl-hdm" "$1"; }
# host_only_coherent BDF REGION: BDF has the memory device class code
# (0x050210, CXL r3.2 8.1.12.1), so a driver that does not drive its
# mailbox must still have the core commit REGION host-only coherent: HDM
# decoder 0 committed with Target Range Type 1 (HDM-H, 8.2.4.20.7, bit 12
# of its Control register), the endpoint decoder an "expander", and the
# region in a window that takes Type-3 memory (cap_type3).  Before this was
# taken from the device, vfio-pci and the sample committed it device-
# coherent (Target Range Type 0).
host_only_coherent() {
	local d=/sys/bus/pci/devices/$1 r=$CXLSYS/$2 ctrl t root
	echo "$1: class $(cat "$d/class")"
	[ "$(cat "$d/class")" = 0x050210 ] || { echo "not the memory device class code"; return 1; }
	ctrl=$(hdm "$1" | sed -n 's/^decoder0 .* ctrl=\(0x[0-9a-f]*\) committed=1$/\1/p')
	echo "decoder0 ctrl=${ctrl:-not committed}"
	[ -n "$ctrl" ] && [ $((ctrl & 0x1000)) -ne 0 ] ||
		{ echo "HDM decoder 0 is not committed host-only coherent"; return 1; }
	t=$(cat "$r/target0")
	echo "$t target_type: $(cat "$CXLSYS/$t/target_type")"
	[ "$(cat "$CXLSYS/$t/target_type")" = expander ] || return 1
	root=$(basename "$(readlink -f "$r/..")")
	echo "$root cap_type3: $(cat "$CXLSYS/$root/cap_type3")"
	[ "$(cat "$CXLSYS/$root/cap_type3")" = 1 ]
}
# DECODE: the lines of hdm output that say what the device decodes: the
# global control, the committed decoders and the CXL Device DVSEC.  An
# uncommitted decoder's registers decode nothing, and a reset may return
# them to other defaults than the ones at boot.
DECODE='^(bar=|dvsec |decoder[0-9]+ .*committed=1$)'

# kept_across_reset AFTER BEFORE TAINT DAX BYTES SEED [REGION...]: after a
# reset the device decodes as BEFORE said (hdm output), decoder 0 is
# committed, and the pattern of memcheck SEED reads back through /dev/DAX
# (QEMU keeps the memory across a reset; hardware need not).  With no
# REGION, the taint mask is still TAINT.  With REGIONs, each was bound while
# the device was reset, so the kernel must name each as possibly lost and
# taint itself (TAINT_USER, 64): an SBR is a Conventional Reset, after which
# volatile contents are undefined (CXL r3.2 8.1.3.9, Capability3).
kept_across_reset() {
	echo "$1"; echo "taint before $3 after $(tainted)"
	[ "$(echo "$1" | grep -E "$DECODE")" = "$(echo "$2" | grep -E "$DECODE")" ] ||
		{ echo "what the device decodes changed across the reset"; return 1; }
	echo "$1" | grep -q '^decoder0 .*committed=1' || { echo "decoder0 not committed"; return 1; }
	"$TOOLS/memcheck" verify "/dev/$4" "$5" "$6" || return 1
	if [ $# -le 6 ]; then
		[ "$(tainted)" = "$3" ] || { echo "the kernel was tainted"; return 1; }
		return 0
	fi
	shift 6
	reported_lost "$@"
}

# reported_lost REGION...: the kernel named each REGION as reset while in
# use, and is tainted with TAINT_USER.
LOST_MSG='reset while in use: its contents may be lost'
reported_lost() {
	local r rc=0
	for r; do
		dmesg | grep "$r: $LOST_MSG" || { echo "$r not reported as possibly lost"; rc=1; }
	done
	[ $(( $(tainted) & 64 )) -ne 0 ] || { echo "not tainted (TAINT_USER)"; rc=1; }
	return $rc
}


# tainted: the kernel's taint mask.
tainted() { cat /proc/sys/kernel/tainted; }

TRACING=/sys/kernel/tracing

# timed_reset BDF: reset the device through sysfs with the function graph
# tracer on the reset and on the CXL state save and restore it calls.  Prints
# the trace, then "saves=N restores=N resets=N save_ns=N restore_ns=N
# reset_ns=N" (durations summed over the calls).
timed_reset() {
	local t=$TRACING rc
	[ -e $t/tracing_on ] || mount -t tracefs tracefs $t || return 1
	echo 0 > $t/tracing_on
	echo function_graph > $t/current_tracer || return 1
	echo funcgraph-tail > $t/trace_options
	echo 'pci_reset_function cxl_memdev_save_state cxl_memdev_restore_state' \
		> $t/set_ftrace_filter || return 1
	echo > $t/trace
	echo 1 > $t/tracing_on
	echo 1 > "/sys/bus/pci/devices/$1/reset"; rc=$?
	echo 0 > $t/tracing_on
	grep -E 'cxl_memdev_|pci_reset_function' $t/trace
	awk '
	function ns(line,  a) {
		if (!match(line, /[0-9]+\.[0-9]+ (us|ms|s) /))
			return 0
		split(substr(line, RSTART, RLENGTH), a, " ")
		return a[1] * (a[2] == "us" ? 1e3 : a[2] == "ms" ? 1e6 : 1e9)
	}
	/cxl_memdev_save_state\(\);/ { saves++; save += ns($0) }
	/cxl_memdev_restore_state\(\);/ { restores++; restore += ns($0) }
	/\} \/\* pci_reset_function \*\// { resets++; reset += ns($0) }
	END {
		printf "saves=%d restores=%d resets=%d save_ns=%d restore_ns=%d reset_ns=%d\n",
			saves, restores, resets, save, restore, reset
	}' $t/trace
	echo nop > $t/current_tracer
	echo > $t/set_ftrace_filter
	return $rc
}

# fail_next_commit ERRNO: make the next HDM decoder commit of a restore
# return -ERRNO without touching the hardware (debugfs fail_function).
fail_next_commit() {
	local f=/sys/kernel/debug/fail_function
	echo cxl_hdm_commit > $f/inject || return 1
	printf '%#x\n' $((-$1)) > $f/cxl_hdm_commit/retval || return 1
	echo 100 > $f/probability && echo 1 > $f/times &&
	echo 1 > $f/interval && echo 0 > $f/verbose
}

# no_fail_injection: remove every fail_function injection.
no_fail_injection() { echo > /sys/kernel/debug/fail_function/inject; }

# write_errno FILE VALUE: write VALUE to a sysfs FILE and print what came of
# it: "ok", or the error message of the failed write(2).
write_errno() {
	local err
	if err=$( { echo "$2" > "$1"; } 2>&1); then echo ok; else echo "${err##*: }"; fi
}

# cxl_reset_is OBJECT ERRNO_MESSAGE: writing 1 to OBJECT's cxl_reset
# attribute fails with that message, and the device's decoders (hdm of
# $CXL_RESET_BDFS) are what they were.
cxl_reset_is() {
	local before after got b
	before=$(for b in $CXL_RESET_BDFS; do hdm "$b"; done)
	got=$(write_errno "$CXLSYS/$1/cxl_reset" 1)
	after=$(for b in $CXL_RESET_BDFS; do hdm "$b"; done)
	echo "$1/cxl_reset: $got (want: $2)"
	[ "$got" = "$2" ] || return 1
	[ "$before" = "$after" ] || { echo "the device's registers changed"; return 1; }
}
# cxl_reset_method BDF: CXL Reset is offered through the PCI reset method
# "cxl_reset" exactly when the CXL Device DVSEC says the function can do it
# (Capability bit 7, CXL Reset Capable; CXL r3.2 8.1.3.1), and the memdev
# has no cxl_reset attribute of its own (the ABI upstream declined).  On a
# function that cannot, naming the method is refused with EINVAL as
# "Unsupported" (the kernel knows the name: a kernel without the method
# logs "Invalid reset method" instead), and the reset methods and the
# device's registers stay as they were.
cxl_reset_method() {
	local d=/sys/bus/pci/devices/$1 cap methods before after got m
	cap=$(hdm "$1" | sed -n 's/^dvsec .* cap=\(0x[0-9a-f]*\)$/\1/p')
	methods=$(cat "$d/reset_method")
	echo "$1: DVSEC capability ${cap:-?}, reset_method: $methods"
	[ -n "$cap" ] || return 1
	m=$(memdev_of "$1")
	[ -n "$m" ] && [ ! -e "$CXLSYS/$m/cxl_reset" ] || { echo "no memdev, or $m still has a cxl_reset attribute"; return 1; }
	if [ $((cap & 0x80)) -ne 0 ]; then
		case " $methods " in *" cxl_reset "*) return 0 ;; esac
		echo "CXL Reset capable, and cxl_reset is not offered"; return 1
	fi
	case " $methods " in *" cxl_reset "*) echo "cxl_reset offered without the capability"; return 1 ;; esac
	before=$(hdm "$1")
	dmesg -c > /dev/null
	got=$(write_errno "$d/reset_method" cxl_reset)
	after=$(hdm "$1")
	echo "reset_method <- cxl_reset: $got"; dmesg | tail -n 2
	[ "$got" = "Invalid argument" ] || return 1
	dmesg | grep -q "Unsupported reset method 'cxl_reset'" ||
		{ echo "the kernel does not know the method"; return 1; }
	[ "$(cat "$d/reset_method")" = "$methods" ] || { echo "reset_method changed"; return 1; }
	[ "$before" = "$after" ] || { echo "the device's registers changed"; return 1; }
}
BUSY="Device or resource busy"
NOTSUPP="Operation not supported"
AGAIN="Resource temporarily unavailable"
