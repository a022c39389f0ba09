#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-full (CI) and make check: the host tier (seconds) and the VM
# tier (Bochs, minutes), the steps side by side, one per CPU.
#
#   tests/check.sh [--host-only | --vm-only] [--quick] [--no-reuse] [-j N]
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
# variants (tests/grade/stages.sh). With --quick, a host step that passed
# is not run again while nothing it could read has changed (see "reusing
# a host step's result" below; --no-reuse or TVMM_CHECK_REUSE=0 runs it
# anyway); CI's run (no --quick) runs every step.
#
# No option: every step (`make check-full`, what CI runs). --quick: the
# developer loop (`make check`): the host tier and the kselftest VM steps,
# without the lab stages, grade-all, fuzz and mutant steps. -j N: run N
# steps at once (default: the number of CPUs, or TVMM_CHECK_JOBS); -j 1
# runs them one after another. The durations table at the end gives each
# step's wall time and CPU time (user + sys), the lane (1..N) it ran in
# ("reused": not run) and when it started.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KTAP=$ROOT/tests/lib/ktap.py
LOGS=$ROOT/build/check
host=1 vm=1 quick=0 reuse=${TVMM_CHECK_REUSE:-1}
JOBS=${TVMM_CHECK_JOBS:-$(nproc)}
usage() { sed -n '4,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
	case $1 in
	--host-only) vm=0; shift ;;
	--vm-only) host=0; shift ;;
	--quick) quick=1; shift ;;
	--no-reuse) reuse=0; shift ;;
	-j) JOBS=${2:?-j N}; shift 2 ;;
	-j[0-9]*) JOBS=${1#-j}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "check.sh: unknown option '$1' (--host-only, --vm-only, --quick, --no-reuse, -j N)" >&2; exit 2 ;;
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

# A lab VM that does not finish in TVMM_LABVM_TIMEOUT seconds of wall time
# is killed as hung (labvm.sh: 300 by default). Here two lab VMs run side
# by side, and on a machine shared with other Bochs a kselftest boot that
# needs 60 s of CPU took over 300 s: killed in its 22nd test, counted as
# 3 failures. A hang still fails, later.
export TVMM_LABVM_TIMEOUT=${TVMM_LABVM_TIMEOUT:-900}

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

# children_cpu FILE: user + sys seconds of the children line (the second)
# of a `times` output, "1m2.500s 0m0.250s" -> 62.750
children_cpu() {
	sed -n 2p "$1" | sed -E 's/([0-9]+)m([0-9.]+)s/(\1*60+\2)/g; s/ /+/' | bc
}

# --- reusing a host step's result ----------------------------------------------
# A host step is a function of what it can read: the tree (every file of
# the clone, build products included, and git's HEAD and index), the
# installed software and the environment. inputs_key prints a hash of all
# of it, taken once after the shared build and before any step starts;
# a host step that passed keeps its log under that key in
# build/check/reuse/ (NAME.KEY.log; the last 4 keys). With --quick, a host step whose key is the one it
# passed with is not run again: its kept log is counted as it was, the
# durations table says "reused". Left out of the key, and why:
#   build/check/    this script's own logs (and the kept ones);
#   build/labvm/    the lab VM's initramfs, written anew by every build
#                   (a cpio of fresh files: other bytes each time); only
#                   the VM steps and tests/figures (VM steps) boot it.
#   build/kernel-style/
#                   kernel-style's own W=1 and sparse builds: that step
#                   writes them from the module's sources, which are in
#                   the key, and nothing else reads them.
#   build/docs/, build/slides/
#                   what the docs and slides steps write: the PDFs carry
#                   their build time, other bytes each run, so a key over
#                   them never matched twice; make rebuilds them from
#                   their sources, which are in the key.
# The software: Debian's package database (compilers, headers, Chromium,
# fonts, Python's Debian modules), /usr/local's and the python3 on PATH's
# files by size and time, the lab kernel's cache key. The day is in the
# key too: no result is reused past midnight (UTC). What went into the
# key is kept in build/check/reuse/inputs.txt.
inputs_key() {
	{
		echo "tests/check.sh inputs v1, $(date -u +%F)"
		cd "$ROOT"
		git rev-parse HEAD 2>&1
		git ls-files -s 2>&1
		git ls-files -o --exclude-standard 2>&1
		find . \( -path ./.git -o -path ./build/check -o -path ./build/labvm -o -path ./build/docs -o -path ./build/slides -o -path ./build/kernel-style \) -prune -o \
			! -type d -printf '%y %m %p %l\n' | LC_ALL=C sort
		find . \( -path ./.git -o -path ./build/check -o -path ./build/labvm -o -path ./build/docs -o -path ./build/slides -o -path ./build/kernel-style \) -prune -o \
			-type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha1sum
		sha1sum /var/lib/dpkg/status
		find /usr/local "$HOME/.local" -printf '%p %s %T@\n' 2>/dev/null | LC_ALL=C sort
		python3 -c 'import os, site, sys
print(sys.version, sys.executable, sys.prefix)
for d in sys.path:
    if os.path.isdir(d):
        for e in sorted(os.listdir(d)):
            st = os.stat(os.path.join(d, e))
            print(d, e, st.st_size, st.st_mtime)' 2>&1
		"$ROOT/tests/labvm/kernel.sh" --kdir 2>&1
		# the environment, without what differs from shell to shell
		# or from a terminal to a pipe (nothing a step reads)
		env -0 | LC_ALL=C sort -z | tr '\0' '\n' |
			grep -avE '^(_|PWD|OLDPWD|SHLVL|MAKE_TERMOUT|MAKE_TERMERR|TVMM_MUTANT_SEED)='
	} >"$KEEP/inputs.txt.tmp"
	# the last two runs' inputs stay side by side: `diff` them to see
	# why a step ran again
	[ ! -f "$KEEP/inputs.txt" ] || mv "$KEEP/inputs.txt" "$KEEP/inputs.prev.txt"
	mv "$KEEP/inputs.txt.tmp" "$KEEP/inputs.txt"
	sha256sum <"$KEEP/inputs.txt" | cut -d' ' -f1
}

# step_key NAME: the key of this step in this run (its command is in it)
step_key() { printf '%s\n%s\n' "$INPUTS" "${CMD[$1]}" | sha256sum | cut -d' ' -f1; }

# run_step NAME LANE: run it, count its TAP; its report (the section
# printed below) goes to stdout in one piece, its counts to NAME.result
run_step() {
	local name=$1 lane=$2 log=$LOGS/$1.log err=$LOGS/$1.err rc=0 t0 t1 dt out p f s
	local sect=$LOGS/$1.section cpu kept
	t0=$(date +%s.%N)
	# CPU time (user + sys) of the step's processes, from this worker's
	# children totals before and after (`times`: the wall time of a step
	# grows with whatever else runs on the machine, its CPU time does not)
	times >"$LOGS/$name.cpu0"
	echo "${t0%.*}" >"$LOGS/$name.started"
	[ -t 1 ] || flock "$LOGS/.print.lock" echo "-- $name: started (lane $lane)"
	# A VM step boots its own lab VM in its own directory: two steps
	# never share an initramfs, an ISO or a serial log.
	if [ -n "${REUSED[$name]+x}" ]; then
		cp "${REUSED[$name]}" "$log"
		echo "passed with the same inputs on $(date -r "${REUSED[$name]}" '+%F %T')" >"$err"
	else
		(cd "$ROOT" && export TVMM_LABVM_DIR=$LOGS/vm/$name && eval "${CMD[$name]}") \
			>"$log" 2>"$err" || rc=$?
	fi
	times >"$LOGS/$name.cpu1"
	t1=$(date +%s.%N)
	cpu=$(printf '%.1f' "$(echo "$(children_cpu "$LOGS/$name.cpu1") - $(children_cpu "$LOGS/$name.cpu0")" | bc)")
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
		if [ -n "${REUSED[$name]+x}" ]; then
			echo "-- $name: pass $p, fail $f, skip $s (reused: $(cat "$err"))"
			lane=reused
		else
			echo "-- $name: pass $p, fail $f, skip $s (${dt} s, ${cpu} s CPU)"
		fi
	} >"$sect"
	# a host step that passed keeps its log under this run's key
	if [ "$rc" -eq 0 ] && [ "$f" -eq 0 ] && [ -n "${INPUTS:-}" ] &&
	   [ "${TIER[$name]}" = host ] && [ -z "${REUSED[$name]+x}" ]; then
		kept=$KEEP/$name.$(step_key "$name").log
		cp "$log" "$kept.tmp" && mv "$kept.tmp" "$kept"
		# the last 4 states of the tree it passed in (the names are
		# NAME.HEX.log: nothing for ls to mangle)
		# shellcheck disable=SC2012
		ls -t "$KEEP/$name".*.log | tail -n +5 | xargs -r rm -f
	elif [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
		# a failure is never covered by an old pass
		rm -f "$KEEP/$name.$(step_key "$name").log"
	fi
	echo "$p $f $s $dt $lane $(printf '%.0f' "$(echo "$t0 - $T0" | bc)") $cpu" >"$LOGS/$name.result"
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
# host tests' programs, the fuzzers and the lab VM's initramfs. (Built
# here, the host tests' programs are in the inputs' key as they will be
# when host-unit runs: built by host-unit instead, the first run after a
# change saw the old programs and the second the new, so only the third
# reused anything.) A failure here is not counted: the
# steps that need the piece fail on their own, with their own message.
header "build"
t0=$(date +%s)
{
	make -s -C "$ROOT" config userspace &&
	if [ "$host" -eq 1 ]; then
		make -s -C "$ROOT/tests/host" all
	fi &&
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
times >"$LOGS/.cpu"
BUILD_CPU=$(printf '%.0f' "$(children_cpu "$LOGS/.cpu")")
echo "build: $(( $(date +%s) - t0 )) s ($BUILD_CPU s CPU, with deps)"
for name in "${SKIPPED[@]}"; do
	case " ${RUN[*]} " in *" $name "*) header "$name"; echo "SKIP $name [${WHY[$name]}]" ;; esac
done

# The inputs' key, after the build (its products are inputs) and before
# any step can write to the tree; the host steps it lets off
INPUTS='' KEEP=$LOGS/reuse
declare -A REUSED=()
if [ "$host" -eq 1 ]; then
	mkdir -p "$KEEP"
	t0=$(date +%s.%N)
	INPUTS=$(inputs_key)
	if [ "$quick" -eq 1 ] && [ "$reuse" != 0 ]; then
		for name in "${QUEUE[@]}"; do
			kept=$KEEP/$name.$(step_key "$name").log
			[ "${TIER[$name]}" = host ] && [ -f "$kept" ] && REUSED[$name]=$kept
		done
	fi
	names="${!REUSED[*]}"
	echo "inputs: key ${INPUTS:0:12} ($(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)") s); host steps passed with it before, not run again: ${names:-none}"
