#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make handout LABS="05 06" [SEED=S]: the student tree, with those labs'
# solutions removed (default: every lab 01-11, a whole-course handout);
# SEED=S records the student's variant of the guests in labs/SEED, which
# make grade and make grade-all use (tests/selftests/tvmm/seed.h).
#
#   build/handout/tvmm-handout/         the tree (builds; its autograder fails
#                                       cleanly on the empty TODOs)
#   build/handout/tvmm-handout.tar.gz   the same, to hand out
#
# How: only files git tracks are copied (no history, no build products, no
# .config); unifdef -UCONFIG_TVMM_LABNN_SOLUTION keeps each stripped lab's
# stub branch and drops its solution; the stripped labs' Kconfig options go
# (their code is the student's now); docs/instructor-guide.md and its
# Italian edition instructor-guide.it.md (the answers)
# and the mutant catalogue tests/mutants/labNN.mutants (wrong solutions
# written as edits of the right ones) stay behind. Labs not listed keep their solutions and their options.
# The tree gets .github/workflows/grade.yml and .gitlab-ci.yml
# (tests/grade/ci/): CI grades the student's labs on every push.
# tests/grade/handout_check.py then proves that no line of a stripped
# solution is left anywhere in the tree.
#
# LANG=it (HANDOUT_LANG=it from the Makefile): the student reads Italian.
# Each page of labs/ with an Italian edition becomes that edition under
# README.md (the English one stays, as README.en.md; the links between the
# pages follow), and labs/LANG makes make grade give the hints in Italian.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/grade/labs.sh
. "$ROOT/tests/grade/labs.sh"
OUT=${TVMM_HANDOUT_OUT:-$ROOT/build/handout}
NAME=tvmm-handout
H=$OUT/$NAME

die() { echo "handout: $*" >&2; exit 1; }
case ${HANDOUT_LANG:=en} in en | it) ;; *) die "LANG=$HANDOUT_LANG: the pages are in en or it" ;; esac
command -v unifdef >/dev/null || die "unifdef is missing: bash tests/deps.sh (Debian package unifdef)"
git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1 ||
	die "$ROOT is not a git checkout: make a handout from the instructor's tree"

labs=()
for a in ${*:-01 02 03 04 05 06 07 08 09 10 11}; do
	nn=$(lab_number "$a") || die "'$a' is not a lab number (01..11)"
	[ "$nn" != 00 ] || die "lab 00 has no solution code to strip"
	lab_dir "$ROOT" "$nn" >/dev/null || die "no labs/lab$nn-* directory"
	labs+=("$nn")
done

rm -rf "$H" "$OUT/$NAME.tar.gz"
mkdir -p "$H"
# The tracked files as they are in the working tree, minus the answers.
git -C "$ROOT" ls-files -z | grep -zvE '^(docs/instructor-guide(\.it)?\.md|tests/mutants/lab[0-9]+\.mutants)$' |
	(cd "$ROOT" && xargs -0 cp --parents -t "$H") || die "copying the tree failed"

# The pages quote measured numbers as {{key}} (tests/figures/README.md):
# the student reads the numbers of the last `make figures` in the tree.
fig=$ROOT/build/figures
if [ -s "$fig/numbers.en.tsv" ]; then
	(cd "$H" && find README.md docs labs slides -name '*.md' -print0 |
		xargs -0 -r python3 "$ROOT/tests/figures/render.py" "$fig") ||
		die "filling the pages' numbers failed (see above)"
else
	echo "handout: no $fig/numbers.en.tsv: the pages keep their {{key}} placeholders (run make figures first)" >&2
fi

# Strip each lab's solution blocks from every file that has them.
args=()
for nn in "${labs[@]}"; do args+=("-UCONFIG_TVMM_LAB${nn}_SOLUTION"); done
grep -rlE "CONFIG_TVMM_LAB[0-9]+_SOLUTION" "$H" --include='*.[chS]' | while read -r f; do
	unifdef "${args[@]}" -o "$f" "$f"
	[ $? -le 1 ] || die "unifdef failed on ${f#"$H"/}"
done || exit 1

# Their Kconfig options go with them.
for nn in "${labs[@]}"; do
	d=$(lab_dir "$H" "$nn")
	rm -f "$d/Kconfig"
	sed -i "\|^source \"labs/lab$nn-[^\"]*/Kconfig\"$|d" "$H/Kconfig"
done
{
	echo "# Written by make handout: the labs whose solutions this tree does not have."
	echo "# make grade-all grades these labs by default."
	echo "labs: ${labs[*]}"
} >"$H/labs/HANDOUT"
# The guide's place (and its Italian edition's) holds a page saying it is
# not handed out: the links to it (docs/README.md, docs/README.it.md) lead
# somewhere (tests/grade/standalone.py)
cat >"$H/docs/instructor-guide.md" <<'EOF'
# Instructor's guide

This page is not part of the student handout: the instructor's guide
(the answers, the grading setup) stays with the course staff. Your
autograder is `make grade LAB=NN` (labs/README.md), and CI runs it on
every push (`.github/workflows/grade.yml`, `.gitlab-ci.yml`).
EOF
cat >"$H/docs/instructor-guide.it.md" <<'EOF'
# Guida per il docente

Questa pagina non fa parte del materiale per gli studenti: la guida per il
docente (le risposte, la configurazione della valutazione) resta al corpo
docente. Il vostro autograder è `make grade LAB=NN` (labs/README.it.md), e
la CI lo esegue a ogni push (`.github/workflows/grade.yml`, `.gitlab-ci.yml`).
EOF

# The autograder on every push: GitHub Actions (GitHub Classroom) and
# GitLab CI run tests/grade/ci.sh (tests/grade/ci/)
mkdir -p "$H/.github/workflows"
cp "$ROOT/tests/grade/ci/github-grade.yml" "$H/.github/workflows/grade.yml"
cp "$ROOT/tests/grade/ci/gitlab-ci.yml" "$H/.gitlab-ci.yml"

if [ "$HANDOUT_LANG" = it ]; then
	for page in "$H"/labs/README.it.md "$H"/labs/*/README.it.md; do
		d=${page%/README.it.md}
		mv "$d/README.md" "$d/README.en.md" || die "renaming ${d#"$H"/}/README.md failed"
		mv "$page" "$d/README.md" || die "renaming ${page#"$H"/} failed"
		# links to a lab page: README.md -> README.en.md, README.it.md -> README.md
		sed -i -E 's#\]\(((\.\./)?(lab[0-9]+-[a-z0-9-]+/)?)README\.md\)#](\1README.en.md)#g
			s#\]\(((\.\./)?(lab[0-9]+-[a-z0-9-]+/)?)README\.it\.md\)#](\1README.md)#g' \
			"$d/README.md" "$d/README.en.md"
	done
	echo it >"$H/labs/LANG"
fi
if [ -n "${SEED:-}" ]; then
	[[ $SEED =~ ^[0-9]{1,9}$ ]] || die "SEED=$SEED is not a number"
	echo "$SEED" >"$H/labs/SEED"
fi

/usr/bin/python3 "$ROOT/tests/grade/handout_check.py" "$ROOT" "$H" "${labs[@]}" ||
	die "the handout still holds solution code (see above); nothing was packed"
tar -C "$OUT" --owner=0 --group=0 --sort=name -czf "$OUT/$NAME.tar.gz" "$NAME" ||
	die "tar failed"
echo "handout: labs ${labs[*]} stripped"
echo "handout: tree    $H"
echo "handout: tarball $OUT/$NAME.tar.gz ($(du -h "$OUT/$NAME.tar.gz" | cut -f1))"
