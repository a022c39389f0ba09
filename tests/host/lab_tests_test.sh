#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# lab_tests_test.sh - each lab's autograder list, points and hints match
# the suite.
#
# labs/labNN-topic/tests names the kselftest programs that grade lab NN
# (one-word lines) and gives every test case of them a line: its points per
# TODO or "check" (tests/grade/points.py); labs/labNN-topic/hints has the
# tiers: "labNN.k concept:" and "labNN.k where:" for every TODO the tests
# name, "fixture.test: hint" for every test case, named as the kselftest
# harness prints it in its "ok N fixture.test" lines. Checked here, without
# the VM: every listed program is in tests/selftests/tvmm/Makefile's
# TEST_GEN_PROGS (or is announced: its source does not exist yet), every
# case line and hint names a test case of one of the lab's programs
# (TEST_F(fixture, name), TEST(name) -> global.name), every test case has a
# points line and a hint, every TODO both tier lines, and no hint nor TODO
# comment writes the code for the student (an assignment of a constant, a
# shift, a bitwise OR of names, BIT()). TAP 13 on stdout; exit 1 on any
# failure.

cd "$(dirname "$0")/../.." || exit 1
ST=tests/selftests/tvmm
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

# The programs of lab directory $1: the one-word lines of its tests file.
lab_progs() {
	awk '$1 !~ /^#/ && NF == 1 && $1 !~ /[.]/ { print $1 }' "$1/tests"
}

# The test cases of program $1 as "fixture.name", one per line.
cases() {
	sed -n -e 's/^TEST_F\(_TIMEOUT\)\{0,1\}(\([a-z0-9_]*\), *\([a-z0-9_]*\).*/\2.\3/p' \
	       -e 's/^TEST(\([a-z0-9_]*\)).*/global.\1/p' "$ST/$1.c"
}

progs=$(sed -n '/^TEST_GEN_PROGS :=/,/[^\\]$/p' "$ST/Makefile" |
	sed 's/^TEST_GEN_PROGS :=//; s/\\$//' | tr -s ' \t\n' ' ')

echo "TAP version 13"
for dir in labs/lab[0-9][0-9]-*; do
	lab=$(basename "$dir")
	[ "$lab" = lab00-environment ] && continue	# graded on the host
	if [ ! -s "$dir/tests" ]; then
		not_ok "$lab: no tests file"
		continue
	fi
	all=""
	for p in $(lab_progs "$dir"); do
		if [ ! -f "$ST/$p.c" ]; then
			ok "$lab: $p # SKIP not written yet"
			continue
		fi
		case " $progs " in
		*" $p "*) ok "$lab: $p is in TEST_GEN_PROGS" ;;
		*) not_ok "$lab: $p is not in $ST/Makefile's TEST_GEN_PROGS" ;;
		esac
		all="$all $(cases "$p" | tr '\n' ' ')"
	done
	[ -n "$all" ] || continue
	if [ ! -f "$dir/hints" ]; then
		not_ok "$lab: no hints file"
		continue
	fi
	bad=0
	# the points lines: one per case, each a case of the lab's programs
	listed=$(awk '$1 !~ /^#/ && $1 ~ /[.]/ { print $1 }' "$dir/tests")
	for c in $listed; do
		case " $all " in
		*" $c "*) ;;
		*) not_ok "$lab/tests: '$c' is no test case of its programs"; bad=1 ;;
		esac
	done
	for c in $all; do
		case " $(echo $listed) " in
		*" $c "*) ;;
		*) not_ok "$lab/tests: no points line (labNN.k=P or check) for $c"; bad=1 ;;
		esac
	done
	# the TODO tiers: concept (1) and where (2) for each TODO the tests name
	for t in $(grep -o 'lab[0-9][0-9]\.[0-9]*' "$dir/tests" | sort -u); do
		for tier in concept where; do
			grep -q "^$t $tier: ." "$dir/hints" ||
				{ not_ok "$lab/hints: no '$t $tier:' line"; bad=1; }
		done
	done
	# no hint writes the code
	if grep -nE '<<|>>|[|&]=|BIT(_ULL)?\(|[A-Za-z_)] \| [A-Za-z_(]|[a-z_>] = [A-Z_]{3,}' "$dir/hints" >/tmp/lab_tests_code.$$; then
		not_ok "$lab/hints: a hint writes code: $(head -c 200 /tmp/lab_tests_code.$$)"; bad=1
	fi
	rm -f /tmp/lab_tests_code.$$
	while IFS= read -r line; do
		case "$line" in '#'* | '' | lab[0-9]*' concept: '* | lab[0-9]*' where: '*) continue ;; esac
		name=${line%%:*}
		case " $all " in
		*" $name "*) ;;
		*) not_ok "$lab/hints: '$name' is no test case of $(lab_progs "$dir" | tr '\n' ' ')"; bad=1 ;;
		esac
		case "$line" in
		*": "?*) ;;
		*) not_ok "$lab/hints: '$line' is not 'fixture.test: hint'"; bad=1 ;;
		esac
	done <"$dir/hints"
	for c in $all; do
		grep -q "^$c: " "$dir/hints" || { not_ok "$lab/hints: no hint for $c"; bad=1; }
	done
	[ "$bad" -eq 0 ] && ok "$lab: one points line and one hint per test case ($(echo $all | wc -w)), both tiers per TODO"
done
# TODO comments state the behaviour and the SDM section, never the code:
# the comment that opens each TODO(labNN.k) BEGIN block, up to its */
code=$(awk '/TODO\(lab[0-9]+\.[0-9]+\) BEGIN/ { on = 1 }
	on { print FILENAME ":" FNR ": " $0 }
	on && /\*\// { on = 0 }' module/*.c userspace/*.c |
	grep -E '<<|>>|[|&]=|BIT(_ULL)?\(|[A-Za-z_)] \| [A-Za-z_(]')
if [ -z "$code" ]; then
	ok "TODO comments give no code (no shifts, ORs of names, BIT())"
else
	not_ok "TODO comments give code: $(echo "$code" | head -3)"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
