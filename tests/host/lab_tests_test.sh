#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# lab_tests_test.sh - each lab's autograder list and hints match the suite.
#
# labs/labNN-topic/tests names the kselftest programs that grade lab NN
# (one per line); labs/labNN-topic/hints has one line per test case,
# "fixture.test: hint", named as the kselftest harness prints it in its
# "ok N fixture.test" lines ('#' lines are comments). Checked here, without the VM: every listed
# program is in tests/selftests/tvmm/Makefile's TEST_GEN_PROGS (or is
# announced: its source does not exist yet), every hint names a test case
# of one of the lab's programs (TEST_F(fixture, name), TEST(name) ->
# global.name), and every test case of a lab's programs has a hint.
# TAP 13 on stdout; exit 1 on any failure.

cd "$(dirname "$0")/../.." || exit 1
ST=tests/selftests/tvmm
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

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
	for p in $(grep -v '^[[:space:]]*\(#\|$\)' "$dir/tests"); do
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
	while IFS= read -r line; do
		case "$line" in '#'*|'') continue ;; esac	# comments, blank lines
		name=${line%%:*}
		case " $all " in
		*" $name "*) ;;
		*) not_ok "$lab/hints: '$name' is no test case of $(tr '\n' ' ' <"$dir/tests")"; bad=1 ;;
		esac
		case "$line" in
		*": "?*) ;;
		*) not_ok "$lab/hints: '$line' is not 'fixture.test: hint'"; bad=1 ;;
		esac
	done <"$dir/hints"
	for c in $all; do
		grep -q "^$c: " "$dir/hints" || { not_ok "$lab/hints: no hint for $c"; bad=1; }
	done
	[ "$bad" -eq 0 ] && ok "$lab: one hint per test case ($(echo $all | wc -w))"
done
echo "1..$n"
[ "$failed" -eq 0 ]
