#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the lab VM (tests/mutants/run.sh puts it in /extra): grade
# each mutant variant with its lab's kselftest programs. Each line of
# /extra/mutants.list is "VARIANT ID KO TOOLDIR PROGRAM...": insmod happens
# through the programs (TVMM_KO=/extra/KO; TOOLDIR, unless "-", goes first
# in PATH, for lab 09's tool). A variant stops at its first failing test:
# the program is killed as soon as it prints "not ok", and later programs
# do not run. Prints, between TVMM-MUTANTS-BEGIN/END:
#
#   TVMM-MUTANT START VARIANT
#   # diagnostic lines
#   TVMM-MUTANT RESULT VARIANT killed|survived [why]
#
# and stops early with "TVMM-MUTANT STOP why" when the kernel can no longer
# be trusted (an oops, tvmm stuck loaded): run.sh re-runs the variants that
# did not get a RESULT in a new boot.
T=${TVMM_MUTANT_TIMEOUT:-120}	# seconds per program, as the autograder

cd /tests/tvmm || exit 1
# kernel messages off the console: they would interleave with the results
echo 1 >/proc/sys/kernel/printk

# kill_session SID: every process of session SID (the program under test
# and the test children the harness put in their own process groups)
kill_session() {
	for s in /proc/[0-9]*/stat; do
		read -r p _ _ _ _ sid _ 2>/dev/null <"$s" || continue
		[ "$sid" = "$1" ] && kill -9 "$p" 2>/dev/null
	done
}

unload() {
	rmmod tvmm 2>/dev/null
	rmmod cr4_probe 2>/dev/null
	! grep -q '^tvmm ' /proc/modules
}

# run_prog KO TOOLDIR PROG: 0 if it passed (or skipped), 1 if it failed
run_prog() {
	rm -f /tmp/.rc /tmp/.timedout /tmp/.notok
	: >/tmp/m.out
	{
		if [ "$2" != - ]; then
			TVMM_KO=/extra/$1 PATH=/extra/$2:$PATH setsid "./$3" </dev/null 2>&1 &
		else
			TVMM_KO=/extra/$1 setsid "./$3" </dev/null 2>&1 &
		fi
		pid=$!
		echo "$pid" >/tmp/.pid
		(
			sleep "$T"
			: >/tmp/.timedout
			kill_session "$pid"
		) >/dev/null 2>&1 &
		wd=$!
		wait "$pid"
		echo $? >/tmp/.rc
		kill_session "$pid"
		kill "$wd" 2>/dev/null
	} | while IFS= read -r line; do
		printf '%s\n' "$line" >>/tmp/m.out
		case $line in
		"not ok "*)
			# one failure kills the mutant: no need to run the rest
			: >/tmp/.notok
			kill_session "$(cat /tmp/.pid)"
			;;
		esac
	done
	rc=$(cat /tmp/.rc 2>/dev/null || echo 255)
	# what failed, and the assertion that said so
	grep -E '^(not ok|# .*(Expected|FAIL|: Test (failed|terminated))|# [^ ]*\.c:[0-9]+:)' /tmp/m.out |
		head -n 8 | sed "s/^/# $3: /"
	if [ -e /tmp/.timedout ]; then
		echo "# $3: timed out after ${T}s"
		return 1
	fi
	[ -e /tmp/.notok ] && return 1
	[ "$rc" -eq 0 ] || [ "$rc" -eq 4 ] || { echo "# $3: exit code $rc"; return 1; }
	return 0
}

echo "TVMM-MUTANTS-BEGIN"
unload
dmesg -c >/dev/null
while read -r variant id ko tooldir progs; do
	[ -n "$variant" ] || continue
	echo "TVMM-MUTANT START $variant"
	verdict=survived why=
	for p in $progs; do
		if ! run_prog "$ko" "$tooldir" "$p"; then
			verdict=killed why="by $p"
			break
		fi
	done
	# the autograder's kernel_clean: a warning or an oops fails the lab
	stop=
	if dmesg | grep -E 'WARNING|(^|[^A-Z_])BUG|Oops|Call Trace' >/tmp/.bad; then
		head -n 4 /tmp/.bad | sed "s/^/# dmesg: /"
		[ "$verdict" = killed ] || why="by kernel_clean"
		verdict=killed
		grep -qE '(^|[^A-Z_])BUG|Oops' /tmp/.bad && stop="$id oopsed: the kernel is not trusted any more"
	fi
	dmesg -c >/dev/null
	unload || stop="${stop:-tvmm.ko of $id cannot be unloaded}"
	echo "TVMM-MUTANT RESULT $variant $verdict $why"
	if [ -n "$stop" ]; then
		echo "TVMM-MUTANT STOP $stop"
		break
	fi
done </extra/mutants.list
echo "TVMM-MUTANTS-END"
