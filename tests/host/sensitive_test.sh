#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sensitive_test.sh - `tvmm sensitive` (lab 00) reports the x86 facts the
# notes build on, on whatever x86-64 machine runs it: CLI, STI, HLT and IN
# trap at ring 3; POPF silently ignores a change of IF; PUSHF shows the
# real IF = 1. (SGDT/SIDT/SMSW trap or not depending on UMIP: either
# answer is right, so only their presence is checked.) And the figure
# `--chart` draws (make docs' sensitive-venn) puts each instruction in the
# region its own run put it: the overlap if it trapped, the
# sensitive-only crescent if not. Prints TAP.
set -u
cd "$(dirname "$0")" || exit 1
TVMM=../../userspace/tvmm

echo "1..6"
if ! out=$($TVMM sensitive --json 2>&1); then
	echo "not ok 1 - tvmm sensitive --json runs"
	echo "$out" | sed 's/^/# /'
	exit 1
fi
echo "ok 1 - tvmm sensitive --json runs"
dot=$(mktemp)
trap 'rm -f "$dot" "$dot.dot"' EXIT
if ! $TVMM sensitive --chart "$dot.dot" >/dev/null 2>&1; then
	echo "# tvmm sensitive --chart $dot.dot failed"
fi
python3 - "$out" "$dot.dot" <<'PY'
import json, re, sys
rows = {r["insn"]: r for r in json.loads(sys.argv[1])}
try:
    dot = open(sys.argv[2]).read()
except OSError:
    dot = ""
n = 2
failed = 0
def ok(cond, name, detail=""):
    global n, failed
    print(("ok" if cond else "not ok") + " %d - %s" % (n, name))
    if not cond:
        print("# " + detail)
        failed += 1
    n += 1
ok(all(rows[i]["privileged"] for i in ("cli", "sti", "hlt", "in")),
   "cli, sti, hlt, in trap at ring 3", str({i: rows[i] for i in ("cli", "sti", "hlt", "in")}))
ok(not rows["popf"]["privileged"] and "silently ignored" in rows["popf"]["what"],
   "popf does not trap and leaves IF alone", str(rows["popf"]))
ok(not rows["pushf"]["privileged"] and "IF=1" in rows["pushf"]["what"]
   and all(i in rows for i in ("sgdt", "sidt", "sldt", "str", "smsw")),
   "pushf reveals the real IF; sgdt/sidt/sldt/str/smsw are probed", str(rows["pushf"]))
def region(node):
    m = re.search(r'\n\t%s \[[^\n]*label="([^"]*)"' % node, dot)
    return set(re.sub(r" \(UMIP\)$", "", x) for x in m.group(1).split("\\n")) if m else None
both, crescent = region("both"), region("unprivileged")
ok(both is not None and crescent is not None and "layout=neato" in dot,
   "--chart writes a Venn figure with the two regions", dot[:300])
want_both = {i for i, r in rows.items() if r["privileged"]}
want_crescent = {i for i, r in rows.items() if not r["privileged"]} or {"(none)"}
ok(both == want_both and crescent == want_crescent,
   "each instruction is drawn where its run put it",
   "overlap %s crescent %s; the runs: %s / %s" % (both, crescent, want_both, want_crescent))
sys.exit(1 if failed else 0)
PY
