#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""i18n_sync.py - the Italian edition stays in step with the English one.

Every English page listed in tests/host/i18n_pages.txt has an Italian
edition next to it (docs/concepts.md and docs/concepts.it.md, a lab's
README.md and README.it.md, a deck and its Italian deck, the man page's
description). A translation is prose in another language around the same
skeleton; this test checks the skeleton, page by page:

  - the same sections: the same number of headings, at the same levels,
    in the same order, with the same leading number ("7.", "Lab 05");
  - in each section, the same fenced code blocks, byte for byte, in the
    same order, and the same inline code spans (commands, identifiers,
    file names) as a multiset: a sentence may put them in another order;
  - in each section, the same TODO names (TODO(labNN.k), labNN.k), test
    names (xxx_test, xxx_test.case), figures and images (their paths;
    a figure drawn in each language may be the English path with an it/
    directory in it: figures/x.svg, it/figures/x.svg),
    and {{key}} placeholders of measured numbers;
  - the English text has not changed since it was translated: the first
    line of the Italian page records the git blob hash of the English page
    it translates,

        <!-- i18n source: docs/concepts.md blob: 3f2c...(40 hex digits) -->

    (the man page: a ".\\\" i18n source: ..." comment line; its blob is of
    the English sections it translates, up to DESCRIPTION; a deck: a
    "# i18n source: ..." YAML comment, the line after its opening "---")
    and the test
    recomputes it (git hash-object: no repository needed);
  - every page of the list has its Italian edition, and every *.it.md,
    *.it.1, labs/*/hints.it and slides/it/*.md in the tree is in the list.

A lab's autograder hints (labs/labNN-topic/hints and hints.it, one
"key: text" line per hint) are checked the same way, line by line: the same
keys in the same order, and in each line the same TODO names, inline code,
identifiers (names with _, calls(), ->fields, files), hex values and SDM
section numbers; their stamp is a "# i18n source: ... blob: ..." first line.

The pages are read with pandoc (its JSON syntax tree), as the docs and
slides builds read them: what counts as a heading or a code block is what
the rendered page shows.

When the English page changes (the test says "the English page changed
since it was translated"):

    python3 tests/host/i18n_sync.py diff docs/concepts.it.md
        shows what changed in the English since the recorded blob (git diff
        of the two blobs; needs the old English version in the repository)
    ... translate the change into the Italian page ...
    python3 tests/host/i18n_sync.py stamp docs/concepts.it.md
        records the English page's current blob in the Italian page; it
        refuses while the two pages' skeletons differ

With no argument (or "check [PAGE.it...]") it checks every pair and prints
TAP, one test per pair plus one for the list; exit status 1 on a failure.
Run from anywhere; needs python3 and pandoc.
"""
import collections
import hashlib
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIST = os.path.join(ROOT, "tests", "host", "i18n_pages.txt")

MD_STAMP = re.compile(r"^<!-- i18n source: (\S+) blob: ([0-9a-f]{40}) -->$")
MAN_STAMP = re.compile(r'^\.\\" i18n source: (\S+) blob: ([0-9a-f]{40})$')
HINTS_STAMP = re.compile(r"^# i18n source: (\S+) blob: ([0-9a-f]{40})$")
# what a hint's translation keeps: identifiers, calls, fields, files, hex, SDM sections
HINT_TOKEN_RE = re.compile(r"`[^`]+`|TODO\(lab\d+\.\d+\)|[A-Za-z0-9_./>-]*_[A-Za-z0-9_*]*(?:\(\))?"
                           r"|[A-Za-z_][A-Za-z0-9_]*\(\)|[a-z_]+->[a-z_.]+|[\w/.-]+\.[chS]\b"
                           r"|\b0x[0-9A-Fa-f]+\b|\b\d+(?:\.\d+)+\b")
TODO_RE = re.compile(r"TODO\(lab\d+\.\d+\)|\blab\d\d\.\d+\b")
TEST_RE = re.compile(r"\b[a-z][a-z0-9_]*_test(?:\.[a-z0-9_]+)?\b")
KEY_RE = re.compile(r"\{\{[A-Za-z0-9_.-]+\}\}")
NUM_RE = re.compile(r"^(?:Lab\s+)?\d+(?:\.\d+)*\.?(?=\s|$)|^[A-Z]\.(?=\s)")
# the Italian edition of a figure drawn in each language: its it/ directory
IT_DIR_RE = re.compile(r"(^|/)it/")
# the English man page's sections an Italian man page translates
MAN_SECTIONS = ("NAME", "SYNOPSIS", "DESCRIPTION")


def git_blob(data):
    """The git blob id of bytes (what `git hash-object` prints)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def read(rel):
    with open(os.path.join(ROOT, rel), "rb") as f:
        return f.read()


def is_man(rel):
    return re.search(r"\.\d$", rel) is not None


def man_translated_part(data):
    """The English man page up to the end of DESCRIPTION (its translated part)."""
    out = []
    for line in data.decode().splitlines(keepends=True):
        m = re.match(r"^\.SH\s+\"?([A-Z ]+)", line)
        if m and m.group(1).strip() not in MAN_SECTIONS:
            break
        out.append(line)
    return "".join(out).encode()


def is_hints(rel):
    return re.search(r"(^|/)hints(\.it)?$", rel) is not None


def is_deck(rel):
    return rel.startswith("slides/")


def stamp_re(rel):
    # a deck's stamp is a YAML comment in its metadata block: an HTML
    # comment before the block would be a slide of its own
    return (MAN_STAMP if is_man(rel) else HINTS_STAMP if is_hints(rel) or is_deck(rel)
            else MD_STAMP)


def stamp_index(rel, lines):
    """Which line of an Italian page holds (or gets) its stamp."""
    return 1 if is_deck(rel) and lines and lines[0] == "---" else 0


def find_stamp(rel, text):
    lines = text.split("\n")
    i = stamp_index(rel, lines)
    return stamp_re(rel).match(lines[i]) if i < len(lines) else None


def stamp_line(en):
    fmt = ('.\\" i18n source: %s blob: %s' if is_man(en) else
           "# i18n source: %s blob: %s" if is_hints(en) or is_deck(en) else
           "<!-- i18n source: %s blob: %s -->")
    return fmt % (en, english_blob(en))


def hint_lines(data):
    """{key: text} of a hints file, in order (comments and blank lines left out)."""
    out = collections.OrderedDict()
    for line in data.decode().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, text = line.partition(":")   # as tests/grade/report.py reads it
        out[key.strip()] = text
    return out


def compare_hints(en_data, it_data):
    en, it = hint_lines(en_data), hint_lines(it_data)
    problems = []
    if list(en) != list(it):
        missing = [k for k in en if k not in it]
        extra = [k for k in it if k not in en]
        problems.append("the hints' keys differ: %s%s%s" % (
            "missing in Italian: %s" % ", ".join(missing) if missing else "",
            "; " if missing and extra else "",
            "only in Italian: %s" % ", ".join(extra) if extra else "") if missing or extra else
            "the hints' keys are in another order than in English")
    for key in en:
        if key in it:
            d = counter_diff(collections.Counter(HINT_TOKEN_RE.findall(en[key])),
                             collections.Counter(HINT_TOKEN_RE.findall(it[key])))
            for line in d:
                problems.append("hint '%s': %s" % (key, line))
    return problems


def english_blob(rel):
    data = read(rel)
    return git_blob(man_translated_part(data) if is_man(rel) else data)


def reader(rel):
    if is_man(rel):
        return "man"
    # the decks are pandoc markdown (slides/Makefile), the pages GitHub's
    return "markdown" if rel.startswith("slides/") else "gfm"


def ast(rel, data):
    p = subprocess.run(["pandoc", "-f", reader(rel), "-t", "json"], input=data,
                       capture_output=True, check=False)
    if p.returncode != 0:
        raise RuntimeError("pandoc cannot read %s: %s" % (rel, p.stderr.decode().strip()))
    return json.loads(p.stdout)


def plain(inlines):
    """The text of a list of inlines (for headings)."""
    out = []

    def walk(x):
        if isinstance(x, dict):
            t = x.get("t")
            if t == "Str":
                out.append(x["c"])
            elif t in ("Space", "SoftBreak", "LineBreak"):
                out.append(" ")
            elif t == "Code":
                out.append("`%s`" % x["c"][1])
            else:
                walk(x.get("c"))
        elif isinstance(x, list):
            for y in x:
                walk(y)
    walk(inlines)
    return "".join(out).strip()


class Section:
    def __init__(self, level, title):
        self.level, self.title = level, title
        self.blocks = []        # fenced code blocks, in order
        self.code = collections.Counter()   # inline code spans
        self.images = []
        self.text = []          # prose words, for TODO/test/key names

    def names(self, regex):
        found = collections.Counter()
        for s in self.text + list(self.code.elements()) + self.blocks:
            found.update(regex.findall(s))
        return found


def sections(rel, data, man):
    """Split a page into sections at its headings (section 0: before the first)."""
    secs = [Section(0, "(before the first heading)")]

    def walk(x):
        if isinstance(x, list):
            for y in x:
                walk(y)
            return
        if not isinstance(x, dict):
            return
        t, c = x.get("t"), x.get("c")
        cur = secs[-1]
        if t == "Header":
            secs.append(Section(c[0], plain(c[2])))
            walk(c[2])
        elif t == "CodeBlock":
            # its info string too: ```labvm marks commands run in the lab VM
            cur.blocks.append(("```%s\n" % " ".join(c[0][1]) if c[0][1] else "") + c[1])
        elif t == "Code":
            cur.code[c[1]] += 1
        elif t == "Image":
            cur.images.append(c[2][0])
            walk(c[1])
        elif t == "Strong" and man:
            # a man page has no code spans: its commands and files are bold
            cur.code[plain(c)] += 1
        elif t == "Str":
            cur.text.append(c)
        elif t in ("RawBlock", "RawInline"):
            return      # the i18n stamp and other comments
        else:
            walk(c)
    walk(ast(rel, data)["blocks"])
    return secs


def counter_diff(en, it):
    out = []
    for k in sorted(set(en) | set(it)):
        if en[k] != it[k]:
            out.append("%r: %d in English, %d in Italian" % (k, en[k], it[k]))
    return out


def compare(en_rel, it_rel):
    """Problems of the pair, each a line saying what differs and where."""
    problems = []
    if not os.path.exists(os.path.join(ROOT, it_rel)):
        return ["%s is missing: translate %s (then run `%s stamp %s`)" %
                (it_rel, en_rel, "python3 tests/host/i18n_sync.py", it_rel)]
    man = is_man(en_rel)
    en_data = read(en_rel)
    it_data = read(it_rel)
    if man:
        en_data = man_translated_part(en_data)

    m = find_stamp(en_rel, it_data.decode())
    if not m:
        problems.append("%s: the %s must be the stamp '%s' (run `python3 "
                        "tests/host/i18n_sync.py stamp %s` once the translation is done)" %
                        (it_rel, "line after the opening '---'" if is_deck(en_rel) else "first line",
                         stamp_line(en_rel).replace(english_blob(en_rel), "HASH"), it_rel))
    elif m.group(1) != en_rel:
        problems.append("%s: its stamp names %s, the list pairs it with %s" %
                        (it_rel, m.group(1), en_rel))
    elif m.group(2) != git_blob(en_data):
        problems.append("%s: the English page changed since it was translated (stamp %s, "
                        "now %s): see the change with `python3 tests/host/i18n_sync.py diff %s`, "
                        "translate it, then `python3 tests/host/i18n_sync.py stamp %s`" %
                        (en_rel, m.group(2)[:12], git_blob(en_data)[:12], it_rel, it_rel))

    if is_hints(en_rel):
        return problems + compare_hints(en_data, it_data)
    en, it = sections(en_rel, en_data, man), sections(it_rel, it_data, man)
    if man:
        # the Italian man page may end with sections of its own (SEE ALSO)
        it = it[:len(en)]
    shape_en = [s.level for s in en]
    shape_it = [s.level for s in it]
    if shape_en != shape_it:
        problems.append("headings differ: English has %d (levels %s), Italian %d (levels %s)" %
                        (len(en) - 1, "".join(map(str, shape_en[1:])),
                         len(it) - 1, "".join(map(str, shape_it[1:]))))
        for i, (a, b) in enumerate(zip(en, it)):
            if a.level != b.level:
                problems.append("  first difference: heading %d, %s '%s' <-> %s '%s'" %
                                (i, "#" * a.level, a.title, "#" * b.level, b.title))
                break
        return problems     # sections cannot be paired

    for i, (a, b) in enumerate(zip(en, it)):
        where = "heading %d '%s' <-> '%s'" % (i, a.title, b.title) if i else "before the first heading"
        na, nb = NUM_RE.match(a.title), NUM_RE.match(b.title)
        if (na and na.group(0).split()[-1]) != (nb and nb.group(0).split()[-1]):
            problems.append("%s: the headings' numbers differ" % where)
        if a.blocks != b.blocks:
            if len(a.blocks) != len(b.blocks):
                problems.append("%s: %d code blocks in English, %d in Italian" %
                                (where, len(a.blocks), len(b.blocks)))
            else:
                for j, (x, y) in enumerate(zip(a.blocks, b.blocks)):
                    if x != y:
                        problems.append("%s: code block %d differs (copy it byte for byte):\n"
                                        "    English: %r\n    Italian: %r" %
                                        (where, j + 1, x[:200], y[:200]))
        for what, d in (("inline code", counter_diff(a.code, b.code)),
                        ("TODO names", counter_diff(a.names(TODO_RE), b.names(TODO_RE))),
                        ("test names", counter_diff(a.names(TEST_RE), b.names(TEST_RE))),
                        ("{{key}} placeholders", counter_diff(a.names(KEY_RE), b.names(KEY_RE)))):
            for line in d:
                problems.append("%s: %s: %s" % (where, what, line))
        if a.images != [IT_DIR_RE.sub(r"\1", x, count=1) for x in b.images]:
            problems.append("%s: figures differ: English %s, Italian %s" % (where, a.images, b.images))
    return problems


def load_list():
    pairs = []
    with open(LIST) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            words = line.split()
            if len(words) != 2:
                sys.exit("%s:%d: want 'ENGLISH ITALIAN', got %r" % (LIST, n, line))
            pairs.append(tuple(words))
    return pairs


def unlisted(pairs):
    """Italian pages in the tree that the list does not pair with an English one."""
    listed = {it for _, it in pairs}
    found = []
    p = subprocess.run(["git", "-C", ROOT, "ls-files", "--cached", "--others",
                        "--exclude-standard", "*.it.md", "*.it.[0-9]", "labs/*/hints.it",
                        "slides/it/*.md"],
                       capture_output=True, text=True, check=False)
    if p.returncode == 0:
        found = p.stdout.split()
    else:       # not a git tree (a handout): walk it
        for d, dirs, files in os.walk(ROOT):
            dirs[:] = [x for x in dirs if x not in (".git", "build")]
            found += [os.path.relpath(os.path.join(d, f), ROOT) for f in files
                      if re.search(r"\.it\.(md|\d)$", f) or
                      re.match(r"labs/[^/]+/hints\.it$|slides/it/[^/]+\.md$",
                               os.path.relpath(os.path.join(d, f), ROOT))]
    return sorted(f for f in found if f not in listed and os.path.exists(os.path.join(ROOT, f)))


