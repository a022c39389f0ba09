#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-full (CI) and make check: the host tier (seconds) and the VM
# tier (Bochs, minutes), the steps side by side, one per CPU.
#
#   tests/check.sh [--host-only | --vm-only] [--quick] [-j N]
#
# Every step prints TAP/KTAP; tests/lib/ktap.py counts its leaf results.
# The last line of output is exactly "N passed, N failed, N skipped" over
# all steps; the exit status is non-zero on any failure. Each step's raw
# output is kept in build/check/<step>.log, its stderr (build and boot
# messages) in build/check/<step>.err, both shown when it failed; a VM
# step's lab VM (serial.log, bochs.log) is in build/check/vm/<step>/.
#
# Work whose inputs did not change is not done again: make is incremental,
# every compile goes through ccache, and lab-stages reuses its module
# variants (tests/grade/stages.sh).
#
# No option: every step (`make check-full`, what CI runs). --quick: the
# developer loop (`make check`): the host tier and the kselftest VM steps,
# without the lab stages, grade-all, fuzz and mutant steps. -j N: run N
# steps at once (default: the number of CPUs, or TVMM_CHECK_JOBS); -j 1
# runs them one after another. The durations table at the end gives each
# step's wall time, the lane (1..N) it ran in and when it started.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KTAP=$ROOT/tests/lib/ktap.py
LOGS=$ROOT/build/check
host=1 vm=1 quick=0
JOBS=${TVMM_CHECK_JOBS:-$(nproc)}
usage() { sed -n '4,25p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
	case $1 in
	--host-only) vm=0; shift ;;
	--vm-only) host=0; shift ;;
	--quick) quick=1; shift ;;
	-j) JOBS=${2:?-j N}; shift 2 ;;
	-j[0-9]*) JOBS=${1#-j}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "check.sh: unknown option '$1' (--host-only, --vm-only, --quick, -j N)" >&2; exit 2 ;;
	esac
done
case $JOBS in '' | *[!0-9]* | 0) echo "check.sh: -j wants a positive number" >&2; exit 2 ;; esac

# Every compiler call of every step goes through ccache (Debian's
# /usr/lib/ccache/gcc, cc): the module variants, the student trees of
# grade-all and kernel-style's W=1 builds recompile the same files; a
# ccache hit is the same object file, so no result can change.
if [ -d /usr/lib/ccache ]; then
	export PATH=/usr/lib/ccache:$PATH
	export CCACHE_DIR=${CCACHE_DIR:-${TVMM_CACHE:-$HOME/.cache/tvmm}/ccache}
fi

# --- the steps ----------------------------------------------------------------
# step NAME TIER SECONDS COMMAND...: TIER host, vm (the kselftests: in
# --quick too) or slow (not in --quick); SECONDS is about what the step
# takes with warm caches on 2 CPUs: the longest start first, so the last
# to finish is a short one.
NAMES=()
declare -A CMD TIER EST
step() {
	local name=$1
	NAMES+=("$name")
	TIER[$name]=$2 EST[$name]=$3
	shift 3
	CMD[$name]=$(printf '%q ' "$@")
	CMD[$name]=${CMD[$name]% }
}

# skipped NAME TIER REASON: a step that cannot run yet counts as one skip
SKIPPED=()
declare -A WHY
skipped() { NAMES+=("$1"); TIER[$1]=$2 EST[$1]=0 WHY[$1]=$3; SKIPPED+=("$1"); }

step ktap-unit host 1 python3 tests/lib/test_ktap.py
if [ -f "$ROOT/tests/host/Makefile" ]; then
	step host-unit host 10 make -s -C tests/host run
else
	skipped host-unit host "tests/host/Makefile does not exist yet"
