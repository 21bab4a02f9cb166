#!/usr/bin/env bash
# qemu-boot.sh [options] [GUEST_SCRIPT [ARG...]]
#
# Boot the rig kernel (build/obj/arch/x86/boot/bzImage) in QEMU with the
# host's root file system read-only over 9p and run GUEST_SCRIPT (a path
# relative to the project) inside; without one the guest only boots.
#
#   -t TOPOLOGY   topologies/TOPOLOGY.args (default: single); the kernel
#                 command line gets topologies/TOPOLOGY.append if present
#   -T SECONDS    hard timeout of the boot (default: $BOOT_TIMEOUT or 300)
#   -o DIR        where console.log and ktap.log go (default: build/results/boot)
#   -n            no emulated IOMMU (use vfio's no-IOMMU mode in the guest)
#   -q            do not copy the console to standard output
#
# Exit status: the guest script's; 124 when the boot timed out; 125 when the
# kernel printed a splat (scripts/splat.ere); 126 when the guest did not
# reach its end (no "rig: done" line: a panic, a crash of init, QEMU gone).
#
# On a timeout the guest's state is collected before QEMU is stopped, into
# DIR/hang.txt: which test was running (the guest's "rig: running" marks),
# the last console and KTAP lines, then, through the QEMU monitor, the
# kernel's blocked tasks, held locks, CPU backtraces and every task's stack
# (sysrq w, d, l, t on the emulated keyboard), the vCPU registers and each
# local APIC's state (QMP, human-monitor-command).
#
# The rig kernel has CONFIG_CSD_LOCK_WAIT_DEBUG: a cross-CPU call that waits
# more than 5 s re-sends its IPI.  Under TCG, QEMU 10.0 has lost such an IPI
# (a TLB flush at a process exit, the target CPU idle with interrupts on,
# the sender spinning in smp_call_function_many_cond() until the timeout).
# When the re-sent IPI gets the call done ("got unstuck"), the emulator lost
# the first one: that is reported on standard error and does not fail the
# boot; a call that stays stuck still ends in a timeout.
#
# Environment: KERNEL (the bzImage), TOOLS (directory, relative to the
# project, of the test programs the guest uses; default build/tools),
# BOOT_APPEND (more kernel command line), ACCEL (tcg, the default; kvm; or
# auto, which uses KVM when a short KVM boot of this kernel reaches init),
# TCG_THREAD (single, the default: both vCPUs in one host thread; multi:
# one thread each).  Multi-threaded TCG races with the guest's own changes
# of the memory map: QEMU 10.0 aborts in iotlb_to_section() ("Assertion
# `section_index < d->map.sections_nb' failed") when one vCPU accesses the
# CXL memory window while the other resets the device under it, which
# the vfio-cxl suite does on purpose; on a loaded host it did in 2 runs of 2.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"

topo=single timeout=${BOOT_TIMEOUT:-300} out=$top/build/results/boot iommu=1 quiet=0
while getopts "t:T:o:nqh" o; do
	case $o in
	t) topo=$OPTARG ;;
	T) timeout=$OPTARG ;;
	o) out=$OPTARG ;;
	n) iommu=0 ;;
	q) quiet=1 ;;
	h) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//p}' "$0"; exit 0 ;;
	*) die "bad option (see $0 -h)" ;;
	esac
done
shift $((OPTIND - 1))
run=${1:-}
[ $# -gt 0 ] && shift
args=$(IFS=,; echo "$*")
case $args in *' '*) die "guest arguments must not contain spaces" ;; esac

kernel=${KERNEL:-$top/build/obj/arch/x86/boot/bzImage}
[ -f "$kernel" ] || die "no kernel at $kernel: run 'make build'"
targs=$top/topologies/$topo.args
[ -f "$targs" ] || die "no topology $topo (topologies/$topo.args)"

