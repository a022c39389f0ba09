#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# emulate_bench.sh - what emulation costs: the mini-OS (guests/minios.bin,
# about 5 million guest instructions) under `tvmm emulate`, the software
# CPU, against `tvmm run --mode hw`, VT-x.
#
#   bash tests/bench/emulate_bench.sh [--no-vm]
#
# 1. on this host: `tvmm emulate` of minios.bin, 3 runs, the fastest
#    kept: host ns per guest instruction (no VT-x needed);
# 2. in the lab VM (one boot; --no-vm skips it): `tvmm compare --json`,
#    whose emulated row has the same figure for the emulator and for the
#    hw run of the same guest (its host time over the same instruction
#    count), and their ratio, the slowdown factor. The lab VM is Bochs,
#    whose clock counts emulated instructions: there the factor compares
#    the instructions Bochs executed for the two runs, the same on any
#    host.
#
# Figures only: nothing here asserts a timing. Prints "BENCH mode=..."
# lines and a short table; exit status 0 if the figures came, 1 if not.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/build/bench
VM=1
[ "${1:-}" = --no-vm ] && VM=0
mkdir -p "$OUT"
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
make -s -C "$ROOT/guests" minios.bin minios_pv.bin >&2 || exit 1
make -s -C "$ROOT/userspace" >&2 || exit 1

best=
for i in 1 2 3; do
	ns=$("$ROOT/userspace/tvmm" emulate "$ROOT/guests/minios.bin" 2>&1 >/dev/null |
		sed -n 's/.* interpreted (\([0-9.]*\) ns each.*/\1/p')
	[ -n "$ns" ] || { echo "emulate_bench: tvmm emulate gave no figure" >&2; exit 1; }
	if [ -z "$best" ] || awk -v a="$ns" -v b="$best" 'BEGIN { exit !(a < b) }'; then
		best=$ns
	fi
done
echo "BENCH mode=emulate-host host_ns_per_insn=$best"

status=0
if [ "$VM" -eq 1 ]; then
	bash "$ROOT/tests/labvm/labvm.sh" run \
		--files "$ROOT/guests/minios.bin $ROOT/guests/minios_pv.bin" \
		--cmd "cd /extra && tvmm compare --json" >"$OUT/emulate.out" 2>&1
	line=$(python3 - "$OUT/emulate.out" <<'PY'

import json, sys
text = open(sys.argv[1]).read()
start, end = text.find("{"), text.rfind("}")
rows = json.loads(text[start:end + 1])["techniques"] if start >= 0 else []
emu = [r for r in rows if r["technique"] == "emulated"]
if not emu or not emu[0].get("slowdown"):
    sys.exit("emulate_bench: no emulated row from tvmm compare in the lab VM; see " + sys.argv[1])
e = emu[0]
print("BENCH mode=emulate-labvm insns=%d emu_ns_per_insn=%.1f hw_ns_per_insn=%.1f slowdown=%.1f correct=%s"
      % (e["instructions"], e["host_ns_per_insn"], e["hw_host_ns_per_insn"], e["slowdown"],
         "yes" if e["correct"] else "no"))
PY
	) || status=1
	echo "$line"
fi

echo
echo "emulation (tvmm emulate) against VT-x (tvmm run --mode hw), guests/minios.bin"
echo "  this host, tvmm emulate:  $best ns per guest instruction"
[ "$VM" -eq 0 ] || printf '%s\n' "${line:-}" | sed -n 's/^BENCH mode=emulate-labvm insns=\([0-9]*\) emu_ns_per_insn=\([0-9.]*\) hw_ns_per_insn=\([0-9.]*\) slowdown=\([0-9.]*\).*/  lab VM (Bochs), \1 instructions: emulate \2 ns each, hw \3 ns each: emulation \4x slower/p'
exit "$status"
