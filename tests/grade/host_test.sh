#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of the course tooling (TAP): the lab 00 grader, the grade
# report, the Kconfig stages, make handout (it strips, it builds, and
# its proof that no solution is left can fail), and the mutant catalogue
# (every mutant applies, every TODO has five; the check can fail).
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/grade/labs.sh
. "$ROOT/tests/grade/labs.sh"
# A fixed directory, not mktemp's: the handout's module build below is
# then the same compiler calls at the same paths each run, ccache hits
# (ccache hashes the source file's path). One host_test.sh per tree.
W=$ROOT/build/grade-host-test
rm -rf "$W"
mkdir -p "$W"
trap 'rm -rf "$W"' EXIT
PY=/usr/bin/python3
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { local what=$1; shift; if "$@" >"$W/out" 2>&1; then ok "$what"; else sed 's/^/# /' "$W/out" | tail -n 20; not_ok "$what"; fi; }
diag() { sed 's/^/# /'; }

make -C "$ROOT" -s userspace >/dev/null 2>&1 || { echo "Bail out! make userspace failed"; exit 1; }
TOOL=$ROOT/userspace/tvmm

# --- lab 00 ---------------------------------------------------------------
L00=$ROOT/tests/grade/lab00.py
heading="## Sensitive instructions that did not trap at ring 3"
"$TOOL" sensitive --json | "$PY" -c '
import json, sys
print(sys.argv[1])
for r in json.load(sys.stdin):
    if not r["privileged"]:
        print("- " + r["insn"].upper())' "$heading" >"$W/right.md"
"$PY" "$L00" "$W/right.md" "$TOOL" >"$W/right.ktap"
check "lab00: the right answers pass every case" \
	"$PY" "$ROOT/tests/lib/ktap.py" summarize "$W/right.ktap"
"$PY" "$L00" "$ROOT/labs/lab00-environment/answers.md" "$TOOL" >"$W/template.ktap"
if ! "$PY" "$ROOT/tests/lib/ktap.py" summarize -q -q "$W/template.ktap" &&
   grep -q '^ok .* lab00.answers_file_has_the_section' "$W/template.ktap"; then
	ok "lab00: the empty template of the handout fails (and its heading is found)"
else
	diag <"$W/template.ktap"; not_ok "lab00: the empty template of the handout fails"
fi
{ cat "$W/right.md"; echo "- CPUID"; } >"$W/extra.md"
"$PY" "$L00" "$W/extra.md" "$TOOL" >"$W/extra.ktap"
if grep -q '^not ok .* lab00.no_unknown_names' "$W/extra.ktap" &&
   grep -q '^# not in the table .*cpuid' "$W/extra.ktap"; then
	ok "lab00: a name outside the table fails no_unknown_names, named"
else
	diag <"$W/extra.ktap"; not_ok "lab00: a name outside the table fails no_unknown_names"
fi
grep -v '^- POPF' "$W/right.md" >"$W/nopopf.md"
"$PY" "$L00" "$W/nopopf.md" "$TOOL" >"$W/nopopf.ktap"
if "$TOOL" sensitive --json | grep -q '"insn":"popf","sensitive":true,"privileged":false'; then
	if grep -q '^not ok .* lab00.classifies_popf' "$W/nopopf.ktap"; then
		ok "lab00: leaving out POPF (silently ignored here) fails classifies_popf"
	else
		diag <"$W/nopopf.ktap"; not_ok "lab00: leaving out POPF fails classifies_popf"
	fi
else
	echo "ok $((n += 1)) - lab00: leaving out POPF fails # SKIP POPF traps on this host"
fi

# UMIP: two fixed tables (`tvmm sensitive --json` on a host with UMIP, whose
# kernel emulates SGDT...SMSW with dummies, and on one without): the rows
# true on every host are graded strictly, the UMIP rows accept either answer
# when Observations explain UMIP.
"$PY" - "$W" <<'PY'
import json, sys
w = sys.argv[1]
def row(insn, priv, umip=False):
    return {"insn": insn, "sensitive": True, "privileged": priv, "umip": umip, "what": "x"}
always = [row("cli", True), row("sti", True), row("hlt", True), row("in", True),
          row("popf", False), row("pushf", False)]
umip_rows = ["sgdt", "sidt", "sldt", "str", "smsw"]
for name, priv in (("umip", True), ("noumip", False)):
    with open(f"{w}/{name}.json", "w") as f:
        json.dump(always + [row(i, priv, priv) for i in umip_rows] + [row("mov %cs", False)], f)
