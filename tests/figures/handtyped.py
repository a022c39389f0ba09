#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Find measured numbers typed by hand in the pages, labs and slides.

Every figure a run measures (exits, injections, ticks, cycles, ratios,
the rows of a compare or bench table, the lines of a sample output) must
come from build/figures/numbers.json through a {{key}} placeholder, so
that the texts cannot drift apart or away from the code. This checker
recognises a measured number by what stands next to it:

  N exits / N CPUID exits / N emulated, reflected, injected, patched,
  ignored, ticks, cycles, samples, N wrong      (a count of a run; also
  the Italian words: uscite, cicli, emulate, riflesse, iniettati...)
  io N, hlt N, cycles N, "cycles":N, "tsc":N, "seq":N (N > 0), Samples:N,
  N.NN%
                                                 (a stats or trace line)
  N x, N×, N times                               (a ratio)
  N OUT / N `out` / N HLT ...                    (exits of one instruction)
  a number in a table whose header names exits, ticks, cycles, emulated,
  injected, floor, KVM ...                       (a compare or bench table)

Numbers that are not measured (port 0xE9, vector 0x20, status 110, SDM
section numbers, points, hours) do not look like this; the few that do
are in tests/figures/handtyped.allow, each with its reason.

  handtyped.py [--allow FILE] PATH...    TAP, one test per file; status 1
                                         on any hand-typed figure
  handtyped.py --lines TEXT             print the hits in TEXT (for tests)
"""
import os
import re
import sys

NUM = r"(?<![\w.{])\d(?:[\d,]*\d)?(?:\.\d+)?"
# English, and the Italian edition's words for the same (uscite, cicli...)
WORDS = (r"exits|ticks?|cycles|emulated|reflected|injected|patched|ignored|samples|"
         r"uscite|cicli|emulat[ei]|riflesse|riflessi|iniettat[ei]|campioni")
PATTERNS = [
    re.compile(NUM + r"\s+(?:\**`?[\w/ ]{1,20}?`?\**\s+)?(?:exits|uscite)\b", re.I),
    re.compile(NUM + r"\s+(?:" + WORDS + r")\b", re.I),
    re.compile(r"\b(?:io|hlt|cpuid|ept_violation|cycles|ticks|samples)\s*[:=]\s*" + NUM, re.I),
    re.compile(r"\((?:io|hlt|cpuid|ept_violation) " + NUM),
    re.compile(r"\b(?:cpuid|io|hlt) " + NUM + r"(?=[,)])"),
    re.compile(r'"(?:cycles|tsc)"\s*:\s*' + NUM + r'|"seq"\s*:\s*[1-9]'),
    re.compile(r"(?:after|dopo) " + NUM + r" (?:exits?|uscit[ae])\b"),
    re.compile(r"(?!0x)" + NUM + r"\s*(?:x|×)(?![\w.])"),
    re.compile(NUM + r" wrong\b"),
    re.compile(NUM + r"\s+(?:times|volte)\b", re.I),
    re.compile(NUM + r"%"),
    re.compile(NUM + r"\s+(?:OUT|IN|HLT|CLI|STI|CPUID)s?\b"),
    re.compile(NUM + r"\s+`(?:out|in|hlt|cli|sti|cpuid|int[^`]*)`"),
]
TABLE_HEADER = re.compile(r"\b(?:exits|ticks|cycles|emulated|injected|reflected|"
                          r"floor|kvm|samples)\b", re.I)
PLACEHOLDER = re.compile(r"{{!?[\w.-]+}}")


def load_allow(path):
    """lines 'REGEX  # reason': a hit on a line matching REGEX is allowed"""
    allow = []
    if not path or not os.path.exists(path):
        return allow
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if "  # " not in line:
            sys.exit(f"{path}:{n}: an entry needs its reason: 'REGEX  # why it is not measured'")
        allow.append(re.compile(line.split("  # ", 1)[0].strip()))
    return allow


def hits(text):
    """(line number, line, matched text) of every hand-typed figure"""
    out = []
    header = None          # the header cells of the table we are in
    for n, raw in enumerate(text.splitlines(), 1):
        line = PLACEHOLDER.sub("", raw)
        cells = line.strip()
        if cells.startswith("|"):
            if header is None:
                header = cells
            elif not re.fullmatch(r"[|:\- ]+", cells) and TABLE_HEADER.search(header):
                for cell in cells.strip("|").split("|"):
                    c = cell.strip().strip("*")
                    if re.fullmatch(r"\d[\d,]*(?:\.\d+)?", c):
                        out.append((n, raw, c))
                        break
        else:
            header = None
        for p in PATTERNS:
            m = p.search(line)
            if m:
                out.append((n, raw, m.group(0)))
                break
    return out


def main(argv):
    allow_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "handtyped.allow")
    if argv[:1] == ["--lines"]:
        for n, raw, m in hits(argv[1]):
            print(f"{n}: {m}")
        return 0
    if argv[:1] == ["--allow"]:
        allow_path, argv = argv[1], argv[2:]
    allow = load_allow(allow_path)
    files = []
    for p in argv:
        if os.path.isdir(p):
            for d, _, fs in sorted(os.walk(p)):
                files += [os.path.join(d, f) for f in sorted(fs) if f.endswith(".md")]
        else:
            files.append(p)
    print("TAP version 13")
    print(f"1..{len(files)}")
    bad = 0
    for i, f in enumerate(files, 1):
        found = [h for h in hits(open(f, encoding="utf-8").read())
                 if not any(a.search(h[1]) for a in allow)]
        if found:
            bad += 1
            print(f"not ok {i} - {f}: {len(found)} measured number(s) typed by hand")
            for n, raw, m in found:
                print(f"# {f}:{n}: '{m}' in: {raw.strip()[:110]}")
            print("# use a {{key}} of build/figures/numbers.json (tests/figures/README.md),"
                  " or allow the line in tests/figures/handtyped.allow with its reason")
        else:
            print(f"ok {i} - {f}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
