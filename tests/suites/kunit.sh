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

# FAULT=kunit-crash: the same run on a copy of the tree whose cxl_reset
# suite has, as its eleventh case, one that dereferences NULL, booted with
# oops=panic as a CI kernel would be: the run ends there, and the verdict
# must fail and say where.  The copy is hard-linked (the one file changed is
# written anew) and keeps ../linux as the path from its build directory, so
# that ccache serves it from the real run's objects.
src=$CHECK_TREE bdir=$CHECK/kunit kargs=()
if [ "$FAULT" = kunit-crash ]; then
	src=$CHECK/fault/linux bdir=$CHECK/fault/kunit
	f=drivers/cxl/core/reset_test.c
	rm -rf "$src" && mkdir -p "${src%/*}" && cp -al "$CHECK_TREE" "$src" && rm -rf "$src/.git" &&
	awk '
	/^static struct kunit_case cxl_reset_test_cases\[\] = \{/ {
		print "/* FAULT=kunit-crash (tests/suites/kunit.sh): a case that oopses. */"
		print "static void rig_fault_crash_test(struct kunit *test)"
		print "{"
		print "\tint *volatile p = NULL;"
		print ""
		print "\tkunit_info(test, \"FAULT=kunit-crash: writing through NULL\\n\");"
		print "\t*p = 1;"
		print "}"
		print ""
		inarray = 1
	}
	{ print }
	inarray && /KUNIT_CASE\(/ && ++n == 10 { print "\tKUNIT_CASE(rig_fault_crash_test),"; added = 1 }
	END { exit !added }' "$CHECK_TREE/$f" > "$src/$f.new" && mv "$src/$f.new" "$src/$f" || {
		ktap_begin 1
		not_ok "kunit: FAULT=kunit-crash could not add its case to $f"
		exit 0
	}
	kargs=(--kernel_args=oops=panic --kernel_args=panic=-1)
fi
log=$CHECK/kunit.log json=$CHECK/kunit.json
rm -f "$json"
# CC goes in as a make option: the kernel's Makefile sets CC itself, so
# kunit.py's make would ignore it in the environment (and miss ccache).
(cd "$src" && PATH=$wrap:$PATH python3 tools/testing/kunit/kunit.py run \
	--arch=x86_64 --build_dir="$bdir" --kunitconfig="$cfg" --jobs="$JOBS" \
	--make_options="CC=$KCC" \
	--timeout=300 --raw_output=all "${kargs[@]}") > "$log" 2>&1
rc=$?
kunit_ktap "$log" "$json" "kunit.py run (exit $rc)"
