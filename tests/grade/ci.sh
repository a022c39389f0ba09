#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The student's autograder in CI (the handout's .github/workflows/grade.yml
# and .gitlab-ci.yml run it on every push):
#
#   LABS="05" bash tests/grade/ci.sh
#
# Grades each lab of LABS (default: the labs of labs/HANDOUT, the ones
# this handout asks for) with make grade, and leaves for the CI to publish,
# per lab, in build/grade/: labNN.ktap and labNN.json (the report),
# labNN.junit.xml (JUnit XML: GitLab shows it as the pipeline's test
# report) and the whole report in labNN.txt. With GITHUB_STEP_SUMMARY set
# (GitHub Actions), the scores go to the run's summary page too.
# Exit status 0 only when every lab has full marks: the job fails below.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/grade/labs.sh
. "$ROOT/tests/grade/labs.sh"
OUT=$ROOT/build/grade
PY=/usr/bin/python3
LABS=${LABS:-$(sed -n 's/^labs://p' "$ROOT/labs/HANDOUT" 2>/dev/null)}
[ -n "${LABS// /}" ] || { echo "ci: no labs to grade: set LABS (e.g. LABS=05), or use a tree made by make handout" >&2; exit 2; }
mkdir -p "$OUT"
bad=0
summary=()
for a in $LABS; do
	nn=$(lab_number "$a") || { echo "ci: '$a' is not a lab number" >&2; exit 2; }
	rm -f "$OUT/lab$nn.json"
	bash "$ROOT/tests/grade/grade.sh" "$nn" 2>&1 | tee "$OUT/lab$nn.txt"
	"$PY" "$ROOT/tests/grade/export.py" junit "$OUT/lab$nn.json" -o "$OUT/lab$nn.junit.xml" \
		--log "$OUT/lab$nn.txt" --status "$([ -f "$OUT/lab$nn.json" ] || echo no-result)"
	line=$("$PY" - "$OUT/lab$nn.json" "$nn" <<-'PYEOF'
	import json, sys
	try:
	    d = json.load(open(sys.argv[1]))
	    full = d["points_total"] > 0 and d["points"] == d["points_total"] and d["failed"] == 0
	    print(("full" if full else "below"),
	          f"lab {sys.argv[2]}: {d['points']}/{d['points_total']} points, "
	          f"tests {d['passed']}/{d['total']} passed")
	except (OSError, ValueError, KeyError):
	    print("below", f"lab {sys.argv[2]}: no report (the tree did not build?)")
	PYEOF
	)
	[ "${line%% *}" = full ] || bad=1
	summary+=("${line#* }")
done
echo "ci: ----"
printf 'ci: %s\n' "${summary[@]}"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
	{
		echo "## tvmm autograder"
		printf -- '- %s\n' "${summary[@]}"
		echo
		echo "The reports (KTAP, JSON, JUnit XML, text) are this run's artifact \`grade-reports\`."
	} >>"$GITHUB_STEP_SUMMARY"
fi
if [ "$bad" -ne 0 ]; then
	echo "ci: below full marks: make grade LAB=NN on your machine shows the same report, with hints"
	exit 1
fi
echo "ci: full marks"
