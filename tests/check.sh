#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: the host tier (seconds) then the VM tier (minutes).
#
#   tests/check.sh [--host-only | --vm-only]
#
# Every step prints TAP/KTAP; tests/lib/ktap.py counts its leaf results.
# The last line of output is exactly "N passed, N failed, N skipped" over
# all steps; the exit status is non-zero on any failure. Each step's raw
# output is kept in build/check/<step>.log (shown in full when it failed).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KTAP=$ROOT/tests/lib/ktap.py
LOGS=$ROOT/build/check
host=1 vm=1
case "${1:-}" in
"") ;;
--host-only) vm=0 ;;
--vm-only) host=0 ;;
-h|--help) sed -n '4,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) echo "check.sh: unknown option '$1' (--host-only, --vm-only)" >&2; exit 2 ;;
esac

P=0 F=0 S=0
TIMES=()

header() { printf '\n==== %s ====\n' "$*"; }

# step NAME COMMAND...: run, count its TAP, accumulate
step() {
	local name=$1 log=$LOGS/$1.log rc=0 t0 t1 dt out p f s
	shift
	header "$name: $*"
	t0=$(date +%s.%N)
	(cd "$ROOT" && "$@") >"$log" || rc=$?
	t1=$(date +%s.%N)
	dt=$(printf '%.1f' "$(echo "$t1 - $t0" | bc)")
	out=$(python3 "$KTAP" summarize "$log" || true)
	read -r p f s < <(tail -n 1 <<<"$out" |
		sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p')
	p=${p:-0} f=${f:-1} s=${s:-0}
	sed '$d' <<<"$out"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name [exited with status $rc]"
		f=1
	fi
	if [ "$f" -gt 0 ]; then
		echo "---- $name output ($log) ----"
		cat "$log"
		echo "----"
	fi
	echo "-- $name: pass $p, fail $f, skip $s (${dt} s)"
	P=$((P + p)) F=$((F + f)) S=$((S + s))
	TIMES+=("$(printf '%-18s %7s s  pass %s fail %s skip %s' "$name" "$dt" "$p" "$f" "$s")")
}

# skip_step NAME REASON: a step that cannot run yet counts as one skip
skip_step() {
	header "$1"
	echo "SKIP $1 [$2]"
	S=$((S + 1))
	TIMES+=("$(printf '%-18s %7s    skipped: %s' "$1" "-" "$2")")
}

mkdir -p "$LOGS"
T0=$(date +%s)
header "deps"
bash "$ROOT/tests/deps.sh"

if [ "$host" -eq 1 ]; then
	step ktap-unit python3 tests/lib/test_ktap.py
	if [ -f "$ROOT/tests/host/Makefile" ]; then
		step host-unit make -s -C tests/host run
	else
		skip_step host-unit "tests/host/Makefile does not exist yet"
	fi
	# the course tooling: lab 00's grader, grade reports, Kconfig, handouts
	step labs-host bash tests/grade/host_test.sh
	# the fuzz generator: reproducible guests (tests/fuzz/README.md)
	step fuzz-gen make -s -C tests/fuzz gen-test
	if [ -f "$ROOT/tests/host/kernel-style.sh" ]; then
		step kernel-style bash tests/host/kernel-style.sh
	else
		skip_step kernel-style "tests/host/kernel-style.sh does not exist yet"
	fi
fi

if [ "$vm" -eq 1 ]; then
	step vm-bochs bash tests/labvm/labvm.sh tests --emulator bochs
	# The lab VM has 1 CPU (a second one doubles Bochs' time); the tests
	# about VMX on every CPU and CPU hotplug run again with 2, and the
	# host NMIs sent to a guest's CPU (nmi_test skips on 1 CPU). Each
	# step rebuilds (make is incremental): build/labvm may be shared.
	step vm-bochs-2cpus bash tests/labvm/labvm.sh tests --emulator bochs \
		--cpus 2 --select "lifecycle_test nmi_test"
	# the reboot notifier at the lab VM's power-off, a guest running on
	# CPU 1: VMX off on both CPUs (read from serial.log on the host)
	step vm-bochs-reboot bash tests/labvm/reboot_test.sh --cpus 2
	step vm-qemu-novmx bash tests/labvm/labvm.sh tests --emulator qemu-novmx \
		--select novmx_test
	# every lab's autograder fails on its own stub (one lab VM boot)
	step lab-stages bash tests/grade/stages.sh
	# make grade-all on a correct, a partial and a crashing submission
	step grade-all bash tests/grade/grade_all_test.sh
	# a short fuzz batch, fixed seed: 100 random guests x 5 modes on the
	# normal kernel (make fuzz runs 2000 on the debug one)
	step fuzz bash tests/fuzz/run.sh guest --kernel normal --seed 20261206 --guests 100
	# one plausible wrong solution per TODO, drawn anew each time: each
	# must fail its lab's autograder (the seed is printed: a failure
	# reproduces with tests/mutants/run.sh --seed S --one-per-todo)
	seed=${TVMM_MUTANT_SEED:-$(date +%s)}
	echo "mutants-sample: seed $seed"
	step mutants-sample bash tests/mutants/run.sh --seed "$seed" --one-per-todo --no-reference
fi

header "durations"
printf '%s\n' "${TIMES[@]}"
echo "total: $(( $(date +%s) - T0 )) s"
echo "$P passed, $F failed, $S skipped"
[ "$F" -eq 0 ]
