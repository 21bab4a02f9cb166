#!/usr/bin/env bash
# The series' KUnit suites (config/kunit.config), run by kunit.py under QEMU
# with TCG: kunit.py asks for KVM first, which hangs here, so a wrapper that
# drops "-accel kvm" goes first on PATH.  The kernel's whole console is
# kept (build/check/kunit.log) and parsed by kunit.py's own parser (`kunit.py
# parse --json`), which checks every nested plan; scripts/kunit-ktap.py
# turns its result into one KTAP line per case (suite.case), plus a failing
# line for a suite that crashed or ended before its plan was filled.
. "$TOP/tests/suites/lib.sh"
cfg=$TOP/config/kunit.config
if ! grep -q '^CONFIG_.*KUNIT_TEST=y' "$cfg"; then
	ktap_begin 1
	ok "kunit" "SKIP the series has no KUnit suite yet (config/kunit.config names none)"
	exit 0
fi
wrap=$CHECK/kunit-bin
mkdir -p "$wrap"
cat > "$wrap/qemu-system-x86_64" <<'WRAP'
#!/bin/bash
args=()
skip=0
for a in "$@"; do
	if [ $skip = 1 ]; then skip=0; [ "$a" = tcg ] && args+=(-accel tcg); continue; fi
	[ "$a" = -accel ] && { skip=1; continue; }
	args+=("$a")
done
exec /usr/bin/qemu-system-x86_64 "${args[@]}"
WRAP
chmod +x "$wrap/qemu-system-x86_64"
log=$CHECK/kunit.log json=$CHECK/kunit.json
rm -f "$json"
(cd "$CHECK_TREE" && PATH=$wrap:$PATH CC="$KCC" python3 tools/testing/kunit/kunit.py run \
	--arch=x86_64 --build_dir="$CHECK/kunit" --kunitconfig="$cfg" --jobs="$JOBS" \
	--timeout=300 --raw_output=all) > "$log" 2>&1
rc=$?
kunit_ktap "$log" "$json" "kunit.py run (exit $rc)"
