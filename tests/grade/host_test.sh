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

# hints in Italian (make grade HINTS_LANG=it): report.py reads the English
# hints, labs/hints.it, then the lab's hints.it; a later file's line wins
printf 'run.hello_console_and_exits: ENGLISH-HINT\n' >"$W/h.en"
printf 'run.hello_console_and_exits: SUGGERIMENTO\n' >"$W/h.it"
"$PY" "$ROOT/tests/grade/report.py" --lab 05 --hints "$W/h.en" --hints "$W/h.it" \
	"$W/doc.ktap" >"$W/rit" 2>&1
"$PY" "$ROOT/tests/grade/report.py" --lab 05 --hints "$W/h.en" --hints "$W/nothing.it" \
	"$W/doc.ktap" >"$W/ren" 2>&1
if grep -q 'hint: SUGGERIMENTO' "$W/rit" && ! grep -q 'ENGLISH-HINT' "$W/rit" &&
   grep -q 'hint: ENGLISH-HINT' "$W/ren"; then
	ok "report: a later --hints file replaces a hint, a missing one leaves it (HINTS_LANG=it)"
else
	diag <"$W/rit"; not_ok "report: a later --hints file replaces a hint (HINTS_LANG=it)"
fi
# every lab's hints.it translates exactly its hints' keys, labs/hints.it
# exactly report.py's generic ones
if "$PY" - "$ROOT" >"$W/hkeys" 2>&1 <<'EOF2'
import glob, os, sys
sys.path.insert(0, os.path.join(sys.argv[1], "tests", "grade"))
import report
bad = 0
def keys(path):
    h, t = report.read_hints([path])
    return set(h) | {"%s %d" % k for k in t}
for en in sorted(glob.glob(os.path.join(sys.argv[1], "labs", "lab*", "hints"))):
    it = en + ".it"
    if not os.path.exists(it):
        print("%s: missing" % it); bad = 1; continue
    for k in sorted(keys(en) ^ keys(it)):
        print("%s: key %r in only one of hints, hints.it" % (os.path.dirname(en), k)); bad = 1
g = keys(os.path.join(sys.argv[1], "labs", "hints.it"))
if g != set(report.GENERIC):
    print("labs/hints.it: keys %s, report.py GENERIC %s" % (sorted(g), sorted(report.GENERIC))); bad = 1
sys.exit(bad)
EOF2
then
	ok "hints.it: every lab's Italian hints have the keys of its English hints"
else
	diag <"$W/hkeys"; not_ok "hints.it: every lab's Italian hints have the keys of its English hints"
fi
d0=$ROOT/labs/lab00-environment
"$PY" "$ROOT/tests/grade/report.py" --lab 00 --hints "$d0/hints" --hints "$ROOT/labs/hints.it" \
	--hints "$d0/hints.it" "$W/template.ktap" >"$W/r00it" 2>&1
if grep -q 'hint: esegui `./userspace/tvmm sensitive` su questa macchina' "$W/r00it" &&
   ! grep -q 'hint: run `' "$W/r00it"; then
	ok "report: lab 00's failures with the Italian hints"
else
	diag <"$W/r00it"; not_ok "report: lab 00's failures with the Italian hints"
fi
if ! HINTS_LANG=fr bash "$ROOT/tests/grade/grade.sh" 00 >"$W/fr" 2>&1 &&
   grep -q 'HINTS_LANG=fr: the hints are in en or it' "$W/fr"; then
	ok "grade: HINTS_LANG other than en or it is refused, named"
else
	diag <"$W/fr"; not_ok "grade: HINTS_LANG other than en or it is refused"
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

# --- make grade's progress (tests/grade/watch.py) ----------------------------------
# a run's log and serial console as they grow; the serial log of an
# earlier run (there when the watch starts) is not this run's
echo "# selftests: tvmm: a_test" >"$W/serial.log"
: >"$W/build.log"
"$PY" "$ROOT/tests/grade/watch.py" --log "$W/build.log" --serial "$W/serial.log" \
	--programs "a_test b_test" --interval 0.1 --no-tty >"$W/watch.out" &
