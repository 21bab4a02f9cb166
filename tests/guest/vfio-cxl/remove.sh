# Area "remove" of boot-vfio-cxl: the device removed while its user resets
# it.  remove_during_reset resets the device in a loop, its mapping faulting
# in, until the removal asks for the device (the request eventfd); the
# removal completes when the test closes the device.  Then a rescan brings
# it back, on cxl_pci.  Needs the CXL device on vfio-pci with its region.
#
# On by default; RIG_REMOVE=0 (BOOT_APPEND) leaves it out, and then the
# tests are skipped and the device is only unbound, as the areas after
# expect.  It was opt-in after a stall on a loaded host.  The rig's hang
# reports since showed what stalls a guest there under TCG: QEMU lost the
# TLB-flush IPI of a process exit (the sender spun in
# smp_call_function_many_cond(), the target idled with interrupts on), and
# multi-threaded TCG aborted in iotlb_to_section() while the device was
# reset under a vCPU that accessed it.  The rig now runs TCG on one thread,
# and its kernel re-sends an IPI stuck for 5 s (CSD_LOCK_WAIT_DEBUG); this
# test has passed on a loaded host since.
# shellcheck source=tests/guest/vfio-cxl/lib.sh
. "$RIG/tests/guest/vfio-cxl/lib.sh"

RM_WHY="left out with RIG_REMOVE=0"
RM_OUT=/tmp/vfio_cxl_remove.out
rm_opted() { [ "${RIG_REMOVE:-1}" = 1 ]; }
alive() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
# gone SECONDS PID...: the processes (children of this shell, which reaps
# them: not from a subshell) ended within SECONDS.
gone() {
	local i t=$1
	shift
	for i in $(seq $((t * 10))); do alive "$@" || return 0; sleep 0.1; done
	! alive "$@"
}
# rm_ready SECONDS PID: the test said it is ready, or it ended first.
rm_ready() {
	local _
	for _ in $(seq $(($1 * 10))); do
		grep -q '^remove_during_reset: ready' $RM_OUT && return 0
		alive "$2" || return 1
		sleep 0.1
	done
	return 1
}

# rm_run: the test and the removal, in the suite's shell: the tests after
# read what came of them (rm_trc, rm_rrc, rm_hung, rm_mem, rm_region).
rm_hung=
rm_run() {
	local tpid start rpid=""
	rm_opted || return 0
	running "vfio_cxl_test remove_during_reset and the removal of $bdf"
	rm_mem=$(memdev_of "$bdf")
	rm_region=$(regions)
	env VFIO_SELFTESTS_BDF="$bdf" VFIO_CXL_REMOVE=1 "$V/vfio_cxl_test" -t remove_during_reset > $RM_OUT 2>&1 &
	tpid=$!
	rm_rrc=none rm_hung=
	if rm_ready 60 $tpid; then
		start=$(date +%s%N)
		echo 1 > "$dev/remove" &
		rpid=$!
	else
		kill $tpid 2>/dev/null
	fi
	# Both end within seconds; a hang is reported, not waited out.
	if gone 120 $tpid $rpid; then
		wait $tpid; rm_trc=$?
		[ -n "$rpid" ] && { wait "$rpid"; rm_rrc=$?; }
		[ -n "$rpid" ] && diag "the removal took $((($(date +%s%N) - start) / 1000000)) ms"
	else
		rm_hung=1 rm_trc=hung
		[ -n "$rpid" ] && rm_rrc=hung
		# shellcheck disable=SC2046
		diag "after 120 s the test or the removal still runs:
$(ps -eo pid,stat,wchan:32,args | grep -E 'vfio_cxl_test|remove' | grep -v grep)
$(tasks $(pgrep -f vfio_cxl_test) $rpid)
$(dmesg | tail -n 40)"
	fi
}
rm_resets() {
	rm_opted || { skip_test "$RM_WHY"; return; }
	grep -v -E '^#  RUN' $RM_OUT | tail -n 20
	echo "test exit $rm_trc, remove exit $rm_rrc"
	[ "$rm_trc" = 0 ] && [ "$rm_rrc" = 0 ] && grep -q '^ok 1 vfio_cxl.remove_during_reset$' $RM_OUT
}
rm_gone() {
	local left="" e
	rm_opted || { skip_test "$RM_WHY"; return; }
	echo "memdev ${rm_mem:-?}, region ${rm_region:-?}"
	[ ! -e "$dev" ] || { echo "$dev is still there"; return 1; }
	echo "CXL devices: $(ls $CXLSYS | tr '\n' ' ')"
	for e in "$CXLSYS"/*; do
		readlink -f "$e" | grep -q "/$bdf/" && left="$left $(basename "$e")"
	done
	for e in $rm_mem $rm_region; do [ -e "$CXLSYS/$e" ] && left="$left $e"; done
	[ -z "$left" ] || { echo "left behind:$left"; return 1; }
	[ -n "$rm_mem" ] && [ -n "$rm_region" ]
}
rm_rescan() {
	rm_opted || { skip_test "$RM_WHY"; return; }
	# A removal that hangs holds the rescan lock: a rescan would hang too.
	[ -z "$rm_hung" ] || { skip_test "the test or the removal hangs"; return; }
	echo 1 > /sys/bus/pci/rescan || return 1
	# cxl_pci probes asynchronously
	wait_for 10 cxl_pci_bound "$bdf"
	echo "driver: $(driver_of "$bdf"); memdev: $(ls -d "$dev"/mem* 2>/dev/null)"
	cxl_pci_bound "$bdf"
}
# Not opted in: what follows expects vfio-pci to bind the device anew.
rm_unbind() { rm_opted || vfio_unbind "$bdf" > /dev/null 2>&1; }

remove_tests() {
	step_add setup need_vfio_cxl
	step_add rm_run
	test_add "vfio_cxl_test remove_during_reset: resets go on until the removal asks for the device" rm_resets
	test_add "the removed device is gone, with its memdev and region" rm_gone
	test_add "after a rescan the device is back and cxl_pci binds it" rm_rescan
	step_add rm_unbind
}
area_main remove_tests
