#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# slides_test.sh - the lecture decks, both editions, as a browser shows
# them. Builds `make slides` and `make slides LANG=it`, then
# slides_check.py loads every deck in headless Chromium, the projected
# one (NN.html) and the one the PDF is printed from (NN.print.html), and
# fails on a slide whose content overflows, an image that does not load,
# a broken link or a slide without speaker notes. Also: one PNG of each
# deck's first slide (build/slides/[it/]png/) and a PDF with one page per
# slide, the two editions in step
# (the same decks, slides and figures), and the checker itself failing on
# a deck broken in each of those ways. Prints KTAP (one subtest per set).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CHECK=$ROOT/tests/host/slides_check.py
OUT=$ROOT/build/slides
cd "$ROOT" || exit 1

echo "KTAP version 1"
echo "1..6"
skip_all() { for i in 1 2 3 4 5 6; do echo "ok $i slides # SKIP $1"; done; exit 0; }
command -v chromium >/dev/null || skip_all "no chromium (bash tests/deps.sh)"
# The decks quote measured numbers (make figures, a lab VM run): a layout
# check needs some, not the newest, so it never boots the lab VM itself.
# With no run of this tree's own (a fresh clone, CI) it takes those of the
# run recorded in the tree (tests/figures/testdata/), written without a
# key file, so the next make figures still measures for real.
if [ ! -s build/figures/numbers.en.tsv ]; then
	mkdir -p build/figures
	python3 tests/figures/collect.py --workloads tests/figures/testdata/workloads.out \
		--bench tests/figures/testdata/bench.out --out build/figures >/dev/null ||
		skip_all "no measured numbers, and the recorded run gave none: make figures"
	echo "# numbers: the run recorded in tests/figures/testdata/ (no make figures here)"
fi
export TVMM_FIGURES_STALE=1

n=0 failed=0
result() {	# result OK NAME
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; failed=1; fi
}

# 1, 2: each edition built and checked, its checker's TAP as a subtest
for lang in en it; do
	dir=$OUT
	[ $lang = en ] || dir=$OUT/$lang
	if ! log=$(make -s slides LANG=$lang 2>&1); then
		echo "# make slides LANG=$lang failed:"
		tail -n 20 <<<"$log" | sed 's/^/# /'
		result 1 "slides.$lang"
		continue
	fi
	src=slides
	[ $lang = en ] || src=slides/$lang
	decks=()
	for md in "$src"/[0-9][0-9]-*.md; do
		decks+=("$dir/$(basename "$md" .md).html" "$dir/$(basename "$md" .md).print.html")
	done
	python3 "$CHECK" "${decks[@]}" 2>&1 | grep -v '^TAP version' | sed 's/^/    /'
	result "${PIPESTATUS[0]}" "slides.$lang"
done

# 3: a picture of each deck's first slide, made by `make slides`
bad=0 ndecks=0
for md in slides/[0-9][0-9]-*.md slides/it/[0-9][0-9]-*.md; do
	base=$(basename "$md" .md)
	png=$OUT/png/$base.png
	case $md in slides/it/*) png=$OUT/it/png/$base.png ;; esac
	ndecks=$((ndecks + 1))
	if [ "$(head -c 8 "$png" 2>/dev/null | od -An -tx1 | tr -d ' ')" != 89504e470d0a1a0a ]; then
		echo "# $png: missing, or not a PNG"
		bad=1
	fi
done
[ "$ndecks" -gt 0 ] || bad=1
result $bad "slides.first_slide_png ($ndecks decks)"

# 4: the PDFs, one page per slide (a slide that spills onto a second
# page, or a page lost, changes the count)
bad=0
for md in slides/[0-9][0-9]-*.md slides/it/[0-9][0-9]-*.md; do
	pdf=$OUT/$(basename "$md" .md).pdf
	case $md in slides/it/*) pdf=$OUT/it/$(basename "$md" .md).pdf ;; esac
	want=$(grep -c '^## ' "$md")
	got=$(python3 -c 'import re, sys; print(len(re.findall(rb"/Type\s*/Page[^s]", open(sys.argv[1], "rb").read())))' "$pdf" 2>/dev/null)
	if [ "$got" != "$want" ]; then
		echo "# $pdf: ${got:-no} pages for $want slides"
		bad=1
	fi
done
result $bad "slides.pdf_one_page_per_slide"

# 5: the editions in step: the same decks, each with as many slides and
# the same figures in the same order (a slide added in one language only
# fails here)
bad=0
count() { grep -c '^## ' "$1"; }
# (a figure drawn in each language: the Italian deck shows it/fig/NAME)
figs() { grep -o '](\(it/\)\?fig/[^)]*)' "$1" | sed 's#](it/#](#' | tr '\n' ' '; }
for md in slides/[0-9][0-9]-*.md; do
	it=slides/it/$(basename "$md")
	if [ ! -f "$it" ]; then
		echo "# $md has no Italian edition $it"
		bad=1
		continue
	fi
	if [ "$(count "$md")" != "$(count "$it")" ]; then
		echo "# $md has $(count "$md") slides, $it $(count "$it")"
		bad=1
	fi
	if [ "$(figs "$md")" != "$(figs "$it")" ]; then
		echo "# figures differ: $md: $(figs "$md"); $it: $(figs "$it")"
		bad=1
	fi
done
for it in slides/it/[0-9][0-9]-*.md; do
	[ -f "slides/$(basename "$it")" ] || { echo "# $it has no English deck"; bad=1; }
done
result $bad "slides.editions_in_step"

# 6: the checker fails on a deck with each fault it must find
tmp=$(mktemp -d "$OUT/.selftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
printf '<svg xmlns="http://www.w3.org/2000/svg"' >"$tmp/broken.svg"   # cut short
cat >"$tmp/bad.md" <<'EOF'
---
pagetitle: a deck with every fault
---

## Too much on one slide

- one
- two
- three
- four
- five
- six
- seven
- eight
- nine
- ten
- eleven
- twelve
- thirteen
- fourteen
- fifteen
- sixteen
- seventeen
- eighteen

::: notes
Say nothing.
:::

## A table too wide for the slide

| technique | correct | exits | emulated | reflected | injected | ignored | patched | guest_ticks | cycles_per_exit |
|---|---|---|---|---|---|---|---|---|---|
| deprivileged | compare.minios.deprivileged.correct | compare.minios.deprivileged.exits | x | x | x | x | x | x | x |

::: notes
Say nothing.
:::

## A broken link, an image that does not decode, no notes

[the next deck](no-such-deck.html) · [a slide](#no-such-slide)

![](broken.svg)
EOF
pandoc -f markdown -t dzslides --standalone --self-contained --slide-level=2 \
	--resource-path="$tmp" --css slides/slides.css "$tmp/bad.md" -o "$tmp/bad.html" 2>/dev/null
out=$(python3 "$CHECK" "$tmp/bad.html" 2>&1)
rc=$?
bad=0
[ $rc = 1 ] || { echo "# slides_check.py exited $rc on the broken deck, not 1"; bad=1; }
for want in 'slide 1 .*px taller than the slide' 'slide 2 .*wider than the slide' \
	'slide 3 .*broken link no-such-deck.html' 'slide 3 .*broken link #no-such-slide' \
	'slide 3 .*image does not load' 'slide 3 .*no speaker notes'; do
	grep -q "$want" <<<"$out" || { echo "# not reported: $want"; bad=1; }
done
# shellcheck disable=SC2001 # a prefix on every line
[ $bad = 0 ] || sed 's/^/# /' <<<"$out"
result $bad "slides.checker_finds_faults"

exit $failed
