#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make figures: measure, in one lab VM run, every number the pages, labs
# and slides quote, into build/figures/numbers.json (and its flat,
# formatted twins numbers.en.tsv / numbers.it.tsv that docs/numbers.lua
# reads). Cached: the run is done again only when its inputs change
# (module/, guests/, userspace/, the bench, the lab VM's kernel config and
# init, the scripts here that measure and collect); the key is a hash of
# their contents.
#
#   tests/figures/run.sh [--force] [--no-bench] [--stale-ok]
#
# The run: one lab VM boot for the demo workloads (tests/figures/
# workloads.sh: hello, cpuid_loop, io_loop, mmio, minios in every mode,
# popek, tvmm compare), then `make bench`'s tests/bench/run.sh --no-dot
# for the exit costs (its own boots: tvmm, floor, KVM). Boots the lab VM.
#
# --no-bench reuses the bench figures of the last run (build/figures/
# bench.out): a quicker re-measure when only the workloads changed, not
# for a changed module.
# --stale-ok (make docs FIGURES_STALE=1, or TVMM_FIGURES_STALE=1): keep the
# numbers of the last run even if the inputs changed since (says so), for
# a quick page build without the lab VM; there must be a last run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/tests/figures
OUT=$ROOT/build/figures
force=0 bench=1 stale=${TVMM_FIGURES_STALE:-0}
while [ $# -gt 0 ]; do
	case $1 in
	--force) force=1; shift ;;
	--no-bench) bench=0; shift ;;
	--stale-ok) stale=1; shift ;;
	-h|--help) sed -n '4,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "figures: unknown option '$1' (--force, --no-bench, --stale-ok)" >&2; exit 2 ;;
	esac
done
log() { printf 'figures: %s\n' "$*" >&2; }
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

# The inputs: every tracked file under these paths, as it is in the work
# tree (uncommitted edits count), and the lab VM kernel's config.
key() {
	cd "$ROOT"
	git ls-files -z module guests userspace tests/bench \
		tests/figures/run.sh tests/figures/workloads.sh tests/figures/collect.py \
		tests/labvm/tiny.config tests/labvm/kernel.sh tests/labvm/init Kconfig |
		sort -z | xargs -0 sha256sum 2>/dev/null | sha256sum | cut -c1-16
}
mkdir -p "$OUT"
k=$(key)
if [ "$force" = 0 ] && [ -s "$OUT/numbers.json" ] && [ "$(cat "$OUT/key" 2>/dev/null)" = "$k" ]; then
	log "up to date (inputs $k): $OUT/numbers.json"
	exit 0
fi
if [ "$stale" = 1 ] && [ "$force" = 0 ] && [ -s "$OUT/numbers.en.tsv" ]; then
	log "inputs changed since the last run ($(cat "$OUT/key" 2>/dev/null || echo none) -> $k), using its numbers anyway (--stale-ok)"
	exit 0
fi
rm -f "$OUT/key"

log "building the guests"
make -s -C "$ROOT/guests" >&2
files="$HERE/workloads.sh"
for g in hello halt cpuid_loop io_loop mmio minios minios_pv popek popek_pv pgprobe pgprobe_pv \
	memwrite memwrite_big spin; do
	files="$files $ROOT/guests/$g.bin"
done

# no kselftests in this VM (an empty list): the run needs none
mkdir -p "$OUT/no-tests"
: >"$OUT/no-tests/list"
log "one lab VM run of tests/figures/workloads.sh (a minute or two in Bochs)"
TVMM_TESTS=$OUT/no-tests TVMM_LABVM_DIR=$OUT/vm bash "$ROOT/tests/labvm/labvm.sh" run --files "$files" \
	--cmd "sh /extra/workloads.sh" >"$OUT/workloads.out" 2>"$OUT/workloads.err" || {
	log "the lab VM run failed: $OUT/workloads.err, $OUT/workloads.out"
	exit 1
}
grep -q '^=== end' "$OUT/workloads.out" || { log "workloads.sh did not finish: $OUT/workloads.out"; exit 1; }
cp "$OUT/vm/bochsrc" "$OUT/bochsrc" 2>/dev/null || true

if [ "$bench" = 1 ]; then
	log "make bench (tests/bench/run.sh --no-dot)"
	bash "$ROOT/tests/bench/run.sh" --no-dot >"$OUT/bench.log" 2>&1 || {
		log "the bench failed: $OUT/bench.log"
		exit 1
	}
	cat "$ROOT/build/bench/tvmm.out" "$ROOT/build/bench/kvm.out" >"$OUT/bench.out"
fi
[ -s "$OUT/bench.out" ] || { log "no bench figures: run without --no-bench"; exit 1; }

python3 "$HERE/collect.py" --workloads "$OUT/workloads.out" --bench "$OUT/bench.out" \
	--bochsrc "$OUT/bochsrc" --key "$k" --out "$OUT"
echo "$k" >"$OUT/key"
log "wrote $OUT/numbers.json"
