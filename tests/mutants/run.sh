#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make mutants [LAB=NN]: grade every mutant of the catalogue (mutate.py)
# with its lab's autograder and report which ones the autograder lets pass.
#
#   tests/mutants/run.sh [--lab NN] [--ids "ID ..."] [--seed S --one-per-todo]
#                        [--no-reference]
#
# Each mutant becomes a variant: mutate.py applies it to one scratch copy of
# the sources (build/mutants/tree), tvmm.ko is built there with ccache (or,
# for lab 09's userspace/compare.c, the tvmm tool), kept in
# build/mutants/files/, and the file is put back. Then ONE lab VM boot runs
# each variant's lab programs (labs/labNN-*/tests) with TVMM_KO=/extra/...
# (run-vm.sh), stopping a variant at its first failing test. A variant
# that oopses or hangs the VM counts as killed; the variants that had not
# run then get another boot. Also, per lab, the unmutated solution
# ("reference") must pass, or the lab's kills mean nothing (--no-reference
# leaves it out, as make check does: its vm-bochs step proves it).
#
# Prints KTAP, one case per mutant ("ok N ID killed" / "not ok N ID
# survived" with the mutant's '#' lines), then killed/total per lab and in
# all, the survivors by name and the wall time. Exit status 0 only if every
# mutant was killed, every variant built and every reference passed.
set -u -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/grade/labs.sh
. "$ROOT/tests/grade/labs.sh"
PY=/usr/bin/python3
MUTATE=$HERE/mutate.py
B=$ROOT/build/mutants
T=$B/tree
P=$B/pristine
F=$B/files
# the lab VM's console, where labvm.sh runs it (TVMM_LABVM_DIR)
SERIAL=${TVMM_LABVM_DIR:-$ROOT/build/labvm}/serial.log
T0=$(date +%s)

usage() { sed -n '4,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
lab='' ids='' seed='' one=0 reference=1
while [ $# -gt 0 ]; do
	case $1 in
	--lab) [ $# -ge 2 ] || usage; lab=$(lab_number "$2") || usage; shift 2 ;;
	--ids) [ $# -ge 2 ] || usage; ids=$2; shift 2 ;;
	--seed) [ $# -ge 2 ] || usage; seed=$2; shift 2 ;;
	--one-per-todo) one=1; shift ;;
	--no-reference) reference=0; shift ;;
	-h|--help) usage ;;
	*) echo "run.sh: unknown option '$1'" >&2; usage ;;
	esac
done
[ "$one" -eq 0 ] || [ -n "$seed" ] || { echo "run.sh: --one-per-todo needs --seed S" >&2; exit 2; }
[ "$lab" != 00 ] || { echo "run.sh: lab 00 has no module code, no mutants" >&2; exit 0; }

bail() {
	printf 'KTAP version 1\n1..1\nnot ok 1 mutants.setup # %s\n' "$1"
	exit 1
}

if [ -n "$ids" ]; then
	sel=$ids
elif [ "$one" -eq 1 ]; then
	echo "# mutants: one per TODO, seed $seed (reproduce: tests/mutants/run.sh --seed $seed --one-per-todo${lab:+ --lab $lab})"
	sel=$("$PY" "$MUTATE" pick --seed "$seed" ${lab:+--lab "$lab"}) || bail "mutate.py pick failed"
else
	sel=$("$PY" "$MUTATE" list ${lab:+--lab "$lab"}) || bail "mutate.py list failed"
fi
# shellcheck disable=SC2206 # ids are single words
IDS=($sel)
if [ "${#IDS[@]}" -eq 0 ] && [ -z "$ids" ] && ! ls "$HERE"/lab*.mutants >/dev/null 2>&1; then
	# a student handout: make handout leaves the catalogue behind
	printf 'KTAP version 1\n1..0 # SKIP no mutant catalogue (tests/mutants/labNN.mutants) in this tree\n'
	exit 0
fi
[ "${#IDS[@]}" -gt 0 ] || bail "no mutants selected"

KDIR=${KDIR:-$("$ROOT/tests/labvm/kernel.sh" --kdir)} || bail "no lab VM kernel"
CCACHE_DIR=${CCACHE_DIR:-${TVMM_CACHE:-$HOME/.cache/tvmm}/ccache}
export CCACHE_DIR
CC_FOR_VARIANTS=gcc
command -v ccache >/dev/null && CC_FOR_VARIANTS="ccache gcc"

rm -rf "$B"
mkdir -p "$T/module/generated" "$P" "$F"
(cd "$ROOT" && git ls-files -z Kbuild module userspace | xargs -0 cp --parents -t "$T") ||
	bail "copying the tree to $T failed"
