#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn a lab's KTAP into a student's grade report (tests/grade/grade.sh).

    report.py --lab NN [--tests FILE] [--hints FILE]... [--level 1|2|3]
              [--seed S] [--json OUT] [--seconds S] KTAP

Prints one line per test (PASS / FAIL / SKIP) with the points it earned
for which TODO (the lab's `tests` file, tests/grade/points.py), and under
each failure the assertion the test printed; then the points per TODO,
with the hints of every TODO not yet complete up to --level (the `hints`
file: "labNN.k concept: ..." is level 1, the idea and the SDM section;
"labNN.k where: ..." level 2, where in the code; "fixture.test: ..."
level 3, the behaviour that test checks, shown under the failed test).
Ends with "score: E/T points (X%)". Without a tests file every passing
test is one point. A skipped test earns nothing: it proved nothing. Exit
status 0 only if every test passed.
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import ktap  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import points  # noqa: E402

GENERIC = {
    "kernel_clean": "the kernel logged a WARNING, BUG or Oops during the tests: "
                    "`dmesg` in `make labvm-shell` shows where (your code or a stub "
                    "misused a kernel API)",
    "labvm_build": "the tree did not build: see build/grade/labNN.log "
                   "(`make module userspace` shows the same errors)",
    "end_marker": "the lab VM hung or crashed: look at build/labvm/serial.log "
                  "for an Oops and its call trace",
}
_RUN = re.compile(r"^#\s+RUN\s+(\S+)\s+\.\.\.")
_END = re.compile(r"^#\s+(OK|FAIL|SKIP)\s+(\S+)")
_RESULT = re.compile(r"^not ok \d+ (\S+)")


TIERS = {"concept": 1, "where": 2}


def read_hints(paths):
    """(test hints {case: text}, TODO hints {(todo, level): text}) of the
    hints files in order (a later file's line replaces an earlier one's)."""
    hints, todo_hints = {}, {}
    for path in paths or []:
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("#") or ":" not in line:
                    continue
                key, hint = line.split(":", 1)
                words = key.split()
                if len(words) == 2 and words[1] in TIERS:
                    todo_hints[(words[0], TIERS[words[1]])] = hint.strip()
                else:
                    hints[key.strip()] = hint.strip()
    return hints, todo_hints


def diagnostics(text):
    """test name -> the lines its harness printed between RUN and OK/FAIL."""
    out, cur, comments = {}, None, []
    for raw in text.splitlines():
        line = raw
        while line.startswith("# # "):     # nested prefixes: keep the inner
            line = line[2:]
        m = _RESULT.match(line)
        if m:     # a plain TAP case: the comments just before it are its output
            out.setdefault(m.group(1), comments)
            out.setdefault(m.group(1).split(".", 1)[-1], comments)
            comments = []
            continue
        if re.match(r"^1\.\.\d+", line):
            comments = []
        if line.startswith("# ") and cur is None:
            comments.append(line[2:].strip())
        m = _RUN.match(line)
        if m:
            cur = m.group(1)
            out[cur] = []
            continue
        if _END.match(line):
            cur = None
            continue
        if cur is not None and line.startswith("# "):
            body = line[2:].strip()
            if body:
                out[cur].append(body)
    return out


def pick(lines):
    """The lines worth showing: failed assertions and the log line after
    each (TH_LOG's why), TODO messages; else the first three."""
    out = []
    for i, line in enumerate(lines):
        if "Expected" in line or "TODO(" in line or "hint" in line.lower():
            out.append(line)
            if "Expected" in line and i + 1 < len(lines) and "Expected" not in lines[i + 1]:
                out.append(lines[i + 1])
    return out[:5] or lines[:3]


def hint_for(name, hints):
    """Longest hints key that the leaf name ends with, then generic ones."""
    best = None
    for key in hints:
        if name == key or name.endswith("." + key):
            if best is None or len(key) > len(best):
                best = key
    if best:
        return hints[best]
    for key, hint in GENERIC.items():
        if name.endswith(key):
            return hint
    return ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lab", required=True)
    ap.add_argument("--hints", action="append",
                    help="a hints file; repeat it to add or replace hints "
                         "(make grade HINTS_LANG=it: the lab's hints.it, labs/hints.it)")
    ap.add_argument("--tests")
    ap.add_argument("--level", type=int, default=1, choices=(1, 2, 3))
    ap.add_argument("--seed", default="0")
    ap.add_argument("--json")
    ap.add_argument("--seconds", type=int, default=0)
    ap.add_argument("ktap")
    a = ap.parse_args()

    text = open(a.ktap, encoding="utf-8", errors="replace").read() \
        if os.path.exists(a.ktap) else ""
    leaves = ktap.summarize_text(text, f"lab{a.lab}")
    hints, todo_hints = read_hints(a.hints)
    diags = diagnostics(text)
    table = points.load(a.tests) if a.tests and os.path.exists(a.tests) else None
    results, statuses = [], {}
    for leaf in leaves:
        case = points.case_of(leaf.name, table) if table else None
        statuses[case or leaf.name.split(".")[-1]] = leaf.status
    sc = points.score(table, statuses) if table else None
    for leaf in leaves:
        short = leaf.name.split(".", 1)[1] if "." in leaf.name else leaf.name
        case = points.case_of(leaf.name, table) if table else None
        entry = {"test": leaf.name, "status": leaf.status, "reason": leaf.reason}
        note = ""
        if table and case in table.cases:
            c = table.cases[case]
            if c.check:
                note = "  (check: passes with the stubs, no points" + \
                    (f"; guards {' '.join(c.todos)})" if c.todos else ")")
                entry["check"] = True
            else:
                got = {t: (p if leaf.status == "PASS" and t not in sc["withheld"] else 0)
                       for t, p in c.points.items()}
                note = "  (" + ", ".join(f"{t} {got[t]}/{p}" for t, p in c.points.items()) + ")"
                entry["points"] = {t: {"earned": got[t], "of": p} for t, p in c.points.items()}
        print(f"  {leaf.status:4} {leaf.name}" + (f"  [{leaf.reason}]" if leaf.reason and leaf.status != "PASS" else "") + note)
        if leaf.status != "PASS":
            why = pick(diags.get(short, []))
            for line in why:
                print(f"         | {line}")
            h = hint_for(leaf.name, hints).replace("NN", a.lab)
            generic = any(leaf.name.endswith(k) for k in GENERIC)
            if h and (a.level >= 3 or generic or not todo_hints):
                print(f"         hint: {h}")
            entry["hint"] = h
            entry["output"] = why
        results.append(entry)
    stubs = sorted({l.split("# stub: ", 1)[1].strip() for l in text.splitlines()
                    if l.startswith("# stub: ")})
    if stubs:
        print("  lab stubs that ran (dmesg): the failures above start there")
        for s in stubs:
            print(f"         {s}")
    passed, failed, skipped = ktap.count(leaves)
    total = len(leaves)
    todos = {}
    if sc:
        earned, out_of = sc["earned"], sc["total"]
        print("  points per TODO:")
        for t, v in sc["todos"].items():
            missing = [f"{c['case']} ({c['points']})" for c in v["cases"] if not c["earned"]]
            print(f"    {t:9} {v['earned']:>3}/{v['total']:<3}" +
                  (f"  not yet: {', '.join(missing)}" if missing else "  complete"))
            if t in sc["withheld"]:
                print(f"              withheld: a check failed ({', '.join(sc['withheld'][t])}):"
                      " your code broke what worked with the stubs")
            shown = {}
            if v["earned"] < v["total"]:
                for level in range(1, min(a.level, 2) + 1):
                    h = todo_hints.get((t, level))
                    if h:
                        shown[level] = h
                        print(f"              hint {level}: {h}")
            todos[t] = {"earned": v["earned"], "total": v["total"], "cases": v["cases"],
                        "withheld_by": sc["withheld"].get(t, []), "hints": shown}
        if a.level < 3 and failed:
            print(f"  more hints: make grade LAB={a.lab} HINTS={min(a.level + 1, 3)} "
                  "(1: the concept, 2: where in the code, 3: what each failed test checks)")
    else:
        earned, out_of = passed, total
    pct = 100.0 * earned / out_of if out_of else 0.0
    print(f"score: {earned}/{out_of} points ({pct:.0f}%)  lab {a.lab}, tests {passed}/{total} "
          f"passed, {failed} failed, {skipped} skipped, seed {a.seed}, {a.seconds} s")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"lab": a.lab, "passed": passed, "failed": failed,
                       "skipped": skipped, "total": total, "points": earned,
                       "points_total": out_of, "score": round(pct, 1), "seed": a.seed,
                       "seconds": a.seconds, "stubs": stubs, "todos": todos,
                       "tests": results}, f, indent=1)
    return 0 if total and passed == total else 1


if __name__ == "__main__":
    sys.exit(main())
