#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests (TAP) of what course platforms read, on lab 00 (graded on the
# host, no lab VM: seconds per submission):
#   - the Gradescope bundle (make gradescope): run_autograder in a fake
#     /autograder (AUTOGRADER_ROOT) for a correct, a partial, a crashing, a
#     non-building and a non-tree submission; each results.json validates
#     against results.schema.json, with the right score and a reason;
#   - make grade-all JOBS=N: the same gradebook at JOBS=1 and JOBS=3 (but
#     for the seconds), one line per submission off a terminal, and the
#     JUnit XML and results.json exports of every submission.
# The same exports of a lab VM lab are checked by grade_all_test.sh.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/tvmm-platform.XXXXXX")
trap 'rm -rf "$W"' EXIT
PY=/usr/bin/python3
SCHEMA=$ROOT/tests/grade/gradescope/results.schema.json
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
diag() { sed 's/^/# /'; }

make -C "$ROOT" -s userspace >/dev/null 2>&1 || { echo "Bail out! make userspace failed"; exit 1; }
"$PY" -c 'import jsonschema' 2>/dev/null ||
	{ echo "Bail out! python3-jsonschema is missing: bash tests/deps.sh"; exit 1; }

# --- a class of lab 00 submissions -------------------------------------------------
mkdir -p "$W/src"
git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
	(cd "$ROOT" && xargs -0 cp --parents -t "$W/src" 2>/dev/null)
rm -rf "$W/src/build"
ANS=labs/lab00-environment/answers.md
# answers TREE [INSN]: the right list (but INSN) into TREE's answers file
answers() {
	"$PY" "$ROOT/tests/grade/lab00_answer.py" "$1/$ANS" "$ROOT/userspace/tvmm" --leave-out "${2:-}"
}
C=$W/class
mkdir -p "$C"
cp -a "$W/src" "$C/alice"; answers "$C/alice"                 # correct
cp -a "$W/src" "$C/bob"; answers "$C/bob" PUSHF                # partial
cp -a "$W/src" "$C/carol"; answers "$C/carol"                  # the tool crashes
printf '#include <stdlib.h>\nstatic void __attribute__((constructor)) crash(void)\n{\n\tabort();\n}\n' \
	>>"$C/carol/userspace/main.c"
cp -a "$W/src" "$C/dave"; answers "$C/dave"                    # does not build
echo 'this is not C' >>"$C/dave/userspace/main.c"
POINTS=$("$ROOT/userspace/tvmm" sensitive --json >/dev/null && "$PY" "$ROOT/tests/grade/lab00.py" \
	"$C/alice/$ANS" "$ROOT/userspace/tvmm" | grep -c '^ok ')

# --- the Gradescope bundle -----------------------------------------------------------
# (unzip's output to files first: grep -q in a pipe would stop unzip with
# SIGPIPE, a failure under pipefail)
if TVMM_GRADESCOPE_OUT=$W/gs bash "$ROOT/tests/grade/gradescope/bundle.sh" 00 >"$W/bundle.log" 2>&1 &&
   unzip -Z "$W/gs/lab00.zip" run_autograder setup.sh >"$W/zip.list" 2>&1 &&
   unzip -p "$W/gs/lab00.zip" gradescope.env >"$W/zip.env" 2>&1 &&
   grep -q '^-rwx.*run_autograder' "$W/zip.list" && grep -qx 'LAB=00' "$W/zip.env"; then
	ok "make gradescope LAB=00: a zip with setup.sh, an executable run_autograder and LAB=00"
else
	diag <"$W/bundle.log"; not_ok "make gradescope LAB=00 builds the bundle"
