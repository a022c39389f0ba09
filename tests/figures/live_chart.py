#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Draw the live migrations `make figures` measured, as a Graphviz chart.

What it teaches: pre-copy live migration (docs/live-migration.md) is a
race between the copy and the guest's writes. Each round sends the pages
the guest dirtied during the one before; it converges when the dirtied
bar shrinks, and when it does not, a round cap stops it and the last
round, the stop-and-copy while the guest is paused, is as large as the
rest. Two runs side by side show both: memwrite.bin (a few pages
rewritten: converges) and memwrite_big.bin (a large working set: the
cap). Every number comes from build/figures/numbers.json (keys live.small
and live.big, written by collect.py), none is typed here.

  live_chart.py [--lang en|it] NUMBERS.json OUT.{dot,svg,png}

OUT.dot is the DOT text; .svg and .png are rendered by Graphviz's `dot`.
The look imitates `tvmm compare --chart` (userspace/compare.c): one node
holding an HTML-like table, bars as fixed-width cells.
"""
import argparse
import json
import subprocess
import sys

BAR = 260           # points for the longest bar (a round of all the RAM)
RUNS = ("small", "big")
COLORS = {          # (fill, border and text)
    "sent": ("#8ecae6", "#2a6f97"),
    "dirtied": ("#f4a261", "#b85c1e"),
    "stop": ("#e76f51", "#8c2d1b"),
}
TEXT = {
    "en": {
        "title": "Live migration, measured: pages per pre-copy round\n"
                 "(make figures, {date}: the rounds tvmm migrate --live printed)",
        "small": "memwrite.bin: rewrites a few pages",
        "big": "memwrite_big.bin: rewrites a large working set",
        "round": "round {r}",
        "ticks": "{t} guest ticks",
        "stop": "stop-and-copy",
        "stopped": "guest stopped",
        "converged": "converged after round {r}",
        "capped": "round cap reached after {r} rounds: not converging",
        "downtime": "downtime {t} guest ticks ({p} pages sent in all)",
        "sent": "pages sent in the round",
        "dirtied": "pages the guest dirtied during it",
        "stop_legend": "sent with the guest stopped",
    },
    "it": {
        "title": "Migrazione live, misurata: pagine per round di pre-copy\n"
                 "(make figures, {date}: i round stampati da tvmm migrate --live)",
        "small": "memwrite.bin: riscrive poche pagine",
        "big": "memwrite_big.bin: riscrive un working set grande",
        "round": "round {r}",
        "ticks": "{t} tick del guest",
        "stop": "stop-and-copy",
        "stopped": "guest fermo",
        "converged": "convergenza dopo il round {r}",
        "capped": "limite di round raggiunto dopo {r} round: non converge",
        "downtime": "downtime {t} tick del guest ({p} pagine inviate in tutto)",
        "sent": "pagine inviate nel round",
        "dirtied": "pagine sporcate dal guest durante il round",
        "stop_legend": "inviate a guest fermo",
    },
}


def die(msg):
    sys.exit("live_chart.py: " + msg)


def html(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def dot_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def load(path):
    """live.small and live.big of numbers.json, checked: the rounds 1..N"""
    try:
        with open(path) as f:
            n = json.load(f)
    except (OSError, ValueError) as e:
        die(f"{path}: {e} (run 'make figures': it measures the numbers in the lab VM)")
    runs = {}
    for name in RUNS:
        run = n.get("live", {}).get(name)
        if not run:
            die(f"{path} has no live.{name}: a run older than live migration; "
                "run 'make figures' again")
        try:
            rounds = [run["round"][str(r)] for r in range(1, run["rounds"] + 1)]
            for rd in rounds:
                for k in ("sent", "dirtied", "ticks"):
                    int(rd[k])
            int(run["stop_pages"]), int(run["downtime_ticks"]), int(run["pages_sent"])
        except (KeyError, TypeError, ValueError) as e:
            die(f"{path}: live.{name} is incomplete ({e!r}): run 'make figures' again")
        runs[name] = (run, rounds)
    return n.get("run", {}).get("date", "?"), runs


def bar(kind, pages, top):
    """one bar: a fixed-width cell as long as @pages, the number, then
    padding to one width for all (or Graphviz stretches the short ones)"""
    fill, ink = COLORS[kind]
    width = max(4, pages * BAR // top)
    return (f'<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
            f'<TD WIDTH="{width}" HEIGHT="13" FIXEDSIZE="TRUE" BORDER="1" '
            f'BGCOLOR="{fill}" COLOR="{ink}"></TD>'
            f'<TD WIDTH="40" HEIGHT="13" FIXEDSIZE="TRUE" ALIGN="LEFT">'
            f'<FONT POINT-SIZE="10" COLOR="{ink}"> {pages}</FONT></TD>'
            f'<TD WIDTH="{BAR + 4 - width}" HEIGHT="13" FIXEDSIZE="TRUE"></TD>'
            f'</TR></TABLE>')


def panel(name, run, rounds, top, t):
    """one run: a row per round (sent over dirtied), the stop-and-copy, the verdict"""
    rows = [f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>{html(t[name])}</B></TD></TR>']
    for r, rd in enumerate(rounds, 1):
        rows.append(f'<TR><TD ALIGN="RIGHT" VALIGN="MIDDLE">{html(t["round"].format(r=r))}'
                    f'<BR/><FONT POINT-SIZE="8">{html(t["ticks"].format(t=rd["ticks"]))}</FONT></TD>'
                    f'<TD ALIGN="LEFT"><TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0">'
                    f'<TR><TD ALIGN="LEFT">{bar("sent", rd["sent"], top)}</TD></TR>'
                    f'<TR><TD ALIGN="LEFT">{bar("dirtied", rd["dirtied"], top)}</TD></TR>'
                    f'</TABLE></TD></TR>')
    _, ink = COLORS["stop"]
    rows.append(f'<TR><TD ALIGN="RIGHT"><FONT COLOR="{ink}"><B>{html(t["stop"])}</B></FONT>'
                f'<BR/><FONT POINT-SIZE="8">{html(t["stopped"])}</FONT></TD>'
                f'<TD ALIGN="LEFT">{bar("stop", run["stop_pages"], top)}</TD></TR>')
    verdict = t["converged" if run["converged"] else "capped"].format(r=run["rounds"])
    rows.append(f'<TR><TD COLSPAN="2" ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="10">{html(verdict)}<BR/>'
                f'{html(t["downtime"].format(t=run["downtime_ticks"], p=run["pages_sent"]))}'
                f'</FONT></TD></TR>')
    return ('<TABLE BORDER="1" COLOR="#c8d0d8" CELLBORDER="0" CELLSPACING="4" CELLPADDING="2">'
            + "".join(rows) + "</TABLE>")


def chart(date, runs, lang):
    t = TEXT[lang]
    # one scale for both runs: their bars compare
    top = max(max(rd["sent"], rd["dirtied"]) for _, rounds in runs.values() for rd in rounds)
    top = max([top, 1] + [run["stop_pages"] for run, _ in runs.values()])
    out = ["// tvmm live migration chart (tests/figures/live_chart.py, from numbers.json)",
           "digraph tvmm_live {",
           f'\tgraph [fontname="Helvetica", fontsize=14, labelloc=t, ranksep=0.1, '
           f'label={dot_str(t["title"].format(date=date))}];',
           '\tnode [fontname="Helvetica", fontsize=11, shape=plaintext];']
    # a node per run, side by side: each as tall as its own rounds
    for name in RUNS:
        out.append(f"\t{name} [label=<{panel(name, *runs[name], top, t)}>];")
    out.append("\t{ rank=same; " + "; ".join(RUNS) + "; }")
    legend = "".join(f'<TD BGCOLOR="{COLORS[k][0]}" COLOR="{COLORS[k][1]}" BORDER="1">'
                     f'<FONT COLOR="{COLORS[k][1]}">{html(t[label])}</FONT></TD>'
                     for k, label in (("sent", "sent"), ("dirtied", "dirtied"),
                                      ("stop", "stop_legend")))
    out.append(f'\tlegend [label=<<TABLE BORDER="0" CELLSPACING="4"><TR>{legend}</TR></TABLE>>];')
    out += [f"\t{name} -> legend [style=invis];" for name in RUNS]
    out.append("}")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description="the live migrations of make figures, as a chart")
    ap.add_argument("--lang", choices=sorted(TEXT), default="en")
    ap.add_argument("numbers", help="build/figures/numbers.json")
    ap.add_argument("out", help="OUT.dot, OUT.svg or OUT.png")
    a = ap.parse_args()
    ext = a.out.rsplit(".", 1)[-1]
    if ext not in ("dot", "svg", "png"):
        die(f"{a.out}: the output is OUT.dot, OUT.svg or OUT.png")
    text = chart(*load(a.numbers), a.lang)
    if ext == "dot":
        with open(a.out, "w") as f:
            f.write(text)
        return
    args = ["dot", "-T" + ext, "-o", a.out] + (["-Gdpi=110"] if ext == "png" else [])
    try:
        subprocess.run(args, input=text, text=True, check=True)
    except FileNotFoundError:
        die("Graphviz (dot) is missing: run 'bash tests/deps.sh' or 'apt-get install graphviz'")
    except subprocess.CalledProcessError as e:
        die(f"dot failed (status {e.returncode}) on the chart for {a.out}")


if __name__ == "__main__":
    main()
