#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A lab's points: which test case earns how much for which TODO.

A lab's `tests` file (labs/labNN-topic/tests) has three kinds of lines:

    run_test                                   a kselftest program to run
    run.hello_console_and_exits lab05.1=2      a case worth 2 points for TODO lab05.1
    run.stats_match_records lab05.1 lab05.2    1 point each (=1 is the default)
    run.spin_stopped_by_max_exits check        passes with the lab's stubs: no points
    run.msr_and_cr_exits check lab05.1         ... and failing it withholds lab05.1's points

A case worth points must FAIL with the lab's stubs in place (a blank
submission earns nothing); a `check` case does not fail with them (it
tests what earlier labs built, or that the student's code breaks nothing).
tests/grade/stages.sh proves both in one lab VM boot, and that the
solution earns every point. A failed check withholds the points of the
TODOs it names (all of the lab's when it names none): a submission that
breaks what already worked does not keep the points it earned elsewhere.
Cases the file does not name earn nothing; `kernel_clean` (the lab VM's
dmesg has no WARNING/BUG/Oops) is an implicit check on the whole lab.

    points.py score TESTS RESULTS         RESULTS: "STATUS CASE" lines -> report
    points.py verify NN TESTS STUB UPTO TODOS   the stages proof (exit 1 if false)
    points.py full NN TESTS RESULTS       full marks? (a seeded run; exit 1 if not)
"""
import json
import re
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional

_TODO = re.compile(r"^lab(\d\d)\.(\d+)(?:=(\d+))?$")
PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"
IMPLICIT_CHECKS = ("kernel_clean",)


@dataclass
class Case:
    name: str                      # "fixture.test"
    points: Dict[str, int]         # "lab05.1" -> points (empty for a check)
    check: bool = False
    todos: List[str] = field(default_factory=list)   # a check's TODOs


@dataclass
class Table:
    programs: List[str]
    cases: Dict[str, Case]

    def todos(self) -> List[str]:
        out = []
        for c in self.cases.values():
            for t in list(c.points) + c.todos:
                if t not in out:
                    out.append(t)
        return sorted(out, key=lambda t: (t.split(".")[0], int(t.split(".")[1])))

    def total(self) -> int:
        return sum(sum(c.points.values()) for c in self.cases.values())


def parse(text: str, where: str = "tests") -> Table:
    """Parse a `tests` file; ValueError names the bad line."""
    programs, cases = [], {}
    for n, raw in enumerate(text.splitlines(), 1):
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) == 1 and "." not in words[0]:
            programs.append(words[0])
            continue
        name, rest = words[0], words[1:]
        if "." not in name:
            raise ValueError(f"{where}:{n}: '{name}' is no 'fixture.test' case")
        if name in cases:
            raise ValueError(f"{where}:{n}: {name} listed twice")
        c = Case(name, {})
        if rest and rest[0] == "check":
            c.check = True
            rest = rest[1:]
        if not rest and not c.check:
            raise ValueError(f"{where}:{n}: {name}: name a TODO (labNN.k=P) or 'check'")
        for w in rest:
            m = _TODO.match(w)
            if not m:
                raise ValueError(f"{where}:{n}: '{w}' is not labNN.k or labNN.k=P")
            todo = f"lab{m.group(1)}.{m.group(2)}"
            if c.check:
                if m.group(3):
                    raise ValueError(f"{where}:{n}: a check earns no points: '{w}'")
                c.todos.append(todo)
            else:
                pts = int(m.group(3) or 1)
                if pts <= 0:
                    raise ValueError(f"{where}:{n}: '{w}': points must be positive")
                c.points[todo] = pts
        cases[name] = c
    return Table(programs, cases)


def load(path: str) -> Table:
    with open(path, encoding="utf-8") as f:
        return parse(f.read(), path)


def case_of(leaf_name: str, table: Table) -> Optional[str]:
    """A KTAP leaf ("run_test.run.hello") -> the table's case ("run.hello")."""
    for prog in table.programs:
        if leaf_name.startswith(prog + "."):
            return leaf_name[len(prog) + 1:]
    return leaf_name if leaf_name in table.cases else None


def score(table: Table, results: Dict[str, str]) -> dict:
    """results: case -> PASS/FAIL/SKIP (a missing case did not pass).

    Returns {"earned", "total", "todos": {todo: {earned, total, cases:
    [{case, points, status, earned}]}, "withheld": {todo: [check cases]}}.
    """
    todos = {t: {"earned": 0, "total": 0, "cases": []} for t in table.todos()}
    withheld: Dict[str, List[str]] = {}
    for c in table.cases.values():
        if c.check and results.get(c.name, PASS) == FAIL:
            for t in (c.todos or list(todos)):
                withheld.setdefault(t, []).append(c.name)
    for name in IMPLICIT_CHECKS:
        if results.get(name) == FAIL:
            for t in todos:
                withheld.setdefault(t, []).append(name)
    for c in table.cases.values():
        status = results.get(c.name, FAIL)
        for t, pts in c.points.items():
            got = pts if status == PASS and t not in withheld else 0
            todos[t]["total"] += pts
            todos[t]["earned"] += got
            todos[t]["cases"].append({"case": c.name, "points": pts,
                                      "status": status, "earned": got})
    return {"earned": sum(v["earned"] for v in todos.values()),
            "total": sum(v["total"] for v in todos.values()),
            "todos": todos, "withheld": withheld}


def read_results(path: str) -> Dict[str, str]:
    """'STATUS CASE' lines (pass/fail/skip, any case) -> {case: STATUS}."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            w = line.split()
            if len(w) == 2:
                out[w[1]] = w[0].upper()
    return out


def verify(nn: str, table: Table, stub: Dict[str, str], upto: Dict[str, str],
           todos: List[str]) -> List[str]:
    """The stages proof for lab NN; returns the problems (empty: proved).

    stub: the case results with lab NN's stubs; upto: with every lab up to
    NN solved and every later lab stubbed; todos: the lab's TODO markers
    in the source."""
    bad = []
    for c in table.cases.values():
        s = stub.get(c.name)
        if s is None:
            bad.append(f"lab {nn}: {c.name} did not run with the stubs (no such case?)")
        elif c.points and s != FAIL:
            bad.append(f"lab {nn}: {c.name} earns points but {s}es with lab {nn}'s "
                       f"stubs: make it fail on the stub, or mark it 'check'")
        elif c.check and s == FAIL:
            bad.append(f"lab {nn}: {c.name} is a check but fails with lab {nn}'s "
                       f"stubs: give it points (labNN.k=P)")
        u = upto.get(c.name)
        if u != PASS and not (c.check and u == SKIP):
            bad.append(f"lab {nn}: {c.name} is {u or 'missing'} with the solution "
                       f"(labs after {nn} stubbed)")
    for case, s in sorted(stub.items()):
        if case not in table.cases and case not in IMPLICIT_CHECKS:
            bad.append(f"lab {nn}: case {case} ({s.lower()} with the stubs) has no "
                       f"line in the tests file")
    zero = score(table, stub)
    if zero["earned"]:
        bad.append(f"lab {nn}: the stubs earn {zero['earned']}/{zero['total']} points")
    full = score(table, upto)
    if full["earned"] != full["total"] or not full["total"]:
        bad.append(f"lab {nn}: the solution earns {full['earned']}/{full['total']} points")
    for t in todos:
        if not full["todos"].get(t, {}).get("total"):
            bad.append(f"lab {nn}: {t} is worth no points (no case names it)")
    for t in full["todos"]:
        if t not in todos:
            bad.append(f"lab {nn}: the tests name {t}, which is no TODO of the source")
    return bad


def main(argv: List[str]) -> int:
    if len(argv) == 3 and argv[0] == "score":
        print(json.dumps(score(load(argv[1]), read_results(argv[2])), indent=1))
        return 0
    if len(argv) == 6 and argv[0] == "verify":
        nn, table = argv[1], load(argv[2])
        bad = verify(nn, table, read_results(argv[3]), read_results(argv[4]),
                     argv[5].split())
        for b in bad:
            print(f"# {b}")
        if not bad:
            s = score(table, read_results(argv[4]))
            print(f"# lab {nn}: stubs 0/{s['total']} points, solution "
                  f"{s['earned']}/{s['total']}, " +
                  ", ".join(f"{t} {v['total']}" for t, v in s["todos"].items()))
        return 1 if bad else 0
    if len(argv) == 4 and argv[0] == "full":
        s = score(load(argv[2]), read_results(argv[3]))
        print(f"# lab {argv[1]}: {s['earned']}/{s['total']} points")
        return 0 if s["total"] and s["earned"] == s["total"] else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
