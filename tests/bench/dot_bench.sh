#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dot_bench.sh: how long `tvmm stats` and `tvmm dot` take on a
# 1,000,000-record trace, JSON Lines and binary (the target is
# 0.3 s at most). Runs on the host, no VM.
#
#   tests/bench/dot_bench.sh [--records N] [--runs R] [--keep]
#
# 1. builds the tvmm tool (make -C userspace);
# 2. writes a trace of N records (default 1000000, ~200 MB) with awk into
#    build/bench/dot-bench/j/dot-bench.trace: a de-privileged guest's
#    pattern (runs of OUTs, STI/HLT with the timer injected, system calls
#    from ring 3 reflected, host interrupts), in the exact format of
#    `tvmm run --trace`; converts it with `tvmm convert` into the binary
#    format (b/dot-bench.trace, what `--trace-format binary` writes);
# 3. times `tvmm stats` (the reading floor), `tvmm dot --graph`,
#    `--rings`, `--sequence --max 40` to DOT, and to SVG through Graphviz
#    when `dot` is installed, on both files: the wall time of the fastest
#    of R runs (default 3) and its CPU time (user + sys: on a loaded
#    machine the wall time also counts waiting for a CPU); checks that
#    both formats give the same output; prints the figures (also in
#    build/bench/dot-results.txt) and deletes the traces unless --keep.
#
# Figures only: nothing here asserts a timing. Exit status 0 if every
# command succeeded and both formats gave the same output.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/build/bench
TVMM=$ROOT/userspace/tvmm
N=1000000 KEEP=0 RUNS=3

log() { printf 'dot_bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--records) N=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	-h|--help) sed -n '4,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option '$1' (--records N, --runs R, --keep)" ;;
	esac
done
case $N in ''|*[!0-9]*) die "--records wants a number, not '$N'" ;; esac
case $RUNS in ''|0|*[!0-9]*) die "--runs wants a number from 1, not '$RUNS'" ;; esac

unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
make -s -C "$ROOT/userspace" >&2 || die "make -C userspace failed"
# The same file name for both formats: stats and dot print it.
W=$OUT/dot-bench
rm -rf "$W"
mkdir -p "$W/j" "$W/b"
TRACE=$W/j/dot-bench.trace BIN=$W/b/dot-bench.trace
[ "$KEEP" -eq 1 ] || trap 'rm -rf "$W"' EXIT

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
# timed OUT CMD...: run CMD in the trace's directory RUNS times, stdout to
# OUT; print "WALL CPU" (seconds) of the run with the least wall time.
timed() {
	local out=$1 i rc r u c best=
	shift
	for ((i = 0; i < RUNS; i++)); do
		{ TIMEFORMAT='%R %U %S'; time "$@" >"$out" 2>"$out.err"; } 2>"$out.time"
		rc=$?
		if [ "$rc" -ne 0 ]; then
			printf 'failed (status %d): %s\n' "$rc" "$(head -c 300 "$out.err" | tr '\n' ' ')"
			return 1
		fi
		read -r r u c <"$out.time"
		c=$(awk -v u="$u" -v s="$c" 'BEGIN { printf "%.2f", u + s }')
		if [ -z "$best" ] || awk -v a="$r" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
			best="$r $c"
		fi
	done
	echo "$best"
}

# row LABEL ARGS...: `tvmm ARGS dot-bench.trace` on both formats, one line.
row() {
	local label=$1 j b same=yes f
	shift
	j=$(cd "$W/j" && timed "$W/j/out" "$TVMM" "$@" dot-bench.trace) || status=1
	b=$(cd "$W/b" && timed "$W/b/out" "$TVMM" "$@" dot-bench.trace) || status=1
	for f in out out.svg; do
		if [ -e "$W/j/$f" ] && ! cmp -s "$W/j/$f" "$W/b/$f"; then
			same="NO: the outputs differ"
			status=1
		fi
	done
	rm -f "$W/j/out.svg" "$W/b/out.svg"
	printf '%-44s %s   %s   %s\n' "$label" "$(fmt "$j")" "$(fmt "$b")" "$same"
}

# fmt "WALL CPU" -> "0.21 s (cpu 0.20)", or the failure as it is
fmt() {
	case $1 in
	failed*) printf '%s' "$1" ;;
	*) awk -v r="${1% *}" -v c="${1#* }" 'BEGIN { printf "%5.2f s (cpu %4.2f)", r, c }' ;;
	esac
}

log "converting it to the binary format"
conv=$(timed "$W/conv" "$TVMM" convert "$TRACE" -o "$BIN") || die "tvmm convert failed: $conv"
bsize=$(du -m "$BIN" | cut -f1)

{
	echo "tvmm stats and dot on a $N-record trace, JSON Lines ($size MB) and binary ($bsize MB);"
	echo "wall time of the fastest of $RUNS runs, and its CPU time (user + sys):"
	echo
	printf '%-44s %-18s   %-18s   %s\n' "" "JSON Lines" "binary" "same output"
	row "tvmm stats (read and count: the floor)" stats
	row "tvmm dot --graph" dot --graph
	row "tvmm dot --rings" dot --rings
	row "tvmm dot --sequence --max 40" dot --sequence --max 40
	row "tvmm dot --sequence --from $((N / 2)) --max 40" dot --sequence --from $((N / 2)) --max 40
	if command -v dot >/dev/null; then
		row "tvmm dot --sequence --max 40 -o OUT.svg" dot --sequence --max 40 -o out.svg
		row "tvmm dot --graph -o OUT.svg" dot --graph -o out.svg
	else
		echo "(no Graphviz dot: SVG rendering not timed)"
	fi
	echo
	echo "tvmm convert JSON Lines -> binary: $(fmt "$conv")"
	echo "Host CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
		"$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "The target: stats and dot on 1,000,000 records in 0.3 s at most."
} >"$OUT/dot-results.txt"	# not a pipe: row() must set $status here
cat "$OUT/dot-results.txt"
log "results in $OUT/dot-results.txt"
exit "$status"
