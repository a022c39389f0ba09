#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Lab 00's autograder: the student's answers against this host's facts.

    lab00.py ANSWERS_FILE TVMM_BINARY   (prints KTAP; tests/grade/grade.sh)
    lab00.py ANSWERS_FILE --json FILE   (the table from FILE: host tests)

`tvmm sensitive --json` runs each sensitive instruction at ring 3 on this
machine and says which ones trap (privileged) and which do not. The student
lists, under "## Sensitive instructions that did not trap at ring 3", the
ones that did not. One KTAP case per instruction of the table, one for the
file and its heading, one for names that are no instruction of the table.

The rows that are the same on every x86-64 Linux host (CLI, STI, HLT and IN
trap; POPF, PUSHF and MOV from CS do not) must match. SGDT, SIDT, SLDT,
STR and SMSW depend on UMIP: with it they trap and Linux emulates them
with dummy values, so the process sees no signal. For those rows either
answer is accepted when the Observations section explains it (names
UMIP); without that, the answer must match what the tool measured here.
"""
import json
import re
import subprocess
import sys

HEADING = "## Sensitive instructions that did not trap at ring 3"
OBSERVATIONS = "## Observations"
UMIP_ROWS = ("sgdt", "sidt", "sldt", "str", "smsw")


def norm(name):
    return re.sub(r"\s+", " ", name.strip().strip("`").lower())


def listed(path):
    """The names under HEADING, or None if the file or heading is missing."""
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        return None
    try:
        start = next(i for i, l in enumerate(lines) if l.strip() == HEADING)
    except StopIteration:
        return None
    names = []
    for line in lines[start + 1:]:
        if line.startswith("## "):
            break
        m = re.match(r"^\s*[-*]\s+(.+?)\s*$", line)
        if m:
            names.append(norm(m.group(1)))
    return names


def explains_umip(path):
    """Does the Observations section say something about UMIP?"""
    try:
        text = open(path, encoding="utf-8").read()
    except OSError:
        return False
    if OBSERVATIONS not in text:
        return False
    return re.search(r"\bumip\b", text.split(OBSERVATIONS, 1)[1], re.I) is not None


def main(argv):
    if len(argv) == 4 and argv[2] == "--json":
        with open(argv[3], encoding="utf-8") as f:
            rows = json.load(f)
    elif len(argv) == 3:
        rows = json.loads(subprocess.run([argv[2], "sensitive", "--json"], check=True,
                                         capture_output=True, text=True).stdout)
    else:
        print("usage: lab00.py ANSWERS_FILE TVMM_BINARY | ANSWERS_FILE --json FILE",
              file=sys.stderr)
        return 2
    answers = argv[1]
    names = listed(answers)
    umip_ok = explains_umip(answers)
    cases = []
    cases.append(("answers_file_has_the_section", names is not None,
                  f"{answers} must exist and contain the line '{HEADING}'"))
    names = names or []
    table = {norm(r["insn"]): r for r in rows}
    for key, row in table.items():
        want = not row["privileged"]
        got = key in names
        what = "did not trap: list it" if want else "trapped: do not list it"
        ok = want == got
        if key in UMIP_ROWS and not ok:
            ok = umip_ok
            what += (" (or explain under '## Observations' how UMIP decides this row"
                     " on a host, and either answer is right)")
        cases.append((f"classifies_{re.sub(r'[^a-z0-9]+', '_', key).strip('_')}",
                      ok, f"{row['insn']} {what} ({row['what']})"))
    unknown = [n for n in names if n not in table]
    cases.append(("no_unknown_names", not unknown,
                  "not in the table of `tvmm sensitive`: " + ", ".join(unknown)))

    print("KTAP version 1")
    print("# lab00: answers", answers, "against `tvmm sensitive --json` on this host")
    print(f"1..{len(cases)}")
    for i, (name, ok, why) in enumerate(cases, 1):
        if not ok:
            print(f"# {why}")
        print(f"{'ok' if ok else 'not ok'} {i} lab00.{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
