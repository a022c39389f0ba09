#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the host unit tests and report them as one TAP 13 stream: one
# "ok N - name" line per test program, its own output as "# " diagnostics.
# Exit status: 0 if every program passed, 1 otherwise.
#
# usage: run.sh TEST...

cd "$(dirname "$0")" || exit 1

echo "TAP version 13"
echo "1..$#"
n=0
failed=0
for t in "$@"; do
	n=$((n + 1))
	out=$(./"$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - $t"
	else
		echo "not ok $n - $t (exit status $rc)"
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ] || echo "# $failed of $# host test programs failed"
[ "$failed" -eq 0 ]
