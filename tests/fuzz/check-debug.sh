#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the lab VM tier on the debug lab kernel
# (tests/labvm/debug.config: KASAN, lockdep, kmemleak, debugobjects).
#
#   tests/fuzz/check-debug.sh [--guests N] [--seed S]
#
# Steps: the kselftests (every program of tests/selftests/tvmm/list), then
# a fuzz batch (default 200 guests x 5 modes, seed 20261206) with its
# kmemleak scan. Ends like make check: "N passed, N failed, N skipped".
# The debug kernel is about 5x slower in Bochs: expect 20-40 minutes.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LOGS=$ROOT/build/check-debug
guests=200 seed=20261206
while [ $# -gt 0 ]; do
	case "$1" in
	--guests) guests=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	*) echo "check-debug.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done

KDIR=$(TVMM_KERNEL_EXTRA=$ROOT/tests/labvm/debug.config "$ROOT/tests/labvm/kernel.sh" --kdir) ||
	{ echo "check-debug.sh: debug kernel build failed" >&2; exit 2; }
export KDIR TVMM_BOCHS_MEGS=${TVMM_BOCHS_MEGS:-512}
# each test program gets 5x its usual time under KASAN and lockdep
export TVMM_TEST_TIMEOUT=${TVMM_TEST_TIMEOUT:-600}
mkdir -p "$LOGS"

rc=0
echo "==== selftests on the debug kernel ($KDIR) ===="
bash "$ROOT/tests/labvm/labvm.sh" tests --timeout 3600 >"$LOGS/selftests.log" || rc=1
echo "==== fuzz: $guests guests, seed $seed ===="
bash "$HERE/run.sh" guest --kernel debug --seed "$seed" --guests "$guests" >"$LOGS/fuzz.log" || rc=1
python3 "$ROOT/tests/lib/ktap.py" summarize "$LOGS/selftests.log" "$LOGS/fuzz.log" || rc=1
exit "$rc"
