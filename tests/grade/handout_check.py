#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Prove a handout holds none of the solutions it is meant to strip.

    handout_check.py INSTRUCTOR_TREE HANDOUT_TREE NN [NN...]

For each stripped lab NN, every line inside an `#ifdef
CONFIG_TVMM_LABNN_SOLUTION` block of the instructor's tree that is
distinctive (16 characters or more, and found nowhere else in the
instructor's tree outside such blocks) must appear in no file of the
handout. Also: no CONFIG_TVMM_LABNN_SOLUTION left in code, no .git, no
build products, no .config, no instructor guide, no mutant catalogue. Prints what it found;
exit status 1 on any of it.
"""
import os
import re
import subprocess
import sys

CODE = re.compile(r"\.(c|h|S)$|(^|/)(Kconfig|Kbuild|Makefile)$")
BUILD = re.compile(r"\.(o|ko|mod|mod\.c|cmd|a)$")


def tracked(root):
    out = subprocess.run(["git", "-C", root, "ls-files", "-z"], check=True,
                         capture_output=True).stdout.decode()
    return [p for p in out.split("\0") if p]


def text(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError):
        return None


def solution_lines(body, nn):
    """Lines inside #ifdef CONFIG_TVMM_LABnn_SOLUTION ... #else/#endif."""
    inside, depth, out, rest = False, 0, [], []
    for line in body.splitlines():
        s = line.strip()
        if not inside and s == f"#ifdef CONFIG_TVMM_LAB{nn}_SOLUTION":
            inside, depth = True, 0
            continue
        if inside:
            if s.startswith("#if"):
                depth += 1
            elif s.startswith("#endif") or (s.startswith("#else") and depth == 0):
                if depth == 0:
                    inside = False
                    continue
                if s.startswith("#endif"):
                    depth -= 1
            out.append(s)
        else:
            rest.append(s)
    return out, rest


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    root, hand, labs = argv[1], argv[2], argv[3:]
    problems = []
    files = {p: text(os.path.join(root, p)) for p in tracked(root)}
    files = {p: t for p, t in files.items() if t is not None}
    hand_files = {}
    for d, dirs, names in os.walk(hand):
        if ".git" in dirs:
            problems.append(f"{os.path.relpath(d, hand)}/.git: history in the handout")
            dirs.remove(".git")
        for n in names:
            p = os.path.relpath(os.path.join(d, n), hand)
            if BUILD.search(p) or p == ".config":
                problems.append(f"{p}: a build product or config in the handout")
            t = text(os.path.join(d, n))
            if t is not None:
                hand_files[p] = t
    # the guides' places hold a short note (handout.sh): none of their lines
    for guide in ("docs/instructor-guide.md", "docs/instructor-guide.it.md"):
        if guide in hand_files:
            real = {l.strip() for l in (files.get(guide) or "").splitlines() if len(l.strip()) > 30}
            if real & {l.strip() for l in hand_files[guide].splitlines()}:
                problems.append(f"{guide}: the answers are in the handout")
    for p in sorted(hand_files):
        if re.fullmatch(r"tests/mutants/lab\d+\.mutants", p):
            problems.append(f"{p}: the mutant catalogue (edits of the solutions) is in the handout")

    checked = 0
    for nn in labs:
        sol, outside = [], []
        for p, t in files.items():
            if CODE.search(p):
                s, r = solution_lines(t, nn)
                sol += s
                outside += r
            else:
                outside += [l.strip() for l in t.splitlines()]
        outside = set(outside)
        distinct = {l for l in sol if len(l) >= 16 and l not in outside}
        if not sol:
            problems.append(f"lab {nn}: no solution block found in the instructor's tree")
        checked += len(distinct)
        sym = f"CONFIG_TVMM_LAB{nn}_SOLUTION"
        for p, t in hand_files.items():
            lines = {l.strip() for l in t.splitlines()}
            for l in sorted(distinct & lines):
                problems.append(f"{p}: lab {nn} solution line left: {l}")
            if CODE.search(p) and sym in t:
                problems.append(f"{p}: still mentions {sym}")
    for p in problems:
        print(f"handout_check: {p}")
    print(f"handout_check: labs {' '.join(labs)}: {checked} distinctive solution lines, "
          f"{len(hand_files)} files searched, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
