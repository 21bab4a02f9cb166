#!/usr/bin/env bash
# The series' KUnit suites, built into the rig kernel (config/rig.config,
# with CONFIG_KUNIT_DEFAULT_ENABLED off so that other boots skip them), run
# in a boot of their own: TCG, no root file system, kunit.enable=1, and
# kunit_shutdown=poweroff, so the kernel powers off as soon as the last
# suite has reported.  The whole console is kept (build/check/kunit.log)
# and parsed by kunit.py's own parser (`kunit.py parse --json`), which
# checks every nested plan; scripts/kunit-ktap.py turns its result into one
# KTAP line per case (suite.case), plus a failing line for a suite that
# crashed or ended before its plan was filled.  A last test fails the boot
# itself when it did not power off in time or printed a splat.
. "$TOP/tests/suites/lib.sh"
cfg=$TOP/config/rig.config
if ! grep -q '^CONFIG_.*KUNIT_TEST=y' "$cfg"; then
	ktap_begin 1
	ok "kunit" "SKIP the series has no KUnit suite yet (config/rig.config builds none)"
	exit 0
fi
kernel=$CHECK/obj/arch/x86/boot/bzImage
kargs=""

# FAULT=kunit-crash: the same run on a kernel built from a copy of the tree
# whose cxl_reset suite has, as its eleventh case, one that dereferences
# NULL, booted with oops=panic as a CI kernel would be: the run ends there,
# and the verdict must fail and say where.  The copy is hard-linked (the
# one file changed is written anew) and keeps ../linux as the path from its
# object directory, so that ccache serves every other object from the rig
# kernel's build.
if [ "$FAULT" = kunit-crash ]; then
	src=$CHECK/fault/linux fobj=$CHECK/fault/obj
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
	if ! OBJ=$fobj TREE=$src "$TOP/scripts/build.sh" > "$CHECK/fault/build.log" 2>&1; then
		ktap_begin 1
		tail -n 20 "$CHECK/fault/build.log" | diag
		not_ok "kunit: FAULT=kunit-crash: the kernel with the crashing case does not build"
		exit 0
	fi
	kernel=$fobj/arch/x86/boot/bzImage kargs="oops=panic"
fi
if [ ! -f "$kernel" ]; then
	ktap_begin 1
	not_ok "kunit: no rig kernel at ${kernel#"$TOP"/} (the kernel build failed)"
	exit 0
fi

log=$CHECK/kunit.log json=$CHECK/kunit.json
rm -f "$json"
# rdinit and root point nowhere: kunit_shutdown powers the kernel off
# before it would look for either, so a boot that gets past the tests is
# one that did not shut down, and ends in a panic (panic=-1, -no-reboot).
t=$(date +%s)
timeout -k 5 "${BOOT_TIMEOUT:-300}" qemu-system-x86_64 -accel tcg,thread=single -machine q35 -cpu max \
	-smp 2 -m 1G -display none -monitor none -no-reboot -nodefaults -serial stdio \
	-kernel "$kernel" \
	-append "console=ttyS0,115200 no_timer_check panic=-1 rdinit=/none root=/dev/none kunit.enable=1 kunit.autorun=1 kunit_shutdown=poweroff $kargs" \
	< /dev/null > "$log" 2>&1
rc=$? secs=$(( $(date +%s) - t ))

out=$(kunit_ktap "$log" "$json" "KUnit boot (QEMU exit $rc)")
_n=$(grep -c -E '^(not )?ok ' <<< "$out")
ktap_begin $((_n + 1))
grep -v -E '^(KTAP version|1\.\.[0-9]+$)' <<< "$out"
what="the KUnit boot powers off after its suites, with no kernel splat"
splat=$(grep -a -n -E -f "$TOP/scripts/splat.ere" "$log" | head -n 5)
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	tail -n 15 "$log" | diag
	not_ok "$what (timed out after ${BOOT_TIMEOUT:-300}s; console in ${log#"$TOP"/})"
elif [ -n "$splat" ]; then
	echo "$splat" | diag
	not_ok "$what (splat in ${log#"$TOP"/})"
elif ! grep -a -q 'reboot: Power down' "$log"; then
	tail -n 15 "$log" | diag
	not_ok "$what (QEMU exit $rc, no power-off; console in ${log#"$TOP"/})"
else
	ok "$what (${secs}s)"
fi
