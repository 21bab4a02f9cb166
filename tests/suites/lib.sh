# Helpers for host-side suites (sourced).  A suite prints one KTAP document
# on standard output; scripts/check.sh collects it into build/results/.
# Environment from check.sh: TOP (project), CHECK_TREE (a git tree of the
# base with the series applied, tag "base"), CHECK (scratch directory).
set -uo pipefail
. "$TOP/scripts/lib.sh"
_n=0
ktap_begin() { echo "KTAP version 1"; echo "1..$1"; }
ok() { _n=$((_n + 1)); echo "ok $_n $1${2:+ # $2}"; }
not_ok() { _n=$((_n + 1)); echo "not ok $_n $1${2:+ # $2}"; }
diag() { sed 's/^/# /'; }
# series_commits: the commits of the series in CHECK_TREE, oldest first.
series_commits() { git -C "$CHECK_TREE" rev-list --reverse base..HEAD; }
# touched_files [REV_RANGE]: files the series (or one commit) changes.
touched_files() { git -C "$CHECK_TREE" diff --name-only --diff-filter=AM "${1:-base..HEAD}"; }
# warnings_of LOG: compiler/sparse warnings of a build log, without line and
# column numbers, so that a warning moved by an edit is not "new".
warnings_of() {
	grep -a -E ': (warning|error):' "$1" | sed -E -e "s|^$CHECK_TREE/||" \
		-e 's/^([^:]+):[0-9]+(:[0-9]+)?:/\1:/' | sort -u
}
# The modular kernel (allnoconfig + config/modular.config) in
# $CHECK/obj-modular: the modular suite builds and checks it, the cxl-mock
# suite boots it with the cxl_test modules.  Both build it the same way,
# incrementally.
MODULAR_OBJ=$CHECK/obj-modular
modular_config() {
	mkdir -p "$MODULAR_OBJ" &&
	make -s -C "$CHECK_TREE" O="$MODULAR_OBJ" CC="$KCC" \
		KCONFIG_ALLCONFIG="$TOP/config/modular.config" allnoconfig
}
modular_build() { make -C "$CHECK_TREE" O="$MODULAR_OBJ" CC="$KCC" -j"$JOBS"; }

# kunit_ktap LOG JSON WHAT: the KTAP of a KUnit run whose raw console is
# LOG, parsed by kunit.py's parser (results as JSON in JSON); WHAT names the
# run in the failure printed when nothing can be parsed.
kunit_ktap() {
	local prc
	python3 "$CHECK_TREE/tools/testing/kunit/kunit.py" parse --json="$2" "$1" > "$2.parse" 2>&1
	prc=$?
	if [ -s "$2" ] && python3 "$TOP/scripts/kunit-ktap.py" "$2" "$1" > "$2.ktap" 2>> "$2.parse"; then
		# kunit.py's summary as diagnostics, after the plan.
		sed -n '1,2p' "$2.ktap"
		grep -E 'Testing complete|ERROR|CRASHED|missing' "$2.parse" | head -n 20 | diag
		sed -n '3,$p' "$2.ktap"
	else
		ktap_begin 1
		{ tail -n 30 "$1"; cat "$2.parse"; } | diag
		not_ok "$3: kunit.py parse found no result (exit $prc)"
	fi
}

# guest_results KTAP_LOG: the test lines of a guest's KTAP (CR LF from the
# serial port), renumbered from $_n + 1, completed to the guest's plan with a
# failing line for each test that did not report.  Sets _n; call it after
# ktap_begin with a plan that counts guest_plan KTAP_LOG tests.
guest_plan() {
	local p
	p=$(tr -d '\r' < "$1" 2>/dev/null | grep -a -m1 -E '^1\.\.[0-9]+' | cut -d. -f3)
	echo "${p:-0}"
}
guest_results() {
	local l plan got=0
	plan=$(guest_plan "$1")
	while IFS= read -r l; do
		case $l in
		'ok '*|'not ok '*)
			got=$((got + 1)); _n=$((_n + 1))
			echo "$l" | sed -E "s/^(ok|not ok) [0-9]+/\1 $_n/" ;;
		'#'*) echo "$l" ;;
		esac
	done < <(tr -d '\r' < "$1" 2>/dev/null | grep -a -v -E '^(KTAP version|1\.\.)')
	while [ $got -lt "$plan" ]; do
		got=$((got + 1)); _n=$((_n + 1))
		echo "not ok $_n guest test $got did not report (the boot ended early)"
	done
}
# boot_verdict RC BOOT_OUT_DIR PLAN WHAT: the last test of a boot suite,
# from qemu-boot.sh's exit status: it finished, with no splat, in time.
boot_verdict() {
	local rc=$1 out=$2 plan=$3 what=$4
	if [ "$rc" -eq 124 ]; then
		local mark
		sed -n '1,2p' "$out/hang.txt" 2>/dev/null | diag
		mark=$(sed -n 's/^running: //p' "$out/hang.txt" 2>/dev/null | head -n 1)
		case $mark in
		"rig: running test "*) mark=" in${mark#rig: running}" ;;
		?*) mark=", last mark: $mark" ;;
		esac
		not_ok "$what: timed out$mark (guest state in ${out#"$TOP"/}/hang.txt)"
	elif [ "$rc" -eq 125 ]; then not_ok "$what: completed, no kernel splat (splat in ${out#"$TOP"/}/console.log)"
	elif [ "$rc" -eq 126 ]; then not_ok "$what: the guest did not reach its end (${out#"$TOP"/}/console.log)"
	elif [ "$plan" = 0 ]; then not_ok "$what: the guest suite reported nothing"
	else ok "$what: completed, no kernel splat ($(cut -d' ' -f1,3 "$out/boot.time")s)"; fi
}
