#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dot_bench.sh: how long `tvmm dot` takes to summarize a 1,000,000-record
# trace (the design asks for under 1 s). Runs on the host, no VM.
#
#   tests/bench/dot_bench.sh [--records N] [--keep]
#
# 1. builds the tvmm tool (make -C userspace);
# 2. writes a trace of N records (default 1000000, ~200 MB) with awk into
#    build/bench/dot-bench.jsonl: a de-privileged guest's pattern (runs of
#    OUTs, STI/HLT with the timer injected, system calls from ring 3
#    reflected, host interrupts), in the exact format of `tvmm run --trace`;
# 3. times `tvmm stats` (the reading floor), `tvmm dot --graph`, `--rings`,
#    `--sequence --max 40` to DOT, and the sequence to SVG through
#    Graphviz when `dot` is installed; prints the figures (also in
#    build/bench/dot-results.txt) and deletes the trace unless --keep.
#
# Figures only: nothing here asserts a timing. Exit status 0 if every
# command succeeded.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/build/bench
TVMM=$ROOT/userspace/tvmm
N=1000000 KEEP=0

log() { printf 'dot_bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--records) N=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	-h|--help) sed -n '4,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option '$1' (--records N, --keep)" ;;
	esac
done
case $N in ''|*[!0-9]*) die "--records wants a number, not '$N'" ;; esac

unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
make -s -C "$ROOT/userspace" >&2 || die "make -C userspace failed"
mkdir -p "$OUT"
TRACE=$OUT/dot-bench.jsonl
[ "$KEEP" -eq 1 ] || trap 'rm -f "$TRACE" "$OUT"/dot-bench.out.*' EXIT

log "writing a $N-record trace to $TRACE"
awk -v n="$N" 'BEGIN {
	# one period of 64 exits: a de-privileged kernel (cpl 1) and its app (cpl 3)
	for (i = 0; i < 64; i++) {
		r[i] = "EXCEPTION_NMI"; c[i] = 0; cpl[i] = 1; cs[i] = 9
		ins[i] = "ee"; m[i] = "out"; a[i] = "emulated"
	}
	ins[40] = "fb"; m[40] = "sti"
	ins[41] = "f4"; m[41] = "hlt"; a[41] = "injected"
	for (i = 48; i < 52; i++) {
		cpl[i] = 3; cs[i] = 27; ins[i] = "cd80"; m[i] = "int"; a[i] = "reflected"
	}
	r[52] = "EXTERNAL_INTERRUPT"; c[52] = 1; cpl[52] = 3; cs[52] = 27
	ins[52] = ""; m[52] = ""; a[52] = "ignored"
	r[53] = "PREEMPTION_TIMER"; c[53] = 52; cpl[53] = 3; cs[53] = 27
	ins[53] = ""; m[53] = ""; a[53] = "injected"
	ins[60] = "fa"; m[60] = "cli"
	tsc = 438286775
	for (s = 0; s < n; s++) {
		k = s % 64
		tsc += 900 + s % 37
		printf "{\"seq\":%d,\"tsc\":%d,\"reason\":\"%s\",\"reason_code\":%d,\"qual\":\"0x0\",\"rip\":\"0x%x\",\"cs\":%d,\"cpl\":%d,\"rflags\":\"0x246\",\"vif\":1,\"insn\":\"%s\",\"mnemonic\":\"%s\",\"action\":\"%s\",\"cycles\":%d}\n", \
			s, tsc, r[k], c[k], 65536 + 4 * k, cs[k], cpl[k], ins[k], m[k], a[k], 300 + s % 211
	}
}' >"$TRACE" || die "could not write $TRACE"
size=$(du -m "$TRACE" | cut -f1)

status=0
# secs NAME CMD...: run CMD (output to a file), print its wall time
secs() {
	local name=$1 t0 t1 rc
	shift
	t0=$(date +%s.%N)
	"$@" >"$OUT/dot-bench.out.$$" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	if [ "$rc" -eq 0 ]; then
		awk -v n="$name" -v a="$t0" -v b="$t1" 'BEGIN { printf "%-44s %6.2f s\n", n, b - a }'
	else
		printf '%-44s failed (status %d): %s\n' "$name" "$rc" "$(head -c 300 "$OUT/dot-bench.out.$$")"
		status=1
	fi
}

{
	echo "tvmm dot on a $N-record trace ($size MB), wall time of one run each:"
	echo
	secs "tvmm stats (read and count: the floor)" "$TVMM" stats "$TRACE"
	secs "tvmm dot --graph -o OUT.dot" "$TVMM" dot --graph "$TRACE" -o "$OUT/dot-bench.out.graph.dot"
	secs "tvmm dot --rings -o OUT.dot" "$TVMM" dot --rings "$TRACE" -o "$OUT/dot-bench.out.rings.dot"
	secs "tvmm dot --sequence --max 40 -o OUT.dot" "$TVMM" dot --sequence --max 40 "$TRACE" -o "$OUT/dot-bench.out.seq.dot"
	secs "tvmm dot --sequence --from 500000 --max 40" "$TVMM" dot --sequence --from 500000 --max 40 "$TRACE" -o "$OUT/dot-bench.out.from.dot"
	if command -v dot >/dev/null; then
		secs "tvmm dot --sequence --max 40 -o OUT.svg" "$TVMM" dot --sequence --max 40 "$TRACE" -o "$OUT/dot-bench.out.seq.svg"
		secs "tvmm dot --graph -o OUT.svg" "$TVMM" dot --graph "$TRACE" -o "$OUT/dot-bench.out.graph.svg"
	else
		echo "(no Graphviz dot: SVG rendering not timed)"
	fi
	echo
	echo "Host CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "The design's target: a 1,000,000-record summary in under 1 s."
} >"$OUT/dot-results.txt"	# not a pipe: secs() must set $status here
cat "$OUT/dot-results.txt"
log "results in $OUT/dot-results.txt"
exit "$status"
