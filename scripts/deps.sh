#!/usr/bin/env bash
# Install everything the harness needs from Debian, idempotently.
#
# QEMU comes from bookworm-backports (10.x): bookworm's own 7.2 cannot give a
# cxl-type3 device volatile memory.  The backports suite is added to the
# machine's apt sources with the archive address the machine already uses.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(gcc make flex bison bc libelf-dev libssl-dev cpio ccache git perl python3
      xz-utils zstd sparse coccinelle pciutils ndctl busybox-static kmod
      uuid-dev python3-ply python3-git python3-docutils)

need=()
for p in "${pkgs[@]}"; do
	[[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == *'ok installed' ]] || need+=("$p")
done
qemu_ok() {
	command -v qemu-system-x86_64 >/dev/null &&
		qemu-system-x86_64 --version | awk 'NR==1 { split($4, v, "."); exit !(v[1] >= 10) }'
}

if [ ${#need[@]} -eq 0 ] && qemu_ok; then
	say "all dependencies present"
	exit 0
fi

mirror=$(debian_mirror) || die "cannot find the Debian archive in the machine's apt sources"
bpo=/etc/apt/sources.list.d/cxl-rig-bookworm-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	say "adding bookworm-backports from the machine's archive"
	as_root tee "$bpo" >/dev/null <<SRC
Types: deb
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -q
[ ${#need[@]} -eq 0 ] || as_root apt-get install -y -q --no-install-recommends "${need[@]}"
qemu_ok || as_root apt-get install -y -q --no-install-recommends -t bookworm-backports \
	qemu-system-x86 qemu-system-data ipxe-qemu seabios
qemu_ok || die "QEMU 10 is not installed (qemu-system-x86 from bookworm-backports)"
say "dependencies installed: $(qemu-system-x86_64 --version | head -n1)"
