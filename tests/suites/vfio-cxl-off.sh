#!/usr/bin/env bash
# With CONFIG_VFIO_CXL_CORE=n, the vfio-pci patches leave vfio-pci-core's
# object code as it was; and Kconfig offers VFIO_CXL_CORE exactly where it
# can link.
#
# Identity: drivers/vfio/pci/ is built from the tree just before the first
# patch that touches drivers/vfio/ or the vfio uapi (git archive of that
# commit of CHECK_TREE, extracted into $CHECK/vfio-cxl-off/base-src and
# reused while the commit does not change; "the reference" below) and from
# the series (CHECK_TREE) with one configuration: allnoconfig +
# config/rig.config, VFIO_CXL_CORE off, VFIO_PCI_DMABUF on (PCI_P2PDMA, and
# SYNC_FILE for DMA_SHARED_BUFFER) so that the dma-buf hook is compiled, and
# without the three debugging options of the rig that put __LINE__ into the
# object: PROVE_LOCKING (lockdep_rcu_suspicious(__FILE__, __LINE__) in
# .text), DEBUG_ATOMIC_SLEEP (__might_sleep/__might_fault(__FILE__,
# __LINE__) in .text) and UBSAN (the source locations in .data).  Any line
# the series adds above them would change an immediate or a data word
# without changing the code.  The reference is not the base because the
# PCI patch that adds the "cxl_reset" reset method grows struct pci_dev
# (PCI_NUM_RESET_METHODS), which moves the offsets every PCI driver's code
# uses; by construction no patch before the reference touches drivers/vfio/.
#
# Each object (one KTAP line each) is compared as a whole, as text dumps:
# the section headers (name, size, alignment, flags), the symbol table,
# objdump -d -r of the code sections (addresses, raw bytes and relocations:
# the same code at the same offsets), every relocation of every section, and
# the contents of every non-code section.  Two things are masked, both
# __LINE__ of a statement that an edit above it moves: the 16-bit line field
# of each __bug_table entry (WARN_ON and BUG_ON record it there, outside
# .text; the entry's code address, file, format and flags still have to
# match, and so do the number and size of the entries), and the line in the
# name of an initcall's symbol (__initcall__kmod_MOD__COUNTER_LINE_FN).
# File names are not masked: the kernel builds with -fmacro-prefix-map, so
# __FILE__ is the same relative path in both trees.
#
# Kconfig (olddefconfig from the rig's configuration with CXL_BUS and
# VFIO_PCI changed and VFIO_CXL_CORE=y asked for): y/y and m/m and y/m keep
# VFIO_CXL_CORE=y; CXL_BUS=m with VFIO_PCI=y must refuse it (vfio-pci-core
# built in cannot call into a module); CXL_BUS=n hides it.
. "$TOP/tests/suites/lib.sh"
export LC_ALL=C
cc=$KCC
# ccache with CCACHE_BASEDIR hands the compiler source paths relative to
# the object tree, which -fmacro-prefix-map cannot strip: __FILE__ would
# then differ between the base's tree and the series'.  Without a base
# directory ccache compiles the absolute paths kbuild gives it.
unset CCACHE_BASEDIR
work=$CHECK/vfio-cxl-off
src_base=$work/base-src
log=$work/build.log
mkdir -p "$work"
: > "$log"
res=()	# KTAP result lines, numbered when printed
pass() { res+=("ok $1"); }
fail() { res+=("not ok $1"); }
notes=$work/notes	# diagnostics, printed after the plan
: > "$notes"
dg() { sed 's/^/# /' >> "$notes"; }

# --- the configuration ---------------------------------------------------
frag=$work/off.config
{
	cat "$TOP/config/rig.config"
	cat <<-'EOF'
	# vfio-cxl-off: the CXL layer off, the dma-buf hook compiled,
	# no __LINE__ in code or data outside __bug_table
	# CONFIG_VFIO_CXL_CORE is not set
	CONFIG_PCI_P2PDMA=y
	CONFIG_SYNC_FILE=y
	# CONFIG_PROVE_LOCKING is not set
	# CONFIG_DEBUG_ATOMIC_SLEEP is not set
	# CONFIG_UBSAN is not set
	EOF
} > "$frag"