fi
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
row() { printf '%-18s %7s %7s  %-6s %-5s %s\n' "$@"; }
row step wall cpu lane start result
sum=0 csum=0
declare -A TSUM=([host]=0 [vm]=0 [slow]=0) CSUM=([host]=0 [vm]=0 [slow]=0)
for name in "${NAMES[@]}"; do
	case " ${RUN[*]} " in *" $name "*) ;; *) continue ;; esac
	if [ -n "${WHY[$name]+x}" ]; then
		row "$name" - - - - "skipped: ${WHY[$name]}"
		S=$((S + 1))
		continue
	fi
	if [ ! -f "$LOGS/$name.result" ]; then
		row "$name" - - - - "FAIL: did not finish"
		F=$((F + 1))
		continue
	fi
	read -r p f s dt lane start cpu <"$LOGS/$name.result"
	row "$name" "$dt" "$cpu" "$lane" "$start" "pass $p fail $f skip $s"
	P=$((P + p)) F=$((F + f)) S=$((S + s))
	sum=$(echo "$sum + $dt" | bc) csum=$(echo "$csum + $cpu" | bc)
	TSUM[${TIER[$name]}]=$(echo "${TSUM[${TIER[$name]}]} + $dt" | bc)
	CSUM[${TIER[$name]}]=$(echo "${CSUM[${TIER[$name]}]} + $cpu" | bc)
done
# each tier's steps, added up (they overlap in time: the wall time is
# less); CPU: user + sys of the step's processes
secs() { printf '%.1f s (%.1f s CPU)' "$1" "$2"; }
echo "steps of the host tier: $(secs "${TSUM[host]}" "${CSUM[host]}"), kselftest VM steps: $(secs "${TSUM[vm]}" "${CSUM[vm]}"), other VM steps: $(secs "${TSUM[slow]}" "${CSUM[slow]}")"
times >"$LOGS/.cpu"
echo "total: $(printf '%.0f' "$(echo "$(date +%s.%N) - $T0" | bc)") s wall, $(printf '%.0f' "$(children_cpu "$LOGS/.cpu")") s CPU (build $BUILD_CPU s), $(secs "$sum" "$csum") of steps, $JOBS at a time"
echo "$P passed, $F failed, $S skipped"
[ "$F" -eq 0 ]
