#!/usr/bin/env bash
# Every C file the series touches is compiled by some suite of this run: one
# test per file, naming the builds whose object trees hold its object.  It
# runs last and reads what the suites before it left under build/check/, so
# a file that no configuration builds (a driver no config enables, a
# Kconfig symbol no config sets) fails here instead of going unbuilt.  An
# object counts only when its tree's build links it (members(), below).
. "$TOP/tests/suites/lib.sh"
# Object trees, each with the suite that builds it.
trees=(
	"$CHECK/obj:kernel (rig, boot suites, kunit)"
	"$CHECK/obj-bisect:bisect and sparse"
	"$MODULAR_OBJ:modular"
	"$MODULAR_OBJ/cxl_test:cxl-mock (tools/testing/cxl)"
	"$CHECK/obj-i386:build-i386"
	"$CHECK/vfio-cxl-off/obj-series:vfio-cxl-off (VFIO_CXL_CORE=n)"
	"$CHECK/tools:the guest's test programs (build-tools.sh)"
)

# members TREE: the objects TREE's build links for its configuration, one
# path a line, relative to TREE: the members of vmlinux.a (or, for a build
# of some directories only, of their built-in.a; both thin archives whose
# member lists kbuild rewrites when the configuration changes), and the
# objects of every module a modules.order names (MODULE.mod).  An object
# left in the tree by an earlier configuration is in neither, so a warm
# tree cannot count it.
members() {
	local d=$1 m
	if [ -f "$d/vmlinux.a" ]; then ar t "$d/vmlinux.a"
	else find "$d" -name built-in.a -print0 2>/dev/null | xargs -0 -r -n1 ar t; fi | tr ' ' '\n'
	# A modules.order names its modules relative to the object tree, or,
	# in an external module build (M=), to the module directory, as the
	# .mod files then name their objects.
	local orders o p
	if [ -f "$d/modules.order" ]; then orders=("$d/modules.order")
	else mapfile -t orders < <(find "$d" -name modules.order 2>/dev/null); fi
	for o in "${orders[@]}"; do
		while IFS= read -r m; do
			m=${m%.ko}; m=${m%.o}
			if [ -f "$d/$m.mod" ]; then tr ' ' '\n' < "$d/$m.mod"
			else p=$(dirname "$o"); [ -f "$p/$m.mod" ] && tr ' ' '\n' < "$p/$m.mod" | sed "s#^#${p#"$d"/}/#"
			fi
		done < "$o"
	done
	return 0
}
declare -A member_list
for t in "${trees[@]}"; do
	d=${t%%:*}
	[ -d "$d" ] || continue
	# Paths normalized (the cxl_test build names drivers/cxl through ../).
	# (ar names the members of an archive given by absolute path absolutely.)
	member_list[$d]=$(members "$d" | sed -E -e "s#^$d/##" \
		-e ':a' -e 's#(^|/)[^/.][^/]*/\.\./#\1#' -e 'ta' | sort -u)
done

mapfile -t files < <(touched_files | grep '\.c$')
ktap_begin ${#files[@]}
for f in "${files[@]}"; do
	o=${f%.c}.o b=$(basename "${f%.c}") by=()
	for t in "${trees[@]}"; do
		d=${t%%:*}
		case $f in
		tools/testing/selftests/vfio/*) [ -e "$d/vfio/$b" ] || [ -e "$d/vfio/$b.o" ] || continue ;;
		# Linked, or (an object built alone, as build-i386 builds the
		# touched files outside its subsystems) compiled since the
		# configuration was last written.
		*) [ -e "$d/$o" ] || continue
		   grep -qxF "$o" <<< "${member_list[$d]:-}" || [ "$d/$o" -nt "$d/.config" ] || continue ;;
		esac
		by+=("${t#*:}")
	done
	if [ ${#by[@]} -gt 0 ]; then
		ok "$f is compiled by: $(IFS=';'; echo "${by[*]}" | sed 's/;/; /g')"
	else
		not_ok "$f is compiled by no suite of this run"
	fi
done