wpid=$!
sleep 2	# python is up (the serial log it found is the earlier run's)
printf 'kernel.sh: building the lab VM kernel into x\nkernel.sh: 5%% (90/1824 files) building the lab VM kernel\nkernel.sh: 10%% (182/1824 files) building the lab VM kernel\nkernel.sh: 50%% (900/1824 files) building the lab VM kernel\nlabvm: make module userspace (KDIR=x)\nlabvm: booting Bochs, 1 CPU(s) (timeout 900s)\n' >>"$W/build.log"
sleep 0.5
printf 'boot\n# selftests: tvmm: a_test\nok 1 selftests: tvmm: a_test\n# selftests: tvmm: b_test\nnot ok 2 selftests: tvmm: b_test # exit=1\n' >"$W/serial.new"
mv "$W/serial.new" "$W/serial.log"
sleep 0.6
# the lab VM's log written anew with the same lines: nothing said twice
{ cat "$W/serial.log"; echo "# selftests: tvmm: kernel_clean"; } >"$W/serial.new"
mv "$W/serial.new" "$W/serial.log"
sleep 0.6
kill "$wpid"
wait "$wpid"
cat >"$W/watch.want" <<'EOF2'
grade: building the lab VM kernel (once: it is cached)
grade: building the lab VM kernel: 5% (90/1824 files)
grade: building the lab VM kernel: 50% (900/1824 files)
grade: building tvmm.ko and the tool
grade: booting the lab VM (Bochs)
grade: test program 1/2: a_test
grade: a_test: passed
grade: test program 2/2: b_test
grade: b_test: failed
grade: checking kernel_clean
EOF2
if diff "$W/watch.want" "$W/watch.out" >"$W/watch.diff"; then
	ok "make grade's progress off a terminal: one line per step (kernel every 10%, build, boot, each program and its result)"
else
	diag <"$W/watch.diff"; not_ok "make grade's progress: one line per step"
fi

# kernel.sh's progress on a cold build, with a stand-in kernel source: its
# Makefile makes 40 .cmd files, 0.3 s apart; the last build of the same
# variant in the cache made 40 (the expected total)
K=$W/kcache
mkdir -p "$W/ksrc/linux/scripts/kconfig" "$K/kernel-old"
cat >"$W/ksrc/linux/Makefile" <<'EOF2'
tinyconfig olddefconfig:
	@touch .config
bzImage:
	@for i in $$(seq 40); do touch .f$$i.cmd; sleep 0.3; done
	@mkdir -p arch/x86/boot && touch arch/x86/boot/bzImage
modules_prepare:
modules:
	@touch Module.symvers
EOF2
printf '#!/bin/sh\ngrep -E "^(CONFIG_|# CONFIG_)" "$3" >>.config\n' >"$W/ksrc/linux/scripts/kconfig/merge_config.sh"
chmod +x "$W/ksrc/linux/scripts/kconfig/merge_config.sh"
tar -C "$W/ksrc" -cJf "$W/ksrc.tar.xz" linux
for i in $(seq 40); do touch "$K/kernel-old/.o$i.cmd"; done
echo old >"$K/kernel-old/.tvmm-kernel-key"
echo tiny >"$K/kernel-old/.tvmm-kernel-variant"
TVMM_CACHE=$K TVMM_LINUX_SOURCE=$W/ksrc.tar.xz bash "$ROOT/tests/labvm/kernel.sh" >"$W/kbuild.log" 2>&1
pct=$(sed -n 's/^kernel.sh: \([0-9]*\)% (\([0-9]*\)\/40 files) building the lab VM kernel$/\1/p' "$W/kbuild.log")
if [ "$(echo "$pct" | wc -w)" -ge 2 ] && [ "$(echo "$pct" | sort -n | tr '\n' ' ')" = "$(echo "$pct" | tr '\n' ' ')" ] &&
   grep -q '^kernel.sh: kernel ready' "$W/kbuild.log"; then
	ok "kernel.sh: a cold build says how far it is (% of the last build's files: $(echo "$pct" | tr '\n' ' '))"
