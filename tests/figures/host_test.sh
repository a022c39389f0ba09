#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's figures-host step (TAP): the numbers machinery, on the host.
#  - no measured number typed by hand in README.md, docs/, labs/, slides/
#    (handtyped.py), and the checker itself catches what it must;
#  - docs/numbers.lua fills placeholders in text, code, code blocks and
#    tables, per language, and stops on an unknown key; render.py likewise;
#  - collect.py turns a recorded run (testdata/) into the right numbers;
#  - labvm_blocks.py collects the marked blocks and reports their status;
#  - live_chart.py draws the recorded live migrations with the run's numbers,
#    in both languages, and the check catches a chart with a wrong one.
# ok and nok always succeed, so "COND && ok X || nok X" is an if-else here;
# the backquotes in single quotes are Markdown, not shell.
# shellcheck disable=SC2015,SC2016
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
F=$ROOT/tests/figures
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 failed=0
echo "TAP version 13"
echo "1..17"
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -z "${2:-}" ] || echo "# ${2//$'\n'/$'\n'# }"; }
check() { local name=$1; shift; if out=$("$@" 2>&1); then ok "$name"; else nok "$name" "$out"; fi; }

# 1. the tree (a student tree from make handout has its numbers filled in)
if [ -f "$ROOT/labs/HANDOUT" ]; then
	n=$((n + 1))
	echo "ok $n - no measured number typed by hand # SKIP a handout: make handout filled the numbers in"
else
	check "no measured number typed by hand in README.md, docs/, labs/, slides/" \
		python3 "$F/handtyped.py" "$ROOT/README.md" "$ROOT/docs" "$ROOT/labs" "$ROOT/slides"
fi

# 2-3. the checker on planted figures, and on numbers that are not measured
cat >"$T/bad.md" <<'X'
tvmm: hlt after 255 exits (io 216, hlt 4); exit status 0
235 emulated, 5 reflected, 4 injected ticks
Tracing costs 2.15x, or 1.58 times the run.
{"seq":94,"tsc":8812345,"mnemonic":"cli","cycles":515}
      IO_INSTRUCTION         22    95.65%    90.00%
popek: 4 wrong
| technique | exits | cycles/exit |
|---|---|---|
| hw | 232 | 432.2 |
Il mini-OS fa 255 uscite: 233 emulate, 7 tick iniettati.
X
got=$(python3 "$F/handtyped.py" --lines "$(cat "$T/bad.md")" | cut -d: -f1 | sort -un | wc -l)
# every line but the table's header and rule (7 and 8) has a figure
want=8
[ "$got" = "$want" ] && ok "handtyped.py finds a figure on each planted line ($got of $want)" ||
	nok "handtyped.py finds a figure on each planted line ($got of $want)" \
		"$(python3 "$F/handtyped.py" --lines "$(cat "$T/bad.md")")"
cat >"$T/good.md" <<'X'
tvmm: hlt after {{hello.exits}} exits (io {{hello.io}}, hlt {{hello.hlt}}); exit status 0
Port 0xE9, vector 0x20, status 110, SDM vol. 3C, 28.2.1 (table 28-7), 2 MiB of RAM.
Exit reason 30 (IO_INSTRUCTION); the exit hypercall 0; lab 05 is worth 23 points.
| lab | points |
|---|---|
| 05 | 23 |
X
out=$(python3 "$F/handtyped.py" --lines "$(cat "$T/good.md")")
[ -z "$out" ] && ok "handtyped.py leaves placeholders and constants alone" ||
	nok "handtyped.py leaves placeholders and constants alone" "$out"

# 4. an allowlist entry without its reason is refused
echo 'wall time 2x' >"$T/allow"
if python3 "$F/handtyped.py" --allow "$T/allow" "$T/good.md" >/dev/null 2>&1; then
	nok "an allowlist entry needs its reason"
else
	ok "an allowlist entry needs its reason"
fi

# 5-8. numbers.lua (needs pandoc: tests/deps.sh)
printf 'hello.exits\t23\nbig\t8,666,226\ntable\tline one\\nline two\n' >"$T/numbers.en.tsv"
printf 'hello.exits\t23\nbig\t8.666.226\ntable\tline one\\nline two\n' >"$T/numbers.it.tsv"
cat >"$T/page.md" <<'X'
After {{hello.exits}} exits, `tvmm: {{hello.exits}}`.

