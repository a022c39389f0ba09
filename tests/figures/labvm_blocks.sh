#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's labvm-blocks step: run every `labvm` command block of
# README.md, docs/, labs/ and slides/ inside the lab VM, all in one boot,
# and fail on a block that ends with a non-zero status (TAP, one test per
# block; `labvm-manual` blocks are skips with their reason). What the
# markers mean: tests/figures/labvm_blocks.py. The VM gets every guest
# image in /extra, where the pages say they are.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${TVMM_LABVM_DIR:-$ROOT/build/labvm-blocks}
D=$B/blocks
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

rm -rf "$D"
cd "$ROOT"
python3 tests/figures/labvm_blocks.py collect "$D" README.md docs labs slides
make -s -C "$ROOT/guests" >&2
files=$(printf '%s ' "$D"/*.sh "$ROOT"/guests/*.bin)
# the VM needs no kselftests (an empty list)
mkdir -p "$B/no-tests"
: >"$B/no-tests/list"
rc=0
TVMM_TESTS=$B/no-tests TVMM_LABVM_DIR=$B bash tests/labvm/labvm.sh run --files "$files" \
	--cmd "sh /extra/blocks.sh" >"$D/vm.out" 2>"$D/vm.err" || rc=$?
grep -q '^BLOCKS DONE' "$D/vm.out" || {
	echo "labvm-blocks: the lab VM run did not finish (status $rc): $D/vm.err, $D/vm.out" >&2
	tail -n 20 "$D/vm.err" >&2
}
python3 tests/figures/labvm_blocks.py report "$D" "$D/vm.out"
