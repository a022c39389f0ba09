#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The tree stands alone: no file refers to a path outside it.

    standalone.py TREE        (exit 1 and one line per bad reference)

Checks every text file of TREE (git's files when TREE is a checkout, else
every file) for:
  * an absolute path into someone's machine (/work/..., /home/NAME/...,
    /root/..., /Users/...) or a file:// link: nothing of the project may
    need a directory the reader does not have;
  * a Markdown link [text](target) whose target is not a file or folder of
    the tree (URLs and #anchors aside);
  * a named document (a word ending in .md, e.g. DESIGN.md or
    docs/abi.md) that is no file of the tree, relative to the tree's top,
    to the file's folder, or as a file name anywhere in the tree.
A link to a picture that make docs or make slides draws (its .dot is in
the tree, or slides/figures.map names it) resolves. The course's lecture
notes (CITED) are cited like a book. Names with a placeholder (labNN-topic, docs/*.md, X.md) are patterns, not
references, and are left alone. tests/grade/ci_test.sh runs it on the
repository and on a handout (whose instructor guide stays behind: no
student file may send the reader there).
"""
import os
import re
import subprocess
import sys

MACHINE = re.compile(r"(?<![\w.$}~-])(/work/|/home/[a-z][\w-]*/|/root/|/Users/|file://(?!\$))")
# documents outside the project that it cites as a book is cited (the
# course's lecture notes, which students have), not files it needs
CITED = {"virtualizzazione.md"}
MDLINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
MDNAME = re.compile(r"(?<![\w/.$\\-])((?:[\w.-]+/)*[\w-]+\.md)\b")
PLACEHOLDER = re.compile(r"NN|XX|[A-Z]{2,}-|\*|<|\{|^X\.md$|^FILE|^NAME|^foo", re.I)
TEXT_EXT = {".md", ".c", ".h", ".S", ".sh", ".py", ".txt", ".1", ".yml", ".yaml", ".json",
            ".dot", ".mk", ".config", ".mutants", ".lds", ".ld", ""}


# Files whose paths are not references: programs that build a small tree
# of their own, or open built pages by URL. Each with its reason.
EXEMPT = {
    "tests/grade/standalone.py": "its own examples",
    "tests/host/i18n_sync_test.py": "names the pages of the small tree it builds in a temp dir",
    "tests/host/slides_check.py": "opens the built decks in Chromium as file:// URLs",
}
# Pages a build writes next to what links to them: slides/index.sh writes
# the decks' index.html beside the decks.
BUILT_PAGES = {"index.html": "slides/index.sh"}


def files(tree):
    try:
        out = subprocess.run(["git", "-C", tree, "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], check=True, capture_output=True).stdout
        names = [n for n in out.decode().split("\0") if n]
        if names:
            return names
    except (OSError, subprocess.CalledProcessError):
        pass
    out = []
    for d, dirs, fs in os.walk(tree):
        dirs[:] = [x for x in dirs if x not in (".git", "build")]
        out += [os.path.relpath(os.path.join(d, f), tree) for f in fs]
    return out


def generated(path, basenames, maps):
    """A picture make docs/slides draws: its .dot source is in the tree,
    or slides/figures.map names it."""
    stem, ext = os.path.splitext(os.path.basename(path))
    return ext == ".svg" and (stem + ".dot" in basenames or
                              re.search(rf"^{re.escape(stem)}(\.svg)?\s", maps, re.M) is not None)


def main():
    tree = os.path.abspath(sys.argv[1])
    names = [n for n in files(tree) if os.path.isfile(os.path.join(tree, n))]
    basenames = {os.path.basename(n) for n in names}
    maps = ""
    for n in names:
        if n.endswith(".map"):
            with open(os.path.join(tree, n), encoding="utf-8") as f:
                maps += f.read()
    bad = []
    for name in names:
        ext = os.path.splitext(name)[1]
        if ext not in TEXT_EXT and not name.endswith(("Makefile", "Kbuild", "Kconfig")):
            continue
        if name in EXEMPT:
            continue
        try:
            with open(os.path.join(tree, name), encoding="utf-8") as f:
                text = f.read()
        except (UnicodeDecodeError, OSError):
            continue
        here = os.path.dirname(name)
        for n, line in enumerate(text.splitlines(), 1):
            m = MACHINE.search(line)
            if m:
                bad.append(f"{name}:{n}: a path outside the tree: {m.group(1)}...")
            if ext == ".md":
                for target in MDLINK.findall(line):
                    if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                        continue
                    path = target.split("#", 1)[0]
                    if path and not os.path.exists(os.path.normpath(os.path.join(tree, here, path))) \
                            and not generated(path, basenames, maps) \
                            and not (path in BUILT_PAGES and BUILT_PAGES[path] in names):
                        bad.append(f"{name}:{n}: link to '{target}', which is not in the tree")
            for ref in MDNAME.findall(MDLINK.sub("", line) if ext == ".md" else line):
                if PLACEHOLDER.search(ref) or ref in CITED or "://" in line[:line.find(ref)][-80:]:
                    continue
                if (os.path.exists(os.path.join(tree, ref)) or
                        os.path.exists(os.path.join(tree, here, ref)) or
                        os.path.basename(ref) in basenames):
                    continue
                bad.append(f"{name}:{n}: names '{ref}', which is not in the tree")
    for b in bad:
        print(b)
    print(f"standalone: {len(names)} files of {tree}: {len(bad)} reference(s) outside the tree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
