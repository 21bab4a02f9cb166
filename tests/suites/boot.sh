#!/usr/bin/env bash
# boot.sh TOPOLOGY: boot the rig kernel on a topology and run the guest
# suite tests/guest/TOPOLOGY.sh; its KTAP comes back over the second serial
# port.  A last test says whether the boot itself was clean: it completed
# within its timeout and the kernel printed no splat.
. "$TOP/tests/suites/lib.sh"
topo=$1
out=$RESULTS/boot-$topo
KERNEL=$CHECK/obj/arch/x86/boot/bzImage TOOLS=${CHECK#$TOP/}/tools "$TOP/scripts/boot.sh" -q -t "$topo" \
	-T "${BOOT_TIMEOUT:-600}" -o "$out" "tests/guest/$topo.sh" > "$out.boot.log" 2>&1
rc=$?
# The guest's serial port ends its lines with CR LF.
[ -f "$out/ktap.log" ] && sed -i 's/\r$//' "$out/ktap.log"
plan=$(grep -a -m1 -E '^1\.\.[0-9]+' "$out/ktap.log" 2>/dev/null | cut -d. -f3)
plan=${plan:-0}
ktap_begin $((plan + 1))
got=0
while IFS= read -r l; do
	case $l in
	'ok '*|'not ok '*) got=$((got + 1)); echo "$l" ;;
	'#'*) echo "$l" ;;
	esac
done < <(grep -a -v -E '^(KTAP version|1\.\.)' "$out/ktap.log" 2>/dev/null)
while [ $got -lt "$plan" ]; do
	got=$((got + 1)); echo "not ok $got test $got did not report (the boot ended early)"
done
_n=$plan
cat "$out.boot.log" | diag
if [ $rc -eq 124 ]; then not_ok "boot $topo: timed out"
elif [ $rc -eq 125 ]; then not_ok "boot $topo: completed, no kernel splat"
elif [ "$plan" = 0 ]; then not_ok "boot $topo: the guest suite reported nothing"
else ok "boot $topo: completed, no kernel splat ($(cut -d' ' -f1,3 "$out/boot.time")s)"; fi