fi
# the course tooling: lab 00's grader, grade reports, Kconfig, handouts
step labs-host host 50 bash tests/grade/host_test.sh
# the Italian edition in step with the English pages (docs/translating.md)
step i18n-sync host 5 python3 tests/host/i18n_sync.py
# the pages' measured numbers: none typed by hand; their filter (tests/figures/)
step figures-host host 5 bash tests/figures/host_test.sh
# the lecture decks, both languages, every slide laid out in Chromium
step slides host 100 bash tests/host/slides_test.sh
# course platforms: Gradescope bundle, exports, grade-all JOBS=N; handout CI
step grade-platforms host 40 bash tests/grade/platform_test.sh
step grade-ci host 15 bash tests/grade/ci_test.sh
# the fuzz generator: reproducible guests (tests/fuzz/README.md)
step fuzz-gen host 1 make -s -C tests/fuzz gen-test
if [ -f "$ROOT/tests/host/kernel-style.sh" ]; then
	# its six module builds, one after another, are most of the host
	# tier: let Kbuild use every CPU the other steps leave idle
	step kernel-style host 150 env MAKEFLAGS="-j$JOBS" bash tests/host/kernel-style.sh
else
	skipped kernel-style host "tests/host/kernel-style.sh does not exist yet"
fi

step vm-bochs vm 90 bash tests/labvm/labvm.sh tests --emulator bochs
# The lab VM has 1 CPU (a second one doubles Bochs' time); the tests
# about VMX on every CPU and CPU hotplug run again with 2, and the
# host NMIs sent to a guest's CPU (nmi_test skips on 1 CPU), and a
# running VM moved from CPU 0 to CPU 1, by its own process (migrate_test)
# and by `tvmm migrate vmN --cpu 1` from another (migrate_cpu_test).
step vm-bochs-2cpus vm 75 bash tests/labvm/labvm.sh tests --emulator bochs \
	--cpus 2 --select "lifecycle_test nmi_test migrate_test migrate_cpu_test"
# the reboot notifier at the lab VM's power-off, a guest running on
# CPU 1: VMX off on both CPUs (read from serial.log on the host)
step vm-bochs-reboot vm 30 bash tests/labvm/reboot_test.sh --cpus 2
# a VM saved in one lab VM boot and restored in another (two boots)
step vm-bochs-crossboot vm 60 bash tests/labvm/crossboot_test.sh
step vm-qemu-novmx vm 9 bash tests/labvm/labvm.sh tests --emulator qemu-novmx \
	--select novmx_test
# every `labvm` command block of the pages runs in the lab VM (one boot)
step labvm-blocks vm 60 bash tests/figures/labvm_blocks.sh
# every lab's autograder fails on its own stub (one lab VM boot)
step lab-stages slow 150 bash tests/grade/stages.sh
# make grade-all on a correct, a partial and a crashing submission
step grade-all slow 250 bash tests/grade/grade_all_test.sh
# a short fuzz batch, fixed seed: 100 random guests x 5 modes on the
# normal kernel (make fuzz runs 2000 on the debug one)
step fuzz slow 50 bash tests/fuzz/run.sh guest --kernel normal --seed 20261206 --guests 100
# one plausible wrong solution per TODO, drawn anew each time: each
# must fail its lab's autograder (the seed is printed: a failure
# reproduces with tests/mutants/run.sh --seed S --one-per-todo)
seed=${TVMM_MUTANT_SEED:-$(date +%s)}
step mutants-sample slow 150 bash tests/mutants/run.sh --seed "$seed" --one-per-todo --no-reference

# the selection, longest first
RUN=()
for name in "${NAMES[@]}"; do
	case ${TIER[$name]} in
	host) [ "$host" -eq 1 ] || continue ;;
	vm) [ "$vm" -eq 1 ] || continue ;;
	slow) if [ "$vm" -eq 0 ] || [ "$quick" -eq 1 ]; then continue; fi ;;
	esac
	RUN+=("$name")
done
mapfile -t QUEUE < <(for name in "${RUN[@]}"; do
	[ -z "${WHY[$name]+x}" ] && echo "${EST[$name]} $name"; done | sort -s -k1,1nr | cut -d' ' -f2)

