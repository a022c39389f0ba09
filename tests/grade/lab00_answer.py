#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Play the student of lab 00 (the tests of grading and CI use it).

    lab00_answer.py ANSWERS_FILE TOOL [--leave-out INSN]

Writes the right list into a lab 00 answers file: every row of
`TOOL sensitive --json` that did not trap at ring 3 (but INSN, for a
partly right answer), under the file's heading.
"""
import argparse
import json
import subprocess

HEAD = "## Sensitive instructions that did not trap at ring 3\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("answers")
    ap.add_argument("tool")
    ap.add_argument("--leave-out", default="")
    a = ap.parse_args()
    rows = json.loads(subprocess.run([a.tool, "sensitive", "--json"], check=True,
                                     capture_output=True, text=True).stdout)
    names = [r["insn"] for r in rows
             if not r["privileged"] and r["insn"].upper() != a.leave_out.upper()]
    with open(a.answers, encoding="utf-8") as f:
        text = f.read()
    assert HEAD in text, f"{a.answers} has no heading '{HEAD.strip()}'"
    with open(a.answers, "w", encoding="utf-8") as f:
        f.write(text.replace(HEAD, HEAD + "".join(f"- {n}\n" for n in names)))


if __name__ == "__main__":
    main()