# base_tree: the reference's source, extracted once per reference commit.
ref=
base_tree() {
	local id first
	first=$(git -C "$CHECK_TREE" log --reverse --format=%H base..HEAD -- \
		drivers/vfio include/uapi/linux/vfio.h | head -n1) || return 1
	if [ -n "$first" ]; then id=$(git -C "$CHECK_TREE" rev-parse "$first^") || return 1
	else id=$(git -C "$CHECK_TREE" rev-parse HEAD) || return 1; fi
	ref=$id
	[ -f "$src_base/.base-commit" ] && [ "$(cat "$src_base/.base-commit")" = "$id" ] && return 0
	rm -rf "$src_base" && mkdir -p "$src_base" &&
	git -C "$CHECK_TREE" archive "$id" | tar -x -C "$src_base" &&
	echo "$id" > "$src_base/.base-commit"
}

# kbuild SRC OBJ: configure and build drivers/vfio/pci/ only.
kbuild() {
	mkdir -p "$2" &&
	make -s -C "$1" O="$2" CC="$cc" KCONFIG_ALLCONFIG="$frag" allnoconfig &&
	make -s -C "$1" O="$2" CC="$cc" -j"$JOBS" prepare &&
	make -C "$1" O="$2" CC="$cc" -j"$JOBS" drivers/vfio/pci/
}

t=$(date +%s)
built=1
if base_tree >> "$log" 2>&1 && kbuild "$src_base" "$work/obj-base" >> "$log" 2>&1; then :
else built=0; tail -n 20 "$log" | dg; fi
if [ $built = 1 ] && kbuild "$CHECK_TREE" "$work/obj-series" >> "$log" 2>&1; then :
else built=0; tail -n 20 "$log" | dg; fi
echo "built drivers/vfio/pci/ of the reference (${ref:0:12}: $(git -C "$CHECK_TREE" log -1 --format=%s "${ref:-base}" 2>/dev/null)) and of the series in $(( $(date +%s) - t ))s" | dg

# Same configuration: every symbol the reference knows has the same value in
# the series; the series' own symbols are listed.
cfg() { grep -E '^(CONFIG_|# CONFIG_.* is not set)' "$1" | sed -E 's/^# (CONFIG_[A-Za-z0-9_]+) is not set/\1=n/' | sort; }
name="configuration: the reference's and the series' agree on every symbol of the reference; VFIO_CXL_CORE=n, VFIO_PCI_DMABUF=y"
if [ $built = 1 ]; then
	cfg "$work/obj-base/.config" > "$work/base.cfg"
	cfg "$work/obj-series/.config" > "$work/series.cfg"
	only=$(comm -13 <(cut -d= -f1 "$work/base.cfg" | sort) <(cut -d= -f1 "$work/series.cfg" | sort) | tr '\n' ' ')
	differ=$(comm -3 "$work/base.cfg" <(awk -F= 'NR == FNR { k[$1]; next } $1 in k' "$work/base.cfg" "$work/series.cfg"))
	echo "symbols only the series has (its vfio patches): ${only:-none}" | dg
	want_ok=1
	grep -qx 'CONFIG_VFIO_PCI_DMABUF=y' "$work/series.cfg" || want_ok=0
	grep -qx 'CONFIG_VFIO_PCI_CORE=y' "$work/series.cfg" || want_ok=0
	grep -qx 'CONFIG_VFIO_CXL_CORE=y' "$work/series.cfg" && want_ok=0
	if [ -z "$differ" ] && [ $want_ok = 1 ]; then pass "$name"
	else
		{ echo "differences:"; echo "$differ"; grep -E 'VFIO_(PCI_DMABUF|PCI_CORE|CXL_CORE)=' "$work/series.cfg"; } | dg
		fail "$name"
	fi
else fail "$name"; fi

# initcall_line: the __LINE__ in the name of an initcall's symbol
# (__initcall__kmod_MOD__COUNTER_LINE_FN) replaced by "L".
initcall_line() { sed -E 's/(__initcall__kmod_[A-Za-z0-9_]+__[0-9]+_)[0-9]+_/\1L_/g'; }

