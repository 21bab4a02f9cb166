#!/usr/bin/env bash
# Every C file the series touches is compiled by some suite of this run: one
# test per file, naming the builds whose object trees hold its object.  It
# runs last and reads what the suites before it left under build/check/, so
# a file that no configuration builds (a driver no config enables, a
# Kconfig symbol no config sets) fails here instead of going unbuilt.
. "$TOP/tests/suites/lib.sh"
# Object trees, each with the suite that builds it.
trees=(
	"$CHECK/obj:kernel (rig, boot suites)"
	"$CHECK/obj-bisect:bisect and sparse"
	"$MODULAR_OBJ:modular"
	"$MODULAR_OBJ/cxl_test:cxl-mock (tools/testing/cxl)"
	"$CHECK/obj-i386:build-i386"
	"$CHECK/kunit:kunit"
	"$CHECK/vfio-cxl-off/obj-series:vfio-cxl-off (VFIO_CXL_CORE=n)"
	"$CHECK/tools:the guest's test programs (build-tools.sh)"
)
mapfile -t files < <(touched_files | grep '\.c$')
ktap_begin ${#files[@]}
for f in "${files[@]}"; do
	o=${f%.c}.o b=$(basename "${f%.c}") by=()
	for t in "${trees[@]}"; do
		d=${t%%:*}
		case $f in
		tools/testing/selftests/vfio/*) [ -e "$d/vfio/$b" ] || [ -e "$d/vfio/$b.o" ] || continue ;;
		tools/testing/cxl/*) [ -e "$d/$o" ] || continue ;;
		*) [ -e "$d/$o" ] || continue ;;
		esac
		by+=("${t#*:}")
	done
	if [ ${#by[@]} -gt 0 ]; then
		ok "$f is compiled by: $(IFS=';'; echo "${by[*]}" | sed 's/;/; /g')"
	else
		not_ok "$f is compiled by no suite of this run"
	fi
done