| mode | ticks |
|---|---|
| hw | {{big}} |

```
{{table}}
```
X
cp "$T/page.md" "$T/page.it.md"
if command -v pandoc >/dev/null; then
	html=$(cd "$ROOT/docs" && TVMM_FIGURES=$T pandoc -f gfm -t html5 --lua-filter numbers.lua "$T/page.md" 2>&1)
	if grep -q 'After 23 exits' <<<"$html" && grep -q '<code>tvmm: 23</code>' <<<"$html" &&
		grep -q '<td>8,666,226</td>' <<<"$html" && grep -q 'line one$' <<<"$html" &&
		grep -q '^line two' <<<"$html" && ! grep -q '{{' <<<"$html"; then
		ok "numbers.lua fills text, inline code, tables and code blocks"
	else
		nok "numbers.lua fills text, inline code, tables and code blocks" "$html"
	fi
	html=$(cd "$ROOT/slides" && TVMM_FIGURES=$T pandoc -f markdown -t html5 --lua-filter ../docs/numbers.lua "$T/page.it.md" 2>&1)
	grep -q '8.666.226' <<<"$html" && ok "numbers.lua: an .it.md page gets the Italian format" ||
		nok "numbers.lua: an .it.md page gets the Italian format" "$html"
	html=$(cd "$ROOT/docs" && printf 'Write `{{!hello.exits}}` for {{hello.exits}}.\n' |
		TVMM_FIGURES=$T pandoc -f gfm -t html5 --lua-filter numbers.lua 2>&1)
	grep -q '<code>{{hello.exits}}</code> for 23\.' <<<"$html" && ok "numbers.lua: {{!key}} prints the placeholder itself" ||
		nok "numbers.lua: {{!key}} prints the placeholder itself" "$html"
	echo 'The {{hello.exit}} typo.' >"$T/typo.md"
	if out=$(cd "$ROOT/docs" && TVMM_FIGURES=$T pandoc -f gfm -t html5 --lua-filter numbers.lua "$T/typo.md" 2>&1); then
		nok "numbers.lua stops on an unknown key" "$out"
	else
		grep -q 'unknown number {{hello.exit}}' <<<"$out" && ok "numbers.lua stops on an unknown key, naming it" ||
			nok "numbers.lua stops on an unknown key, naming it" "$out"
	fi
	if out=$(cd "$ROOT/docs" && TVMM_FIGURES=$T/none pandoc -f gfm -t html5 --lua-filter numbers.lua "$T/page.md" 2>&1); then
		nok "numbers.lua without make figures says so" "$out"
	else
		grep -q "run 'make figures'" <<<"$out" && ok "numbers.lua without make figures says so" ||
			nok "numbers.lua without make figures says so" "$out"
	fi
else
	for t in "fills text, inline code, tables and code blocks" "Italian format" "escape" "unknown key" "no figures"; do
		n=$((n + 1)); echo "ok $n - numbers.lua: $t # SKIP pandoc is missing (bash tests/deps.sh)"
	done
fi

# 9-10. render.py: the Markdown a student reads
cp "$T/page.md" "$T/r.md"
python3 "$F/render.py" "$T" "$T/r.md" && grep -q 'After 23 exits' "$T/r.md" &&
	grep -q '| hw | 8,666,226 |' "$T/r.md" && grep -qx 'line two' "$T/r.md" &&
	ok "render.py fills a page in place" || nok "render.py fills a page in place" "$(cat "$T/r.md")"
echo 'The {{hello.exit}} typo.' >"$T/r2.md"
if python3 "$F/render.py" "$T" "$T/r2.md" 2>/dev/null; then
	nok "render.py fails on an unknown key"
else
	ok "render.py fails on an unknown key"
fi