# dump OBJ CONFIG: the normalized text of an object (see the header).
dump() {
	local o=$1 secs code=() data=() s size n e mask=0 tmp
	grep -qx 'CONFIG_DEBUG_BUGVERBOSE=y' "$2" && mask=1
	secs=$(objdump -h -w "$o" | awk '$1 ~ /^[0-9]+$/ { f = ""; for (i = 8; i <= NF; i++) f = f " " $i; print $2, $3, $7, f }')
	echo "== sections"; echo "$secs"
	while read -r s size _ flags; do
		case $flags in *CODE*) code+=("$s") ;; *CONTENTS*) [ "$s" = __bug_table ] || data+=("-j" "$s") ;; esac
	done <<< "$secs"
	echo "== symbols"; nm "$o" | initcall_line
	echo "== code"; objdump -d -r -w "$o" | sed '/file format/d' | initcall_line
	echo "== relocations"; objdump -r -w "$o" | sed '/file format/d' | initcall_line
	echo "== data"; [ ${#data[@]} -gt 0 ] && objdump -s "${data[@]}" "$o" | sed '/file format/d'
	size=$(awk '$1 == "__bug_table" { print $2 }' <<< "$secs")
	[ -n "$size" ] || return 0
	size=$((16#$size))
	# One entry per code address: the relocations into code sections.
	n=$(objdump -r -j __bug_table "$o" | awk -v code=" ${code[*]} " '
		NF == 3 && $1 ~ /^[0-9a-f]+$/ { t = $3; sub(/[+-]0x[0-9a-f]+$/, "", t); if (index(code, " " t " ")) n++ }
		END { print n + 0 }')
	e=0; [ "$n" -gt 0 ] && [ $((size % n)) -eq 0 ] && e=$((size / n))
	echo "== __bug_table: $n entries of $e bytes, line field masked: $mask"
	tmp=$(mktemp)
	objcopy -O binary --only-section=__bug_table "$o" "$tmp"
	if [ $mask = 1 ] && [ $e -ge 8 ]; then
		# struct bug_entry ends with "unsigned short line, flags".
		od -An -v -tx1 -w"$e" "$tmp" | awk -v e="$e" '{ $(e - 3) = "LL"; $(e - 2) = "LL"; print }'
	else
		od -An -v -tx1 "$tmp"
	fi
	rm -f "$tmp"
}

# funcs DUMP: "function<TAB>instruction or relocation" of the code part,
# without addresses and raw bytes (a call's displacement changes when any
# function between moves), so that a difference can be named by function.
funcs() {
	awk '/^== code/ { c = 1; next } /^== / { c = 0 } !c { next }
		/^[0-9a-f]+ <.*>:$/ { f = substr($2, 2, length($2) - 3); next }
		f != "" && /^ +[0-9a-f]+:\t/ { sub(/^ +[0-9a-f]+:\t[^\t]*\t/, ""); gsub(/[0-9a-f]+ </, "<"); gsub(/\t[0-9a-f]+: R_/, "\tR_"); print f "\t" $0 }
		f != "" && /^\t+[0-9a-f]+: R_/ { sub(/^\t+[0-9a-f]+: /, ""); print f "\t" $0 }' "$1"
}
# insns DUMP: the number of instructions in the code part.
insns() { awk '/^== code/ { c = 1; next } /^== / { c = 0 } c && /^ +[0-9a-f]+:\t/ { n++ } END { print n + 0 }' "$1"; }

# members OBJ: the objects this build of drivers/vfio/pci/ is made of (not
# whatever an earlier configuration left there): those of built-in.a, and
# of each module (*.mod).
members() {
	( cd "$1" && { ar t drivers/vfio/pci/built-in.a 2>/dev/null
	  cat drivers/vfio/pci/*.mod 2>/dev/null | tr ' ' '\n'; } | grep '^drivers/vfio/pci/.*\.o$' )
}

objs=()
if [ $built = 1 ]; then
	mapfile -t objs < <({ members "$work/obj-base"; members "$work/obj-series"; } | sort -u)
fi
[ ${#objs[@]} -gt 0 ] || fail "objects of drivers/vfio/pci/ were built"
for rel in "${objs[@]}"; do
	b=$work/obj-base/$rel s=$work/obj-series/$rel d=$work/cmp/${rel//\//_}
	mkdir -p "$work/cmp"
	if [ ! -f "$b" ] || [ ! -f "$s" ]; then
		echo "$rel: only in the $( [ -f "$b" ] && echo reference || echo series ) build" | dg
		fail "$rel: same object code as before the vfio-pci patches"
		continue
	fi
	dump "$b" "$work/obj-base/.config" > "$d.base"
	dump "$s" "$work/obj-series/.config" > "$d.series"
	if cmp -s "$d.base" "$d.series"; then
		pass "$rel: same object code as before the vfio-pci patches ($(insns "$d.base") instructions)"
	else
		fn=$(diff <(funcs "$d.base") <(funcs "$d.series") | sed -n 's/^[<>] \([^\t]*\)\t.*/\1/p' | sort -u | paste -sd' ')
		echo "$rel differs; functions whose code differs: ${fn:-none (data, symbols or relocations only)}" | dg
		diff -U2 "$d.base" "$d.series" | sed -n '3,42p' | dg
		echo "(full dumps: $d.base, $d.series)" | dg
		fail "$rel: same object code as before the vfio-pci patches"
	fi
done

# --- Kconfig: where VFIO_CXL_CORE can be had -----------------------------
# kcase CXL_BUS VFIO_PCI: olddefconfig of the rig's configuration with those
# values and VFIO_CXL_CORE=y asked for; prints the values it got of CXL_BUS,
# VFIO_PCI_CORE and VFIO_CXL_CORE (n: not set, hidden: not offered at all).
kobj=$work/obj-kconfig
kval() {
	local v
	v=$(grep -E "^CONFIG_$1=" "$kobj/.config" | cut -d= -f2)
	[ -n "$v" ] || { grep -qx "# CONFIG_$1 is not set" "$kobj/.config" && v=n || v=hidden; }
	echo "$v"
}
kcase() {
	mkdir -p "$kobj"
	if [ ! -f "$kobj/rig.config" ]; then
		{ cat "$TOP/config/rig.config"; echo CONFIG_MODULES=y; } > "$kobj/rig.frag"
		make -s -C "$CHECK_TREE" O="$kobj" KCONFIG_ALLCONFIG="$kobj/rig.frag" allnoconfig >> "$log" 2>&1 || return 1
		cp "$kobj/.config" "$kobj/rig.config"
	fi
	{
		sed -E '/^(# )?CONFIG_(CXL_BUS|VFIO|VFIO_PCI|VFIO_CXL_CORE)[= ]/d' "$kobj/rig.config" |
			if [ -n "${3:-}" ]; then sed -E '/^CONFIG_CXL_(MEM|PCI)=/d'; else cat; fi
		if [ "$1" = n ]; then echo "# CONFIG_CXL_BUS is not set"; else echo "CONFIG_CXL_BUS=$1"; fi
		# CXL_PCI selects CXL_MEM
		[ -z "${3:-}" ] || printf 'CONFIG_CXL_MEM=%s\nCONFIG_CXL_PCI=%s\n' "$3" "$3"
		echo "CONFIG_VFIO=$2"; echo "CONFIG_VFIO_PCI=$2"; echo "CONFIG_VFIO_CXL_CORE=y"
	} > "$kobj/.config"
	make -s -C "$CHECK_TREE" O="$kobj" olddefconfig >> "$log" 2>&1 || return 1
	echo "$(kval CXL_BUS) $(kval VFIO_PCI_CORE) $(kval VFIO_CXL_CORE) $(kval CXL_MEM)"
}
# kcheck CXL_BUS VFIO_PCI WANT TEXT [CXL_MEM]: WANT is y, off (n or hidden)
# or hidden.  vfio-pci-core calls into cxl_core and cxl_mem.
kcheck() {
	local got bus core x mem
	got=$(kcase "$1" "$2" "${5:-}") || { echo "olddefconfig failed" | dg; fail "Kconfig: $4"; return; }
	read -r bus core x mem <<< "$got"
	echo "asked CXL_BUS=$1${5:+ CXL_MEM=$5} VFIO_PCI=$2 VFIO_CXL_CORE=y, got CXL_BUS=$bus CXL_MEM=$mem VFIO_PCI_CORE=$core VFIO_CXL_CORE=$x" | dg
	case $1:$bus:$core in y:y:"$2"|m:m:"$2"|n:n:"$2"|n:hidden:"$2") ;;
	*) echo "the case is not what it should test" | dg; fail "Kconfig: $4"; return ;;
	esac
	[ -z "${5:-}" ] || [ "$mem" = "$5" ] ||
		{ echo "the case is not what it should test" | dg; fail "Kconfig: $4"; return; }
	case $3:$x in y:y|off:n|off:hidden|hidden:hidden) pass "Kconfig: $4" ;; *) fail "Kconfig: $4" ;; esac
}
kcheck y y y "CXL_BUS=y, VFIO_PCI=y (the rig) allows VFIO_CXL_CORE=y"
kcheck y m y "CXL_BUS=y, VFIO_PCI=m allows VFIO_CXL_CORE=y"
kcheck m m y "CXL_BUS=m, VFIO_PCI=m allows VFIO_CXL_CORE=y"
kcheck m y off "CXL_BUS=m, VFIO_PCI=y refuses VFIO_CXL_CORE=y"
kcheck y y off "CXL_BUS=y, CXL_MEM=m, VFIO_PCI=y refuses VFIO_CXL_CORE=y" m
kcheck n y hidden "CXL_BUS=n hides VFIO_CXL_CORE"

ktap_begin ${#res[@]}
cat "$notes"
for r in "${res[@]}"; do
	_n=$((_n + 1)); echo "${r/ok /ok $_n }"
done