head = "## Sensitive instructions that did not trap at ring 3\n"
base = "- POPF\n- PUSHF\n- mov %cs\n"
umip = "".join(f"- {i}\n" for i in umip_rows)
obs = "\n## Observations\n\nMy host has UMIP: the kernel emulates SGDT and friends.\n"
for name, text in (("base", head + base), ("base_obs", head + base + obs),
                   ("all", head + base + umip), ("all_obs", head + base + umip + obs),
                   ("nopushf_obs", head + "- POPF\n- mov %cs\n" + umip + obs)):
    with open(f"{w}/{name}.md", "w") as f:
        f.write(text)
PY
umip_case() {	# DESCRIPTION ANSWERS TABLE pass|fail
	"$PY" "$L00" "$W/$2.md" --json "$W/$3.json" >"$W/$2.$3.ktap"
	if "$PY" "$ROOT/tests/lib/ktap.py" summarize -q -q "$W/$2.$3.ktap"; then r=pass; else r=fail; fi
	if [ "$r" = "$4" ]; then ok "lab00: $1"; else diag <"$W/$2.$3.ktap"; not_ok "lab00: $1"; fi
}
umip_case "UMIP host, UMIP rows left out: right" base umip pass
umip_case "UMIP host, UMIP rows listed without a word on UMIP: wrong" all umip fail
umip_case "UMIP host, UMIP rows listed and UMIP explained: right" all_obs umip pass
umip_case "host without UMIP, UMIP rows listed: right" all noumip pass
umip_case "host without UMIP, UMIP rows left out, no word on UMIP: wrong" base noumip fail
umip_case "host without UMIP, UMIP rows left out, UMIP explained: right" base_obs noumip pass
umip_case "PUSHF left out fails on every host, UMIP explained or not" nopushf_obs umip fail
umip_case "PUSHF left out fails without UMIP too" nopushf_obs noumip fail
if "$TOOL" sensitive --json | "$PY" -c '
import json, sys
rows = {r["insn"]: r for r in json.load(sys.stdin)}
u = [rows[i]["umip"] for i in ("sgdt", "sidt")]
sys.exit(0 if all(u) == any(u) and all(r["privileged"] for r in rows.values() if r["umip"]) else 1)'; then
	ok "lab00: this host's table is consistent about UMIP (SGDT and SIDT agree; an emulated row is privileged)"
else
	not_ok "lab00: this host's table is consistent about UMIP"
fi

# --- the grade report -------------------------------------------------------
cat >"$W/doc.ktap" <<'KTAP'
KTAP version 1
1..2
# selftests: tvmm: run_test
# TAP version 13
# 1..2
# # Starting 2 tests from 1 test cases.
# #  RUN           run.hello_console_and_exits ...
# # run_test.c:107:hello_console_and_exits:Expected "Hello" (Hello) == r->console (TODO(lab05.1) not done)
# # hello_console_and_exits: Test failed at step #3
# #          FAIL  run.hello_console_and_exits
# not ok 1 run.hello_console_and_exits
# #  RUN           run.cpuid_answers_stable ...
# #            OK  run.cpuid_answers_stable
# ok 2 run.cpuid_answers_stable
# # FAILED: 1 / 2 tests passed.
not ok 1 selftests: tvmm: run_test # exit=1
ok 2 selftests: tvmm: kernel_clean
KTAP
echo "run.hello_console_and_exits: look at exit_io() (TODO(lab05.1))" >"$W/hints"
"$PY" "$ROOT/tests/grade/report.py" --lab 05 --hints "$W/hints" --json "$W/r.json" "$W/doc.ktap" >"$W/report" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'FAIL run_test.run.hello_console_and_exits' "$W/report" &&
   grep -q '| run_test.c:107:hello_console_and_exits:Expected' "$W/report" &&
   grep -q 'hint: look at exit_io() (TODO(lab05.1))' "$W/report" &&
   grep -q 'PASS run_test.run.cpuid_answers_stable' "$W/report" &&
   grep -q '^score: 2/3 points (67%)' "$W/report"; then
	ok "report: per-test lines, the failed assertion, the hint, score 2/3, exit 1"
else
	diag <"$W/report"; not_ok "report: per-test lines, the failed assertion, the hint, score (rc=$rc)"
fi
if "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert (d["passed"],d["failed"],d["total"])==(2,1,3), d; assert d["tests"][0]["hint"].startswith("look at exit_io")' "$W/r.json" 2>"$W/err"; then
	ok "report: the JSON result has the counts and the hint"
else
	diag <"$W/err"; not_ok "report: the JSON result has the counts and the hint"
fi

