#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fill the {{key}} placeholders of Markdown files with measured numbers.

The pages in the tree say {{minios.exits}} where a figure goes (docs/
numbers.lua fills them in the HTML of make docs and make slides). A
student reading the Markdown itself gets it from here: make handout runs
this on every page of the student tree, so the tree a student receives
reads the measured number, like the HTML. {{!key}} stays "{{key}}".

  render.py FIGURES_DIR FILE...   rewrite each FILE in place, with
                                  FIGURES_DIR/numbers.LANG.tsv (LANG "it"
                                  for *.it.md and files under an it/
                                  directory, else "en"); status 1 on a key
                                  the file does not have
"""
import os
import re
import sys

PLACEHOLDER = re.compile(r"{{(!?)([\w.-]+)}}")


def load(path):
    values = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            values[k] = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), v)
    return values


def lang_of(path):
    return "it" if path.endswith(".it.md") or "/it/" in path else "en"


def main(argv):
    if len(argv) < 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    figures, files = argv[0], argv[1:]
    tables, bad = {}, 0
    for path in files:
        lang = lang_of(path)
        if lang not in tables:
            tables[lang] = load(os.path.join(figures, f"numbers.{lang}.tsv"))
        values = tables[lang]
        text = open(path, encoding="utf-8").read()

        def fill(m):
            nonlocal bad
            if m.group(1):                      # {{!key}}: "{{key}}" itself
                return "{{" + m.group(2) + "}}"
            if m.group(2) in values:
                return values[m.group(2)]
            bad += 1
            print(f"render.py: {path}: unknown number {{{{{m.group(2)}}}}}"
                  " (the keys: tests/figures/README.md)", file=sys.stderr)
            return m.group(0)
        before = bad
        out = PLACEHOLDER.sub(fill, text)
        if bad == before and out != text:       # a page with a bad key stays as it was
            with open(path, "w", encoding="utf-8") as f:
                f.write(out)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
