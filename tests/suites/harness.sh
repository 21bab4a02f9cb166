#!/usr/bin/env bash
# The harness's verdicts can fail.  Fed documents made to be wrong, each
# piece that turns output into results must report failure: the KUnit
# conversion (kunit.py's parser) on a run that crashed after ten of its
# twenty-five cases, naming the crash's site; the closing count on a plan
# the results do not fill; STRICT=1 on a skip for a missing tool; the guest
# KTAP merge on a boot that ended early; the splat pattern on each kind of
# splat (and on none of the ordinary lines); and the command-line checks of
# check.sh and qemu-boot.sh.  Each case has a control that must pass.
# Last, a lint: no script that runs under pipefail pipes into grep -q.
. "$TOP/tests/suites/lib.sh"
w=$CHECK/harness
rm -rf "$w" && mkdir -p "$w"
ktap_begin 10

# t NAME CMD...: one test; CMD's output becomes diagnostics.
t() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then [ -n "$out" ] && echo "$out" | diag; ok "$name"
	else [ -n "$out" ] && echo "$out" | diag; not_ok "$name"; fi
}

# A KUnit console: 25 cases planned, 10 reported, then a crash.
kunit_log() {
	local n=$1 i
	echo "[    1.000000] KTAP version 1"
	echo "[    1.000001] 1..1"
	echo "[    1.000002]     KTAP version 1"
	echo "[    1.000003]     # Subtest: cxl_reset"
	echo "[    1.000004]     # module: cxl_reset_test"
	echo "[    1.000005]     1..25"
	for i in $(seq "$n"); do echo "[    1.1$(printf %05d "$i")]     ok $i case_$i"; done
	if [ "$n" -lt 25 ]; then
		echo "[    1.200000] BUG: kernel NULL pointer dereference, address: 0000000000000000"
		echo "[    1.200001] Oops: Oops: 0002 [#1] SMP NOPTI"
		echo "[    1.200002] RIP: 0010:case_11+0x5/0x10"
		echo "[    1.200003] Kernel panic - not syncing: Fatal exception"
	else
		echo "[    1.200000] # cxl_reset: pass:25 fail:0 skip:0 total:25"
		echo "[    1.200001] ok 1 cxl_reset"
	fi
}
kunit_case() {
	kunit_log "$1" > "$w/kunit-$1.log"
	kunit_ktap "$w/kunit-$1.log" "$w/kunit-$1.json" "synthetic" > "$w/kunit-$1.ktap"
	echo "$(tally "$w/kunit-$1.ktap")"
	grep -E '^not ok' "$w/kunit-$1.ktap" | head -n 3
}
crashed() {
	local r; r=$(kunit_case 10); echo "$r"
	case $r in "10 passed, "[1-9]*" failed"*) ;; *) return 1 ;; esac
	grep 'crashed or ended early' "$w/kunit-10.ktap" |
		grep -q 'kernel: BUG: kernel NULL pointer dereference.*, RIP: 0010:case_11+0x5/0x10'
}
complete() { local r; r=$(kunit_case 25); echo "$r"; [ "${r%%,*}" = "25 passed" ] && ! grep -q '^not ok' "$w/kunit-25.ktap"; }
t "kunit: a run that crashed after 10 of 25 cases fails, naming the suite and where the kernel crashed" crashed
t "kunit: the same run complete passes 25 (control)" complete

short_plan() {
	printf 'KTAP version 1\n1..5\nok 1 a\nok 2 b\nok 3 c\n' > "$w/short.ktap"
	local r; r=$(tally "$w/short.ktap"); echo "$r"; [ "$r" = "3 passed, 2 failed, 0 skipped" ]
}
t "tally: a plan of 5 with 3 results counts 2 failures" short_plan

strict() {
	printf 'KTAP version 1\n1..2\nok 1 a # SKIP missing: spatch\nok 2 b # SKIP the device has no FLR\n' > "$w/strict.ktap"
	local a b
	a=$(STRICT=0 tally "$w/strict.ktap"); b=$(STRICT=1 tally "$w/strict.ktap")
	echo "STRICT=0: $a; STRICT=1: $b"
	[ "$a" = "0 passed, 0 failed, 2 skipped" ] && [ "$b" = "0 passed, 1 failed, 1 skipped" ]
}
t "STRICT=1 fails a skip for a missing tool and keeps any other skip" strict

early() {
	printf 'KTAP version 1\r\n1..4\r\nok 1 a\r\nnot ok 2 b\r\n' > "$w/guest.ktap"
	local out; out=$(_n=0; guest_results "$w/guest.ktap"); echo "$out"
	[ "$(grep -c '^not ok' <<< "$out")" = 3 ] && grep -q '^not ok 4 guest test 4 did not report' <<< "$out"
}
t "guest KTAP: a boot that ended after 2 of 4 tests gives 3 failures" early

