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
# alice correct (seed 2718), bob partial (a tarball), carol crashing
bash "$ROOT/tests/grade/class_fixture.sh" "$H" "$W/class" 3

# one lab VM at a time: this is one step of make check-full, which runs
# steps side by side (platform_test.sh proves JOBS=N gives the same gradebook)
JOBS=${TVMM_GRADE_ALL_TEST_JOBS:-1} TVMM_GRADE_ALL_OUT=$W/out TVMM_GRADE_ALL_TIMEOUT=${TVMM_GRADE_ALL_TIMEOUT:-900} \
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
# the exports of a lab VM lab: Gradescope's results.json (validated
# against its schema) and JUnit XML, per student, with the gradebook's points
if "$PY" - "$W/out" "$ROOT/tests/grade/gradescope/results.schema.json" "$LAB" <<-'PYEOF' 2>&1 | sed 's/^/# /'
	import json, sys, jsonschema
	import xml.etree.ElementTree as ET
	out, schema, lab = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
	for r in json.load(open(f"{out}/gradebook.json")):
	    d = json.load(open(f"{out}/export/{r['student']}/lab{lab}.results.json"))
	    jsonschema.validate(d, schema)
	    assert d["score"] == r["points"], (r["student"], d["score"], r["points"])
	    assert sum(t["max_score"] for t in d["tests"]) == r["points_total"], r["student"]
	    suite = ET.parse(f"{out}/export/{r['student']}/lab{lab}.junit.xml").getroot().find("testsuite")
	    assert int(suite.get("failures")) == r["failed"], (r["student"], suite.get("failures"))
	    print(f"{r['student']}: results.json {d['score']}/{r['points_total']}, "
	          f"JUnit {suite.get('tests')} tests, {suite.get('failures')} failures")
	PYEOF
	[ "${PIPESTATUS[0]}" -eq 0 ]
then
	ok "exports: each student's results.json validates and has the gradebook's points; JUnit XML its failures"
else
	not_ok "exports: results.json and JUnit XML agree with the gradebook"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
