#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""layers_test.py - tvmm.ko reads top to bottom, in layers.

docs/architecture.md, "Layers", puts every module file in one layer, from
the interface (1) down to the machine (6). This test reads the module's C
sources (comments and strings stripped), finds which file calls or uses a
function or variable another file defines, and checks the rules that keep
the exit path readable (issue 15):

  - every module source file is in exactly one layer of the table;
  - no file uses anything of a higher layer (an upward call);
  - the files form no cycle (not even inside a layer);
  - each architectural constant (exception vectors, interruption-info
    bits, exit-qualification layouts, access-rights and selector bits) is
    defined only in the headers that name the hardware: vmx_arch.h,
    vmcs_fields.h, insn.h; no bare BIT(31) in a .c file;
  - one x86 decoder: only insn.c takes ModR/M, SIB and displacements apart;
  - no VMWRITE error is dropped: a function that passes &err to
    vmx_vmwrite() also reads err.

Prints TAP; exit status 1 if any check fails. Run from anywhere.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MOD = os.path.join(ROOT, "module")
DOC = os.path.join(ROOT, "docs", "architecture.md")

ARCH_HEADERS = {"include/tvmm/vmx_arch.h", "vmcs_fields.h", "include/tvmm/insn.h"}
# Names of hardware facts that must have exactly one definition.
ARCH_NAME = re.compile(r"#define\s+(\w*(?:EXC_[A-Z]{2}\b|_ERR_EXT|_ERR_IDT|ERR_INDEX_SHIFT|INTR_INFO_"
                       r"|INTR_TYPE_|ENTRY_INTR_|VECTORING|IO_QUAL_|CR_QUAL_|EPT_QUAL_|AR_DB\b"
                       r"|AR_DPL_|SEL_RPL_MASK|SEL_INDEX_MASK|OPCODE\b)\w*)")

n = 0
failed = 0


def ok(cond, what, detail=()):
    global n, failed
    n += 1
    print(f"{'ok' if cond else 'not ok'} {n} - {what}")
    if not cond:
        failed += 1
        for line in detail:
            print(f"# {line}")


def strip(text):
    """C text without comments and string/char literals (kept as "")."""
    out, i, L = [], 0, len(text)
    while i < L:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = L if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = L if j < 0 else j
        elif c in "\"'":
            j = i + 1
            while j < L and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def layers_from_doc():
    """{file: layer number} from the "Layers" table of docs/architecture.md."""
    text = open(DOC).read()
    m = re.search(r"^## Layers\n(.*?)(?=^## )", text, re.S | re.M)
    if not m:
        return {}
    layer = {}
    for row in re.finditer(r"^\|\s*(\d+)\s*\|[^|]*\|([^|]*)\|", m.group(1), re.M):
        for f in re.findall(r"`([\w./]+)`", row.group(2)):
            layer.setdefault(f, []).append(int(row.group(1)))
    return layer


def sources():
    files = {}
    for f in sorted(os.listdir(MOD)):
        if f.endswith(".c") and f != "tvmm.mod.c":
            files[f] = strip(open(os.path.join(MOD, f)).read())
    return files


def definitions(files):
    """{symbol: file}: non-static functions and variables, and entry.S's symbols."""
    defs = {}
    fn = re.compile(r"^(?!static\b)(?:[A-Za-z_][\w \t\*]*?[\s\*])?([A-Za-z_]\w*)\s*\([^;{]*?\)\s*\{",
                    re.M | re.S)
    var = re.compile(r"^(?!static\b)(?:const\s+)?(?:struct\s+)?\w+\s+\**([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*(?:=|;)",
                     re.M)
    for f, text in files.items():
        for m in fn.finditer(text):
            if m.group(1) not in ("if", "for", "while", "switch", "return", "sizeof"):
                defs.setdefault(m.group(1), f)
        for m in var.finditer(text):
            if m.group(1) not in ("return",):
                defs.setdefault(m.group(1), f)
    entry = open(os.path.join(MOD, "entry.S")).read()
    for m in re.finditer(r"SYM_(?:FUNC|CODE|INNER_LABEL)\w*\((\w+)", entry):
        defs.setdefault(m.group(1), "entry.S")
    return defs


