#!/usr/bin/env bash
# Every patch builds on its own: for the base and then each commit of the
# series, build the directories the series touches (W=1, incremental, in one
# object directory) and fail a patch whose build breaks or adds a warning
# that the base build of the same directories does not have.
. "$TOP/tests/suites/lib.sh"
obj=$CHECK/obj-bisect
mapfile -t commits < <(series_commits)
ktap_begin ${#commits[@]}
[ ${#commits[@]} -gt 0 ] || exit 0

# Directories: those of touched C files, and the series' subsystems for any
# header, Kconfig or Makefile change (their users live there).
dirs() {
	local f d
	while read -r f; do
		case $f in
		tools/*|Documentation/*|MAINTAINERS) ;;
		*.c) d=${f%/*}; echo "$d/" ;;
		*) printf '%s\n' drivers/cxl/ drivers/pci/ drivers/vfio/ ;;
		esac
	done < <(touched_files) | sort -u
}
mapfile -t build_dirs < <(dirs)
[ ${#build_dirs[@]} -gt 0 ] || build_dirs=(drivers/cxl/)
echo "# building: ${build_dirs[*]}"

# kbuild COMMIT LOG: build the directories that exist at COMMIT (a patch may
# add one that earlier commits do not have), with the rig's configuration
# applied anew whenever a Kconfig file differs from the last commit built (an
# earlier commit's Kconfig drops the symbols a later patch adds).  Where no
# Kconfig changed, olddefconfig would give the same .config again, and it
# costs 5 to 6 s a commit.
last=""
kbuild() {
	local d have=()
	git -C "$CHECK_TREE" checkout -q "$1" || return 1
	if [ -z "$last" ] || ! git -C "$CHECK_TREE" diff --quiet "$last" "$1" -- '*Kconfig*'; then
		cp "$CHECK/obj/.config" "$obj/.config"
		make -s -C "$CHECK_TREE" O="$obj" olddefconfig >/dev/null 2>&1
	fi
	last=$1
	for d in "${build_dirs[@]}"; do [ -d "$CHECK_TREE/$d" ] && have+=("$d"); done
	if [ ${#have[@]} -eq 0 ]; then : > "$2"; return 0; fi
	make -C "$CHECK_TREE" O="$obj" CC="$KCC" -j"$JOBS" W=1 "${have[@]}" > "$2" 2>&1
}
start=$(git -C "$CHECK_TREE" rev-parse HEAD)
mkdir -p "$obj"
kbuild base "$CHECK/bisect-base.log" || { cat "$CHECK/bisect-base.log" | tail -n 20 | diag; }
warnings_of "$CHECK/bisect-base.log" > "$CHECK/bisect-base.warn"
i=0
for c in "${commits[@]}"; do
	i=$((i + 1))
	subj=$(git -C "$CHECK_TREE" log -1 --format=%s "$c")
	if ! kbuild "$c" "$CHECK/bisect-$i.log"; then
		tail -n 20 "$CHECK/bisect-$i.log" | diag
		not_ok "patch $i builds: $subj"
		continue
	fi
	echo "patch $i: $(grep -c '^  CC ' "$CHECK/bisect-$i.log") files compiled" | diag
	new=$(warnings_of "$CHECK/bisect-$i.log" | comm -13 "$CHECK/bisect-base.warn" -)
	if [ -n "$new" ]; then
		echo "new W=1 warnings:" | diag; echo "$new" | diag
		not_ok "patch $i builds: $subj"
	else
		ok "patch $i builds: $subj"
	fi
done
git -C "$CHECK_TREE" checkout -q "$start"
