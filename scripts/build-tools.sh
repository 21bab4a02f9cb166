#!/usr/bin/env bash
# build-tools.sh TREE OBJ OUT: the user-space programs the guest tests run,
# built against the uapi headers of TREE (exported into OBJ/usr/include):
# tests/tools/*.c and the vfio selftests of TREE.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
tree=$(realpath "$1") obj=$(realpath "$2") out=$(realpath -m "$3")
mkdir -p "$out"
make -s -C "$tree" O="$obj" headers
for c in "$top"/tests/tools/*.c; do
	b=$(basename "$c" .c)
	[ "$out/$b" -nt "$c" ] && [ "$out/$b" -nt "$obj/usr/include/linux/vfio.h" ] && continue
	gcc -O2 -Wall -Wextra -Werror -isystem "$obj/usr/include" -o "$out/$b" "$c"
done
make -s -C "$tree/tools/testing/selftests/vfio" KHDR_INCLUDES="-isystem $obj/usr/include" \
	OUTPUT="$out/vfio" -j"$JOBS" >/dev/null
say "tools in $out"
