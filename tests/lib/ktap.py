#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parse KTAP / TAP 13 documents and count their leaf results.

Handles what the kselftest runner and kselftest_harness.h print: a top-level
document whose test programs' own output is nested, indented with "# " (the
runner's prefix) or with spaces (KTAP subtests), e.g.

    KTAP version 1
    1..2
    # selftests: tvmm: caps_test
    # TAP version 13
    # 1..2
    # ok 1 caps.basic
    # not ok 2 caps.msr
    not ok 1 selftests: tvmm: caps_test
    ok 2 selftests: tvmm: kernel_clean

Counting rules (the leaves are what `make check` reports):
  * a program's own cases count one by one (ok / not ok / ok # SKIP);
  * a top-level result whose program printed no cases counts as one result;
  * a program that printed cases, all passing or skipped, but whose own line
    is "not ok" (crashed after its cases, bad exit code) adds one failure;
  * a plan (1..N) with fewer results than N adds one failure per missing
    result ("missing"); a document with no plan and no result is a failure;
  * a document that has a TVMM-KTAP-BEGIN marker but no TVMM-KTAP-END adds
    a failure.

CLI:
    ktap.py summarize [--quiet] FILE...   ("-" reads stdin)
prints "PASS/FAIL/SKIP suite.case [reason]" per leaf and a final line
"N passed, N failed, N skipped"; exits 1 on any failure. --quiet prints
only the final line; -q -q prints nothing (exit status only).
"""

import re
import sys
from dataclasses import dataclass, field
from typing import List, Optional

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"

_RESULT = re.compile(
    r"^(?P<ok>ok|not ok)\b\s*(?P<num>\d+)?\s*(?:-\s*)?(?P<desc>[^#]*?)\s*"
    r"(?:#\s*(?P<directive>.*))?$")
_PLAN = re.compile(r"^1\.\.(?P<n>\d+)\s*(?:#\s*(?P<reason>.*))?$")
_VERSION = re.compile(r"^(?:KTAP|TAP) version \d+")
_BAIL = re.compile(r"^Bail out!\s*(?P<reason>.*)$")
_HARNESS_RUN = re.compile(r"^\s*RUN\s+(?P<name>\S+)\s+\.\.\.\s*$")
_SELFTEST_NAME = re.compile(r"^selftests:\s*(?P<suite>[^:]+):\s*(?P<name>.+)$")

BEGIN_MARKER = "TVMM-KTAP-BEGIN"
END_MARKER = "TVMM-KTAP-END"


@dataclass
class Leaf:
    status: str          # PASS / FAIL / SKIP
    name: str            # "suite.case"
    reason: str = ""

    def line(self) -> str:
        return f"{self.status} {self.name}" + (f" [{self.reason}]" if self.reason else "")


@dataclass
class Result:
    ok: bool
    num: Optional[int]
    desc: str
    directive: str
    children: "Node"

    @property
    def skip(self) -> bool:
        return self.directive.upper().startswith("SKIP")

    @property
    def todo(self) -> bool:
        return self.directive.upper().startswith("TODO")


@dataclass
class Node:
    """One (sub)document: an optional plan and its results, in order."""
    plan: Optional[int] = None
    plan_skip: str = ""
    results: List[Result] = field(default_factory=list)
    bail: Optional[str] = None
    lines: int = 0       # how many TAP lines (plan/result/version) it had
    trailing: Optional["Node"] = None   # nested output after the last result
    trailing_name: str = "unfinished"


def _strip_prefix(line: str):
    """Split one indentation level: '# ' (kselftest runner) or spaces.

    Returns (level_removed, rest) or (False, line) when not indented.
    """
    if line.startswith("# "):
        return True, line[2:]
    if line == "#":
        return True, ""
    if line.startswith("    "):
        return True, line[4:]
    if line.startswith("  "):
        return True, line[2:]
    return False, line


def parse(lines: List[str]) -> Node:
    """Parse a list of lines (one document level) into a Node tree."""
    node = Node()
    pending: List[str] = []   # nested lines since the previous result
    for raw in lines:
        line = raw.rstrip("\r\n")
        nested, rest = _strip_prefix(line)
        if nested:
            pending.append(rest)
            continue
        s = line.strip()
        m = _RESULT.match(s)
        if m:
            node.lines += 1
            desc = m.group("desc").strip()
            if not desc:
                # 6.1's kselftest_harness prints "ok 4 # SKIP reason" with
                # no name: take it from its "#  RUN  fixture.name ..." line
                for p in reversed(pending):
                    r = _HARNESS_RUN.match(p)
                    if r:
                        desc = r.group("name")
                        break
            child = parse(pending)
            pending = []
            node.results.append(Result(
                ok=m.group("ok") == "ok",
                num=int(m.group("num")) if m.group("num") else None,
                desc=desc,
                directive=(m.group("directive") or "").strip(),
                children=child))
            continue
        m = _PLAN.match(s)
        if m:
            node.lines += 1
            node.plan = int(m.group("n"))
            if m.group("reason") and m.group("reason").upper().startswith("SKIP"):
                node.plan_skip = m.group("reason")
            continue
        if _VERSION.match(s):
            node.lines += 1
            continue
        m = _BAIL.match(s)
        if m:
            node.bail = m.group("reason") or "bail out"
            continue
        # a "# comment" at this level, or unrelated output: ignore
    if pending:
        # output of a program whose result line never came (VM died)
        tail = parse(pending)
        if tail.results or tail.plan is not None:
            node.trailing = tail
            for p in pending:   # the runner names the program it started
                m = _SELFTEST_NAME.match(p.strip())
                if m:
                    node.trailing_name = m.group("name").strip()
    return node


def _case_name(prefix: str, desc: str, num: Optional[int]) -> str:
    m = _SELFTEST_NAME.match(desc)
    if m:   # "selftests: tvmm: caps_test" -> "caps_test"
        desc = m.group("name").strip()
    if not desc:
        desc = f"test{num}" if num is not None else "test"
    return f"{prefix}.{desc}" if prefix else desc


def _reason(directive: str) -> str:
    d = directive.strip()
    for word in ("SKIP", "skip", "Skip", "TODO", "todo"):
        if d.startswith(word):
            return d[len(word):].strip()
    return d


def leaves(node: Node, prefix: str = "") -> List[Leaf]:
    """Flatten a Node into leaf results, applying the counting rules."""
    out: List[Leaf] = []
    for r in node.results:
        name = _case_name(prefix, r.desc, r.num)
        kids = r.children
        if kids.results:
            sub = leaves(kids, name)
            out.extend(sub)
            if not r.ok and not r.todo and all(l.status != FAIL for l in sub):
                why = _reason(r.directive) or "program failed after its cases"
                out.append(Leaf(FAIL, name, why))
        elif kids.plan is not None and kids.plan > 0 and not kids.plan_skip:
            # it planned cases but printed none (crashed at once)
            if r.ok and not r.skip:
                out.append(Leaf(FAIL, name, f"planned {kids.plan} cases, printed none"))
            else:
                out.extend(_single(r, name))
        else:
            out.extend(_single(r, name))
    if node.plan is not None and len(node.results) < node.plan and not node.plan_skip:
        for i in range(len(node.results) + 1, node.plan + 1):
            out.append(Leaf(FAIL, f"{prefix}.missing{i}" if prefix else f"missing{i}",
                            f"plan 1..{node.plan} but only {len(node.results)} results"))
    if node.bail is not None:
        out.append(Leaf(FAIL, f"{prefix}.bail" if prefix else "bail", node.bail))
    if node.trailing is not None:
        # counted case by case; the missing result line itself is a failure
        # already when a plan announced it
        tn = node.trailing_name
        name = f"{prefix}.{tn}" if prefix else tn
        out.extend(leaves(node.trailing, name))
        if node.plan is None or len(node.results) >= node.plan:
            out.append(Leaf(FAIL, name, "no result line after its output"))
    return out


def _single(r: Result, name: str) -> List[Leaf]:
    if r.skip:
        return [Leaf(SKIP, name, _reason(r.directive))]
    if r.ok or r.todo:
        return [Leaf(PASS, name)]
    return [Leaf(FAIL, name, r.directive)]


def summarize_text(text: str, source: str = "") -> List[Leaf]:
    """Leaves of one document (a whole file or stdin)."""
    lines = text.splitlines()
    label = source or "input"
    marker_fail = []
    if any(l.strip() == BEGIN_MARKER for l in lines):
        begin = next(i for i, l in enumerate(lines) if l.strip() == BEGIN_MARKER)
        end = next((i for i, l in enumerate(lines) if l.strip() == END_MARKER), None)
        if end is None:
            marker_fail.append(Leaf(FAIL, f"{label}.end_marker",
                                    f"no {END_MARKER}: VM hung or crashed"))
            lines = lines[begin + 1:]
        else:
            lines = lines[begin + 1:end]
    node = parse(lines)
    out = leaves(node)
    if node.lines == 0 and not node.results:
        out.append(Leaf(FAIL, f"{label}.no_tap", "no TAP/KTAP output"))
    elif node.plan is None and not node.results:
        out.append(Leaf(FAIL, f"{label}.no_results", "no plan and no results"))
    return out + marker_fail


def count(leaves_: List[Leaf]):
    p = sum(1 for l in leaves_ if l.status == PASS)
    f = sum(1 for l in leaves_ if l.status == FAIL)
    s = sum(1 for l in leaves_ if l.status == SKIP)
    return p, f, s


def main(argv: List[str]) -> int:
    if len(argv) < 2 or argv[1] not in ("summarize",) or len(argv) < 3:
        print("usage: ktap.py summarize [--quiet] FILE...   ('-' = stdin)",
              file=sys.stderr)
        return 2
    quiet = 0
    files = []
    for a in argv[2:]:
        if a in ("-q", "--quiet"):
            quiet += 1
        else:
            files.append(a)
    if not files:
        print("ktap.py: no input files", file=sys.stderr)
        return 2
    all_leaves: List[Leaf] = []
    for f in files:
        if f == "-":
            text, src = sys.stdin.read(), "stdin"
        else:
            try:
                with open(f, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
            except OSError as e:
                print(f"ktap.py: {e}", file=sys.stderr)
                all_leaves.append(Leaf(FAIL, f, "cannot read"))
                continue
            src = f
        all_leaves.extend(summarize_text(text, src))
    p, fl, s = count(all_leaves)
    if quiet == 0:
        for l in all_leaves:
            print(l.line())
    if quiet < 2:
        print(f"{p} passed, {fl} failed, {s} skipped")
    return 1 if fl else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
