#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The mutant catalogue: plausible wrong solutions of every lab TODO.

A mutant is what a student might really write: the reference solution of
one TODO(labNN.k) with a small, plausible mistake (a size off by one, the
wrong register, the step-over forgotten, a check left out, state kept in
a static). `make mutants` builds each one and grades it with its lab's
autograder; a mutant that earns full marks "survives", and a survivor
means the autograder would give full marks to that wrong solution.

Catalogue: tests/mutants/labNN.mutants, one file per lab:

    @@ lab05.1 in-keeps-rax
    # IN from a port with no device must read all ones; this keeps RAX.
    - vm->regs.rax |= mask;	/* nothing drives the bus */
    + ;

"@@ TODO NAME" opens a mutant (NAME unique within the TODO); "@@ TODO NAME
last" one that crashes or hangs the lab VM (an oops in rmmod, say): the
runner grades those last in a boot, as the boot ends with them. "# " lines
say which mistake it is (at least one, shown for survivors); "- " lines
are the solution lines to replace, "+ " lines what replaces them. A run of
"-" lines then a run of "+" lines is one hunk; a mutant may have several.
Lines are compared without their leading and trailing white space, and
the "-" run must occur exactly once in the *solution* part of the TODO's
block(s) (between "#ifdef CONFIG_TVMM_LABNN_SOLUTION" and "#else"), so a
mutant can never touch anything but the student's code, and an edit of
the solution that breaks a mutant is caught by `mutate.py check`. "+"
lines get the indentation of the first line they replace.

    mutate.py list [--lab NN] [--todo labNN.k] [--last]
                                                  ids, one per line (--last:
                                                  only those marked "last")
    mutate.py show ID                             the mutant as a diff
    mutate.py apply ID --tree DIR                 edit DIR's copy in place
    mutate.py check [--min N]                     every mutant applies, and
                                                  every TODO has >= N (5)
    mutate.py pick --seed S                       one mutant id per TODO
"""
import argparse
import difflib
import glob
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SOURCES = ("module/*.c", "userspace/*.c")


class Mutant:
    def __init__(self, todo, name, where, last=False):
        self.todo, self.name, self.where = todo, name, where
        self.last = last  # crashes the lab VM: grade it at the end of a boot
        self.why = []
        self.hunks = []  # [(old lines, new lines)]

    @property
    def id(self):
        return f"{self.todo}/{self.name}"

    @property
    def lab(self):
        return self.todo[3:5]


def parse(path):
    """All mutants of one catalogue file; raises ValueError on bad syntax."""
    mutants, m = [], None
    for n, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.rstrip("\n")
        where = f"{os.path.basename(path)}:{n}"
        if not line.strip():
            continue
        if line.startswith("@@ "):
            f = line[3:].split()
            if len(f) not in (2, 3) or not re.fullmatch(r"lab\d\d\.\d+", f[0]) or \
                    not re.fullmatch(r"[a-z0-9][a-z0-9-]*", f[1]) or f[2:] not in ([], ["last"]):
                raise ValueError(f"{where}: want '@@ labNN.k name-with-dashes [last]'")
            m = Mutant(f[0], f[1], where, last=f[2:] == ["last"])
            mutants.append(m)
        elif m is None:
            if not line.startswith("#"):
                raise ValueError(f"{where}: text before the first '@@'")
        elif line.startswith("#"):
            m.why.append(line[1:].strip())
        elif line[:1] in "-+" and (len(line) == 1 or line[1] == " "):
            text = line[2:]
            if line[0] == "-":
                if not m.hunks or m.hunks[-1][1]:
                    m.hunks.append(([], []))
                m.hunks[-1][0].append(text)
            else:
                if not m.hunks:
                    raise ValueError(f"{where}: '+' before any '-'")
                m.hunks[-1][1].append(text)
        else:
            raise ValueError(f"{where}: a line must start with '@@ ', '# ', '- ' or '+ '")
    for m in mutants:
        if not m.why:
            raise ValueError(f"{m.where}: {m.id} says nothing ('# ...') about its mistake")
        if not m.hunks:
            raise ValueError(f"{m.where}: {m.id} changes nothing")
    return mutants


def catalogue(lab=None, todo=None):
    ms = []
    for path in sorted(glob.glob(os.path.join(HERE, "lab*.mutants"))):
        ms.extend(parse(path))
    seen = set()
    for m in ms:
        if m.id in seen:
            raise ValueError(f"{m.where}: {m.id} defined twice")
        seen.add(m.id)
    if lab:
        ms = [m for m in ms if m.lab == lab.zfill(2)]
    if todo:
        ms = [m for m in ms if m.todo == todo]
    return ms


def todo_files(tree):
    """{todo id: [relative paths holding its BEGIN marker]} in TREE."""
    found = {}
    for pat in SOURCES:
        for path in sorted(glob.glob(os.path.join(tree, pat))):
            for t in re.findall(r"TODO\((lab\d\d\.\d+)\) BEGIN", open(path, encoding="utf-8").read()):
                rel = os.path.relpath(path, tree)
                found.setdefault(t, [])
                if rel not in found[t]:
                    found[t].append(rel)
    return found


def solution_ranges(lines, todo):
    """[(first, end)] line ranges of TODO's solution branches in LINES."""
    out, i = [], 0
    while i < len(lines):
        if f"TODO({todo}) BEGIN" in lines[i]:
            j = i
            while j < len(lines) and not re.match(r"\s*#ifdef CONFIG_TVMM_LAB\d\d_SOLUTION", lines[j]):
                j += 1
            k = j
            while k < len(lines) and lines[k].strip() not in ("#else", "#endif"):
                k += 1
            if k >= len(lines) or f"TODO({todo}) END" in "".join(lines[i:j]):
                raise ValueError(f"TODO({todo}): no #ifdef ... #else solution branch")
            out.append((j + 1, k))
            i = k
        i += 1
    return out


