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
# be trusted (an oops, tvmm stuck loaded, VMX state the solution cannot
# load over that vmx_repair.ko cannot put right: healthy(), repair()):
# run.sh re-runs the variants that did not get a RESULT in a new boot.
# After a repair that worked it prints "TVMM-MUTANT REPAIRED VARIANT what"
# and goes on: a reboot costs a minute or more of Bochs, a repair a moment.
T=${TVMM_MUTANT_TIMEOUT:-120}	# seconds per program, as the autograder

cd /tests/tvmm || exit 1
# kernel messages off the console: they would interleave with the results
echo 1 >/proc/sys/kernel/printk
# the console, for the watchdog (whose own output goes nowhere)
exec 3>&1

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

# healthy: what one variant did must not judge the next. A lab 02 mutant
# can leave CR4.VMXE set (every later load: EBUSY) or Linux's copy of CR4
# out of step with CR4 (every later VMXON faults). So the solution must
# still load and unload, and leave CR4.VMXE clear on every CPU (as
# cr4_probe sees CR4). Prints why not.
healthy() {
	if ! insmod /extra/base.ko 2>/tmp/.health; then
		echo "the solution's tvmm.ko no longer loads: $(cat /tmp/.health)"
		return 1
	fi
	if ! rmmod tvmm 2>/tmp/.health; then
		echo "the solution's tvmm.ko no longer unloads: $(cat /tmp/.health)"
		return 1
	fi
	insmod ./cr4_probe.ko 2>/dev/null || { echo "cr4_probe.ko does not load"; return 1; }
	while read -r cpu cr4; do
		# shellcheck disable=SC2004 # $cr4 is a hex string, expanded first
		if [ $(($cr4 & 0x2000)) -ne 0 ]; then
			echo "CR4.VMXE left set on $cpu ($cr4)"
			rmmod cr4_probe
			return 1
		fi
	done </sys/kernel/debug/cr4_probe/cr4
	rmmod cr4_probe
}

# repair: after healthy() failed with tvmm unloaded, put every CPU back as
# a fresh boot has it: vmx_repair.ko (tests/mutants/vmx_repair) runs VMXOFF
# where CR4.VMXE is set (a #UD outside VMX operation is harmless: the
# exception table skips it) and clears VMXE in CR4 and in Linux's copy of
# CR4. Prints what it did; fails if the module could not (VMXOFF failed, or
# CR4 and the copy still differ): then only a new boot helps. Never after
# an oops: the runner stops then without trying.
repair() {
	if grep -q '^tvmm ' /proc/modules; then
		echo "tvmm.ko is still loaded"
		return 1
	fi
	[ -f /extra/vmx_repair.ko ] || { echo "no /extra/vmx_repair.ko"; return 1; }
	dmesg -c >/dev/null
	if ! insmod /extra/vmx_repair.ko 2>/tmp/.repair; then
		echo "vmx_repair.ko: $(cat /tmp/.repair) $(dmesg | grep 'vmx_repair:' | tr '\n' ' ')"
		return 1
	fi
	rmmod vmx_repair
	dmesg | sed -n 's/.*vmx_repair: //p' | tr '\n' ' '
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
		# Watchdog: the timeout, or an oops, ends the program. A program
		# that then cannot die is stuck in the kernel (an oops while
		# holding a lock): nothing more can run in this boot, so say so
		# and power off; run.sh re-runs the rest in a new boot.
		(
			t=0
			while [ "$t" -lt "$T" ] && ! dmesg | grep -qE '(^|[^A-Z_])BUG|Oops'; do
				sleep 2
				t=$((t + 2))
			done
			[ "$t" -lt "$T" ] || : >/tmp/.timedout
			kill_session "$pid"
			sleep 10
			if [ -d "/proc/$pid" ]; then
				echo "# $3: stuck in the kernel (see the oops above)" >&3
				dmesg | grep -E '(^|[^A-Z_])BUG|Oops|RIP' | head -n 4 | sed 's/^/# dmesg: /' >&3
				echo "TVMM-MUTANT RESULT $CUR killed by a kernel hang ($3)" >&3
				echo "TVMM-MUTANT STOP $3 hangs in the kernel" >&3
				echo "TVMM-MUTANTS-END" >&3
				poweroff -f
			fi
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
	CUR=$variant
	verdict=survived why=
	for p in $progs; do
		if ! run_prog "$ko" "$tooldir" "$p"; then
			verdict=killed why="by $p"
			break
		fi
	done
	# the autograder's kernel_clean: a warning or an oops fails the lab
	stop=
	if dmesg | grep -E 'WARNING|(^|[^A-Z_])BUG|Oops|general protection fault|invalid opcode|Call Trace' >/tmp/.bad; then
		head -n 4 /tmp/.bad | sed "s/^/# dmesg: /"
		[ "$verdict" = killed ] || why="by kernel_clean"
		verdict=killed
		# an oops: Oops (page fault), BUG, or a #GP/#UD in the kernel
		grep -qE '(^|[^A-Z_])BUG|Oops|general protection fault|invalid opcode' /tmp/.bad &&
			stop="$id oopsed: the kernel is not trusted any more"
	fi
	unload || stop="${stop:-tvmm.ko of $id cannot be unloaded}"
	repaired='' fixed='' health2=''
	if [ -z "$stop" ] && ! health=$(healthy); then
		# a lab 02 mutant left VMX on: repair, and check again
		if fixed=$(repair) && health2=$(healthy); then
			repaired="after $id: $health; vmx_repair: $fixed"
		else
			stop="after $id: $health; vmx_repair did not help: ${health2:-$fixed}"
		fi
	fi
	dmesg -c >/dev/null
	echo "TVMM-MUTANT RESULT $variant $verdict $why"
	[ -z "$repaired" ] || echo "TVMM-MUTANT REPAIRED $variant $repaired"
	if [ -n "$stop" ]; then
		echo "TVMM-MUTANT STOP $stop"
		break
	fi
done </extra/mutants.list
echo "TVMM-MUTANTS-END"