# accel_probe: print kvm when a short KVM boot of this kernel reaches init.
# Only for ACCEL=auto: on the machines this runs on, QEMU aborts under KVM
# ("failed to set MSR 0x10a") or the guest hangs after decompression, and a
# probe that passes once says nothing of the next boot.
accel_probe() {
	local cache=$top/build/accel.probe id
	id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)-$(stat -c %Y "$kernel")
	if [ -f "$cache" ] && [ "$(head -n1 "$cache")" = "$id" ]; then
		tail -n1 "$cache"; return
	fi
	local a=tcg
	if [ -w /dev/kvm ]; then
		# Captured, not piped into grep -q: under pipefail a QEMU killed
		# by SIGPIPE after the match would fail the probe.
		local out
		out=$(timeout -k 2 25 qemu-system-x86_64 -accel kvm -machine q35 -cpu host -m 512M \
			-display none -monitor none -no-reboot -kernel "$kernel" \
			-append "console=ttyS0 panic=-1 rdinit=/nonexistent" -serial stdio \
			</dev/null 2>/dev/null)
		grep -q 'Kernel panic\|Run /' <<< "$out" && a=kvm
	fi
	mkdir -p "$top/build"
	printf '%s\n%s\n' "$id" "$a" > "$cache"
	echo "$a"
}
accel=${ACCEL:-tcg}
case $accel in tcg|kvm|auto) ;; *) die "ACCEL=$accel: tcg, kvm or auto" ;; esac
tcg_thread=${TCG_THREAD:-single}
case $tcg_thread in single|multi) ;; *) die "TCG_THREAD=$tcg_thread: single or multi" ;; esac
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run scripts/deps.sh"
[ "$accel" = auto ] && accel=$(accel_probe)
accel_opt=$accel
[ "$accel" = tcg ] && accel_opt=tcg,thread=$tcg_thread

mapfile -t targv < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$targs" | tr -s ' \t' '\n' | sed '/^$/d')
tappend=
[ -f "$top/topologies/$topo.append" ] &&
	tappend=$(sed -e 's/#.*//' "$top/topologies/$topo.append" | tr -s ' \t\n' ' ')
machine=q35,cxl=on
cpu=max
dev=()
if [ "$accel" = kvm ]; then cpu=host; fi
if [ $iommu = 1 ]; then
	[ "$accel" = kvm ] && machine=$machine,kernel-irqchip=split
	dev+=(-device intel-iommu,intremap=on,caching-mode=on)
	iommu_cmd="intel_iommu=on"
else
	iommu_cmd="vfio.enable_unsafe_noiommu_mode=1"
fi

mkdir -p "$out"
rm -f "$out/console.log" "$out/ktap.log" "$out/hang.txt" "$out/qmp.sock"
cmdline="console=ttyS0,115200 root=rig-root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144 ro"
# no_timer_check: the kernel's boot-time test of the IO-APIC timer counts
# ticks against a delay loop, which a TCG guest on a loaded host can fail
# ("timer doesn't work through Interrupt-remapped IO-APIC", a panic seen
# on a KASAN kernel); KVM guests skip it the same way.
cmdline+=" init=$top/tests/guest/init panic=-1 oops=panic panic_on_warn=0 loglevel=6 no_timer_check"
cmdline+=" $iommu_cmd rig.run=$run${args:+ rig.args=$args} rig.tools=${TOOLS:-build/tools} $tappend ${BOOT_APPEND:-}"

qemu=(qemu-system-x86_64 -accel "$accel_opt" -machine "$machine" -cpu "$cpu" -smp 2 -m 1G
	-display none -monitor none -qmp "unix:$out/qmp.sock,server=on,wait=off" -no-reboot -nodefaults
	-kernel "$kernel" -append "$cmdline"
	-virtfs local,path=/,mount_tag=rig-root,security_model=none,readonly=on,multidevs=remap
	-virtfs local,path="$top",mount_tag=rig,security_model=none,readonly=on,multidevs=remap
	-serial stdio -serial "file:$out/ktap.log"
	"${dev[@]}" "${targv[@]}")
printf '%q ' "${qemu[@]}" > "$out/qemu.cmd"; echo >> "$out/qemu.cmd"

# quiet_console: wait until the console has not grown for 2 s (at most 30 s).
quiet_console() {
	local i last=-1 now
	for i in $(seq 60); do
		now=$(stat -c %s "$out/console.log" 2>/dev/null || echo 0)
		[ "$now" = "$last" ] && [ $((i % 4)) = 0 ] && return 0
		[ $((i % 4)) = 0 ] && last=$now
		sleep 0.5
	done
}