def find(lines, ranges, old):
    """Start indexes where the stripped OLD lines match inside RANGES."""
    want = [s.strip() for s in old]
    hits = []
    for first, end in ranges:
        for s in range(first, end - len(want) + 1):
            if all(lines[s + k].strip() == want[k] for k in range(len(want))):
                hits.append(s)
    return hits


def mutate(tree, m):
    """(path, original text, mutated text) of M applied to TREE; ValueError if it does not apply."""
    files = todo_files(tree).get(m.todo)
    if not files:
        raise ValueError(f"{m.id}: no TODO({m.todo}) BEGIN in {tree}")
    for rel in files:
        path = os.path.join(tree, rel)
        orig = open(path, encoding="utf-8").read()
        lines = orig.split("\n")
        ranges = solution_ranges(lines, m.todo)
        spots = [find(lines, ranges, old) for old, _ in m.hunks]
        if all(len(h) == 0 for h in spots):
            continue
        for (old, _), h in zip(m.hunks, spots):
            if len(h) != 1:
                raise ValueError(f"{m.where}: {m.id}: '{old[0].strip()}' found {len(h)} times "
                                 f"in TODO({m.todo})'s solution in {rel} (want exactly once)")
        # apply from the bottom so earlier indexes stay valid
        for (old, new), s in sorted(zip(m.hunks, [h[0] for h in spots]), key=lambda x: -x[1]):
            indent = re.match(r"\s*", lines[s]).group(0)
            lines[s:s + len(old)] = [indent + t.strip() for t in new]
        text = "\n".join(lines)
        if text == orig:
            raise ValueError(f"{m.where}: {m.id} leaves {rel} unchanged")
        return rel, orig, text
    raise ValueError(f"{m.where}: {m.id}: '{m.hunks[0][0][0].strip()}' not found in "
                     f"TODO({m.todo})'s solution ({', '.join(files)})")


def cmd_list(a):
    for m in catalogue(a.lab, a.todo):
        if m.last or not a.last:
            print(m.id)


def cmd_show(a):
    m = by_id(a.id)
    rel, orig, text = mutate(a.tree, m)
    print("\n".join("# " + w for w in m.why))
    sys.stdout.writelines(difflib.unified_diff(orig.splitlines(True), text.splitlines(True),
                                               "a/" + rel, "b/" + rel, n=2))


def cmd_apply(a):
    m = by_id(a.id)
    rel, _, text = mutate(a.tree, m)
    open(os.path.join(a.tree, rel), "w", encoding="utf-8").write(text)
    print(rel)


def cmd_check(a):
    problems = 0
    ms = catalogue()
    todos = todo_files(a.tree)
    for m in ms:
        try:
            mutate(a.tree, m)
        except ValueError as e:
            print(f"not applicable: {e}")
            problems += 1
    for t in sorted(todos):
        n = sum(1 for m in ms if m.todo == t)
        if n < a.min:
            print(f"too few: TODO({t}) has {n} mutants, want at least {a.min}")
            problems += 1
    for t in sorted({m.todo for m in ms} - set(todos)):
        print(f"stale: mutants of TODO({t}), which the tree no longer has")
        problems += 1
    print(f"mutate.py check: {len(ms)} mutants of {len(todos)} TODOs, {problems} problems")
    return 1 if problems else 0


def cmd_pick(a):
    rng = random.Random(a.seed)
    ms = catalogue(a.lab)
    for t in sorted({m.todo for m in ms}, key=lambda s: [int(x) for x in s[3:].split(".")]):
        print(rng.choice([m for m in ms if m.todo == t]).id)


def by_id(mid):
    for m in catalogue():
        if m.id == mid:
            return m
    raise SystemExit(f"mutate.py: no mutant '{mid}' (mutate.py list)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("list")
    p.add_argument("--lab")
    p.add_argument("--todo")
    p.add_argument("--last", action="store_true", help='only the mutants marked "last"')
    p.set_defaults(fn=cmd_list)
    for name, fn in (("show", cmd_show), ("apply", cmd_apply)):
        p = sub.add_parser(name)
        p.add_argument("id")
        p.add_argument("--tree", default=ROOT)
        p.set_defaults(fn=fn)
    p = sub.add_parser("check")
    p.add_argument("--tree", default=ROOT)
    p.add_argument("--min", type=int, default=5)
    p.set_defaults(fn=cmd_check)
    p = sub.add_parser("pick")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--lab")
    p.set_defaults(fn=cmd_pick)
    a = ap.parse_args()
    if a.cmd == "apply" and os.path.realpath(a.tree) == os.path.realpath(ROOT):
        raise SystemExit("mutate.py apply: give --tree, a scratch copy (never the source tree)")
    try:
        return a.fn(a) or 0
    except ValueError as e:
        print(f"mutate.py: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
