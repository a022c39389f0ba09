#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build/slides/[it/]index.html: a list of the decks, by their titles
# (pagetitle: in each deck's header), with the PDF and the copy with
# speaker notes. DECK_LANG=it writes the Italian page.
set -euo pipefail
if [ "${DECK_LANG:-en}" = it ]; then
	heading='tvmm: le lezioni' notes='con le note' other='<a href="../index.html">English</a>'
	keys='Tasti: frecce o spazio per avanzare, Esc per la panoramica.'
else
	heading='tvmm: the lectures' notes='with speaker notes' other='<a href="it/index.html">italiano</a>'
	keys='Keys: arrows or space to move, Esc for the overview.'
fi
echo "<!DOCTYPE html><html lang=\"${DECK_LANG:-en}\"><head><meta charset=\"utf-8\"><title>$heading</title>"
echo '<style>body{font-family:"DejaVu Sans",sans-serif;max-width:40em;margin:2em auto}li{margin:.5em 0}</style>'
echo "</head><body><h1>$heading</h1><ol>"
for deck in "$@"; do
	base=$(basename "${deck%.md}")
	title=$(sed -n 's/^\(page\)\{0,1\}title: *//p' "$deck" | head -n 1 | sed 's/^"//; s/"$//')
	printf '<li><a href="%s.html">%s</a>' "$base" "${title:-$base}"
	printf ' (<a href="%s.notes.html">%s</a>' "$base" "$notes"
	if [ -n "${WITH_PDF:-}" ]; then
		printf ', <a href="%s.pdf">PDF</a>' "$base"
	fi
	printf ')</li>\n'
done
echo "</ol><p>$keys</p><p>$other</p></body></html>"
