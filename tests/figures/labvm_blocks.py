#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The lab-VM command blocks of the pages, collected to run in one boot.

A page marks a block of commands that runs inside the lab VM with the
fence info string `labvm`:

    ```labvm
    tvmm run --trace /tmp/t.jsonl /extra/hello.bin
    ```

(GitHub shows it as plain code; make docs gives it a "lab VM" label.)
A block that cannot run unattended (it needs a student's solution, a
second terminal, Ctrl-C) is `labvm-manual` instead, and its first line is
a comment saying why: `# not run by make check: needs your lab 07 code`.
Commands for the host are `sh` or `host` blocks.

  labvm_blocks.py collect DIR PATH...   write DIR/block-N.sh, DIR/blocks.sh
                                        (runs them all in the VM, in page
                                        order, each with sh -e in /extra) and
                                        DIR/index.tsv; status 1 on a
                                        labvm-manual block without its reason
  labvm_blocks.py report DIR VM_OUTPUT  TAP: one test per block, skips for
                                        the manual ones; status 1 on a failure
"""
import os
import re
import sys

FENCE = re.compile(r"^(\s*)```\s*(labvm(?:-manual)?)\s*$")


def blocks(path):
    """(line, kind, text) of each labvm block of a Markdown file"""
    out = []
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, kind, start, body = len(m.group(1)), m.group(2), i + 1, []
        i += 1
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        out.append((start, kind, "\n".join(body).strip("\n") + "\n"))
        i += 1
    return out


def files_of(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for d, _, fs in sorted(os.walk(p)):
                files += [os.path.join(d, f) for f in sorted(fs) if f.endswith(".md")]
        elif os.path.exists(p):
            files.append(p)
    return files


RUNNER = """#!/bin/sh
# Written by tests/figures/labvm_blocks.py: every labvm block of the pages,
# in page order, each in its own sh -e in /extra; /tmp is shared, so a block
# can read the trace an earlier one wrote, as a reader going down the page.
for n in %s; do
\techo "BLOCK $n BEGIN"
\t(cd /extra && timeout 600 sh -e "/extra/block-$n.sh") >/tmp/labvm-block.out 2>&1
\trc=$?
\ttail -n 12 /tmp/labvm-block.out | sed 's/^/  | /'
\techo "BLOCK $n END $rc"
done
echo "BLOCKS DONE"
"""


def collect(out, paths):
    os.makedirs(out, exist_ok=True)
    index, run, bad = [], [], 0
    for f in files_of(paths):
        for line, kind, text in blocks(f):
            n = len(index) + 1
            if kind == "labvm-manual":
                first = text.split("\n", 1)[0].strip()
                if not first.startswith("#"):
                    print(f"{f}:{line}: a labvm-manual block needs its reason as a first-line"
                          " comment ('# not run by make check: ...')", file=sys.stderr)
                    bad += 1
                index.append((n, f, line, "manual", first.lstrip("# ")))
                continue
            with open(os.path.join(out, f"block-{n}.sh"), "w") as b:
                b.write(f"# {f}:{line}\n" + text)
            index.append((n, f, line, "run", ""))
            run.append(str(n))
    with open(os.path.join(out, "index.tsv"), "w") as x:
        for row in index:
            x.write("\t".join(map(str, row)) + "\n")
    with open(os.path.join(out, "blocks.sh"), "w") as r:
        r.write(RUNNER % " ".join(run))
    return 1 if bad else 0


def report(out, vm_output):
    index = [line.rstrip("\n").split("\t") for line in open(os.path.join(out, "index.tsv"))]
    text = open(vm_output, errors="replace").read().replace("\r", "")
    status, shown = {}, {}
    for m in re.finditer(r"^BLOCK (\d+) BEGIN\n(.*?)^BLOCK \1 END (\d+)$", text, re.M | re.S):
        status[m.group(1)] = int(m.group(3))
        shown[m.group(1)] = m.group(2)
    print("TAP version 13")
    print(f"1..{len(index)}")
    bad = 0
    for i, (n, f, line, kind, why) in enumerate(index, 1):
        name = f"{f}:{line}"
        if kind == "manual":
            print(f"ok {i} - {name} # SKIP {why}")
        elif n not in status:
            bad += 1
            print(f"not ok {i} - {name}: did not run (the lab VM stopped before it)")
        elif status[n] != 0:
            bad += 1
            print(f"not ok {i} - {name}: exit status {status[n]} in the lab VM")
            for ln in shown[n].splitlines():
                print("# " + ln)
        else:
            print(f"ok {i} - {name}")
    return 1 if bad else 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "collect":
        return collect(argv[1], argv[2:])
    if len(argv) == 3 and argv[0] == "report":
        return report(argv[1], argv[2])
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