# points: a tests file gives the cases points per TODO; a check earns none,
# and when it fails it withholds the points of the TODOs it names
cat >"$W/tests" <<'EOF2'
run_test
run.hello_console_and_exits  lab05.1=2
run.cpuid_answers_stable     check lab05.1
EOF2
printf 'lab05.1 concept: THE-CONCEPT\nlab05.1 where: THE-PLACE\nrun.hello_console_and_exits: THE-BEHAVIOUR\n' >"$W/thints"
for level in 1 2 3; do
	"$PY" "$ROOT/tests/grade/report.py" --lab 05 --tests "$W/tests" --hints "$W/thints" \
		--level $level --json "$W/p$level.json" "$W/doc.ktap" >"$W/p$level" 2>&1
done
if grep -q '^score: 0/2 points (0%)' "$W/p1" && grep -q 'lab05.1 0/2' "$W/p1" &&
   grep -q 'hint 1: THE-CONCEPT' "$W/p1" && ! grep -q 'THE-PLACE\|THE-BEHAVIOUR' "$W/p1" &&
   grep -q 'hint 2: THE-PLACE' "$W/p2" && ! grep -q 'THE-BEHAVIOUR' "$W/p2" &&
   grep -q 'hint: THE-BEHAVIOUR' "$W/p3"; then
	ok "report: points per TODO, and hints by tier (1 concept, 2 place, 3 behaviour)"
else
	diag <"$W/p1"; diag <"$W/p3"; not_ok "report: points per TODO, and hints by tier"
fi
sed 's/^# ok 2 run.cpuid_answers_stable/# ok 2 run.hello_console_and_exits/; s/^# not ok 1 run.hello_console_and_exits/# not ok 1 run.cpuid_answers_stable/' \
	"$W/doc.ktap" >"$W/broke.ktap"
"$PY" "$ROOT/tests/grade/report.py" --lab 05 --tests "$W/tests" --json "$W/broke.json" \
	"$W/broke.ktap" >"$W/broke" 2>&1
sed 's/^# not ok 1 run.hello_console_and_exits/# ok 1 run.hello_console_and_exits/' \
	"$W/doc.ktap" >"$W/good.ktap"
"$PY" "$ROOT/tests/grade/report.py" --lab 05 --tests "$W/tests" --json "$W/good.json" \
	"$W/good.ktap" >"$W/good" 2>&1
if grep -q '^score: 2/2 points (100%)' "$W/good" && grep -q '^score: 0/2 points' "$W/broke" &&
   grep -q 'withheld' "$W/broke" &&
   "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert (d["points"],d["points_total"],d["score"])==(2,2,100.0), d; assert d["todos"]["lab05.1"]["earned"]==2' "$W/good.json"; then
	ok "report: full points when the pointed case passes; a failed check withholds its TODO's points"
else
	diag <"$W/good"; diag <"$W/broke"; not_ok "report: points earned and withheld"
fi
# the tests files parse, and each names only its own lab's TODOs
bad=0
for t in "$ROOT"/labs/lab*/tests; do
	nn=$(basename "$(dirname "$t")" | sed 's/^lab\([0-9]*\)-.*/\1/')
	if ! "$PY" -c '
import sys; sys.path.insert(0, sys.argv[3])
import points
t = points.load(sys.argv[1])
other = [x for x in t.todos() if not x.startswith("lab" + sys.argv[2] + ".")]
assert not other, "names another lab'"'"'s TODOs: %s" % other
assert t.programs, "no program"' "$t" "$nn" "$ROOT/tests/grade" 2>"$W/err"; then
		diag <"$W/err"; bad=1
	fi
done
if [ "$bad" -eq 0 ]; then ok "points: every lab's tests file parses and names only its own TODOs"
else not_ok "points: every lab's tests file parses and names only its own TODOs"; fi

# --- Kconfig stages -------------------------------------------------------------
lab_header "$ROOT" "$W/k.config" "$W/k.h" TVMM_LAB05_SOLUTION=n >"$W/out" 2>&1
nlabs=$(ls -d "$ROOT"/labs/lab*/Kconfig | wc -l)
if ! grep -q 'CONFIG_TVMM_LAB05_SOLUTION' "$W/k.h" &&
   [ "$(grep -c '^#define CONFIG_TVMM_LAB[0-9]*_SOLUTION 1$' "$W/k.h")" -eq $((nlabs - 1)) ]; then
	ok "Kconfig: defaults turn every lab on; setconfig turns lab 05 off in the header"
else
	diag <"$W/out"; diag <"$W/k.h"; not_ok "Kconfig: defaults and setconfig"
fi

