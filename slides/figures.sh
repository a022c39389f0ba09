#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fill build/slides/fig/ as figures.map says: a diagram drawn from a real
# trace when there is one (build/demo/ after `make demo`, or `tvmm dot` on
# a trace kept in the tree), the static figure otherwise. Prints which
# source each slide figure got. A static figure drawn in Italian too
# (DOCS_FIGURES/../it/figures/NAME, by make docs) goes to it/fig/NAME as
# well, which the Italian decks show. Touches fig/.stamp only when a file
# changed, so the decks are rebuilt only then.
# Usage: figures.sh ROOT OUT DOCS_FIGURES
set -euo pipefail

root=$1 out=$2 static=$3
static_it=$(dirname "$static")/it/$(basename "$static")
tvmm=$root/userspace/tvmm
mkdir -p "$out/fig"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
changed=0

# try CANDIDATE NAME: on success, $tmp/NAME holds the picture and $from says whence
try() {
	local cand=$1 name=$2 spec args trace f
	case "$cand" in
	-) return 1 ;;
	dot:*)
		spec=${cand#dot:}
		args=${spec%:*}
		trace=${spec##*:}
		[ -x "$tvmm" ] && [ -s "$root/$trace" ] || return 1
		# shellcheck disable=SC2086
		"$tvmm" dot ${args//,/ } -o "$tmp/$name" "$root/$trace" >/dev/null 2>&1 || return 1
		from="tvmm dot ${args//,/ } $trace"
		;;
	*)
		for f in $root/$cand; do
			if [ -s "$f" ]; then
				cp "$f" "$tmp/$name"
				from="trace diagram ${f#"$root"/}"
				return 0
			fi
		done
		return 1
		;;
	esac
	[ -s "$tmp/$name" ]
}

while read -r name rest; do
	case "$name" in '' | '#'*) continue ;; esac
	read -ra words <<<"$rest"
	fallback=${words[-1]}
	found=0
	for cand in "${words[@]:0:${#words[@]}-1}"; do
		if try "$cand" "$name"; then
			found=1
			break
		fi
	done
	if [ "$found" = 0 ]; then
		if [ ! -s "$static/$fallback" ]; then
			echo "slides: $static/$fallback is missing (run make docs)" >&2
			exit 1
		fi
		cp "$static/$fallback" "$tmp/$name"
		from="static figure docs/figures/${fallback%.svg}.dot"
		[ -e "$root/docs/figures/${fallback%.svg}.dot" ] || from="make docs's $fallback"
		if [ -s "$static_it/$fallback" ] && ! cmp -s "$static_it/$fallback" "$out/it/fig/$name"; then
			mkdir -p "$out/it/fig"
			cp "$static_it/$fallback" "$out/it/fig/$name"
			changed=1
			echo "slides: it/fig/$name <- its Italian edition"
		fi
	fi
	if ! cmp -s "$tmp/$name" "$out/fig/$name"; then
		cp "$tmp/$name" "$out/fig/$name"
		changed=1
		echo "slides: fig/$name <- $from"
	fi
done <"$(dirname "$0")/figures.map"
if [ "$changed" = 1 ] || [ ! -e "$out/fig/.stamp" ]; then
	touch "$out/fig/.stamp"
fi
