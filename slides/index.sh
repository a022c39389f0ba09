#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build/slides/index.html: a list of the decks, by their title lines.
set -euo pipefail
echo '<!DOCTYPE html><html><head><meta charset="utf-8"><title>tvmm slides</title>'
echo '<style>body{font-family:"DejaVu Sans",sans-serif;max-width:40em;margin:2em auto}li{margin:.5em 0}</style>'
echo '</head><body><h1>tvmm: the lectures</h1><ol>'
for deck in "$@"; do
	base=${deck%.md}
	title=$(sed -n 's/^title: *//p' "$deck" | head -n 1 | sed 's/^"//; s/"$//')
	printf '<li><a href="%s.html">%s</a>' "$base" "${title:-$base}"
	if [ -n "${WITH_PDF:-}" ]; then
		printf ' (<a href="%s.pdf">PDF</a>)' "$base"
	fi
	printf '</li>\n'
done
echo '</ol><p>Keys: arrows or space to move, Esc for the overview.</p></body></html>'