def edges(files, defs):
    """{(a, b): [symbols]}: file a uses something file b defines."""
    e = {}
    words = {}
    for f, text in files.items():
        words[f] = set(re.findall(r"\b[A-Za-z_]\w*\b", text))
    for f in files:
        for sym in words[f]:
            d = defs.get(sym)
            if d and d != f:
                e.setdefault((f, d), []).append(sym)
    return e


def cycles(nodes, e):
    """Strongly connected components of more than one file (Tarjan)."""
    graph = {a: set() for a in nodes}
    for a, b in e:
        graph.setdefault(a, set()).add(b)
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def functions(text):
    """(name, body) of every top-level function of stripped C @text."""
    for m in re.finditer(r"^[A-Za-z_][^;{}()]*?\b(\w+)\s*\([^;{]*?\)\s*\{", text, re.M | re.S):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        yield m.group(1), text[m.end():i]


def main():
    print("TAP version 13")
    files = sources()
    layer = layers_from_doc()
    all_files = set(files) | {"entry.S"}

    missing = sorted(f for f in all_files if f not in layer)
    twice = sorted(f for f, ls in layer.items() if len(ls) > 1)
    stale = sorted(f for f in layer if f not in all_files and f.endswith((".c", ".S")))
    ok(not missing and not twice and not stale,
       f"docs/architecture.md \"Layers\" puts each of the {len(all_files)} module files in one layer",
       [f"not in the table: {', '.join(missing)}"] * bool(missing) +
       [f"in two layers: {', '.join(twice)}"] * bool(twice) +
       [f"no such file: {', '.join(stale)}"] * bool(stale))

    defs = definitions(files)
    e = edges(files, defs)
    up = []
    for (a, b), syms in sorted(e.items()):
        la, lb = layer.get(a, [0])[0], layer.get(b, [0])[0]
        if la and lb and lb < la:
            up.append(f"{a} (layer {la}) uses {b} (layer {lb}): {', '.join(sorted(syms))}")
    ok(not up, f"no call from a lower layer up ({len(e)} file-to-file uses checked)", up)

    cyc = cycles(all_files, e)
    ok(not cyc, "the module's files form no cycle",
       [" <-> ".join(c) for c in cyc])

    dups = []
    for root, _, names in os.walk(MOD):
        for f in names:
            if not f.endswith((".c", ".h")) or f == "tvmm.mod.c":
                continue
            rel = os.path.relpath(os.path.join(root, f), MOD)
            text = open(os.path.join(root, f)).read()
            if rel in ARCH_HEADERS:
                continue
            for m in ARCH_NAME.finditer(text):
                dups.append(f"{rel}: #define {m.group(1)}")
            if f.endswith(".c") and re.search(r"\bBIT\(31\)", strip(text)):
                dups.append(f"{rel}: a bare BIT(31) (a valid bit has a name in vmx_arch.h)")
    ok(not dups, "each vector, valid bit and qualification layout is named once "
       "(vmx_arch.h, vmcs_fields.h, insn.h)", dups)

    decoders = [f"{f}: {name}()" for f, text in files.items() if f != "insn.c"
                for name, _ in functions(text) if re.search(r"modrm|sib|insn_decode", name, re.I)]
    ok(not decoders and defs.get("insn_decode") == "insn.c",
       "one x86 decoder: insn.c", decoders)

    dropped = []
    for f, text in files.items():
        for name, body in functions(text):
            if re.search(r"vmx_vmwrite\([^;]*&err\)", body) and \
               not re.search(r"(?<![&\w])err\b(?!\s*=\s*0\s*;)", re.sub(r"int err = 0;|&err", "", body)):
                dropped.append(f"{f}: {name}() passes &err to vmx_vmwrite() and never reads it")
    ok(not dropped, "no VMWRITE error is dropped", dropped)

    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
