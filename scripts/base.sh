#!/usr/bin/env bash
# Produce a pristine tree of the pinned base and print its path.
#
#   LINUX_SRC=/path/to/v7.3.x   use that tree instead (it is copied, never changed)
#
# Otherwise the binary package named in base/base.conf is fetched with
# apt-get download through a private apt state (the machine's own apt
# configuration is read for the archive address but never changed), checked
# against the pinned sha256 and unpacked once into $CACHE (build/cache).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
. "$top/base/base.conf"
cache=${CACHE:-$top/build/cache}
out=$cache/linux-$BASE_VERSION

if [ -n "${LINUX_SRC:-}" ]; then
	[ -f "$LINUX_SRC/Makefile" ] || die "LINUX_SRC=$LINUX_SRC is not a kernel tree"
	v=$(make -s -C "$LINUX_SRC" kernelversion 2>/dev/null) || die "LINUX_SRC: cannot read kernelversion"
	case $v in 7.3|7.3.*) ;; *) die "LINUX_SRC=$LINUX_SRC is $v, not v7.3.x" ;; esac
	echo "$LINUX_SRC"
	exit 0
fi

[ -f "$out/.complete" ] && { echo "$out"; exit 0; }

mkdir -p "$cache"
deb=$cache/${BASE_PACKAGE}_${BASE_PACKAGE_VERSION/\~/%7e}_all.deb
deb_alt=$cache/${BASE_PACKAGE}_${BASE_PACKAGE_VERSION}_all.deb
[ -f "$deb_alt" ] && deb=$deb_alt

if [ ! -f "$deb" ]; then
	papt_init "$cache/apt" "$BASE_SUITE" ||
		die "apt-get update of $BASE_SUITE failed (archive from the machine's apt sources); set LINUX_SRC"
	say "fetching $BASE_PACKAGE=$BASE_PACKAGE_VERSION from $BASE_SUITE"
	(cd "$cache" && apt-get "${PAPT[@]}" -q download "$BASE_PACKAGE=$BASE_PACKAGE_VERSION" >&2) ||
		die "could not download $BASE_PACKAGE=$BASE_PACKAGE_VERSION from $BASE_SUITE; set LINUX_SRC to a v7.3.x tree"
	deb=$(ls "$cache/${BASE_PACKAGE}_"*"_all.deb" | head -n1)
fi

sum=$(sha256sum "$deb" | cut -d' ' -f1)
[ "$sum" = "$BASE_SHA256" ] ||
	die "$deb: sha256 $sum, expected $BASE_SHA256 (base/base.conf); remove it to fetch again"

say "unpacking $BASE_PACKAGE"
tmp=$cache/unpack.$$
rm -rf "$tmp" && mkdir -p "$tmp"
dpkg-deb -x "$deb" "$tmp"
tarball=$(ls "$tmp"/usr/src/linux-source-*.tar.* | head -n1)
[ -f "$tarball" ] || die "$deb holds no kernel source tarball"
rm -rf "$out" && mkdir -p "$out"
tar -xf "$tarball" -C "$out" --strip-components=1
rm -rf "$tmp"
[ "$(make -s -C "$out" kernelversion)" = "$BASE_VERSION" ] || die "unpacked tree is not $BASE_VERSION"
touch "$out/.complete"
echo "$out"
