#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make gradescope LAB=NN [VISIBILITY=V]: build/gradescope/labNN.zip, the
# autograder bundle to upload to Gradescope for lab NN. It holds, at its
# top, setup.sh and run_autograder (this folder) and the instructor's tree
# (the files git tracks: the tests, hints and points the grading lays over
# the student's tree), and gradescope.env (LAB=NN, the tests' visibility:
# visible, hidden, after_due_date or after_published).
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=tests/grade/labs.sh
. "$ROOT/tests/grade/labs.sh"
OUT=${TVMM_GRADESCOPE_OUT:-$ROOT/build/gradescope}
die() { echo "gradescope: $*" >&2; exit 1; }

[ $# -eq 1 ] && [ -n "$1" ] || die "usage: make gradescope LAB=NN (NN = 00..11)"
NN=$(lab_number "$1") || die "'$1' is not a lab number (00..11)"
lab_dir "$ROOT" "$NN" >/dev/null || die "no labs/lab$NN-* directory"
VISIBILITY=${VISIBILITY:-visible}
case $VISIBILITY in visible | hidden | after_due_date | after_published) ;;
*) die "VISIBILITY=$VISIBILITY: one of visible, hidden, after_due_date, after_published" ;;
esac
git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1 ||
	die "$ROOT is not a git checkout: make the bundle from the instructor's tree"

stage=$OUT/lab$NN
rm -rf "$stage" "$OUT/lab$NN.zip"
mkdir -p "$stage"
git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
	(cd "$ROOT" && xargs -0 cp --parents -t "$stage") ||
	die "copying the tree failed"
cp "$ROOT/tests/grade/gradescope/setup.sh" "$ROOT/tests/grade/gradescope/run_autograder" "$stage/"
printf 'LAB=%s\nVISIBILITY=%s\n' "$NN" "$VISIBILITY" >"$stage/gradescope.env"
# Python's zipfile keeps each file's mode: run_autograder stays executable
/usr/bin/python3 - "$stage" "$OUT/lab$NN.zip" <<'PY' || die "writing the zip failed"
import os, sys, zipfile
top, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out + ".tmp", "w", zipfile.ZIP_DEFLATED) as z:
    for d, dirs, files in os.walk(top):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(d, f)
            z.write(p, os.path.relpath(p, top))
os.replace(out + ".tmp", out)
PY
rm -rf "$stage"
echo "gradescope: $OUT/lab$NN.zip ($(du -h "$OUT/lab$NN.zip" | cut -f1)): upload it as the autograder of lab $NN"