# 11-12. collect.py on a recorded run
if python3 "$F/collect.py" --workloads "$F/testdata/workloads.out" --bench "$F/testdata/bench.out" \
	--out "$T" >"$T/collect.log" 2>&1; then
	out=$(python3 - "$T/numbers.json" "$F/testdata" <<'X'
import json, re, sys
n = json.load(open(sys.argv[1]))
w = open(sys.argv[2] + "/workloads.out").read()
b = open(sys.argv[2] + "/bench.out").read()
errs = []
def want(what, got, exp):
    if got != exp:
        errs.append(f"{what}: {got!r}, the recording says {exp!r}")
m = re.search(r"=== hello.run\n(?:.*\n)*?tvmm: hlt after (\d+) exits \(io (\d+), hlt (\d+)\)", w)
want("hello.exits", n["hello"]["exits"], int(m.group(1)))
want("hello.io", n["hello"]["io"], int(m.group(2)))
want("minios.injected", n["minios"]["injected"], int(re.search(r"COUNT minios action.injected (\d+)", w).group(1)))
c = json.loads(re.search(r"=== compare.popek\n(.*?)\n=== ", w, re.S).group(1))
dep = [t for t in c["techniques"] if t["technique"] == "deprivileged"][0]
want("compare.popek.deprivileged.correct", n["compare"]["popek"]["deprivileged"]["correct"], dep["correct"])
want("compare.popek.deprivileged.exits", n["compare"]["popek"]["deprivileged"]["exits"], dep["exits"])
t = float(re.search(r"mode=normal .*cpuid_exit=([\d.]+)", b).group(1))
f = float(re.search(r"mode=floor .*cpuid_exit=([\d.]+)", b).group(1))
want("bench.cpuid.tvmm", n["bench"]["cpuid"]["tvmm"], t)
want("bench.cpuid.tvmm_floor", n["bench"]["cpuid"]["tvmm_floor"], round(t / f, 2))
m = re.search(r"tvmm: usage total: vms=(\d+) wall_ticks=(\d+) guest_ticks=(\d+) exits=\d+ tvmm_ticks=(\d+)", w)
want("consolidate_vms", n["consolidate_vms"], int(m.group(1)))
want("consolidate_wall_ticks", n["consolidate_wall_ticks"], int(m.group(2)))
want("consolidate_guest_pct", round(n["consolidate_guest_pct"], 6),
     round(100 * int(m.group(3)) / int(m.group(2)), 6))
want("consolidate_tvmm_ticks", n["consolidate_tvmm_ticks"], int(m.group(4)))
if not re.fullmatch(r"\d{4}-\d\d-\d\d", n["run"]["date"]):
    errs.append(f"run.date {n['run']['date']!r}")
print("\n".join(errs))
X
)
	[ -z "$out" ] && ok "collect.py: the figures of a recorded run" || nok "collect.py: the figures of a recorded run" "$out"
else
	nok "collect.py: the figures of a recorded run" "$(cat "$T/collect.log")"
fi
grep -v '^=== minios.cli' "$F/testdata/workloads.out" | sed '/^{"seq":[0-9]*,.*"mnemonic":"cli"/d' >"$T/cut.out"
if python3 "$F/collect.py" --workloads "$T/cut.out" --bench "$F/testdata/bench.out" --out "$T" >/dev/null 2>&1; then
	nok "collect.py fails when the run lacks a figure"
else
	ok "collect.py fails when the run lacks a figure"
fi

# 13-14. labvm_blocks.py
cat >"$T/blocks.md" <<'X'
```labvm
tvmm run /extra/hello.bin
```
1. A step:
   ```labvm
   tvmm caps
   ```
```labvm-manual
# not run by make check: needs your lab 07 code
tvmm run --mode deprivileged /extra/minios.bin
```
```sh
make demo
```
X
python3 "$F/labvm_blocks.py" collect "$T/b" "$T/blocks.md"
printf 'BLOCK 1 BEGIN\nBLOCK 1 END 0\nBLOCK 2 BEGIN\n  | tvmm: error\nBLOCK 2 END 4\nBLOCKS DONE\n' >"$T/vm.out"
out=$(python3 "$F/labvm_blocks.py" report "$T/b" "$T/vm.out")
if [ "$(tail -n 1 "$T/b/block-2.sh")" = "tvmm caps" ] &&
	grep -q '^ok 1 ' <<<"$out" && grep -q '^not ok 2 .*exit status 4' <<<"$out" &&
	grep -q '^ok 3 .*# SKIP not run by make check: needs your lab 07 code' <<<"$out" &&
	[ "$(grep -c '^\(not \)\?ok' <<<"$out")" = 3 ]; then
	ok "labvm_blocks.py: labvm blocks (indented too) run, a failure is reported, manual ones skip"
else
	nok "labvm_blocks.py: labvm blocks (indented too) run, a failure is reported, manual ones skip" "$out"
fi
printf '```labvm-manual\ntvmm run /extra/minios.bin\n```\n' >"$T/noreason.md"
if python3 "$F/labvm_blocks.py" collect "$T/c" "$T/noreason.md" 2>/dev/null; then
	nok "a labvm-manual block needs its reason"
