#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests (TAP) of the handout's CI files (tests/grade/ci/: the GitHub
# Actions workflow and the GitLab CI file make handout puts in the student
# tree): they pass yamllint, and the commands of their steps, taken from
# the YAML as written, run in a scratch clone of a handout. The grading
# step runs for lab 00 (LABS=00, graded on the host): it fails on the
# handout's empty answers, publishes KTAP, JSON and JUnit XML, and passes
# once the answers are right. The same step for a lab VM lab is ci.sh with
# another LABS (run by hand: docs/instructor-guide.md). Steps that install
# packages with apt-get are not run here (this is not a fresh container).
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/tvmm-ci.XXXXXX")
trap 'rm -rf "$W"' EXIT
PY=/usr/bin/python3
CI=$ROOT/tests/grade/ci
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
diag() { sed 's/^/# /'; }

command -v yamllint >/dev/null || { echo "Bail out! yamllint is missing: bash tests/deps.sh"; exit 1; }
if yamllint -s "$CI/github-grade.yml" "$CI/gitlab-ci.yml" >"$W/lint" 2>&1; then
	ok "yamllint -s: the GitHub workflow and the GitLab CI file are clean"
else
	diag <"$W/lint"; not_ok "yamllint -s: the CI files"
fi
# the linter must be able to fail
sed 's/^  grade:$/  grade:  /' "$CI/gitlab-ci.yml" >"$W/bad.yml"
printf 'key: 1\nkey: 2\n' >>"$W/bad.yml"
if ! yamllint -s "$W/bad.yml" >/dev/null 2>&1; then
	ok "yamllint -s fails on trailing spaces and a duplicate key"
else
	not_ok "yamllint -s fails on trailing spaces and a duplicate key"
fi

# --- a scratch clone of a handout ---------------------------------------------------
if ! TVMM_HANDOUT_OUT=$W/handout bash "$ROOT/tests/grade/handout.sh" 05 >"$W/handout.log" 2>&1; then
	diag <"$W/handout.log"; echo "not ok $((n + 1)) - make handout LABS=05"; echo "1..$((n + 1))"; exit 1
fi
H=$W/handout/tvmm-handout
if cmp -s "$H/.github/workflows/grade.yml" "$CI/github-grade.yml" &&
   cmp -s "$H/.gitlab-ci.yml" "$CI/gitlab-ci.yml"; then
	ok "make handout puts .github/workflows/grade.yml and .gitlab-ci.yml in the student tree"
else
	not_ok "make handout puts the CI files in the student tree"
fi
# the repository and the handout stand alone
for t in "$ROOT" "$H"; do
	if "$PY" "$ROOT/tests/grade/standalone.py" "$t" >"$W/alone" 2>&1; then
		ok "standalone: no file of the ${t##*/} tree refers to a path outside it ($(tail -n 1 "$W/alone" | cut -d' ' -f2) files)"
	else
		diag <"$W/alone"; not_ok "standalone: no file of the ${t##*/} tree refers to a path outside it"
	fi
done
# ... and the check can fail: a reference to a document that is not there
mkdir -p "$W/alone-tree/docs"
# (written in pieces: this file must not hold them)
printf 'See %s.%s and [the ABI](abi.md); logs in /%s/shared/x.\n' DESIGN md work >"$W/alone-tree/docs/a.md"
"$PY" "$ROOT/tests/grade/standalone.py" "$W/alone-tree" >"$W/alone" 2>&1
if [ "$(grep -c 'not in the tree\|outside the tree: /' "$W/alone")" -eq 3 ]; then
	ok "standalone: a missing design document, a dangling link and a machine path are each found"
else
	diag <"$W/alone"; not_ok "standalone: a missing document, a dangling link and a machine path are found"
fi
git -C "$H" init -q && git -C "$H" add -A &&
	git -C "$H" -c user.name=t -c user.email=t@t commit -qm handout || { echo "Bail out! git"; exit 1; }

# steps FILE: each step's command from the YAML, NUL-separated, "NAME\tCMD"
steps() {
	"$PY" - "$1" <<-'PYEOF'
	import sys, yaml
	d = yaml.safe_load(open(sys.argv[1]))
	out = []
	if "jobs" in d:      # GitHub Actions: every run: of every job
	    for job in d["jobs"].values():
	        for i, s in enumerate(job["steps"]):
	            if "run" in s:
	                out.append((s.get("name", f"step {i}"), s["run"]))
	else:                # GitLab: before_script, script, after_script
	    for name, job in d.items():
	        if isinstance(job, dict) and "script" in job:
	            for k in ("before_script", "script", "after_script"):
	                for c in job.get(k, []):
	                    out.append((f"{name}.{k}", c))
	for name, cmd in out:
	    sys.stdout.write(f"{name}\t{cmd}\0")
	PYEOF
}

