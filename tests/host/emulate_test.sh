#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# emulate_test.sh - `tvmm emulate` (userspace/emu/, the guest on a
# software CPU) against the hardware: every guest of emulate/guests.list
# gives the console and exit status that `tvmm run --mode hw` gave in the
# lab VM (emulate/REF.out and REF.status, recorded by emulate/regen.sh).
# The guests outside the emulated subset must end with status 120 and say
# why, never run on with a guess. The trace of an emulated run must be
# the same JSON Lines `tvmm run --trace` writes (tvmm stats reads it) with
# the hw run's events for hello.bin: 22 OUTs and a HLT.
# No VM, no module, no root. Prints TAP.
set -u
cd "$(dirname "$0")" || exit 1
TVMM=${TVMM:-$(pwd)/../../userspace/tvmm}
G=../../guests
R=emulate
W=$(mktemp -d /tmp/tvmm-emulate-test.XXXXXX)
trap 'rm -rf "$W"' EXIT
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

# Lines the hardware and the emulator may rightly print differently,
# per reference (see emulate/README.md): a pattern for grep -v.
varies() {
	case $1 in
	irqs) echo '^irqs: ticks ' ;;	# ticks during spins: exit costs count in hw
	*) echo '^$^' ;;		# nothing
	esac
}
# References outside the subset: they must end with status 120.
outside() {
	case $1 in
	adv_dr | adv_step) return 0 ;;
	*) return 1 ;;
	esac
}
# References not compared, with why (emulate/README.md says more).
not_compared() {
	case $1 in
	cpuid_leaves) echo "prints the CPU's CPUID leaves: the emulator is a CPU of its own" ;;
	adv_delivery) echo "needs a timer tick inside 8192 OUTs: true only when each OUT is a costly VM exit" ;;
	*) return 1 ;;
	esac
}

# shellcheck source=/dev/null
. "$R/guests.list"
for g in "${EMULATE_GUESTS[@]}"; do
	set -- $g
	ref=$1 guest=$2
	shift 2
	if why=$(not_compared "$ref"); then
		echo "ok $((n + 1)) - $ref # SKIP $why"
		n=$((n + 1))
		continue
	fi
	"$TVMM" emulate "$@" "$G/$guest.bin" >"$W/out" 2>"$W/err"
	st=$?
	if outside "$ref"; then
		if [ "$st" -eq 120 ] && grep -q "outside the emulated subset" "$W/err"; then
			ok "$ref: outside the subset, said so (status 120)"
		else
			sed 's/^/# /' "$W/err" | tail -n 5
			not_ok "$ref: outside the subset, but status $st"
		fi
		continue
	fi
	want=$(cat "$R/$ref.status")
	pat=$(varies "$ref")
	grep -v -- "$pat" "$R/$ref.out" >"$W/want.out"
	grep -v -- "$pat" "$W/out" >"$W/got.out"
	if [ "$st" -eq "$want" ] && cmp -s "$W/want.out" "$W/got.out"; then
		ok "$ref: the console and status ($st) of --mode hw"
	else
		diff "$W/want.out" "$W/got.out" | head -n 10 | sed 's/^/# /'
		tail -n 3 "$W/err" | sed 's/^/# /'
		not_ok "$ref: status $st (hw: $want), console above"
	fi
done

# The trace: JSON Lines that tvmm stats reads, hello's events as in hw.
"$TVMM" emulate --trace "$W/t.jsonl" "$G/hello.bin" >/dev/null 2>&1
"$TVMM" stats --json "$W/t.jsonl" >"$W/stats.json" 2>"$W/stats.err"
if python3 - "$W/stats.json" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
rows = {r["reason"]: r["samples"] for r in st["events"]}
sys.exit(0 if rows == {"IO_INSTRUCTION": 22, "HLT": 1} else 1)
PY
then
	ok "hello.bin's trace: 22 IO_INSTRUCTION and 1 HLT, as tvmm run --trace"
else
	sed 's/^/# /' "$W/stats.json" "$W/stats.err" | head -n 20
	not_ok "hello.bin's trace read by tvmm stats"
fi
"$TVMM" dot -o "$W/seq.dot" "$W/t.jsonl" >/dev/null 2>&1 && ok "tvmm dot draws an emulated trace" ||
	not_ok "tvmm dot on an emulated trace"

# Never a guess: bytes outside the subset end the run with them and their address.
printf '\x90\x0f\x0b\x0f\x38\x00\xc0' >"$W/unknown.bin"	# nop; ud2 (#UD, no IDT); pshufb
"$TVMM" emulate "$W/unknown.bin" >/dev/null 2>"$W/err"
st=$?
if [ "$st" -eq 110 ]; then
	ok "ud2 with no IDT: #UD, #GP, #DF, triple fault (110)"
else
	not_ok "ud2 with no IDT: status $st, not 110"
fi
printf '\x90\x0f\x38\x00\xc0' >"$W/unknown.bin"		# nop; pshufb %xmm0,%xmm0
"$TVMM" emulate "$W/unknown.bin" >/dev/null 2>"$W/err"
st=$?
if [ "$st" -eq 120 ] && tr '\n' ' ' <"$W/err" | grep -q "0008:00010001: bytes 0f3800"; then
	ok "an SSSE3 instruction: status 120, its address and bytes"
else
	sed 's/^/# /' "$W/err"
	not_ok "an unknown instruction: status $st"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
