#!/usr/bin/env bash
# get-sparse.sh [TREE]: print the path of a sparse that can check v7.3
# (kbuild's CHECK=).
#
# v7.3's headers use __typeof_unqual__, which bookworm's sparse 0.6.4 does
# not know (kbuild then turns C=2 off with "sparse is not available or not up
# to date").  The sparse and C library pinned in base/sparse.conf (version
# and sha256) are fetched once from the machine's Debian archive through a
# private apt state into build/cache/sparse and run through that C
# library's own dynamic loader, so nothing on the machine changes.  Exits 1,
# with the reason on standard error, when no usable sparse can be had.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
. "$top/base/sparse.conf"
tree=${1:-$top/build/linux}
dir=$top/build/cache/sparse
valid() { [ "$(sh "$tree/scripts/checker-valid.sh" "$1" -m64 2>/dev/null)" = 1 ]; }

if command -v sparse >/dev/null && valid sparse; then command -v sparse; exit 0; fi

# fetch PACKAGE VERSION SHA256 SUITE...: the pinned .deb into $dir.
fetch() {
	local p=$1 v=$2 sum=$3 s deb
	shift 3
	deb=$(ls "$dir/${p}_"*.deb 2>/dev/null | head -n1 || true)
	if [ -n "$deb" ] && [ "$(sha256sum "$deb" | cut -d' ' -f1)" = "$sum" ]; then echo "$deb"; return 0; fi
	rm -f "$dir/${p}_"*.deb
	for s in "$@"; do
		papt_init "$dir/apt-$s" "$s" >/dev/null 2>&1 || continue
		(cd "$dir" && apt-get "${PAPT[@]}" -q download "$p=$v" >/dev/null 2>&1) || continue
		deb=$(ls "$dir/${p}_"*.deb | head -n1)
		if [ "$(sha256sum "$deb" | cut -d' ' -f1)" = "$sum" ]; then echo "$deb"; return 0; fi
		say "$deb from $s: sha256 differs from base/sparse.conf"
		rm -f "$deb"
	done
	die "$p=$v (base/sparse.conf) is in none of: $* (update the pin)"
}
if [ ! -x "$dir/sparse" ] || [ "$(cat "$dir/pin" 2>/dev/null)" != "$SPARSE_SHA256 $LIBC_SHA256" ]; then
	mkdir -p "$dir"
	sdeb=$(fetch sparse "$SPARSE_VERSION" "$SPARSE_SHA256" $SPARSE_SUITES)
	ldeb=$(fetch libc6 "$LIBC_VERSION" "$LIBC_SHA256" $LIBC_SUITES)
	rm -rf "$dir/root" && mkdir -p "$dir/root"
	dpkg-deb -x "$ldeb" "$dir/root"
	dpkg-deb -x "$sdeb" "$dir/root"
	cat > "$dir/sparse" <<WRAP
#!/bin/sh
# sparse $SPARSE_VERSION with libc6 $LIBC_VERSION (scripts/get-sparse.sh).
l=$dir/root/usr/lib/x86_64-linux-gnu
exec "\$l/ld-linux-x86-64.so.2" --library-path "\$l" "$dir/root/usr/bin/sparse" "\$@"
WRAP
	chmod +x "$dir/sparse"
	echo "$SPARSE_SHA256 $LIBC_SHA256" > "$dir/pin"
fi
valid "$dir/sparse" || die "sparse $SPARSE_VERSION ($("$dir/sparse" --version 2>&1)) cannot check this tree"
echo "$dir/sparse"
