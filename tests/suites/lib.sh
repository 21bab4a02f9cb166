# Helpers for host-side suites (sourced).  A suite prints one KTAP document
# on standard output; scripts/check.sh collects it into build/results/.
# Environment from check.sh: TOP (project), CHECK_TREE (a git tree of the
# base with the series applied, tag "base"), CHECK (scratch directory).
set -uo pipefail
. "$TOP/scripts/lib.sh"
_n=0
ktap_begin() { echo "KTAP version 1"; echo "1..$1"; }
ok() { _n=$((_n + 1)); echo "ok $_n $1${2:+ # $2}"; }
not_ok() { _n=$((_n + 1)); echo "not ok $_n $1${2:+ # $2}"; }
diag() { sed 's/^/# /'; }
# series_commits: the commits of the series in CHECK_TREE, oldest first.
series_commits() { git -C "$CHECK_TREE" rev-list --reverse base..HEAD; }
# touched_files [REV_RANGE]: files the series (or one commit) changes.
touched_files() { git -C "$CHECK_TREE" diff --name-only --diff-filter=AM "${1:-base..HEAD}"; }
# warnings_of LOG: compiler/sparse warnings of a build log, without line and
# column numbers, so that a warning moved by an edit is not "new".
warnings_of() {
	grep -a -E ': (warning|error):' "$1" | sed -E -e "s|^$CHECK_TREE/||" \
		-e 's/^([^:]+):[0-9]+(:[0-9]+)?:/\1:/' | sort -u
}
# The modular kernel (allnoconfig + config/modular.config) in
# $CHECK/obj-modular: the modular suite builds and checks it, the cxl-mock
# suite boots it with the cxl_test modules.  Both build it the same way,
# incrementally.
MODULAR_OBJ=$CHECK/obj-modular
modular_config() {
	mkdir -p "$MODULAR_OBJ" &&
	make -s -C "$CHECK_TREE" O="$MODULAR_OBJ" CC="ccache gcc" \
		KCONFIG_ALLCONFIG="$TOP/config/modular.config" allnoconfig
}
modular_build() { make -C "$CHECK_TREE" O="$MODULAR_OBJ" CC="ccache gcc" -j"$(nproc)"; }