fi
# autograde NAME: run_autograder in a fresh fake /autograder with NAME's tree
autograde() {
	local ag=$W/ag-$1
	mkdir -p "$ag/source" "$ag/submission"
	unzip -q "$W/gs/lab00.zip" -d "$ag/source"
	[ -d "$C/$1" ] && cp -a "$C/$1/." "$ag/submission/"
	AUTOGRADER_ROOT=$ag "$ag/source/run_autograder" >"$ag.log" 2>&1
	echo "# $1: exit $?"
}
# valid NAME: results.json exists and validates; prints "score tests-failed"
valid() {
	"$PY" - "$W/ag-$1/results/results.json" "$SCHEMA" <<-'PYEOF'
	import json, sys, jsonschema
	d = json.load(open(sys.argv[1]))
	jsonschema.validate(d, json.load(open(sys.argv[2])))
	total = sum(t["max_score"] for t in d["tests"])
	assert sum(t["score"] for t in d["tests"]) == d["score"], "score is not the tests' sum"
	print(d["score"], total, sum(t["status"] == "failed" for t in d["tests"]))
	PYEOF
}
for s in alice bob carol dave nobody; do autograde "$s"; done
r=$(valid alice 2>&1)
if [ "$r" = "$POINTS $POINTS 0" ]; then
	ok "gradescope, correct submission: results.json validates, $POINTS/$POINTS points"
else
	echo "# $r"; diag <"$W/ag-alice.log"; not_ok "gradescope, correct submission: $POINTS/$POINTS (got $r)"
fi
r=$(valid bob 2>&1)
if [ "$r" = "$((POINTS - 1)) $POINTS 1" ] &&
   grep -q 'classifies_pushf' "$W/ag-bob/results/results.json"; then
	ok "gradescope, partial submission (PUSHF left out): validates, $((POINTS - 1))/$POINTS, the failed test named"
else
	echo "# $r"; not_ok "gradescope, partial submission: $((POINTS - 1))/$POINTS (got $r)"
fi
r=$(valid carol 2>&1)
if [[ $r == "0 "* ]] && grep -q 'abort\|Aborted\|signal\|SIG' "$W/ag-carol/results/results.json"; then
	ok "gradescope, a tool that crashes: validates, 0 points, the crash in the output"
else
	echo "# $r"; head -c 2000 "$W/ag-carol/results/results.json" | diag
	not_ok "gradescope, a tool that crashes: 0 points and why (got $r)"
fi
r=$(valid dave 2>&1)
if [ "$r" = "0 0 1" ] && grep -q "make userspace' failed" "$W/ag-dave/results/results.json" &&
   grep -q 'this is not C\|error:' "$W/ag-dave/results/results.json"; then
	ok "gradescope, a tree that does not build: validates, 0 points, the compiler's error in the output"
else
	echo "# $r"; head -c 2000 "$W/ag-dave/results/results.json" | diag
	not_ok "gradescope, a tree that does not build: 0 and why (got $r)"
fi
r=$(valid nobody 2>&1)
if [ "$r" = "0 0 1" ] && grep -q 'not a tvmm tree' "$W/ag-nobody/results/results.json"; then
	ok "gradescope, an empty submission: validates, 0 points, 'not a tvmm tree'"
else
	echo "# $r"; not_ok "gradescope, an empty submission (got $r)"
fi
# the schema must be able to fail: a results.json without its score
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["score"]; d["tests"][0]["status"]="ok"; json.dump(d, open(sys.argv[2], "w"))' \
	"$W/ag-alice/results/results.json" "$W/bad.json"
if ! "$PY" -c 'import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' \
	"$W/bad.json" "$SCHEMA" 2>/dev/null; then
	ok "gradescope: the schema refuses a results.json without a score"
else
	not_ok "gradescope: the schema refuses a results.json without a score"
fi