# --- running one step -------------------------------------------------------------

header() { printf '\n==== %s ====\n' "$*"; }

# run_step NAME LANE: run it, count its TAP; its report (the section
# printed below) goes to stdout in one piece, its counts to NAME.result
run_step() {
	local name=$1 lane=$2 log=$LOGS/$1.log err=$LOGS/$1.err rc=0 t0 t1 dt out p f s
	local sect=$LOGS/$1.section
	t0=$(date +%s.%N)
	echo "${t0%.*}" >"$LOGS/$name.started"
	[ -t 1 ] || flock "$LOGS/.print.lock" echo "-- $name: started (lane $lane)"
	# A VM step boots its own lab VM in its own directory: two steps
	# never share an initramfs, an ISO or a serial log.
	(cd "$ROOT" && export TVMM_LABVM_DIR=$LOGS/vm/$name && eval "${CMD[$name]}") \
		>"$log" 2>"$err" || rc=$?
	t1=$(date +%s.%N)
	dt=$(printf '%.1f' "$(echo "$t1 - $t0" | bc)")
	out=$(python3 "$KTAP" summarize "$log" || true)
	read -r p f s < <(tail -n 1 <<<"$out" |
		sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p') || true
	p=${p:-0} f=${f:-1} s=${s:-0}
	{
		header "$name: ${CMD[$name]}"
		sed '$d' <<<"$out"
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "FAIL $name [exited with status $rc]"
			f=1
		fi
		if [ "$f" -gt 0 ]; then
			echo "---- $name output ($log) ----"
			cat "$log"
			echo "---- $name stderr, last 60 lines ($err) ----"
			tail -n 60 "$err"
			echo "----"
		fi
		echo "-- $name: pass $p, fail $f, skip $s (${dt} s)"
	} >"$sect"
	echo "$p $f $s $dt $lane $(printf '%.0f' "$(echo "$t0 - $T0" | bc)")" >"$LOGS/$name.result"
	# one report at a time on the terminal (over the progress line)
	flock "$LOGS/.print.lock" sh -c '[ ! -t 1 ] || printf "\r\033[K"; cat "$1"' sh "$sect"
}

# worker LANE: take the next step from the queue until it is empty
worker() {
	local lane=$1 name
	while :; do
		# shellcheck disable=SC2016 # sh's $1
		name=$(flock "$LOGS/.queue.lock" sh -c \
			'head -n 1 "$1"; sed -i 1d "$1"' sh "$LOGS/queue")
		[ -n "$name" ] || return 0
		run_step "$name" "$lane"
	done
}

# --- main ---------------------------------------------------------------------

mkdir -p "$LOGS"
rm -rf "$LOGS/vm"
for name in "${NAMES[@]}"; do rm -f "$LOGS/$name".{log,err,section,result,started}; done
T0=$(date +%s.%N)
header "deps"
bash "$ROOT/tests/deps.sh"
case " ${RUN[*]} " in *" mutants-sample "*) echo "mutants-sample: seed $seed" ;; esac

# What the steps share, built once before they start, so that no two of
# them run make in the same directory at once (their own makes then find
# nothing to do): tvmm.ko, the tool, the selftests, the guests, the
# fuzzers and the lab VM's initramfs. A failure here is not counted: the
# steps that need the piece fail on their own, with their own message.
header "build"
t0=$(date +%s)
{
	make -s -C "$ROOT" config userspace &&
	if [ "$vm" -eq 1 ]; then
		bash "$ROOT/tests/labvm/labvm.sh" build &&
		make -s -C "$ROOT/tests/fuzz" guest_fuzz
	fi
} 2>&1 | tee "$LOGS/build.log" |
	# a cold cache builds the lab VM kernel first (minutes): its progress
	{ grep --line-buffered -E '^kernel.sh: ([0-9]+%|building)' || true; } || {
	tail -n 40 "$LOGS/build.log"
	echo "build: failed (build/check/build.log); the steps go on and report it"
}
echo "build: $(( $(date +%s) - t0 )) s"
for name in "${SKIPPED[@]}"; do
	case " ${RUN[*]} " in *" $name "*) header "$name"; echo "SKIP $name [${WHY[$name]}]" ;; esac