# hang_report: what a kernel developer needs of a guest that did not finish
# in time, collected while it still runs.
hang_report() {
	local - r=$out/hang.txt lines mark
	# Collect what can be had: a grep that finds nothing must not end it.
	set +e +o pipefail
	lines=$(wc -l < "$out/console.log")
	{
		echo "boot timed out after ${timeout}s ($accel, topology $topo, ${run:-no guest script})"
		mark=$(tr -d '\r' < "$out/console.log" | grep -a -E '^rig: (init|running)' | tail -n1)
		echo "running: ${mark:-nothing (the guest never reached rig: init)}"
		echo "last KTAP lines:"
		tr -d '\r' < "$out/ktap.log" 2>/dev/null | grep -a -E '^(not )?ok |^1\.\.' | tail -n 3 | sed 's/^/  /'
		echo "last console lines before the timeout:"
		tr -d '\r' < "$out/console.log" | tail -n 40 | sed 's/^/  /'
	} > "$r"
	# sysrq through the emulated PS/2 keyboard: w (blocked tasks), d (held
	# locks, lockdep), l (backtrace of every CPU), t (every task's stack).
	# First 9: console log level 9, as the task dumps print at KERN_INFO,
	# which the rig's loglevel=6 keeps off the console.
	local k
	for k in 9 w d l t; do
		"$top/scripts/qemu-monitor.py" "$out/qmp.sock" "sendkey alt-sysrq-$k" > /dev/null 2>&1 || break
		quiet_console
	done
	{
		echo "guest kernel output on sysrq w, d, l, t:"
		tr -d '\r' < "$out/console.log" | tail -n +$((lines + 1))
		echo "QEMU monitor:"
		"$top/scripts/qemu-monitor.py" "$out/qmp.sock" "info status" "info registers -a" "info lapic 0" "info lapic 1" 2>&1
	} >> "$r"
}

start=$(date +%s.%N)
"${qemu[@]}" </dev/null > "$out/console.log" 2>&1 &
qpid=$!
[ $quiet = 1 ] || tail -n +1 -f --pid=$qpid "$out/console.log" &
deadline=$(( $(date +%s) + timeout ))
timed_out=0
while kill -0 $qpid 2>/dev/null; do
	if [ "$(date +%s)" -ge $deadline ]; then
		timed_out=1
		hang_report
		"$top/scripts/qemu-monitor.py" "$out/qmp.sock" quit > /dev/null 2>&1 || true
		sleep 2
		kill -9 $qpid 2>/dev/null || true
		break
	fi
	sleep 0.25
done
set +e
wait $qpid
qrc=$?
set -e
secs=$(echo "$(date +%s.%N) - $start" | bc)
printf '%s %s %.1f\n' "$accel" "$topo" "$secs" > "$out/boot.time"

if [ $timed_out = 1 ]; then
	say "boot timed out after ${timeout}s ($accel, $topo); $(sed -n 2p "$out/hang.txt" || true)"
	say "guest state (task stacks, locks, registers) in $out/hang.txt"
	exit 124
fi
splat=$(grep -a -n -E -f "$top/scripts/splat.ere" "$out/console.log" | head -n 5 || true)
if [ -n "$splat" ]; then
	say "kernel splat in $out/console.log:"
	printf '%s\n' "$splat" >&2
	exit 125
fi
lost=$(grep -a -c 'csd: Re-sending CSD lock' "$out/console.log" || true)
if [ "$lost" -gt 0 ]; then
	say "the emulator lost $lost IPI(s): the guest re-sent them after 5 s ($(grep -a -c 'csd: CSD lock (#[0-9]*) got unstuck' "$out/console.log" || true) got unstuck; see csd: in $out/console.log)"
fi
rc=$(grep -a -o 'rig: done rc=[0-9]*' "$out/console.log" | tail -n1 | cut -d= -f2 || true)
if [ -z "$rc" ]; then
	say "the guest did not finish (QEMU exit $qrc); last console lines of $out/console.log:"
	tr -d '\r' < "$out/console.log" | tail -n 8 | sed 's/^/  /' >&2
	exit 126
fi
say "guest finished rc=$rc in ${secs%.*}s ($accel, $topo)"
exit "$rc"
