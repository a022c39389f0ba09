#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the lab VM (tests/grade/stages.sh puts it in /extra): each
# line of /extra/stages.list is "VARIANT NN fail|pass PROGRAM...": run the
# lab's kselftest programs against that variant (TVMM_KO=/extra/VARIANT.ko,
# or PATH with /extra/VARIANT/tvmm first; VARIANT seedS-NN: the full module
# with TVMM_SEED=S, the guests' variant S) and check the expectation. KTAP
# between TVMM-STAGES-BEGIN/END markers.
cd /tests/tvmm || exit 1
rmmod tvmm 2>/dev/null
total=$(grep -c . /extra/stages.list)
echo "TVMM-STAGES-BEGIN"
echo "KTAP version 1"
echo "1..$((total + 1))"
n=0
oops=0
while read -r variant nn want progs; do
	n=$((n + 1))
	dmesg -c >/dev/null
	ko=/lib/modules/tvmm.ko
	path=$PATH
	if [ -f "/extra/$variant.ko" ]; then ko=/extra/$variant.ko; fi
	if [ -d "/extra/$variant" ]; then path=/extra/$variant:$PATH; fi
	# "seedS-NN": the full module, the guests' variant of seed S (seed.h)
	seed=
	case $variant in seed*) seed=${variant#seed} seed=${seed%%-*} ;; esac
	failed= hit=no
	for p in $progs; do
		TVMM_SEED=$seed TVMM_KO=$ko PATH=$path "./$p" >/tmp/stage.out 2>&1 </dev/null
		rc=$?
		# the harness' verdict lines, enough to see what failed
		grep -E '^(not ok|# (FAILED|PASSED|Totals))' /tmp/stage.out | sed "s/^/# $variant $p: /"
		# every test case's result, for the points (tests/grade/points.py):
		# "# case VARIANT PROGRAM pass|fail|skip FIXTURE.TEST"
		# (a skipped case's line has no name: the harness' RUN line has it)
		grep -E '^(#  RUN |(not )?ok [0-9]+ )' /tmp/stage.out | while read -r w1 w2 w3 w4 rest; do
			if [ "$w1" = "#" ]; then
				run=$w3
			elif [ "$w1" = not ]; then
				echo "# case $variant $p fail $w4"
			elif [ "$w3" = "#" ]; then
				echo "# case $variant $p skip $run"
			elif [ "$w4" = "#" ] && [ "${rest#SKIP}" != "$rest" ]; then
				echo "# case $variant $p skip $w3"
			else
				echo "# case $variant $p pass $w3"
			fi
		done
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ]; then failed="$failed $p"; fi
		grep -q "TODO(lab$nn\." /tmp/stage.out && hit=yes
		# only a skip proves nothing: count it as not passing
		if [ "$rc" -eq 4 ] && [ "$want" = pass ]; then failed="$failed $p(skipped)"; fi
	done
	dmesg | grep -q "TODO(lab$nn\." && hit=yes
	if [ -n "$seed" ] && [ -f "/tmp/tvmm-seed-$seed/hello.bin" ]; then
		insmod "$ko" 2>/dev/null
		echo "# seed $seed hello: $(tvmm run "/tmp/tvmm-seed-$seed/hello.bin" 2>/dev/null | head -n 1)"
		echo "# seed 0 hello: $(tvmm run /tests/tvmm/hello.bin 2>/dev/null | head -n 1)"
		rmmod tvmm 2>/dev/null
	fi
	if dmesg | grep -E 'WARNING|(^|[^A-Z_])BUG|Oops|Call Trace' >/tmp/.bad; then
		oops=1
		sed "s/^/# $variant dmesg: /" /tmp/.bad
	fi
	rmmod tvmm 2>/dev/null
	if [ "$want" = fail ]; then
		name="lab$nn.stub_fails_its_autograder"
		if [ -n "$failed" ] && [ "$hit" = yes ]; then
			echo "ok $n $name"
		elif [ -z "$failed" ]; then
			echo "# lab $nn: every program passed with its solution off ($progs): the stub is no exercise"
			echo "not ok $n $name"
		else
			echo "# lab $nn: failed ($failed) but no TODO(lab$nn.x) message: not the stub's doing"
			echo "not ok $n $name"
		fi
	else
		name="lab$nn.passes_with_later_labs_stubbed"
		if [ -z "$failed" ]; then
			echo "ok $n $name"
		else
			echo "# lab $nn with labs after it off: failed:$failed"
			echo "not ok $n $name"
		fi
	fi
done </extra/stages.list
n=$((n + 1))
if [ "$oops" -eq 0 ]; then echo "ok $n stubs_never_warn_or_oops"; else echo "not ok $n stubs_never_warn_or_oops"; fi
echo "TVMM-STAGES-END"
