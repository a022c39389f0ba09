#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""i18n_sync_test.py - the sync test of the Italian edition fails when it must.

i18n_sync.py (the i18n-sync step of make check) keeps each Italian page in
step with its English page. This test runs it on a small tree of its own
(an English page, a deck, a man page, a hints file and their Italian
editions) and breaks one thing at a time: each plausible drift of a
translation must fail the check with a message that names it, and the
untouched tree must pass. Prints TAP; exit status 1 if a case fails.
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "i18n_sync.py")

EN_PAGE = """# A page

Intro with `tvmm run` and {{hello.exits}} exits.

## 1. First

Text with `make grade LAB=05`, TODO(lab05.1) and `run.hello_console_and_exits`
checked by mmio_test.

```
tvmm run /extra/hello.bin
```

![A figure](figures/ept.svg)

## 2. Second

More text.
"""

IT_PAGE = """# Una pagina

Introduzione con `tvmm run` e {{hello.exits}} exit.

## 1. Primo

Testo con `make grade LAB=05`, TODO(lab05.1) e `run.hello_console_and_exits`
verificato da mmio_test.

```
tvmm run /extra/hello.bin
```

![Una figura](figures/ept.svg)

## 2. Secondo

Altro testo.
"""

EN_DECK = """---
pagetitle: "1. A deck"
lang: en
---

## 1. A deck {.deck-title}

Opening words.

## Second slide

Run `tvmm caps`.

::: notes
Say it. Run `tvmm caps`.
:::
"""

IT_DECK = """---
pagetitle: "1. Un mazzo"
lang: it
---

## 1. Un mazzo {.deck-title}

Parole d'apertura.

## Seconda slide

Eseguite `tvmm caps`.

::: notes
Ditelo. Eseguite `tvmm caps`.
:::
"""

EN_MAN = """.TH T 1
.SH NAME
t \\- a tool
.SH SYNOPSIS
.B t run
.I IMAGE
.SH DESCRIPTION
.B t
talks to
.BR t.ko .
.SH COMMANDS
Not translated.
"""

IT_MAN = """.TH T 1
.SH NOME
t \\- uno strumento
.SH SINTASSI
.B t run
.I IMAGE
.SH DESCRIZIONE
.B t
dialoga con
.BR t.ko .
.SH VEDERE ANCHE
t(1)
"""

EN_HINTS = """# hints
lab05.1 concept: I/O exits. SDM vol. 3C 28.2.1.
lab05.1 where: module/io.c, exit_io(): exit->qual, TVMM_IO_QUAL_*.
run.hello: TODO(lab05.1): port 0xE9 prints AL.
"""

IT_HINTS = """# indizi
lab05.1 concept: le exit di I/O. SDM vol. 3C 28.2.1.
lab05.1 where: module/io.c, exit_io(): exit->qual, TVMM_IO_QUAL_*.
run.hello: TODO(lab05.1): la porta 0xE9 stampa AL.
"""

FILES = {
    "docs/page.md": EN_PAGE, "docs/page.it.md": IT_PAGE,
    "slides/01-deck.md": EN_DECK, "slides/it/01-deck.md": IT_DECK,
    "userspace/t.1": EN_MAN, "userspace/t.it.1": IT_MAN,
    "labs/lab05-x/hints": EN_HINTS, "labs/lab05-x/hints.it": IT_HINTS,
    "tests/host/i18n_pages.txt": "docs/page.md docs/page.it.md\n"
                                 "slides/01-deck.md slides/it/01-deck.md\n"
                                 "userspace/t.1 userspace/t.it.1\n"
                                 "labs/lab05-x/hints labs/lab05-x/hints.it\n",
}
IT_FILES = ["docs/page.it.md", "slides/it/01-deck.md", "userspace/t.it.1", "labs/lab05-x/hints.it"]
ITALIAN_OF = {"docs/page.md": "docs/page.it.md", "userspace/t.1": "userspace/t.it.1"}


def make_tree(root):
    for rel, text in FILES.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    shutil.copy(TOOL, os.path.join(root, "tests", "host", "i18n_sync.py"))


def run(root, *args):
    p = subprocess.run([sys.executable, os.path.join(root, "tests", "host", "i18n_sync.py")] +
                       list(args), cwd=root, capture_output=True, text=True, check=False)
    return p.returncode, p.stdout + p.stderr


def edit(root, rel, old, new):
    path = os.path.join(root, rel)
    with open(path) as f:
        text = f.read()
    assert old in text, (rel, old)
    with open(path, "w") as f:
        f.write(text.replace(old, new, 1))


