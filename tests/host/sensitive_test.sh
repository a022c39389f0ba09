#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sensitive_test.sh - `tvmm sensitive` (lab 00) reports the x86 facts the
# notes build on, on whatever x86-64 machine runs it: CLI, STI, HLT and IN
# trap at ring 3; POPF silently ignores a change of IF; PUSHF shows the
# real IF = 1. (SGDT/SIDT/SMSW trap or not depending on UMIP: either
# answer is right, so only their presence is checked.) Prints TAP.
set -u
cd "$(dirname "$0")" || exit 1
TVMM=../../userspace/tvmm

echo "1..4"
if ! out=$($TVMM sensitive --json 2>&1); then
	echo "not ok 1 - tvmm sensitive --json runs"
	echo "$out" | sed 's/^/# /'
	exit 1
fi
echo "ok 1 - tvmm sensitive --json runs"
python3 - "$out" <<'PY'
import json, sys
rows = {r["insn"]: r for r in json.loads(sys.argv[1])}
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
sys.exit(1 if failed else 0)
PY