splats() {
	local l bad=0
	while IFS= read -r l; do
		grep -q -E -f "$TOP/scripts/splat.ere" <<< "$l" || { echo "not caught: $l"; bad=1; }
	done <<-'EOF'
	[    5.1] WARNING: CPU: 1 PID: 312 at drivers/cxl/core/hdm.c:700 cxl_decoder_commit+0x1/0x2
	[    5.1] BUG: KASAN: slab-use-after-free in cxl_region_probe+0x10/0x20
	[    5.1] UBSAN: array-index-out-of-bounds in drivers/cxl/core/region.c:42:7
	[    5.1] unreferenced object 0xffff888003c1b000 (size 64):
	[    5.1] WARNING: possible circular locking dependency detected
	[    5.1] WARNING: possible recursive locking detected
	[    5.1] BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580
	[    5.1] Oops: general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] SMP
	[    5.1] INFO: task vfio_cxl_test:417 blocked for more than 120 seconds.
	[    5.1] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [bash:1]
	[    5.1] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:
	[    5.1] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100
	EOF
	while IFS= read -r l; do
		grep -q -E -f "$TOP/scripts/splat.ere" <<< "$l" && { echo "caught, but no splat: $l"; bad=1; }
	done <<-'EOF'
	[    1.1] cxl_pci 0000:0d:00.0: CXL state restored after reset
	[    1.1] vfio-pci 0000:0d:00.0: CXL memory withheld until the device is reset
	[    1.1] kmemleak: Kernel memory leak detector initialized (mem pool available: 15709)
	[    1.1] sysrq: Show Blocked State
	EOF
	[ $bad = 0 ] && echo "12 splats caught, 4 ordinary lines passed"
}
t "the splat pattern catches every kind of splat and no ordinary line" splats

cli_check() {
	local out
	out=$("$TOP/scripts/check.sh" --help) && grep -q 'check.sh \[--help' <<< "$out" || { echo "no --help"; return 1; }
	out=$("$TOP/scripts/check.sh" no-such-suite 2>&1) && { echo "an unknown suite was accepted"; return 1; }
	grep -q "unknown suite 'no-such-suite'" <<< "$out" || { echo "$out"; return 1; }
	out=$("$TOP/scripts/check.sh" --list) && grep -qx heavy <<< "$out" || { echo "--list does not name the opt-in suites"; return 1; }
	out=$(FAULT=bogus "$TOP/scripts/check.sh" harness 2>&1) && { echo "an unknown FAULT was accepted"; return 1; }
	grep -q "unknown FAULT 'bogus'" <<< "$out" || { echo "$out"; return 1; }
	out=$(FAULT=guest-hang:3x "$TOP/scripts/check.sh" harness 2>&1) && { echo "FAULT=guest-hang:3x was accepted"; return 1; }
	grep -q "unknown FAULT 'guest-hang:3x'" <<< "$out" || { echo "$out"; return 1; }
	echo "--help, --list, an unknown suite and an unknown FAULT behave"
}
t "check.sh: --help, --list, an unknown suite and an unknown FAULT refused" cli_check

# The verdict of a boot that timed out names the test that was running.
timeout_verdict() {
	mkdir -p "$w/hung"
	printf '%s\n' "boot timed out after 40s (tcg, topology single, tests/guest/single.sh)" \
		"running: rig: running test 3: an HDM decoder commits" "last KTAP lines:" > "$w/hung/hang.txt"
	local out; out=$(_n=0; boot_verdict 124 "$w/hung" 5 "boot single"); echo "$out"
	grep -q '^not ok 1 boot single: timed out in test 3: an HDM decoder commits (guest state in .*/hung/hang.txt)$' <<< "$out"
}
t "a boot that timed out fails naming the running test and its report" timeout_verdict
cli_boot() {
	local out
	out=$("$TOP/scripts/qemu-boot.sh" -h) && grep -q 'qemu-boot.sh \[options\]' <<< "$out" || { echo "no -h"; return 1; }
	touch "$w/bzImage"
	out=$(ACCEL=bogus KERNEL="$w/bzImage" "$TOP/scripts/qemu-boot.sh" -q 2>&1) && { echo "a bad ACCEL was accepted"; return 1; }
	grep -q 'ACCEL=bogus' <<< "$out" || { echo "$out"; return 1; }
	echo "-h and a bad ACCEL behave"
}
t "qemu-boot.sh: -h, and a bad ACCEL refused" cli_boot

# Under pipefail, "producer | grep -q" fails whenever grep exits on its
# match before the producer's last write: the producer dies of SIGPIPE.
# (Test 7 failed one CI run so, on "check.sh --list | grep -qx heavy",
# 24 times in 200 here.)  Match against a captured string instead.
quiet_pipes() {
	local f hits
	hits=$(for f in "$TOP"/scripts/*.sh "$TOP"/tests/suites/*.sh; do
		grep -q 'pipefail' "$f" || [ "${f%/tests/suites/*}" != "$f" ] || continue
		grep -n -E '\|[[:space:]]*grep[[:space:]]+(-[a-zA-Z]*[qm]|--quiet|--max-count)' "$f" |
			grep -v -E '^[0-9]+:[[:space:]]*#' | sed "s|^|${f#"$TOP"/}:|"
	done)
	[ -z "$hits" ] && echo "no pipe into grep -q or grep -m under pipefail" && return
	echo "$hits"; return 1
}
t "no script under pipefail pipes into grep -q (SIGPIPE makes it flaky)" quiet_pipes