# run_steps ENGINE FILE CLONE: run each step in CLONE as the engine would
# (bash, the engine's variables); prints "rc" per step to CLONE.rcs
run_steps() {
	local engine=$1 file=$2 clone=$3 name cmd rc kind
	: >"$clone.rcs"
	while IFS=$'\t' read -r -d '' name cmd; do
		if [[ $cmd == apt-get* ]]; then
			echo "skip $name" >>"$clone.rcs"
			continue
		fi
		(
			cd "$clone" || exit 1
			export HOME=$W/home LABS=00
			if [ "$engine" = github ]; then
				export GITHUB_STEP_SUMMARY=$clone.summary.md CI=true
			else
				export CI_PROJECT_DIR=$clone CI=true
				export TVMM_CACHE=$CI_PROJECT_DIR/.cache/tvmm
			fi
			bash -e -c "$cmd"
		) >>"$clone.log" 2>&1
		rc=$?
		case $cmd in *tests/grade/ci.sh*) kind=grade ;; *) kind=other ;; esac
		echo "$rc $kind $name" >>"$clone.rcs"
	done < <(steps "$file")
}

mkdir -p "$W/home"
for engine in github gitlab; do
	case $engine in
	github) file=$H/.github/workflows/grade.yml ;;
	gitlab) file=$H/.gitlab-ci.yml ;;
	esac
	clone=$W/clone-$engine
	git clone -q "$H" "$clone"
	run_steps "$engine" "$file" "$clone"
	# the handout's answers are empty: every step but the grade runs, the
	# grade fails below full marks and leaves its reports
	grade_rc=$(awk '$2 == "grade" { print $1 }' "$clone.rcs")
	others=$(awk '$1 != "skip" && $2 == "other" && $1 != 0' "$clone.rcs" | wc -l)
	if [ "$(awk '$2 == "other" && $1 == 0' "$clone.rcs" | wc -l)" -ge 1 ] && [ "$grade_rc" = 1 ] &&
	   grep -q '^ci: below full marks' "$clone.log" &&
	   [ -s "$clone/build/grade/lab00.ktap" ] && [ -s "$clone/build/grade/lab00.json" ] &&
	   "$PY" -c 'import sys, xml.etree.ElementTree as E
s = E.parse(sys.argv[1]).getroot().find("testsuite")
assert int(s.get("failures")) > 0' "$clone/build/grade/lab00.junit.xml" 2>/dev/null; then
		ok "$engine: the steps run as written in a handout clone; the grade fails on empty answers, KTAP, JSON and JUnit XML published"
	else
		diag <"$clone.rcs"; tail -n 30 "$clone.log" | diag
		not_ok "$engine: the steps run in a handout clone; the grade fails on empty answers (grade rc ${grade_rc:-none})"
	fi
	if [ "$others" -eq 0 ]; then
		ok "$engine: every step before and after the grade passes ($(awk '$2 == "other" && $1 == 0' "$clone.rcs" | wc -l) run, $(grep -c '^skip ' "$clone.rcs") apt-get step(s) not run here)"
	else
		diag <"$clone.rcs"; not_ok "$engine: a step other than the grade failed"
	fi
	# the right answers: the same steps pass
	"$PY" "$ROOT/tests/grade/lab00_answer.py" "$clone/labs/lab00-environment/answers.md" \
		"$ROOT/userspace/tvmm"
	: >"$clone.log"
	run_steps "$engine" "$file" "$clone"
	if [ "$(awk '$1 != "skip" && $1 != 0' "$clone.rcs" | wc -l)" -eq 0 ] && grep -q '^ci: full marks' "$clone.log"; then
		ok "$engine: with the right answers every step passes (full marks)"
	else
		diag <"$clone.rcs"; tail -n 20 "$clone.log" | diag
		not_ok "$engine: with the right answers every step passes"
	fi
done
if grep -q '^- lab 00: .* points' "$W/clone-github.summary.md" 2>/dev/null; then
	ok "github: the scores are on the run's summary page (GITHUB_STEP_SUMMARY)"
else
	not_ok "github: the scores are on the run's summary page"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
