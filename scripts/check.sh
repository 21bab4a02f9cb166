#!/usr/bin/env bash
# check.sh: every test of the series, or the suites named in $SUITES.
#
# The series is tested as the patch files say, not as build/linux happens to
# be: the apply suite makes build/check/linux (base + git am of
# patches/series), and the kernel and tools for the boot suites are built
# from it into build/check/.  Each suite leaves its KTAP in
# build/results/SUITE.ktap.  The last line is "N passed, N failed, N skipped";
# the exit status is non-zero when anything failed.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
. "$TOP/scripts/lib.sh"
export CHECK=$TOP/build/check RESULTS=$TOP/build/results
export CHECK_TREE=$CHECK/linux
ALL="apply checkpatch bisect sparse kerneldoc coccicheck vfio-cxl-off modular cxl-mock kunit rig boot-single boot-owner boot-vfio-cxl boot-switch boot-interleave"
[ "${1:-}" = --list ] && { printf '%s\n' $ALL; exit 0; }
suites=${SUITES:-$ALL}
for s in $suites; do
	case " $ALL " in *" $s "*) ;; *) die "unknown suite '$s' (make list-suites)" ;; esac
done
mkdir -p "$CHECK" "$RESULTS"
t0=$(date +%s)

# run_suite NAME CMD...: run a suite, keep its KTAP, print a summary line.
run_suite() {
	local name=$1 t=$(date +%s)
	shift
	"$@" > "$RESULTS/$name.ktap" 2> "$RESULTS/$name.stderr"
	printf '%-16s %s (%ss)\n' "$name" "$(tally "$RESULTS/$name.ktap" | tr '\n' ' ')" $(( $(date +%s) - t ))
	grep -a -E '^not ok ' "$RESULTS/$name.ktap" | grep -v '# TODO' | sed 's/^/    /'
}

# tally FILE: "P F S X" for a KTAP document: passed, failed, skipped and
# expected failures (not ok # TODO, counted as passed); a plan that the
# results do not fill counts the missing tests as failed.
tally() {
	awk '
		/^1\.\.[0-9]+/ { if (!plan) plan = substr($0, 4) + 0 }
		/^ok / { n++; if (/# *SKIP/) s++; else p++ }
		/^not ok / { n++; if (/# *TODO/) x++; else f++ }
		END { if (plan > n) f += plan - n; if (!plan && !n) f++
		      printf "%d passed, %d failed, %d skipped%s\n", p + x, f, s, x ? " (" x " expected failures)" : "" }' "$1"
}

need_kernel() {
	case " $suites " in *" bisect "*|*" sparse "*|*" rig "*|*" boot-"*) return 0 ;; esac
	return 1
}

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
fi

for s in $suites; do
	case $s in
	apply) ;;
	boot-*) run_suite "$s" bash "$TOP/tests/suites/boot.sh" "${s#boot-}" ;;
	*) run_suite "$s" bash "$TOP/tests/suites/$s.sh" ;;
	esac
done

echo "total time $(( $(date +%s) - t0 ))s; KTAP in build/results/"
sel=()
case " $suites " in *" apply "*) ;; *) sel+=("$RESULTS/apply.ktap") ;; esac
for s in $suites; do sel+=("$RESULTS/$s.ktap"); done

summary=$(for f in "${sel[@]}"; do tally "$f"; done | awk '
	{ p += $1; f += $3; s += $5 } END { printf "%d passed, %d failed, %d skipped\n", p, f, s }')
echo "$summary"
case $summary in *" 0 failed,"*) exit 0 ;; *) exit 1 ;; esac
