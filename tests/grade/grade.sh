#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make grade LAB=NN: grade one lab of this tree, the way the instructor will.
#
# Labs 01-11: build tvmm.ko, the tool, the guests and the selftests from
# this tree, boot the lab VM (Bochs, VMX), run the lab's kselftest programs
# (labs/labNN-*/tests) and report each test with a hint for each failure
# (labs/labNN-*/hints). Lab 00 is graded on the host: its answers file
# against `tvmm sensitive` on this machine.
#
# HINTS=1|2|3 (default 1): how much the hints say (labs/README.md).
# HINTS_LANG=en|it (default: labs/LANG, which make handout LANG=it writes,
# else en): the hints' language, labs/labNN-*/hints or hints.it (with
# labs/hints.it, the Italian of report.py's hints for any lab).
# SEED=S (default: labs/SEED, else 0): the variant of the guests the tests
# run and expect (tests/selftests/tvmm/seed.h), passed to the lab VM's
# kernel command line as TVMM_SEED=S, which init hands to the tests.
#
# While the lab VM builds and runs, one line per step (tests/grade/watch.py:
# the kernel build's progress, the module build, the boot, each program
# and its result); on a terminal, one line redrawn with the step's time.
#
# Output: one line per test with its points per TODO, the points per TODO,
# "score: E/T points", and build/grade/labNN.{ktap,json}
# for machines. Exit status 0 only if every test passed.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/grade/labs.sh
. "$ROOT/tests/grade/labs.sh"

usage() {
	echo "usage: make grade LAB=NN [HINTS=1|2|3] [HINTS_LANG=en|it]   (NN = 00..11; see labs/README.md)" >&2
	exit 2
}
HINTS=${HINTS:-1}
# the guests' variant (tests/selftests/tvmm/seed.h): SEED=, else the seed
# `make handout` recorded in labs/SEED, else 0 (the canonical guests)
SEED=${SEED:-$(cat "$ROOT/labs/SEED" 2>/dev/null)}
SEED=${SEED:-0}
[[ $SEED =~ ^[0-9]{1,9}$ ]] || { echo "grade: SEED must be a number (0-999999999)" >&2; exit 2; }
case $HINTS in 1 | 2 | 3) ;; *) usage ;; esac
[ $# -eq 1 ] && [ -n "$1" ] || usage
NN=$(lab_number "$1") || usage
DIR=$(lab_dir "$ROOT" "$NN") || { echo "grade: no labs/lab$NN-* directory" >&2; exit 2; }
HINTS_LANG=${HINTS_LANG:-$(cat "$ROOT/labs/LANG" 2>/dev/null)}
case ${HINTS_LANG:-en} in
en) hints=(--hints "$DIR/hints") ;;
it) hints=(--hints "$DIR/hints" --hints "$ROOT/labs/hints.it" --hints "$DIR/hints.it")
    # a hint not yet translated stays English (report.py: later files win)
    [ -f "$DIR/hints.it" ] || echo "grade: no ${DIR#"$ROOT"/}/hints.it: the hints stay in English" >&2 ;;
*) echo "grade: HINTS_LANG=$HINTS_LANG: the hints are in en or it" >&2; exit 2 ;;
esac
OUT=$ROOT/build/grade
mkdir -p "$OUT"
KTAP=$OUT/lab$NN.ktap
PY=/usr/bin/python3

echo "grade: lab $NN (${DIR##*/})"
t0=$(date +%s)
if [ "$NN" = 00 ]; then
	make -C "$ROOT" -s userspace >&2 || { echo "grade: 'make userspace' failed" >&2; exit 1; }
	"$PY" "$ROOT/tests/grade/lab00.py" "$DIR/answers.md" "$ROOT/userspace/tvmm" >"$KTAP"
else
	progs=$(lab_programs "$DIR")
	[ -n "$progs" ] || { echo "grade: $DIR/tests lists no test programs" >&2; exit 2; }
	echo "grade: booting the lab VM for: $progs, seed $SEED (build and boot log: $OUT/lab$NN.log)"
	# what is running meanwhile: the builds, the boot, each test program
	: >"$OUT/lab$NN.log"
	"$PY" "$ROOT/tests/grade/watch.py" --log "$OUT/lab$NN.log" --programs "$progs" \
		--serial "${TVMM_LABVM_DIR:-$ROOT/build/labvm}/serial.log" &
	watch=$!
	TVMM_LABVM_APPEND="${TVMM_LABVM_APPEND:+$TVMM_LABVM_APPEND }TVMM_SEED=$SEED" \
	bash "$ROOT/tests/labvm/labvm.sh" tests --select "$progs" \
		--timeout "${TVMM_GRADE_TIMEOUT:-900}" >"$KTAP" 2>>"$OUT/lab$NN.log"
	sleep 1.5	# the watch's last look: the last program's result
	kill "$watch" 2>/dev/null
	wait "$watch" 2>/dev/null
fi
"$PY" "$ROOT/tests/grade/report.py" --lab "$NN" "${hints[@]}" --level "$HINTS" \
	--tests "$DIR/tests" --seed "$SEED" \
	--json "$OUT/lab$NN.json" --seconds "$(($(date +%s) - t0))" "$KTAP"
