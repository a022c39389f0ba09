#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make grade-all on a class of three (TAP): from a lab 05 handout, a
# correct submission (the reference solution typed in), a partially
# correct one (CPUID done, the I/O exit still the stub) and a crashing one
# (its I/O handler dereferences NULL in the kernel). The gradebook must
# give each its own result: the crash fails only itself. alice's tree has
# its own seed (labs/SEED, as make handout SEED=S writes it): she is graded
# on her variant of the guests, with full points.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=${TVMM_GRADE_ALL_TEST_DIR:-$ROOT/build/grade-all-test}
PY=/usr/bin/python3
LAB=05
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

rm -rf "$W"
mkdir -p "$W/class"
if ! TVMM_HANDOUT_OUT=$W/handout bash "$ROOT/tests/grade/handout.sh" "$LAB" >"$W/handout.log" 2>&1; then
	sed 's/^/# /' "$W/handout.log"
	echo "not ok 1 - make handout LABS=$LAB"
	echo "1..1"
	exit 1
fi
H=$W/handout/tvmm-handout
fill() { "$PY" "$ROOT/tests/grade/fill_todo.py" "$@"; }

# alice: both TODOs, as the reference solution has them (a folder)
cp -a "$H" "$W/class/alice"
fill "$W/class/alice/module/io.c" lab05.1 --from "$ROOT/module/io.c"
fill "$W/class/alice/module/cpuid.c" lab05.2 --from "$ROOT/module/cpuid.c"
echo 2718 >"$W/class/alice/labs/SEED"
# bob: CPUID done, the I/O exit still the stub (a tarball)
cp -a "$H" "$W/bob"
fill "$W/bob/module/cpuid.c" lab05.2 --from "$ROOT/module/cpuid.c"
tar -C "$W" -czf "$W/class/bob.tar.gz" bob
# carol: CPUID done, and an I/O handler that oopses (a folder)
cp -a "$H" "$W/class/carol"
fill "$W/class/carol/module/cpuid.c" lab05.2 --from "$ROOT/module/cpuid.c"
fill "$W/class/carol/module/io.c" lab05.1 --code "*(volatile int *)NULL = vm->id;"

TVMM_GRADE_ALL_OUT=$W/out TVMM_GRADE_ALL_TIMEOUT=${TVMM_GRADE_ALL_TIMEOUT:-900} \
	TVMM_GRADE_TIMEOUT=420 bash "$ROOT/tests/grade/grade-all.sh" "$W/class" >"$W/grade-all.log" 2>&1
rc=$?
sed 's/^/# /' "$W/grade-all.log"
if [ "$rc" -eq 0 ] && [ -f "$W/out/gradebook.csv" ] && [ -f "$W/out/gradebook.json" ]; then
	ok "grade-all graded the class and wrote gradebook.csv and gradebook.json"
else
	not_ok "grade-all graded the class (rc=$rc)"
fi

# student FIELD -> the gradebook value for the lab
get() { "$PY" -c '
import json, sys
rows = [r for r in json.load(open(sys.argv[1])) if r["student"] == sys.argv[2] and r["lab"] == sys.argv[3]]
print(rows[0][sys.argv[4]] if rows else "missing")' "$W/out/gradebook.json" "$1" "$LAB" "$2" 2>/dev/null; }

a_status=$(get alice status) a_p=$(get alice passed) a_t=$(get alice total)
a_pts=$(get alice points) a_ptot=$(get alice points_total) a_seed=$(get alice seed)
if [ "$a_status" = ok ] && [ "$a_p" = "$a_t" ] && [ "${a_t:-0}" -gt 1 ] 2>/dev/null &&
   [ "$a_pts" = "$a_ptot" ] && [ "${a_ptot:-0}" -gt 1 ] 2>/dev/null && [ "$a_seed" = 2718 ]; then
	ok "alice (correct, seed 2718): every test passed ($a_p/$a_t), $a_pts/$a_ptot points, status ok"
else
	not_ok "alice (correct, seed 2718): every test passed (got $a_p/$a_t, $a_pts/$a_ptot points, seed $a_seed, $a_status)"
fi
b_status=$(get bob status) b_p=$(get bob passed) b_t=$(get bob total)
b_pts=$(get bob points) b_ptot=$(get bob points_total)
if [ "$b_status" = failing ] && [ "${b_p:-0}" -gt 0 ] 2>/dev/null && [ "$b_p" -lt "$b_t" ]; then
	ok "bob (partial, from a tarball): some tests passed ($b_p/$b_t), status failing"
else
	not_ok "bob (partial): some but not all tests passed (got $b_p/$b_t, $b_status)"
fi
# lab 05.2's guests print with the putc hypercall: his CPUID earns its points
# without lab 05.1's I/O exit, and nothing more
want=$(cd "$ROOT/tests/grade" && "$PY" -c 'import points, sys
t = points.load(sys.argv[1])
print(sum(c.points.get("lab05.2", 0) for c in t.cases.values()))' "$ROOT/labs/lab05-trap-and-emulate/tests" 2>/dev/null)
if [ -n "$want" ] && [ "$b_pts" = "$want" ] && [ "${b_ptot:-0}" -gt "$want" ] 2>/dev/null; then
	ok "bob (CPUID only): lab05.2's $want points, no more ($b_pts/$b_ptot)"
else
	not_ok "bob (CPUID only): lab05.2's points (${want:-?}), no more (got $b_pts/$b_ptot)"
fi
c_status=$(get carol status) c_p=$(get carol passed) c_t=$(get carol total)
if { [ "$c_status" = crashed ] || [ "$c_status" = timeout ]; } && [ "$c_p" != "$c_t" ]; then
	ok "carol (oopses in the kernel): status $c_status, $c_p/$c_t, only her row"
else
	not_ok "carol (oopses): status crashed or timeout (got $c_p/$c_t, $c_status)"
fi
if head -n 1 "$W/out/gradebook.csv" | grep -qx 'student,lab,passed,failed,skipped,total,score,status,seconds,points,points_total,seed' &&
   [ "$(grep -c ",$LAB," "$W/out/gradebook.csv")" -eq 3 ]; then
	ok "gradebook.csv: the header and one row per student"
else
	sed 's/^/# /' "$W/out/gradebook.csv"
	not_ok "gradebook.csv: the header and one row per student"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