def pair_of(pairs, it_rel):
    it_rel = os.path.relpath(os.path.abspath(it_rel), ROOT)
    for en, it in pairs:
        if it == it_rel:
            return en, it
    sys.exit("%s is not in %s: add a line 'ENGLISH %s'" % (it_rel, os.path.relpath(LIST, ROOT), it_rel))


def stamp(pairs, it_arg):
    en, it = pair_of(pairs, it_arg)
    problems = [p for p in compare(en, it) if "changed since it was translated" not in p
                and "must be the stamp" not in p]
    if problems:
        print("%s and %s still differ; fix this first:" % (en, it), file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    line = stamp_line(en)
    path = os.path.join(ROOT, it)
    with open(path) as f:
        text = f.read()
    lines = text.split("\n")
    i = stamp_index(en, lines)
    if stamp_re(en).match(lines[i]):
        lines[i] = line
    else:
        lines.insert(i, line)
    with open(path, "w") as f:
        f.write("\n".join(lines))
    print("%s: stamped with %s's blob %s" % (it, en, english_blob(en)))
    return 0


def diff(pairs, it_arg):
    en, it = pair_of(pairs, it_arg)
    with open(os.path.join(ROOT, it)) as f:
        m = find_stamp(en, f.read())
    if not m:
        sys.exit("%s has no stamp: translate %s whole" % (it, en))
    if is_man(en):
        sys.exit("the man page's stamp is of its first sections: see `git log -p -- %s`" % en)
    p = subprocess.run(["git", "-C", ROOT, "cat-file", "-e", m.group(2)], check=False)
    if p.returncode != 0:
        sys.exit("blob %s (the English %s that was translated) is not in this repository: "
                 "compare by hand, `git log -p -- %s`" % (m.group(2), en, en))
    return subprocess.run(["git", "-C", ROOT, "diff", m.group(2), english_blob_obj(en)],
                          check=False).returncode


def english_blob_obj(rel):
    """Write the English page's current text as a blob (so git diff can show it)."""
    p = subprocess.run(["git", "-C", ROOT, "hash-object", "-w", "--", rel],
                       capture_output=True, text=True, check=True)
    return p.stdout.strip()


def check(pairs, only):
    if os.path.exists(os.path.join(ROOT, "labs", "HANDOUT")):
        # a student tree: pages left out or swapped (make handout LANG=it);
        # the editions are kept in step in the course's own tree
        print("TAP version 13")
        print("1..0 # SKIP a handout (labs/HANDOUT): the Italian edition is checked in the course's tree")
        return 0
    tests = [(en, it) for en, it in pairs
             if not only or it in {os.path.relpath(os.path.abspath(o), ROOT) for o in only}]
    print("TAP version 13")
    print("1..%d" % (len(tests) + (0 if only else 1)))
    failed = 0
    n = 0
    for en, it in tests:
        n += 1
        if not os.path.exists(os.path.join(ROOT, en)):
            # a handout leaves the instructor guide out, in both languages
            print("ok %d - %s # SKIP %s is not in this tree" % (n, it, en))
            continue
        try:
            problems = compare(en, it)
        except (RuntimeError, OSError, UnicodeDecodeError) as e:
            problems = [str(e)]
        if problems:
            failed += 1
            print("not ok %d - %s in step with %s" % (n, it, en))
            for p in problems:
                for line in p.splitlines():
                    print("# " + line)
        else:
            print("ok %d - %s in step with %s" % (n, it, en))
    if not only:
        n += 1
        extra = unlisted(pairs)
        if extra:
            failed += 1
            print("not ok %d - every Italian page is in %s" % (n, os.path.relpath(LIST, ROOT)))
            for e in extra:
                print("# %s: not in the list: add a line 'ENGLISH %s'" % (e, e))
        else:
            print("ok %d - every Italian page is in %s" % (n, os.path.relpath(LIST, ROOT)))
    return 1 if failed else 0


def main(argv):
    pairs = load_list()
    cmd = argv[1] if len(argv) > 1 else "check"
    if cmd in ("-h", "--help"):
        print(__doc__)
        return 0
    if cmd == "check":
        return check(pairs, argv[2:])
    if cmd in ("stamp", "diff") and len(argv) == 3:
        return (stamp if cmd == "stamp" else diff)(pairs, argv[2])
    print("usage: i18n_sync.py [check [PAGE.it.md...] | stamp PAGE.it.md | diff PAGE.it.md]",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
