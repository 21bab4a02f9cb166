#!/usr/bin/env bash
# format-patches.sh TREE DIR: write base..HEAD of TREE as patch files into DIR,
# the one canonical way (used by export and status alike).
set -euo pipefail
tree=$1 dir=$2
git -C "$tree" -c core.abbrev=12 -c diff.noprefix=false -c format.signoff=false \
	format-patch -q --zero-commit --no-signature --no-numbered --no-cover-letter \
	--no-binary --minimal -o "$dir" base..HEAD