cp -a "$T/." "$P/"
lab_header "$ROOT" "$T/.config" "$T/module/generated/tvmm_config.h" >/dev/null ||
	bail "writing the all-solutions config failed"
CONFIG_H=$T/module/generated/tvmm_config.h

build_module() { make -s -C "$KDIR" M="$T" CC="$CC_FOR_VARIANTS" -j2 modules; }
build_tool() { make -s -C "$T/userspace" CONFIG_H="$CONFIG_H"; }

echo "# mutants: building the solution and ${#IDS[@]} variants in $T (CC=$CC_FOR_VARIANTS)" >&2
if ! build_module >"$B/base.log" 2>&1 || ! cp "$T/module/tvmm.ko" "$F/base.ko"; then
	bail "the unmutated tree does not build: $B/base.log"
fi
# the repair module (vmx_repair/vmx_repair.c): after a lab 02 mutant leaves
# VMX on, run-vm.sh turns it off with this instead of asking for a new boot
cp -r "$HERE/vmx_repair" "$B/repair"
if ! make -s -C "$KDIR" M="$B/repair" CC="$CC_FOR_VARIANTS" modules >"$B/repair.log" 2>&1 ||
   ! cp "$B/repair/vmx_repair.ko" "$F/vmx_repair.ko"; then
	bail "tests/mutants/vmx_repair does not build: $B/repair.log"
fi