# (what, file, old, new, the words the failure must say)
BREAKS = [
    ("English page changed", "docs/page.md", "More text.", "More text, changed.",
     "changed since it was translated"),
    ("code block not copied byte for byte", "docs/page.it.md", "/extra/hello.bin", "/extra/hello2.bin",
     "code block 1 differs"),
    ("code block's info string (labvm) differs", "docs/page.it.md", "```\ntvmm run", "```labvm\ntvmm run",
     "code block 1 differs"),
    ("inline command missing", "docs/page.it.md", "`make grade LAB=05`", "make grade LAB=05",
     "inline code: 'make grade LAB=05'"),
    ("heading at another level", "docs/page.it.md", "## 2. Secondo", "### 2. Secondo",
     "headings differ"),
    ("section missing", "docs/page.it.md", "## 2. Secondo\n", "",
     "headings differ"),
    ("heading's number differs", "docs/page.it.md", "## 2. Secondo", "## 3. Secondo",
     "numbers differ"),
    ("figure missing", "docs/page.it.md", "![Una figura](figures/ept.svg)", "",
     "figures differ"),
    ("figure's Italian edition elsewhere than under it/", "docs/page.it.md",
     "](figures/ept.svg)", "](figures/ept.it.svg)", "figures differ"),
    ("placeholder typed by hand", "docs/page.it.md", "{{hello.exits}}", "23",
     "{{key}} placeholders"),
    ("TODO name missing", "docs/page.it.md", "TODO(lab05.1)", "il TODO",
     "TODO names"),
    ("test name missing", "docs/page.it.md", "mmio_test", "un test",
     "test names"),
    ("deck: speaker notes lose a command", "slides/it/01-deck.md", "Ditelo. Eseguite `tvmm caps`.",
     "Ditelo.", "inline code: 'tvmm caps'"),
    ("man page: synopsis changed", "userspace/t.it.1", ".B t run", ".B t exec",
     "inline code: 't exec'"),
    ("man page: English description changed", "userspace/t.1", "talks to", "speaks to",
     "changed since it was translated"),
    ("hints: a key missing", "labs/lab05-x/hints.it", "run.hello: TODO(lab05.1): la porta 0xE9 stampa AL.\n",
     "", "missing in Italian: run.hello"),
    ("hints: an identifier translated", "labs/lab05-x/hints.it", "exit_io()", "la funzione di uscita",
     "'exit_io()'"),
    ("hints: an SDM section changed", "labs/lab05-x/hints.it", "28.2.1", "28.2",
     "'28.2.1'"),
]


def main():
    cases = []

    def case(ok, what, detail=""):
        cases.append((ok, what, detail))

    with tempfile.TemporaryDirectory() as top:
        base = os.path.join(top, "base")
        make_tree(base)
        rc, out = run(base)
        case(rc != 0 and out.count("must be the stamp") == len(IT_FILES),
             "an unstamped translation fails", out)
        for it in IT_FILES:
            rc, out = run(base, "stamp", it)
            if rc != 0:
                case(False, "stamp %s" % it, out)
        rc, out = run(base)
        case(rc == 0 and "not ok" not in out, "the pages in step pass", out)
        with open(os.path.join(base, "slides/it/01-deck.md")) as f:
            lines = f.read().split("\n")
        case(lines[0] == "---" and lines[1].startswith("# i18n source: slides/01-deck.md blob: "),
             "a deck's stamp is a YAML comment after its opening ---", "\n".join(lines[:3]))
        n_en = subprocess.run(["pandoc", "-f", "markdown", "-t", "json",
                               os.path.join(base, "slides/01-deck.md")], capture_output=True,
                              text=True, check=False).stdout.count('"t":"Header"')
        n_it = subprocess.run(["pandoc", "-f", "markdown", "-t", "json",
                               os.path.join(base, "slides/it/01-deck.md")], capture_output=True,
                              text=True, check=False).stdout.count('"t":"Header"')
        case(n_en == n_it == 2, "the deck's stamp adds no slide", "%d %d" % (n_en, n_it))

        for what, rel, old, new, words in BREAKS:
            tree = os.path.join(top, "t%d" % len(cases))
            shutil.copytree(base, tree)
            edit(tree, rel, old, new)
            rc, out = run(tree, "check", ITALIAN_OF.get(rel, rel))
            case(rc != 0 and words in out, "fails: %s" % what, out)
            if rel.endswith((".it.md", ".it.1", "hints.it")) or "/it/" in rel:
                before = open(os.path.join(tree, rel)).read()
                rc2, out2 = run(tree, "stamp", rel)
                case(rc2 != 0 and open(os.path.join(tree, rel)).read() == before,
                     "stamp refuses: %s" % what, out2)

        tree = os.path.join(top, "missing")
        shutil.copytree(base, tree)
        os.remove(os.path.join(tree, "docs/page.it.md"))
        rc, out = run(tree)
        case(rc != 0 and "docs/page.it.md is missing" in out, "fails: an Italian page missing", out)

        tree = os.path.join(top, "unlisted")
        shutil.copytree(base, tree)
        shutil.copy(os.path.join(tree, "docs/page.it.md"), os.path.join(tree, "docs/other.it.md"))
        rc, out = run(tree)
        case(rc != 0 and "docs/other.it.md: not in the list" in out,
             "fails: an Italian page not in the list", out)

        # a figure drawn in each language: the Italian page shows it/...
        tree = os.path.join(top, "italian-figure")
        shutil.copytree(base, tree)
        edit(tree, "docs/page.it.md", "](figures/ept.svg)", "](it/figures/ept.svg)")
        rc, out = run(tree, "check", "docs/page.it.md")
        case(rc == 0, "a figure's Italian edition under it/ is the same figure", out)

        tree = os.path.join(top, "handout")
        shutil.copytree(base, tree)
        os.remove(os.path.join(tree, "docs/page.it.md"))
        open(os.path.join(tree, "labs", "HANDOUT"), "w").close()
        rc, out = run(tree)
        case(rc == 0 and "1..0 # SKIP" in out, "a handout skips the check", out)

    print("TAP version 13")
    print("1..%d" % len(cases))
    failed = 0
    for n, (ok, what, detail) in enumerate(cases, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", n, what))
        if not ok:
            failed += 1
            for line in detail.splitlines()[-15:]:
                print("# " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
