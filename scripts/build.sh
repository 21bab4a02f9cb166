#!/usr/bin/env bash
# build.sh [CONFIG...]: configure and build the kernel of build/linux for the
# rig, out of tree in build/obj.  The configuration is allnoconfig plus the
# fragments named (config/rig.config by default); a symbol the fragment asks
# for that Kconfig refused is an error, so the rig never silently loses a
# feature.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
tree=${TREE:-$top/build/linux}
obj=${OBJ:-$top/build/obj}
[ -d "$tree" ] || die "no tree at $tree: run 'make tree' first"
frags=("$@")
[ ${#frags[@]} -gt 0 ] || frags=("$top/config/rig.config")
jobs=$JOBS
cc=$KCC

mkdir -p "$obj"
cat "${frags[@]}" > "$obj/.fragment"
if ! cmp -s "$obj/.fragment" "$obj/.fragment.used" || [ ! -f "$obj/.config" ]; then
	make -s -C "$tree" O="$obj" CC="$cc" KCONFIG_ALLCONFIG="$obj/.fragment" allnoconfig
	# Check that every symbol of the fragment took its value.
	bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) want=$line ;;
		'# CONFIG_'*' is not set') want=$line ;;
		*) continue ;;
		esac
		sym=${want#\# }; sym=${sym%%[= ]*}
		got=$(grep -E "^($sym=|# $sym is not set)" "$obj/.config" || echo "# $sym is not set")
		[ "$got" = "$want" ] || { say "config: wanted '$want', got '$got'"; bad=1; }
	done < "$obj/.fragment"
	[ $bad -eq 0 ] || die "the configuration fragment does not apply to this tree"
	cp "$obj/.fragment" "$obj/.fragment.used"
fi
make -s -C "$tree" O="$obj" CC="$cc" -j"$jobs" bzImage
say "built $obj/arch/x86/boot/bzImage"
