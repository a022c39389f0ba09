#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check rendered slide decks in a real browser (headless Chromium).

    slides_check.py [--png-dir DIR] [--chromium PATH] DECK.html...

For each deck (pandoc's dzslides HTML, or the one-slide-per-page print
HTML the PDFs are made from) Chromium loads a copy with a small script
added; the script measures every slide as laid out and writes what it
found into the page, which Chromium prints (--dump-dom). A deck fails on:

  - content overflowing its slide: the slide's content is taller or
    wider than the slide, an element sticks out of it, or a code line is
    cut at the right edge (slides.css hides what overflows: the audience
    would never see it);
  - an image that does not load or decode;
  - a broken link: an anchor with no such id, a relative file that does
    not exist, or a fragment missing from the page it points at;
  - a slide without speaker notes (::: notes), or a deck with no slides.

--png-dir DIR keeps a screenshot of each deck's first slide, DIR/NAME.png
(800x600, the dzslides size). Prints TAP, one test per deck; exit status
1 when one failed. Why a browser: only layout tells whether a table or a
code block fits, and a self-contained deck can still carry an image the
browser cannot decode.
"""
import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Runs in the page after it loaded. The slides: dzslides' <section
# class="slide">, or the print HTML's section.level2 pages. Pixels are
# CSS pixels of an 800x600 window (dzslides' own slide size).
PROBE = r"""
<script>
window.addEventListener('load', function () {
  var out = {slides: [], ids: []};
  document.querySelectorAll('[id]').forEach(function (e) { out.ids.push(e.id); });
  var secs = document.querySelectorAll('section.slide, section.level2');
  secs.forEach(function (s) {
    var r = {title: ((s.querySelector('h1, h2') || {}).textContent || '').trim().replace(/\s+/g, ' '),
             problems: [], notes: 0, images: 0, links: []};
    r.notes = s.querySelectorAll(':scope > .notes').length;
    var sr = s.getBoundingClientRect();
    var scale = sr.width / s.offsetWidth || 1;
    if (s.scrollHeight > s.clientHeight + 1)
      r.problems.push('content is ' + (s.scrollHeight - s.clientHeight) +
                      'px taller than the slide');
    if (s.scrollWidth > s.clientWidth + 1)
      r.problems.push('content is ' + (s.scrollWidth - s.clientWidth) +
                      'px wider than the slide');
    var out_of = [];    // report the outermost element only
    s.querySelectorAll('*').forEach(function (e) {
      if (e.closest('.notes') || e.tagName === 'COL' || e.tagName === 'COLGROUP') return;
      if (out_of.some(function (o) { return o.contains(e); })) return;
      var er = e.getBoundingClientRect();
      if (!er.width && !er.height) return;
      var over = Math.max(er.bottom - sr.bottom, er.right - sr.right,
                          sr.left - er.left, sr.top - er.top) / scale;
      var what = e.tagName.toLowerCase() + ' "' +
                 (e.textContent || e.getAttribute('src') || '').trim().replace(/\s+/g, ' ').slice(0, 40) + '"';
      if (over > 1) {
        out_of.push(e);
        r.problems.push(what + ' sticks out of the slide by ' + Math.round(over) + 'px');
      }
      if (e.tagName === 'PRE' && e.scrollWidth > e.clientWidth + 1)
        r.problems.push(what + ': a line is cut by ' + (e.scrollWidth - e.clientWidth) + 'px');
    });
    s.querySelectorAll('img').forEach(function (img) {
      r.images++;
      if (!img.complete || !img.naturalWidth)
        r.problems.push('image does not load: ' + (img.getAttribute('src') || '').slice(0, 60));
    });
    s.querySelectorAll('a[href]').forEach(function (a) {
      r.links.push(a.getAttribute('href'));
    });
    out.slides.push(r);
  });
  var pre = document.createElement('pre');
  pre.id = 'tvmm-slides-check';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""


def chromium_cmd(chromium, *args):
    return [chromium, '--headless', '--no-sandbox', '--disable-gpu',
            '--hide-scrollbars', '--window-size=800,600', *args]


def probe(chromium, deck):
    """Load DECK with PROBE added; return what the page measured."""
    with open(deck, encoding='utf-8') as f:
        text = f.read()
    if '</body>' not in text:
        raise RuntimeError('no </body>: not an HTML deck')
    text = text.replace('</body>', PROBE + '</body>', 1)
    # next to the deck, so that relative URLs resolve as they do for it
    fd, copy = tempfile.mkstemp(prefix='.check-', suffix='.html',
                                dir=os.path.dirname(os.path.abspath(deck)))
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(text)
        res = subprocess.run(chromium_cmd(chromium, '--dump-dom', 'file://' + copy),
                             capture_output=True, text=True, timeout=120)
    finally:
        os.unlink(copy)
    m = re.search(r'<pre id="tvmm-slides-check">(.*?)</pre>', res.stdout, re.S)
    if not m:
        raise RuntimeError('Chromium printed no result (status %d): %s' %
                           (res.returncode, res.stderr.strip()[-300:]))
    return json.loads(html.unescape(m.group(1)))


def ids_of(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        return set(re.findall(r'\bid="([^"]+)"', f.read()))


def link_problem(deck, href, ids):
    """Why HREF, found in DECK, is broken; None when it is fine."""
    if href.startswith('#'):
        return None if href[1:] in ids else 'no id "%s" in this deck' % href[1:]
    if re.match(r'(https?|mailto):', href):
        return None                 # no network here: not checked
    if re.match(r'[a-z]+:', href):
        return 'a %s link works on one machine only' % href.split(':')[0]
    path, _, frag = href.partition('#')
    target = os.path.normpath(os.path.join(os.path.dirname(deck), path))
    if not os.path.exists(target):
        return 'no file %s' % os.path.relpath(target)
    if frag and target.endswith('.html') and frag not in ids_of(target):
        return 'no id "%s" in %s' % (frag, os.path.relpath(target))
    return None


def screenshot(chromium, deck, png):
    os.makedirs(os.path.dirname(png), exist_ok=True)
    subprocess.run(chromium_cmd(chromium, '--screenshot=' + png,
                                'file://' + os.path.abspath(deck)),
                   capture_output=True, timeout=120)
    return os.path.exists(png) and os.path.getsize(png) > 0


def check(chromium, deck, png_dir):
    """(number of slides, [problems]) for one deck."""
    page = probe(chromium, deck)
    problems = []
    slides = page['slides']
    if not slides:
        problems.append('no slides found')
    for n, s in enumerate(slides, 1):
        where = 'slide %d "%s"' % (n, s['title'][:50])
        problems += ['%s: %s' % (where, p) for p in s['problems']]
        if s['notes'] == 0:
            problems.append('%s: no speaker notes (::: notes)' % where)
        for href in s['links']:
            why = link_problem(deck, href, set(page['ids']))
            if why:
                problems.append('%s: broken link %s: %s' % (where, href, why))
    if png_dir:
        png = os.path.join(png_dir, os.path.basename(deck)[:-len('.html')] + '.png')
        if not screenshot(chromium, deck, png):
            problems.append('no screenshot written to %s' % png)
    return len(slides), problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--png-dir')
    ap.add_argument('--chromium', default=os.environ.get('CHROMIUM') or
                    shutil.which('chromium') or shutil.which('chromium-browser'))
    ap.add_argument('decks', nargs='+')
    a = ap.parse_args()
    if not a.chromium:
        print('slides_check: no chromium (Debian: apt-get install chromium, '
              'or bash tests/deps.sh)', file=sys.stderr)
        return 2
    print('TAP version 13')
    print('1..%d' % len(a.decks))
    failed = 0
    for i, deck in enumerate(a.decks, 1):
        name = os.path.relpath(deck)
        try:
            count, problems = check(a.chromium, deck, a.png_dir)
        except (OSError, RuntimeError, ValueError, subprocess.TimeoutExpired) as e:
            count, problems = 0, ['could not check it: %s' % e]
        for p in problems:
            print('# %s: %s' % (name, p))
        ok = not problems
        failed += not ok
        print('%s %d - %s: %d slides%s' % ('ok' if ok else 'not ok', i, name, count,
                                          '' if ok else ', %d problems' % len(problems)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
