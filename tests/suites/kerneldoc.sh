#!/usr/bin/env bash
# scripts/kernel-doc -none -Wall on every C file and header the series
# touches: no warning that the same file at the base does not have.
. "$TOP/tests/suites/lib.sh"
mapfile -t files < <(touched_files | grep -E '\.(c|h)$' | grep -v '^tools/')
ktap_begin $(( ${#files[@]} > 0 ? ${#files[@]} : 1 ))
[ ${#files[@]} -gt 0 ] || { ok "kernel-doc" "SKIP the series touches no C file"; exit 0; }
kdoc() {
	(cd "$CHECK_TREE" && scripts/kernel-doc -none -Wall "$1" 2>&1) |
		sed -E 's/:[0-9]+([: ])/:\1/; s/line [0-9]+/line/' | sort -u
}
for f in "${files[@]}"; do
	head=$(kdoc "$f")
	base=$(git -C "$CHECK_TREE" show "base:$f" 2>/dev/null > "$CHECK/kdoc.base" &&
		(cd "$CHECK_TREE" && scripts/kernel-doc -none -Wall "$CHECK/kdoc.base" 2>&1) |
		sed -E "s|$CHECK/kdoc.base|$f|; s/:[0-9]+([: ])/:\1/; s/line [0-9]+/line/" | sort -u)
	new=$(comm -13 <(echo "$base") <(echo "$head") | sed '/^$/d')
	if [ -n "$new" ]; then echo "$new" | diag; not_ok "$f"; else ok "$f"; fi
done
