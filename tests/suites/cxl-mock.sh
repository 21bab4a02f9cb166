#!/usr/bin/env bash
# The CXL mock topology of tools/testing/cxl (cxl_test) in the rig.  The
# modular kernel (config/modular.config, built as the modular suite builds
# it, incrementally) gets the cxl_test modules built against it (make
# M=tools/testing/cxl, output under its object tree); both are staged with
# modules_install and depmod for the guest's modprobe, and the kernel boots
# on a machine without emulated CXL devices to run tests/guest/cxl-mock.sh:
# cxl_test's mock Type-2 accelerator, one load of cxl_test per case.  A
# last test says whether the boot was clean.
. "$TOP/tests/suites/lib.sh"
obj=$MODULAR_OBJ
# Output of the M= build.  Its Kbuild names the CXL sources as
# ../../../drivers/cxl/..., so their objects land in $obj/cxl_test/drivers,
# apart from the kernel's own.
mock=$obj/cxl_test/tools/testing/cxl
stage=$CHECK/cxl-mock-modules
log=$CHECK/cxl-mock.log
out=$RESULTS/cxl-mock

host=()
: > "$log"
if modular_config >> "$log" 2>&1 && modular_build >> "$log" 2>&1; then
	host+=("ok the modular kernel builds")
	krel=$(cat "$obj/include/config/kernel.release")
	rm -rf "$stage"
	if make -C "$CHECK_TREE" O="$obj" M=tools/testing/cxl MO="$mock" CC="$KCC" -j"$JOBS" >> "$log" 2>&1 &&
	   make -s -C "$CHECK_TREE" O="$obj" INSTALL_MOD_PATH="$stage" modules_install >> "$log" 2>&1 &&
	   make -s -C "$CHECK_TREE" O="$obj" M=tools/testing/cxl MO="$mock" INSTALL_MOD_PATH="$stage" \
		modules_install >> "$log" 2>&1 &&
	   depmod -b "$stage" "$krel" >> "$log" 2>&1; then
		host+=("ok the cxl_test modules build against it (make M=tools/testing/cxl) and are staged for modprobe")
	else
		host+=("not ok the cxl_test modules build against it (make M=tools/testing/cxl) and are staged for modprobe")
	fi
else
	host+=("not ok the modular kernel builds")
fi
ran=0
if [[ ${host[-1]} == ok* ]]; then
	ran=1
	KERNEL=$obj/arch/x86/boot/bzImage "$TOP/scripts/qemu-boot.sh" -q -n -t none -T "${BOOT_TIMEOUT:-600}" \
		-o "$out" tests/guest/cxl-mock.sh "${stage#"$TOP"/}" > "$out.boot.log" 2>&1
	rc=$?
fi

# The guest's KTAP, completed to its plan.
plan=0
[ $ran = 1 ] && plan=$(guest_plan "$out/ktap.log")
ktap_begin $((${#host[@]} + plan + 1))
for r in "${host[@]}"; do
	_n=$((_n + 1)); echo "${r/ok /ok $_n }"
done
case ${host[-1]} in not*)
	grep -a -E 'error|ERROR|Error' "$log" | head -n 20 | diag
	grep -q "modpost: cxl_core.ko: symbol .* undefined" "$log" &&
		echo "tools/testing/cxl/Kbuild names cxl_core's objects itself: one added to drivers/cxl/core/Makefile must be added there too" | diag
	;;
esac
[ $ran = 1 ] && guest_results "$out/ktap.log"
if [ $ran = 0 ]; then not_ok "boot: not run, nothing to boot"
else
	diag < "$out.boot.log"
	boot_verdict $rc "$out" "$plan" boot
fi
