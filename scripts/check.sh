#!/usr/bin/env bash
# check.sh [--help | --list | SUITE...]: every test of the series, or the
# suites named (on the command line, or in $SUITES).
#
# The series is tested as the patch files say, not as build/linux happens to
# be: the apply suite makes build/check/linux (base + git am of
# patches/series), and the kernel and tools for the boot suites are built
# from it into build/check/.  Each suite leaves its KTAP in
# build/results/SUITE.ktap.  The closing lines list every skipped test with
# its reason, then "N passed, N failed, N skipped"; the exit status is
# non-zero when anything failed.
#
# The default suites are those of `--list`; the opt-in ones (`--list`, after
# the blank line) run only when named.  STRICT=1 turns every skip whose
# reason starts with "missing:" (a tool or package that is not installed)
# into a failure.  FAULT=guest-hang:N or FAULT=kunit-crash injects a
# deliberate failure.  The README's "Environment" table lists every knob.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
. "$TOP/scripts/lib.sh"
export CHECK=$TOP/build/check RESULTS=$TOP/build/results
export CHECK_TREE=$CHECK/linux
ALL="harness apply checkpatch bisect sparse kerneldoc coccicheck docs vfio-cxl-off modular build-i386 cxl-mock kunit rig boot-single boot-owner boot-vfio-cxl boot-switch boot-interleave coverage"
# Opt-in: the long loops (heavy: the vfio-cxl suite with RESETS=1000) and
# the KASAN kernel with every boot suite on it.
OPTIN="heavy kasan"
usage() { sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//p}' "$0"; }
case ${1:-} in
-h|--help) usage; exit 0 ;;
--list) printf '%s\n' $ALL; echo; printf '%s\n' $OPTIN; exit 0 ;;
-*) usage >&2; die "unknown option $1" ;;
esac
[ $# -gt 0 ] && SUITES="$*"
suites=${SUITES:-$ALL}
for s in $suites; do
	case " $ALL $OPTIN " in *" $s "*) ;; *) die "unknown suite '$s' (check.sh --list)" ;; esac
done
export STRICT=${STRICT:-0}
# FAULT: a deliberate failure, to see what a real one reports.  guest-hang:N
# makes test N of every guest suite hang (tests/guest/lib.sh, running());
# kunit-crash adds a KUnit case that oopses, with oops=panic (kunit.sh).
if [[ ${FAULT:=} =~ ^guest-hang:[1-9][0-9]*$ ]]; then
	export BOOT_APPEND="${BOOT_APPEND:-} rig.fault=hang:${FAULT#guest-hang:}"
elif [ -n "$FAULT" ] && [ "$FAULT" != kunit-crash ]; then
	die "unknown FAULT '$FAULT' (guest-hang:N or kunit-crash)"
fi
export FAULT
mkdir -p "$CHECK" "$RESULTS"
t0=$(date +%s)

# run_suite NAME CMD...: run a suite, keep its KTAP, print a summary line and
# the tests that failed.
run_suite() {
	local name=$1 t=$(date +%s)
	shift
	"$@" > "$RESULTS/$name.ktap" 2> "$RESULTS/$name.stderr"
	printf '%-16s %s (%ss)\n' "$name" "$(tally "$RESULTS/$name.ktap" | tr '\n' ' ')" $(( $(date +%s) - t ))
	grep -a -E '^not ok ' "$RESULTS/$name.ktap" | grep -v '# TODO' | sed 's/^/    /'
	if [ "$STRICT" = 1 ]; then
		grep -a -E '^ok .*# *SKIP missing:' "$RESULTS/$name.ktap" | sed 's/^/    STRICT=1, failed: /'
	fi
	printf '%s %s\n' "$name" $(( $(date +%s) - t )) >> "$RESULTS/times"
}

need_kernel() {
	case " $suites " in *" bisect "*|*" sparse "*|*" rig "*|*" kunit "*|*" boot-"*|*" heavy "*|*" kasan "*|*" coverage "*) return 0 ;; esac
	return 1
}

: > "$RESULTS/times"
# The tree is needed by every suite: make it even when apply is not asked for.
run_suite apply bash "$TOP/tests/suites/apply.sh"
if grep -q '^not ok' "$RESULTS/apply.ktap"; then
	# Nothing after this would test the series as its files say.
	echo "the series does not apply: no further suite runs"
	suites=apply
fi

if need_kernel; then
	t=$(date +%s)
	if OBJ=$CHECK/obj TREE=$CHECK_TREE "$TOP/scripts/build.sh" > "$RESULTS/kernel-build.log" 2>&1 &&
	   "$TOP/scripts/build-tools.sh" "$CHECK_TREE" "$CHECK/obj" "$CHECK/tools" >> "$RESULTS/kernel-build.log" 2>&1; then
		printf '%-16s built (%ss)\n' kernel $(( $(date +%s) - t ))
	else
		printf '%-16s FAILED to build (%ss), see build/results/kernel-build.log\n' kernel $(( $(date +%s) - t ))
		tail -n 20 "$RESULTS/kernel-build.log" | sed 's/^/    /'
		# Never boot a kernel left from an earlier run in its place.
		rm -f "$CHECK/obj/arch/x86/boot/bzImage"
	fi
	printf 'kernel %s\n' $(( $(date +%s) - t )) >> "$RESULTS/times"
fi

# The boot suites run BOOT_JOBS at a time (default: 2 with single-threaded
# TCG, where each QEMU takes one host thread; 1 otherwise); their summaries
# are printed in order once they are all done.  Every other suite runs alone.
boot_jobs=${BOOT_JOBS:-$([ "${TCG_THREAD:-single}" = single ] && [ "${ACCEL:-tcg}" = tcg ] && echo 2 || echo 1)}
boots=()
flush_boots() {
	local b
	wait
	for b in "${boots[@]}"; do cat "$RESULTS/$b.summary"; done
	boots=()
}
for s in $suites; do
	case $s in
	apply) ;;
	boot-*)
		while [ "$(jobs -rp | wc -l)" -ge "$boot_jobs" ]; do wait -n; done
		boots+=("$s")
		run_suite "$s" bash "$TOP/tests/suites/boot-topology.sh" "${s#boot-}" > "$RESULTS/$s.summary" &
		;;
	*)
		[ ${#boots[@]} -gt 0 ] && flush_boots
		run_suite "$s" bash "$TOP/tests/suites/$s.sh" ;;
	esac
done
[ ${#boots[@]} -gt 0 ] && flush_boots

echo "total time $(( $(date +%s) - t0 ))s; KTAP in build/results/"
sel=()
case " $suites " in *" apply "*) ;; *) sel+=("$RESULTS/apply.ktap") ;; esac
for s in $suites; do sel+=("$RESULTS/$s.ktap"); done

# Every skip, with its reason, before the count.
skips=$(for f in "${sel[@]}"; do
	n=$(basename "$f" .ktap)
	grep -a -E '^ok [0-9]+ .*# *SKIP' "$f" 2>/dev/null | sed -E "s/^ok [0-9]+ /$n: /; s/ *# *SKIP */ -- skipped: /"
done)
if [ -n "$skips" ]; then
	echo "skipped tests and why:"
	echo "$skips" | sed 's/^/    /'
fi
summary=$(for f in "${sel[@]}"; do tally "$f"; done | awk '
	{ p += $1; f += $3; s += $5 } END { printf "%d passed, %d failed, %d skipped\n", p, f, s }')
echo "$summary"
case $summary in *" 0 failed,"*) exit 0 ;; *) exit 1 ;; esac
