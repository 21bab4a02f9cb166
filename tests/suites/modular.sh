#!/usr/bin/env bash
# The series built the way distributions ship CXL: the CXL drivers and the
# series' KUnit suite as modules (config/modular.config).  The whole kernel
# and its modules must build, and modpost must resolve every symbol and
# symbol namespace across the module boundaries (EXPORT_SYMBOL_NS "CXL",
# EXPORT_SYMBOL_IF_KUNIT).
. "$TOP/tests/suites/lib.sh"
obj=$MODULAR_OBJ
frag=$TOP/config/modular.config
ktap_begin 5
log=$CHECK/modular.log
modular_config > "$log" 2>&1
bad=$(grep -E '^CONFIG_' "$frag" | while IFS= read -r want; do
	grep -qx "$want" "$obj/.config" || echo "wanted $want, got: $(grep -E "^(# )?${want%%=*}[= ]" "$obj/.config" || echo unset)"
done)
if [ -z "$bad" ]; then ok "the modular configuration takes every symbol of its fragment"
else echo "$bad" | diag; not_ok "the modular configuration takes every symbol of its fragment"; fi

if modular_build >> "$log" 2>&1; then
	ok "vmlinux and modules build with CXL_BUS=m"
else
	tail -n 20 "$log" | diag; not_ok "vmlinux and modules build with CXL_BUS=m"
fi

mp=$(grep -a -E '(WARNING|ERROR): modpost' "$log")
if [ -z "$mp" ]; then ok "modpost: no unresolved symbol or namespace problem"
else echo "$mp" | head -n 20 | diag; not_ok "modpost: no unresolved symbol or namespace problem"; fi

want="cxl_core cxl_pci cxl_mem cxl_port cxl_reset_test cxl_region_owner"
have=$(find "$obj/drivers/cxl" "$obj/samples/cxl" -name '*.ko' -printf '%f\n' 2>/dev/null | sed 's/\.ko$//' | sort | tr '\n' ' ')
echo "modules: $have" | diag
missing=""
for m in $want; do case " $have " in *" $m "*) ;; *) missing="$missing $m" ;; esac; done
info=$(modinfo -F import_ns "$obj/drivers/cxl/core/cxl_reset_test.ko" 2>/dev/null | tr '\n' ' ')
echo "cxl_reset_test imports: $info" | diag
if [ -z "$missing" ] && [[ $info == *EXPORTED_FOR_KUNIT_TESTING* ]]; then
	ok "the CXL modules and the KUnit module exist, the test imports the KUnit namespace"
else
	echo "missing:${missing:- none}" | diag
	not_ok "the CXL modules and the KUnit module exist, the test imports the KUnit namespace"
fi

# vfio-pci-core.ko with the CXL layer in it, linked against cxl_core: it
# imports the "CXL" namespace and modpost (above) resolved it.
vko=$obj/drivers/vfio/pci/vfio-pci-core.ko
name="vfio-pci-core.ko links with its CXL layer: imports the CXL namespace, depends on cxl_core"
if [ -f "$vko" ] && [ -f "$obj/drivers/vfio/pci/vfio-pci.ko" ]; then
	ns=$(modinfo -F import_ns "$vko" 2>/dev/null | tr '\n' ' ')
	dep=$(modinfo -F depends "$vko" 2>/dev/null)
	cxl=$(nm "$vko" | grep -c ' [Tt] vfio_pci_cxl_' || true)
	echo "vfio-pci-core imports: ${ns:-nothing}; depends: ${dep:-nothing}; $cxl vfio_pci_cxl_* functions" | diag
	if [[ " $ns " == *" CXL "* ]] && [[ ",$dep," == *",cxl_core,"* ]] && [ "$cxl" -gt 0 ]; then
		ok "$name"
	else
		not_ok "$name"
	fi
else
	echo "no vfio-pci-core.ko or vfio-pci.ko in $obj/drivers/vfio/pci" | diag
	not_ok "$name"
fi
