#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Play the student: fill one TODO of a handout file (grade-all's tests).

    fill_todo.py HANDOUT_FILE TODO --from INSTRUCTOR_FILE
    fill_todo.py HANDOUT_FILE TODO --code 'C statements'

Replaces the stub between the end of TODO's "BEGIN" comment and its
"/* TODO(...) END */" line with the instructor's solution for that TODO
(the #ifdef branch of the same block in INSTRUCTOR_FILE), or with CODE.
"""
import argparse
import re
import sys


def block(lines, todo):
    """(first line after the BEGIN comment, index of the END line)."""
    begin = next(i for i, l in enumerate(lines) if f"TODO({todo}) BEGIN" in l)
    start = next(i for i in range(begin, len(lines)) if lines[i].rstrip().endswith("*/")) + 1
    end = next(i for i in range(start, len(lines)) if f"TODO({todo}) END" in lines[i])
    return start, end


def solution(lines, todo):
    start, end = block(lines, todo)
    body = lines[start:end]
    assert re.match(r"#ifdef CONFIG_TVMM_LAB\d+_SOLUTION", body[0].strip()), body[0]
    els = next(i for i, l in enumerate(body) if l.strip() == "#else")
    return body[1:els]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("todo")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--from", dest="src")
    g.add_argument("--code")
    a = ap.parse_args()
    lines = open(a.file).read().split("\n")
    start, end = block(lines, a.todo)
    if a.src:
        new = solution(open(a.src).read().split("\n"), a.todo)
    else:
        new = ["\t" + l for l in a.code.split("\n")]
    lines[start:end] = new
    open(a.file, "w").write("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