# --- grade-all: JOBS=1 and JOBS=3, the exports ------------------------------------------
JOBS=1 TVMM_GRADE_ALL_OUT=$W/j1 bash "$ROOT/tests/grade/grade-all.sh" "$C" 00 >"$W/j1.log" 2>&1
JOBS=3 TVMM_GRADE_ALL_OUT=$W/j3 bash "$ROOT/tests/grade/grade-all.sh" "$C" 00 >"$W/j3.log" 2>&1
strip() { "$PY" -c '
import json, sys
rows = json.load(open(sys.argv[1]))
for r in rows:
    r.pop("seconds")
print(json.dumps(rows, indent=1, sort_keys=True))' "$1"; }
if [ -f "$W/j1/gradebook.json" ] && [ "$(strip "$W/j1/gradebook.json")" = "$(strip "$W/j3/gradebook.json")" ] &&
   [ "$(cut -d, -f1-8,10- "$W/j1/gradebook.csv")" = "$(cut -d, -f1-8,10- "$W/j3/gradebook.csv")" ] &&
   [ "$(grep -c ',00,' "$W/j3/gradebook.csv")" -eq 4 ]; then
	ok "grade-all: JOBS=3 writes the gradebook JOBS=1 does (but the seconds), four rows in order"
else
	diff <(strip "$W/j1/gradebook.json") <(strip "$W/j3/gradebook.json") | head -n 30 | diag
	not_ok "grade-all: the same gradebook at JOBS=1 and JOBS=3"
fi
if "$PY" - "$W/j3/gradebook.json" <<-'PYEOF'
	import json, sys
	rows = {r["student"]: r for r in json.load(open(sys.argv[1]))}
	assert [r["student"] for r in json.load(open(sys.argv[1]))] == ["alice", "bob", "carol", "dave"]
	assert rows["alice"]["status"] == "ok" and rows["alice"]["points"] == rows["alice"]["points_total"]
	assert rows["bob"]["status"] == "failing" and 0 < rows["bob"]["points"] < rows["bob"]["points_total"]
	assert rows["carol"]["points"] == 0 and rows["dave"]["status"] == "no-result"
	assert all(isinstance(r["seconds"], int) for r in rows.values())
	PYEOF
then
	ok "grade-all: alice ok, bob failing with some points, carol 0, dave no-result; a time per row"
else
	diag <"$W/j3.log"; not_ok "grade-all: each submission's own result"
fi
# off a terminal: one line per submission and lab, no progress line
if [ "$(grep -c '^grade-all: \[[a-z]*\] lab 00: .* -> [a-z-]* ([0-9]* s)$' "$W/j3.log")" -eq 4 ] &&
   ! grep -q $'\r' "$W/j3.log"; then
	ok "grade-all off a terminal: one line per submission with its status and time, no carriage returns"
else
	diag <"$W/j3.log"; not_ok "grade-all off a terminal: one line per submission"
fi
# the exports: from the same report as the gradebook
if "$PY" - "$W/j3" "$SCHEMA" <<-'PYEOF'
	import json, sys, jsonschema
	import xml.etree.ElementTree as ET
	out, schema = sys.argv[1], json.load(open(sys.argv[2]))
	for r in json.load(open(f"{out}/gradebook.json")):
	    d = json.load(open(f"{out}/export/{r['student']}/lab00.results.json"))
	    jsonschema.validate(d, schema)
	    assert d["score"] == r["points"], (r["student"], d["score"], r["points"])
	    x = ET.parse(f"{out}/export/{r['student']}/lab00.junit.xml").getroot()
	    suite = x.find("testsuite")
	    cases = suite.findall("testcase")
	    fails = [c for c in cases if c.find("failure") is not None]
	    assert int(suite.get("tests")) == len(cases), r["student"]
	    assert int(suite.get("failures")) == len(fails), r["student"]
	    if r["status"] == "no-result":
	        assert len(cases) == 1 and fails, r["student"]
	    else:
	        assert len(cases) == r["total"] and len(fails) == r["failed"], (r["student"], len(fails), r)
	PYEOF
then
	ok "exports: per submission, results.json validates with the gradebook's points; JUnit XML has its tests and failures"
else
	not_ok "exports: results.json and JUnit XML agree with the gradebook"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