done

echo "running ${#QUEUE[@]} steps, $JOBS at a time: ${QUEUE[*]}"
printf '%s\n' "${QUEUE[@]}" >"$LOGS/queue"
# On Ctrl-C or a kill, every process of the steps stops with this script:
# the workers (background jobs: they ignore SIGINT) and what they started,
# down to the emulators (`timeout` puts each in a process group of its
# own, away from the terminal's signals; it passes SIGTERM on).
PIDS=()
descendants() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}
stop() {
	local all=() pid
	trap - INT TERM
	for pid in "${PIDS[@]}"; do
		# shellcheck disable=SC2207 # a list of pids
		all+=("$pid" $(descendants "$pid"))
	done
	kill -TERM "${all[@]}" 2>/dev/null || true
	echo "check.sh: interrupted: stopped ${#all[@]} processes" >&2
	exit 130
}
trap stop INT TERM
for lane in $(seq "$JOBS"); do
	worker "$lane" &
	PIDS+=("$!")
done
# On a terminal, a progress line under the reports: steps done, those
# running and for how long (off a terminal: the "started" lines)
if [ -t 1 ]; then
	(
		while sleep 2; do
			line="check: $(ls "$LOGS"/*.result 2>/dev/null | wc -l)/${#QUEUE[@]} steps done; running:"
			for f in "$LOGS"/*.started; do
				n=$(basename "$f" .started)
				[ -f "$LOGS/$n.result" ] || line="$line $n $(($(date +%s) - $(cat "$f"))) s,"
			done
			flock "$LOGS/.print.lock" printf '\r\033[K%s' "${line%,}"
		done
	) &
	PIDS+=("$!")
fi
for pid in "${PIDS[@]:0:$JOBS}"; do wait "$pid" || true; done
[ "${#PIDS[@]}" -eq "$JOBS" ] || { kill "${PIDS[$JOBS]}" 2>/dev/null; printf '\r\033[K'; }
trap - INT TERM

P=0 F=0 S=0
header "durations"
printf '%-18s %7s  %-5s %-5s %s\n' step seconds lane start result
sum=0
declare -A TSUM=([host]=0 [vm]=0 [slow]=0)
for name in "${NAMES[@]}"; do
	case " ${RUN[*]} " in *" $name "*) ;; *) continue ;; esac
	if [ -n "${WHY[$name]+x}" ]; then
		printf '%-18s %7s  %-5s %-5s %s\n' "$name" - - - "skipped: ${WHY[$name]}"
		S=$((S + 1))
		continue
	fi
	if [ ! -f "$LOGS/$name.result" ]; then
		printf '%-18s %7s  %-5s %-5s %s\n' "$name" - - - "FAIL: did not finish"
		F=$((F + 1))
		continue
	fi
	read -r p f s dt lane start <"$LOGS/$name.result"
	printf '%-18s %7s  %-5s %-5s pass %s fail %s skip %s\n' "$name" "$dt" "$lane" "$start" "$p" "$f" "$s"
	P=$((P + p)) F=$((F + f)) S=$((S + s))
	sum=$(echo "$sum + $dt" | bc)
	TSUM[${TIER[$name]}]=$(echo "${TSUM[${TIER[$name]}]} + $dt" | bc)
done
# each tier's steps, added up (they overlap in time: the wall time is less)
echo "steps of the host tier: ${TSUM[host]} s, kselftest VM steps: ${TSUM[vm]} s, other VM steps: ${TSUM[slow]} s"
echo "total: $(printf '%.0f' "$(echo "$(date +%s.%N) - $T0" | bc)") s wall, ${sum} s of steps, $JOBS at a time"
echo "$P passed, $F failed, $S skipped"
[ "$F" -eq 0 ]
