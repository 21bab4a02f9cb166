#!/usr/bin/env bash
# The documentation the series adds or changes: every touched .rst file
# parses under docutils with no message of level WARNING or above that the
# base's version of the file does not have (scripts/rst-check.py, with the
# kernel's Sphinx directives and roles accepted unchecked: a full Sphinx
# build of Documentation/ does not fit the time of a check), every new .rst
# file is in a toctree, and the ABI files validate with the base's
# tools/docs/get_abi.py with no warning the base does not have.
. "$TOP/tests/suites/lib.sh"
py=/usr/bin/python3
mapfile -t rsts < <(touched_files | grep '^Documentation/.*\.rst$')
abi=$(touched_files | grep -c '^Documentation/ABI/')
ktap_begin $(( ${#rsts[@]} + 1 ))
if ! $py -c 'import docutils' 2>/dev/null; then
	for f in "${rsts[@]}"; do ok "$f: docutils" "SKIP missing: python3-docutils (make deps installs it)"; done
else
	for f in "${rsts[@]}"; do
		new=$( (cd "$CHECK_TREE" && $py "$TOP/scripts/rst-check.py" "$f") | sed -E 's/:[0-9]+: /: /' | sort)
		old=
		if git -C "$CHECK_TREE" cat-file -e "base:$f" 2>/dev/null; then
			git -C "$CHECK_TREE" show "base:$f" > "$CHECK/docs-base.rst"
			old=$(cd "$CHECK_TREE" && $py "$TOP/scripts/rst-check.py" "$CHECK/docs-base.rst" |
				sed -E "s|^$CHECK/docs-base.rst|$f|; s/:[0-9]+: /: /" | sort)
		fi
		added=$(comm -13 <(echo "$old") <(echo "$new") | sed '/^$/d')
		toc=ok
		if [ -z "$old" ] && ! git -C "$CHECK_TREE" cat-file -e "base:$f" 2>/dev/null; then
			# a new document must be reachable from an index
			b=$(basename "$f" .rst) d=$(dirname "$f")
			grep -rqs -E "^[[:space:]]+(\./)?$b(\.rst)?[[:space:]]*$" "$CHECK_TREE/$d"/*.rst "$CHECK_TREE/$(dirname "$d")"/*.rst ||
				toc="not in any toctree of $d"
		fi
		if [ -z "$added" ] && [ "$toc" = ok ]; then
			ok "$f: docutils reports nothing new"
		else
			{ echo "$added"; [ "$toc" = ok ] || echo "$toc"; } | diag
			not_ok "$f: docutils reports nothing new"
		fi
	done
fi
abi_warn() {
	(cd "$CHECK_TREE" && git checkout -q "$1" && $py tools/docs/get_abi.py --dir Documentation/ABI validate 2>&1) |
		grep -E 'WARNING|ERROR' | sed -E 's/:[0-9]+//g' | sort -u
}
start=$(git -C "$CHECK_TREE" rev-parse HEAD)
if [ ! -f "$CHECK_TREE/tools/docs/get_abi.py" ]; then
	ok "ABI: get_abi.py validate" "SKIP the base has no tools/docs/get_abi.py"
else
	b=$(abi_warn base); s=$(abi_warn "$start")
	git -C "$CHECK_TREE" checkout -q "$start"
	added=$(comm -13 <(echo "$b") <(echo "$s") | sed '/^$/d')
	echo "$abi ABI files touched; $(echo "$b" | sed '/^$/d' | wc -l) warnings in the base" | diag
	if [ -z "$added" ]; then ok "ABI: get_abi.py validate reports nothing new"
	else echo "$added" | diag; not_ok "ABI: get_abi.py validate reports nothing new"; fi
fi
