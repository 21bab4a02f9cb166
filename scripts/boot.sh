#!/usr/bin/env bash
# boot.sh [options] [GUEST_SCRIPT [ARG...]]
#
# Boot the rig kernel (build/obj/arch/x86/boot/bzImage) in QEMU with the
# host's root file system read-only over 9p and run GUEST_SCRIPT (a path
# relative to the project) inside; without one the guest only boots.
#
#   -t TOPOLOGY   topologies/TOPOLOGY.args (default: single); the kernel
#                 command line gets topologies/TOPOLOGY.append if present
#   -T SECONDS    hard timeout of the boot (default: 300)
#   -o DIR        where console.log and ktap.log go (default: build/results/boot)
#   -n            no emulated IOMMU (use vfio's no-IOMMU mode in the guest)
#   -q            do not copy the console to standard output
#
# Exit status: the guest script's, or 124 on timeout, or 125 when the boot
# did not complete or the kernel printed a splat (WARN, BUG, Oops, KASAN,
# lockdep, UBSAN, kmemleak, panic).  TOOLS names the directory (relative to
# the project) of the test programs the guest uses (default: build/tools).  The accelerator is KVM only when a probe
# shows that it boots this kernel (ACCEL=tcg|kvm overrides the probe).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"

topo=single timeout=300 out=$top/build/results/boot iommu=1 quiet=0
while getopts "t:T:o:nq" o; do
	case $o in
	t) topo=$OPTARG ;;
	T) timeout=$OPTARG ;;
	o) out=$OPTARG ;;
	n) iommu=0 ;;
	q) quiet=1 ;;
	*) die "bad option (see the header of $0)" ;;
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
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run scripts/deps.sh"

# accel_probe: print kvm when a short KVM boot of this kernel reaches init.
accel_probe() {
	local cache=$top/build/accel.probe id
	id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)-$(stat -c %Y "$kernel")
	if [ -f "$cache" ] && [ "$(head -n1 "$cache")" = "$id" ]; then
		tail -n1 "$cache"; return
	fi
	local a=tcg
	if [ -w /dev/kvm ]; then
		if timeout -k 2 25 qemu-system-x86_64 -accel kvm -machine q35 -cpu host -m 512M \
			-display none -monitor none -no-reboot -kernel "$kernel" \
			-append "console=ttyS0 panic=-1 rdinit=/nonexistent" -serial stdio \
			</dev/null 2>/dev/null | grep -q -m1 'Kernel panic\|Run /'; then
			a=kvm
		fi
	fi
	mkdir -p "$top/build"
	printf '%s\n%s\n' "$id" "$a" > "$cache"
	echo "$a"
}
accel=${ACCEL:-$(accel_probe)}

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
rm -f "$out/console.log" "$out/ktap.log"
cmdline="console=ttyS0,115200 root=rig-root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144 ro"
cmdline+=" init=$top/tests/guest/init panic=-1 oops=panic panic_on_warn=0 loglevel=6"
cmdline+=" $iommu_cmd rig.run=$run${args:+ rig.args=$args} rig.tools=${TOOLS:-build/tools} $tappend ${BOOT_APPEND:-}"

qemu=(qemu-system-x86_64 -accel "$accel" -machine "$machine" -cpu "$cpu" -smp 2 -m 1G
	-display none -monitor none -no-reboot -nodefaults
	-kernel "$kernel" -append "$cmdline"
	-virtfs local,path=/,mount_tag=rig-root,security_model=none,readonly=on,multidevs=remap
	-virtfs local,path="$top",mount_tag=rig,security_model=none,readonly=on,multidevs=remap
	-serial stdio -serial "file:$out/ktap.log"
	"${dev[@]}" "${targv[@]}")
printf '%q ' "${qemu[@]}" > "$out/qemu.cmd"; echo >> "$out/qemu.cmd"

start=$(date +%s.%N)
set +e
if [ $quiet = 1 ]; then
	timeout -k 5 "$timeout" "${qemu[@]}" </dev/null > "$out/console.log" 2>&1
	qrc=$?
else
	timeout -k 5 "$timeout" "${qemu[@]}" </dev/null 2>&1 | tee "$out/console.log"
	qrc=${PIPESTATUS[0]}
fi
set -e
secs=$(echo "$(date +%s.%N) - $start" | bc)
printf '%s %s %.1f\n' "$accel" "$topo" "$secs" > "$out/boot.time"

if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	say "boot timed out after ${timeout}s ($accel, $topo)"
	exit 124
fi
splat=$(grep -a -n -E '(WARNING:|BUG:|Oops|general protection fault|KASAN:|UBSAN:|unreferenced object 0x|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|Kernel panic|kernel BUG at|hung_task|INFO: task .* blocked)' "$out/console.log" | head -n 5 || true)
if [ -n "$splat" ]; then
	say "kernel splat in $out/console.log:"
	printf '%s\n' "$splat" >&2
	exit 125
fi
rc=$(grep -a -o 'rig: done rc=[0-9]*' "$out/console.log" | tail -n1 | cut -d= -f2)
[ -n "$rc" ] || { say "the guest did not finish (see $out/console.log)"; exit 125; }
say "guest finished rc=$rc in ${secs%.*}s ($accel, $topo)"
exit "$rc"