# per variant: its id, lab, programs, and what happened to it
declare -A VID VLAB VPROGS VRES VWHY
declare -A LABPROGS
order=()
errors=0
i=0
for id in "${IDS[@]}"; do
	i=$((i + 1))
	v=$(printf 'v%03d' "$i")
	nn=${id:3:2}
	if [ -z "${LABPROGS[$nn]+x}" ]; then
		d=$(lab_dir "$ROOT" "$nn") || bail "$id: no labs/lab$nn-* directory"
		LABPROGS[$nn]=$(lab_programs "$d")
		[ -n "${LABPROGS[$nn]}" ] || bail "lab $nn lists no test programs"
		if [ "$reference" -eq 1 ]; then
			VID[ref$nn]=reference/lab$nn VLAB[ref$nn]=$nn VPROGS[ref$nn]=${LABPROGS[$nn]}
			order+=("ref$nn")
		fi
	fi
	VID[$v]=$id VLAB[$v]=$nn VPROGS[$v]=${LABPROGS[$nn]}
	if ! rel=$("$PY" "$MUTATE" apply "$id" --tree "$T" 2>"$B/$v.log"); then
		VRES[$v]=error VWHY[$v]="does not apply: $(tail -n 1 "$B/$v.log")"
		errors=$((errors + 1))
		continue
	fi
	if [[ $rel == userspace/* ]]; then
		build_tool >>"$B/$v.log" 2>&1 && mkdir -p "$F/$v" && cp "$T/userspace/tvmm" "$F/$v/tvmm"
	else
		build_module >>"$B/$v.log" 2>&1 && cp "$T/module/tvmm.ko" "$F/$v.ko"
	fi
	rc=$?
	# put the file back; its new mtime makes make rebuild it (a ccache hit)
	cp "$P/$rel" "$T/$rel"
	if [ "$rc" -ne 0 ]; then
		VRES[$v]=error VWHY[$v]="does not build (a bad mutant): $B/$v.log"
		errors=$((errors + 1))
		echo "# mutants: $id does not build: $B/$v.log" >&2
		continue
	fi
	order+=("$v")
done
echo "# mutants: built in $(($(date +%s) - T0)) s" >&2
# Mutants marked "last" in the catalogue crash or hang the lab VM (an oops
# in rmmod): each ends its boot, so they run after all the others, where
# the variants they would strand are none.
declare -A LASTID
for id in $("$PY" "$MUTATE" list --last); do LASTID[$id]=1; done
first=() final=()
for v in "${order[@]}"; do
	if [ -n "${LASTID[${VID[$v]}]+x}" ]; then final+=("$v"); else first+=("$v"); fi
done
order=("${first[@]}" "${final[@]}")

# list line: VARIANT ID KO TOOLDIR PROGRAMS
list_line() {
	local v=$1 ko=base.ko tool=-
	[ -f "$F/$v.ko" ] && ko=$v.ko
	[ -d "$F/$v" ] && tool=$v
	echo "$v ${VID[$v]} $ko $tool ${VPROGS[$v]}"
}

# descendants PID: every process below PID (the ones this script started)
descendants() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		descendants "$c"
		echo "$c"
	done
}

# Did the console show an oops after the runner's last line? (An oops
# and its trace are some 45 lines.)
oops_since_last_result() {
	awk '/TVMM-MUTANT/ { o = 0 } /Oops|general protection fault|BUG:|Kernel panic/ { o = 1 }
	     END { exit !o }' "$SERIAL" 2>/dev/null
}

# The variant the lab VM runs now (its last START without a RESULT), or
# nothing. (While the VM runs, serial.log's lines end in CR LF.)
running_variant() {
	awk '{ sub(/\r$/, "") } /^TVMM-MUTANT START / { v = $3 } /^TVMM-MUTANT RESULT / { v = "" }
	     END { print v }' "$SERIAL" 2>/dev/null
}

# Seconds of silence after an oops that mean a hang: a minute (the in-VM
# watchdog reports a program stuck in the kernel within some 15 s of guest
# time, and Bochs may run slower than that), 20 s when the variant is one
# marked "last": it is known to hang the VM, and it ends the boot anyway.
oops_silence() {
	local v
	v=$(running_variant)
	if [ -n "$v" ] && [ -n "${VID[$v]+x}" ] && [ -n "${LASTID[${VID[$v]}]+x}" ]; then
		echo 20
	else
		echo 60
	fi
}

# One boot for the variants in $batch; fills VRES/VWHY for those that ran.
boot() {
	local files out pid last now budget v id res why line started='' n=0
	files="mutants.list run-vm.sh base.ko vmx_repair.ko"
	: >"$F/mutants.list"
	for v in $batch; do
		list_line "$v" >>"$F/mutants.list"
		[ -f "$F/$v.ko" ] && files="$files $v.ko"
		[ -d "$F/$v" ] && files="$files $v"
		n=$((n + 1))
	done
	cp "$HERE/run-vm.sh" "$F/run-vm.sh"
	out=$B/boot$boots.out
	# No progress for this long (wall seconds) means the VM hangs; after
	# an oops on the console, a minute of silence does (oops_silence).
	budget=${TVMM_MUTANT_STALL:-400}
	# Every variant's tvmm.ko and tool ride in the initramfs (some 30 MB
	# for a sample of one per TODO): at the lab VM's usual 128 MB the kernel
	# cannot unpack it all, and the variants whose files are missing would
	# be judged on the wrong module or tool. 256 MB holds them.
	(cd "$F" && TVMM_BOCHS_MEGS=${TVMM_BOCHS_MEGS:-256} exec setsid bash "$ROOT/tests/labvm/labvm.sh" \
		run $nobuild --files "$files" --timeout "$((300 + n * 400))" \
		--cmd "sh /extra/run-vm.sh") >"$out" 2>"$B/labvm$boots.log" &
	pid=$!
	last=$(date +%s)
	local size=0 s
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		s=$(stat -c %s "$SERIAL" 2>/dev/null || echo 0)
		now=$(date +%s)
		if [ "$s" != "$size" ]; then
			size=$s last=$now
		elif [ $((now - last)) -gt "$budget" ] ||
		     { [ $((now - last)) -gt 20 ] && oops_since_last_result &&
		       [ $((now - last)) -gt "$(oops_silence)" ]; }; then
			# an oops on the console and silence since: the kernel hangs
			echo "# mutants: the VM made no progress for $((now - last))s: stopping it" >&2
			# shellcheck disable=SC2046 # a list of pids
			kill -9 $(descendants "$pid") 2>/dev/null
			break
		fi
	done
	wait "$pid"
	# A VM that could not unpack its initramfs lacks some variants' files:
	# no verdict of that boot can be trusted.
	if grep -q 'Initramfs unpacking failed' "$SERIAL" 2>/dev/null; then
		bail "the lab VM could not unpack its initramfs ($(du -sh "$F" | cut -f1) of variants; TVMM_BOCHS_MEGS=${TVMM_BOCHS_MEGS:-256}): its verdicts would be wrong; give it more memory"
	fi
	while IFS= read -r line; do
		case $line in
		"TVMM-MUTANT START "*)
			started=${line#TVMM-MUTANT START }
			DIAG[$started]=
			;;
		"TVMM-MUTANT RESULT "*)
			read -r _ _ v res why <<<"$line"
			VRES[$v]=$res VWHY[$v]=$why
			started=
			;;
		"TVMM-MUTANT STOP "*)
			echo "# mutants: ${line#TVMM-MUTANT STOP }; a new boot for the rest" >&2
			;;
		"TVMM-MUTANT REPAIRED "*)
			repairs=$((repairs + 1))
			echo "# mutants: ${line#TVMM-MUTANT REPAIRED * }: no new boot" >&2
			;;
		"# "*)
			[ -n "$started" ] && DIAG[$started]+="$line"$'\n'
			;;
		esac
	done <"$out"
	# the variant running when the VM died crashed it: killed
	if [ -n "$started" ] && ! grep -q '^TVMM-MUTANTS-END$' "$out"; then
		VRES[$started]=killed VWHY[$started]="by a crash or hang of the lab VM (see $out)"
		[ -n "${LASTID[${VID[$started]}]+x}" ] ||
			echo "# mutants: ${VID[$started]} crashed the VM: if it always does, mark it \"last\" in its catalogue (README.md)" >&2
	fi
}

declare -A DIAG
nobuild=
boots=0
repairs=0
todo="${order[*]}"
# At most this many variants go into one boot: they travel in the
# initramfs, and the lab VM's 128 MiB cannot unpack much more than ~20 MB
# of them ("Initramfs unpacking failed" with 92 variants).
BATCH=${TVMM_MUTANT_BATCH:-40}
# a boot ends early when a variant leaves the kernel untrusted: at most one
# boot per variant (each boot runs at least the variant that stopped it)
while [ -n "$todo" ] && [ "$boots" -le "${#order[@]}" ]; do
	boots=$((boots + 1))
	batch=$(tr ' ' '\n' <<<"$todo" | head -n "$BATCH" | tr '\n' ' ')
	echo "# mutants: boot $boots: $(wc -w <<<"$batch") of $(wc -w <<<"$todo") variants" >&2
	boot
	nobuild=--no-build
	rest=
	for v in $todo; do [ -n "${VRES[$v]:-}" ] || rest="$rest $v"; done
	if [ "$(wc -w <<<"$rest")" -eq "$(wc -w <<<"$todo")" ]; then
		echo "# mutants: boot $boots ran no variant (see $B/boot$boots.out, $B/labvm$boots.log)" >&2
		tail -n 20 "$B/labvm$boots.log" | sed 's/^/# /' >&2
		break
	fi
	todo=${rest# }
done

# --- the report ---------------------------------------------------------------
why_lines() { "$PY" "$MUTATE" show "$1" 2>/dev/null | sed -n 's/^# /# /p'; }
declare -A KILLED TOTAL
survivors=()
n=0
echo "KTAP version 1"
echo "1..${#VID[@]}"
for v in $(printf '%s\n' "${!VID[@]}" | sort); do
	id=${VID[$v]} nn=${VLAB[$v]} res=${VRES[$v]:-notrun}
	n=$((n + 1))
	if [[ $v == ref* ]]; then
		if [ "$res" = survived ]; then
			echo "ok $n $id passes"
		else
			[ "$res" = killed ] && printf '%s' "${DIAG[$v]:-}"
			echo "not ok $n $id passes # the unmutated solution ${VWHY[$v]:-did not run}: lab $nn's kills mean nothing"
			errors=$((errors + 1))
		fi
		continue
	fi
	TOTAL[$nn]=$((${TOTAL[$nn]:-0} + 1))
	case $res in
	killed)
		KILLED[$nn]=$((${KILLED[$nn]:-0} + 1))
		echo "ok $n $id killed ${VWHY[$v]}"
		;;
	survived)
		why_lines "$id"
		printf '%s' "${DIAG[$v]:-}"
		echo "not ok $n $id survived"
		survivors+=("$id")
		;;
	error)
		echo "not ok $n $id error # ${VWHY[$v]}"
		;;
	*)
		echo "not ok $n $id error # did not run ($boots boots)"
		errors=$((errors + 1))
		;;
	esac
done
tk=0 tt=0
for nn in $(printf '%s\n' "${!TOTAL[@]}" | sort); do
	echo "# lab $nn: ${KILLED[$nn]:-0}/${TOTAL[$nn]} killed"
	tk=$((tk + ${KILLED[$nn]:-0})) tt=$((tt + TOTAL[$nn]))
done
echo "# total: $tk/$tt killed"
if [ "${#survivors[@]}" -gt 0 ]; then
	echo "# survivors: ${survivors[*]}"
fi
[ "$errors" -eq 0 ] || echo "# errors: $errors (mutants that do not apply or build, references that fail, variants that did not run)"
echo "# wall time: $(($(date +%s) - T0)) s ($boots boot(s), $repairs repair(s) by vmx_repair.ko)"
[ "${#survivors[@]}" -eq 0 ] && [ "$errors" -eq 0 ]
