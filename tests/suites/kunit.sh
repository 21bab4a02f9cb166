#!/usr/bin/env bash
# The series' KUnit suites (config/kunit.config), run by kunit.py under QEMU
# with TCG: kunit.py asks for KVM first, which hangs here, so a wrapper that
# drops "-accel kvm" goes first on PATH.
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
log=$CHECK/kunit.log
(cd "$CHECK_TREE" && PATH=$wrap:$PATH CC="ccache gcc" python3 tools/testing/kunit/kunit.py run \
	--arch=x86_64 --build_dir="$CHECK/kunit" --kunitconfig="$cfg" --jobs="$(nproc)" \
	--timeout=300 --raw_output=kunit) > "$log" 2>&1
rc=$?
# kunit.py prints the kernel's KTAP: report each test case of each suite,
# named suite.case, so that the closing count is a count of cases.  A suite
# that reports no case (it crashed, or did not run) counts as a failure.
if grep -q '^KTAP version' "$log"; then
	sed -n '/^KTAP version/,$p' "$log" | awk '
	/^    # Subtest: / { suite = $3; next }
	/^    (ok|not ok) / {
		line = substr($0, 5); sub(/^(ok|not ok) [0-9]+ /, "", line)
		res[++n] = ($1 == "ok" ? "ok" : "not ok") " " n " " suite "." line
		next
	}
	/^(ok|not ok) / && !seen[$0]++ { top[++t] = $0 }
	/^# / { diag[++d] = $0 }
	END {
		print "KTAP version 1"
		if (n == 0) {
			print "1..1"; for (i = 1; i <= t; i++) print "# " top[i]
			print "not ok 1 kunit: no test case reported"; exit
		}
		print "1.." n
		for (i = 1; i <= d; i++) print diag[i]
		for (i = 1; i <= n; i++) print res[i]
	}'
else
	ktap_begin 1
	tail -n 30 "$log" | diag
	not_ok "kunit.py run (exit $rc)"
fi
