# Helpers shared by the harness scripts.  Source it; it defines functions only.

die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }
say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

# as_root CMD...: run CMD as root, through sudo when we are not root already.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# debian_mirror: print the URI of the machine's main Debian archive, as the
# machine's own apt configuration names it (deb822 .sources files or one-line
# .list files).  Security and third-party archives are skipped.
debian_mirror() {
	local f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		uri=$(awk '
			/^[[:space:]]*$/ { if (u != "" && s ~ /(^| )bookworm( |$)/) { print u; exit } u = ""; s = ""; next }
			/^URIs:/ { u = $2 }
			/^Suites:/ { $1 = ""; s = $0 " " }
			END { if (u != "" && s ~ /(^| )bookworm( |$)/) print u }' "$f" | head -n1)
		[ -n "$uri" ] && { echo "${uri%/}"; return 0; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		uri=$(awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			if ($(i + 1) == "bookworm") { print $i; exit } }' "$f")
		[ -n "$uri" ] && { echo "${uri%/}"; return 0; }
	done
	return 1
}

# papt_init DIR SUITE...: a private apt state in DIR that reads the given
# suites of the machine's Debian archive; the machine's apt configuration is
# read for the address and never changed.  Sets the array PAPT (apt options).
papt_init() {
	local dir=$1 mirror
	shift
	mirror=$(debian_mirror) || { echo "no Debian archive in the machine's apt sources" >&2; return 1; }
	mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/etc/sources.list.d" "$dir/etc/preferences.d"
	printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$mirror" "$*" > "$dir/etc/sources.list.d/private.sources"
	PAPT=(-o "Dir::State=$dir" -o "Dir::State::Lists=$dir/lists"
	      -o "Dir::State::status=/dev/null" -o "Dir::Cache=$dir"
	      -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$dir/etc/sources.list.d"
	      -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$dir/etc/preferences.d"
	      -o "APT::Architecture=amd64" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
	apt-get "${PAPT[@]}" -q update >&2
}

# Build settings every script shares (README, "Environment").  JOBS: make's
# -j.  KCC: the compiler, through ccache when it is installed.  The cache is
# ccache's own (CCACHE_DIR, by default the user's), so that `make demo`,
# `make check` and a fresh clone of the project share it; CCACHE_BASEDIR
# makes the paths of build/linux, build/check/linux and any clone hash
# alike, since every object tree sits next to its source tree.  The price:
# ccache compiles with those relative paths, so __FILE__ in these kernels
# reads "../linux/drivers/..." (tests/suites/vfio-cxl-off.sh, which compares
# object code across trees, turns the base directory off).
JOBS=${JOBS:-$(nproc)}
KCC=gcc
if command -v ccache >/dev/null; then
	KCC="ccache gcc"
	export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build}
	export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
fi
export JOBS KCC

# tally FILE: "P F S" for a KTAP document: passed, failed, skipped.
# Expected failures (not ok # TODO) count as passed; a plan that the
# results do not fill counts the missing tests as failed; with STRICT=1 a
# skip for something missing counts as failed.
tally() {
	awk -v strict="${STRICT:-0}" '
		/^1\.\.[0-9]+/ { if (!plan) plan = substr($0, 4) + 0 }
		/^ok / { n++; if (/# *SKIP/) { if (strict == 1 && /# *SKIP missing:/) f++; else s++ } else p++ }
		/^not ok / { n++; if (/# *TODO/) x++; else f++ }
		END { if (plan > n) f += plan - n; if (!plan && !n) f++
		      printf "%d passed, %d failed, %d skipped%s\n", p + x, f, s, x ? " (" x " expected failures)" : "" }' "$1"
}