# --- make handout -----------------------------------------------------------------
export TVMM_HANDOUT_OUT=$W/handout
if bash "$ROOT/tests/grade/handout.sh" >"$W/handout.log" 2>&1; then
	ok "make handout (every lab) strips the solutions and proves it"
else
	diag <"$W/handout.log"; not_ok "make handout (every lab)"
fi
H=$W/handout/tvmm-handout
if [ -f "$W/handout/tvmm-handout.tar.gz" ] && [ ! -e "$H/docs/instructor-guide.md" ] &&
   [ ! -e "$H/docs/instructor-guide.it.md" ] &&
   [ -z "$(ls "$H"/tests/mutants/lab*.mutants 2>/dev/null)" ] &&
   [ ! -e "$H/.git" ] && ! grep -rqE 'CONFIG_TVMM_LAB[0-9]+_SOLUTION' "$H/module" "$H/userspace" &&
   [ "$(grep -rl 'TODO(lab[0-9]*\.[0-9]*) BEGIN' "$H/module" "$H/userspace" | wc -l)" -gt 0 ]; then
	ok "handout: tarball, no instructor guide or mutant catalogue, no history, no solution switch left, TODOs in place"
else
	not_ok "handout: tarball, no instructor guide, no history, no solution switch left"
fi
KDIR=$("$ROOT/tests/labvm/kernel.sh" --kdir 2>/dev/null)
if [ -d "$KDIR" ]; then
	if make -C "$H" -s KDIR="$KDIR" module userspace W=1 >"$W/hbuild.log" 2>&1 &&
	   ! grep -E 'warning:|error:' "$W/hbuild.log" >/dev/null; then
		ok "handout: the student tree builds (tvmm.ko W=1 warning-free, the tool)"
	else
		diag <"$W/hbuild.log"; not_ok "handout: the student tree builds"
	fi
else
	echo "ok $((n += 1)) - handout: the student tree builds # SKIP no lab VM kernel tree"
fi
# the proof must be able to fail: put one solution line back
line=$(sed -n '/^#ifdef CONFIG_TVMM_LAB05_SOLUTION$/,/^#else$/p' "$ROOT/module/io.c" |
	grep -m1 'console_putc(vm')
echo "$line" >>"$H/module/io.c"
if ! "$PY" "$ROOT/tests/grade/handout_check.py" "$ROOT" "$H" 05 >"$W/leak.log" 2>&1 &&
   grep -q 'lab 05 solution line left' "$W/leak.log"; then
	ok "handout_check: a solution line put back is found"
else
	diag <"$W/leak.log"; not_ok "handout_check: a solution line put back is found"
fi

# --- the mutant catalogue (tests/mutants/) ---------------------------------------
MUT=$ROOT/tests/mutants/mutate.py
check "mutants: every mutant applies to its TODO's solution, every TODO has >= 5" \
	"$PY" "$MUT" check
# the check must be able to fail: a mutant whose '-' line is not in the
# solution, and a TODO left with too few mutants
mkdir -p "$W/cat/tests/mutants"
cp "$MUT" "$W/cat/tests/mutants/"
(cd "$ROOT" && git ls-files -z module userspace | xargs -0 cp --parents -t "$W/cat")
cp "$ROOT"/tests/mutants/lab*.mutants "$W/cat/tests/mutants/"
printf '\n@@ lab05.1 not-in-the-solution\n# a broken entry\n- this line is nowhere;\n+ ;\n' \
	>>"$W/cat/tests/mutants/lab05.mutants"
: >"$W/cat/tests/mutants/lab01.mutants"
if ! "$PY" "$W/cat/tests/mutants/mutate.py" check >"$W/mcheck" 2>&1 &&
   grep -q 'not applicable: .*lab05.1/not-in-the-solution' "$W/mcheck" &&
   grep -q 'too few: TODO(lab01.1) has 0 mutants' "$W/mcheck"; then
	ok "mutants: a broken catalogue (a stale '-' line, a TODO without mutants) fails the check"
else
	diag <"$W/mcheck"; not_ok "mutants: a broken catalogue fails the check"
fi
if "$PY" "$MUT" pick --seed 7 >"$W/p1" && "$PY" "$MUT" pick --seed 7 >"$W/p2" &&
   cmp -s "$W/p1" "$W/p2" &&
   [ "$(wc -l <"$W/p1")" -eq "$(grep -rhoE 'TODO\(lab[0-9]+\.[0-9]+\) BEGIN' "$ROOT/module" "$ROOT/userspace" | sort -u | wc -l)" ]; then
	ok "mutants: pick --seed S draws one mutant per TODO, the same for the same seed"
else
	diag <"$W/p1"; not_ok "mutants: pick --seed S draws one mutant per TODO"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