else
	ok "a labvm-manual block needs its reason"
fi
# 16-17. live_chart.py: the chart of the recorded live migrations shows,
# panel by panel and in order, each round's number, guest ticks, pages sent
# and dirtied, the stop-and-copy's pages, the verdict and the downtime, as
# the recording's own lines say (not collect.py: the figure must equal the
# run); then the same check on a chart drawn from one planted wrong value
cat >"$T/live_check.py" <<'X'
import html, re, sys
svg, rec, lang = sys.argv[1:4]
w = open(rec).read()
texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", open(svg).read())]
verdict = {"en": ("converged after", "not converging"), "it": ("convergenza dopo", "non converge")}[lang]
errs, starts = [], {}
for image in ("memwrite.bin", "memwrite_big.bin"):
    i = [k for k, t in enumerate(texts) if t.startswith(image + ":")]
    if len(i) != 1:
        sys.exit(f"{svg}: {len(i)} panels titled {image}:")
    starts[image] = i[0]
order = sorted(starts.values()) + [len(texts)]
for image, sect in (("memwrite.bin", "live.memwrite"), ("memwrite_big.bin", "live.memwrite_big")):
    body = re.search(r"=== " + re.escape(sect) + r"\n(.*?)\n=== ", w, re.S).group(1)
    want = []
    for r, sent, dirtied, ticks in re.findall(
            r"round (\d+): sent (\d+) pages, dirtied (\d+) during the round, (\d+) guest ticks", body):
        want += [r, ticks, sent, dirtied]
    stop = re.search(r"stop-and-copy: sent (\d+) pages .*\((\d+) pages in (\d+) rounds", body)
    down = re.search(r"downtime (\d+) guest ticks", body).group(1)
    want += [stop.group(1), str(int(stop.group(3)) - 1), down, stop.group(2)]
    start = starts[image]
    panel = texts[start:order[order.index(start) + 1]]
    got = [n for t in panel for n in re.findall(r"\d+", t)]
    if got != want:
        errs.append(f"{lang} {image}: the chart says {got}, the run {want}")
    ok = verdict[0] if "converged:" in body else verdict[1]
    if not any(ok in t for t in panel):
        errs.append(f"{lang} {image}: no '{ok}' in its panel: {panel}")
print("\n".join(errs))
X
if command -v dot >/dev/null; then
	out=""
	mkdir -p "$T/live"
	python3 "$F/collect.py" --workloads "$F/testdata/workloads.out" --bench "$F/testdata/bench.out" \
		--out "$T/live" >/dev/null 2>&1 || out="collect.py failed on the recorded run"$'\n'
	for lang in en it; do
		if ! o=$(python3 "$F/live_chart.py" --lang $lang "$T/live/numbers.json" "$T/live.$lang.svg" 2>&1); then
			out+="live_chart.py --lang $lang: $o"$'\n'
			continue
		fi
		out+=$(python3 "$T/live_check.py" "$T/live.$lang.svg" "$F/testdata/workloads.out" $lang 2>&1)$'\n'
	done
	[ -z "${out//$'\n'/}" ] && ok "live_chart.py: the chart's rounds, pages, verdict and downtime are the recorded run's (en, it)" ||
		nok "live_chart.py: the chart's rounds, pages, verdict and downtime are the recorded run's (en, it)" "$out"
	# a chart from numbers with one dirtied count off by one
	python3 - "$T/live/numbers.json" "$T/planted.json" <<'X'
import json, sys
n = json.load(open(sys.argv[1]))
n["live"]["big"]["round"]["3"]["dirtied"] += 1
json.dump(n, open(sys.argv[2], "w"))
X
	python3 "$F/live_chart.py" "$T/planted.json" "$T/planted.svg" 2>/dev/null
	out=$(python3 "$T/live_check.py" "$T/planted.svg" "$F/testdata/workloads.out" en 2>&1)
	grep -q "memwrite_big.bin: the chart says" <<<"$out" && ok "the live chart check fails on a planted wrong value" ||
		nok "the live chart check fails on a planted wrong value" "$out"
else
	for t in "the live chart's numbers" "a planted wrong value"; do
		n=$((n + 1)); echo "ok $n - live_chart.py: $t # SKIP Graphviz (dot) is missing (bash tests/deps.sh)"
	done
fi
exit $failed