else
	diag <"$W/kbuild.log"; not_ok "kernel.sh: a cold build says how far it is"
fi

# make help: the Makefile's whole header comment, no line of Makefile code
make -s -C "$ROOT" help >"$W/help" 2>&1
if grep -q 'make gradescope LAB=' "$W/help" && grep -q 'make mutants' "$W/help" &&
   ! grep -qE '^(ROOT|LABVM|KDIR) ' "$W/help" && ! grep -q '^#' "$W/help"; then
	ok "make help: the whole header (grading and platform targets too), no Makefile code"
else
	diag <"$W/help"; not_ok "make help: the whole header, no Makefile code"
fi

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
if [ -f "$W/handout/tvmm-handout.tar.gz" ] && grep -q 'not part of the student handout' "$H/docs/instructor-guide.md" &&
   [ "$(wc -l <"$H/docs/instructor-guide.md")" -lt 10 ] &&
   grep -q 'non fa parte del materiale' "$H/docs/instructor-guide.it.md" &&
   [ "$(wc -l <"$H/docs/instructor-guide.it.md")" -lt 10 ] &&
   [ -z "$(ls "$H"/tests/mutants/lab*.mutants 2>/dev/null)" ] &&
   [ ! -e "$H/.git" ] && ! grep -rqE 'CONFIG_TVMM_LAB[0-9]+_SOLUTION' "$H/module" "$H/userspace" &&
   [ "$(grep -rl 'TODO(lab[0-9]*\.[0-9]*) BEGIN' "$H/module" "$H/userspace" | wc -l)" -gt 0 ]; then
	ok "handout: tarball, the instructor guide replaced by a note, no mutant catalogue, no history, no solution switch left, TODOs in place"
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
# make handout LANG=it: the lab pages a student opens are the Italian ones,
# the English kept as README.en.md, links following, make grade in Italian
HO=$W/handout-it/tvmm-handout
if TVMM_HANDOUT_OUT=$W/handout-it HANDOUT_LANG=it bash "$ROOT/tests/grade/handout.sh" 05 \
	>"$W/handout-it.log" 2>&1 &&
   [ "$(cat "$HO/labs/LANG")" = it ] && [ ! -e "$H/labs/LANG" ] &&
   [ -z "$(find "$HO/labs" -name README.it.md)" ] &&
   grep -q 'not part of the student handout' "$HO/docs/instructor-guide.md" &&
   grep -q 'non fa parte del materiale' "$HO/docs/instructor-guide.it.md" &&
   grep -qx '# Lab 05: trap-and-emulate di I/O e CPUID' "$HO/labs/lab05-trap-and-emulate/README.md" &&
   grep -qx '# Lab 05: trap-and-emulate I/O and CPUID' "$HO/labs/lab05-trap-and-emulate/README.en.md" &&
   grep -q '](lab05-trap-and-emulate/README.md)' "$HO/labs/README.md" &&
   grep -q '](lab05-trap-and-emulate/README.en.md)' "$HO/labs/README.en.md" &&
   grep -q '(README.en.md)' "$HO/labs/lab05-trap-and-emulate/README.md" &&
   grep -q '(README.md)' "$HO/labs/lab05-trap-and-emulate/README.en.md"; then
	ok "handout LANG=it: Italian README.md pages, English README.en.md, links, labs/LANG"
else
	diag <"$W/handout-it.log"; not_ok "handout LANG=it: Italian README.md pages, English README.en.md, links, labs/LANG"
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
