#!/usr/bin/env bash
# Print the path of a sparse that can check v7.3 (kbuild's CHECK=).
#
# v7.3's headers use __typeof_unqual__, which bookworm's sparse 0.6.4 does
# not know (kbuild then turns C=2 off with "sparse is not available or not up
# to date").  Debian sid's sparse does, but needs a newer C library than
# bookworm's; both are fetched once from the machine's Debian archive through
# a private apt state into build/cache/sparse and run through sid's own
# dynamic loader, so nothing on the machine changes.  Exits 1, with the
# reason on standard error, when no usable sparse can be had.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
tree=${1:-$top/build/linux}
dir=$top/build/cache/sparse
valid() { [ "$(sh "$tree/scripts/checker-valid.sh" "$1" -m64 2>/dev/null)" = 1 ]; }

if command -v sparse >/dev/null && valid sparse; then command -v sparse; exit 0; fi
if [ ! -x "$dir/sparse" ]; then
	papt_init "$dir/apt" sid >/dev/null 2>&1 || die "cannot read Debian sid from the machine's archive"
	rm -rf "$dir/root" && mkdir -p "$dir/root"
	for p in sparse libc6; do
		(cd "$dir" && rm -f ${p}_*.deb && apt-get "${PAPT[@]}" -q download "$p" >/dev/null 2>&1) ||
			die "cannot download $p from Debian sid"
		dpkg-deb -x "$dir"/${p}_*.deb "$dir/root"
	done
	cat > "$dir/sparse" <<WRAP
#!/bin/sh
# sparse from Debian sid with sid's C library (scripts/sparse.sh).
l=$dir/root/usr/lib/x86_64-linux-gnu
exec "\$l/ld-linux-x86-64.so.2" --library-path "\$l" "$dir/root/usr/bin/sparse" "\$@"
WRAP
	chmod +x "$dir/sparse"
fi
valid "$dir/sparse" || die "sparse from Debian sid ($("$dir/sparse" --version 2>&1)) cannot check this tree"
echo "$dir/sparse"
