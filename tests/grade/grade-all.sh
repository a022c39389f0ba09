#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make grade-all SUBMISSIONS=DIR [LAB=NN] [SEEDS=FILE] [JOBS=N]: grade a class.
#
# DIR holds one student tree per entry: a folder, or a tarball (.tar.gz,
# .tgz, .tar) of one. Each is graded alone, in its own copy under
# build/grade-all/work/STUDENT, with its own lab VM run: a submission that
# does not build, hangs or crashes its lab VM fails only itself.
#
# The instructor's test machinery replaces the student's before grading
# (tests/, guests/, labs/*/tests, labs/*/hints): students are graded by the
# tests they were given, not by tests they may have edited.
#
# Labs graded: LAB=NN if given, else those the handout stripped (the
# tree's labs/HANDOUT, written by make handout), else 01..11.
#
# Each student's guests are that student's variant (tests/selftests/tvmm/
# seed.h): the seed is the one SEEDS=FILE gives ("STUDENT SEED" lines, the
# instructor's roster: it wins), else the tree's labs/SEED (written by make
# handout SEED=S), else 0.
#
# Writes build/grade-all/gradebook.csv and gradebook.json: one row per
# student and lab (student, lab, passed, failed, skipped, total, score,
# status, seconds, points, points_total, seed; score is the points in
# percent); status is ok, failing, build-failed, crashed, timeout
# or no-result; seconds is that lab's grading time. Per submission and lab,
# export/STUDENT/labNN.junit.xml (JUnit XML) and labNN.results.json
# (Gradescope's format), from the same report (tests/grade/export.py).
# Exit status 0 when every submission was graded (whatever
# its score), 1 if DIR is unusable.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/grade/labs.sh
. "$ROOT/tests/grade/labs.sh"
OUT=${TVMM_GRADE_ALL_OUT:-$ROOT/build/grade-all}
PER_LAB_TIMEOUT=${TVMM_GRADE_ALL_TIMEOUT:-1200}	# seconds, build + VM run
PY=/usr/bin/python3
JOBS=${JOBS:-$(nproc)}
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "grade-all: JOBS=$JOBS is not a positive number" >&2; exit 1; }

die() { echo "grade-all: $*" >&2; exit 1; }
[ $# -ge 1 ] && [ -n "$1" ] || die "usage: make grade-all SUBMISSIONS=DIR [LAB=NN]"
SUB=$(cd "$1" 2>/dev/null && pwd) || die "no directory '$1'"
ONLY_LAB=${2:-${LAB:-}}
SEEDS=${SEEDS:-}
[ -z "$SEEDS" ] || [ -f "$SEEDS" ] || die "SEEDS=$SEEDS: no such file"
if [ -n "$ONLY_LAB" ]; then
	ONLY_LAB=$(lab_number "$ONLY_LAB") || die "LAB=$ONLY_LAB is not a lab number"
fi

rm -rf "$OUT"
mkdir -p "$OUT/work"
ROWS=$OUT/rows.jsonl
: >"$ROWS"

# unpack ENTRY STUDENT: the student's tree in $OUT/work/STUDENT
unpack() {
	local entry=$1 dest=$OUT/work/$2 tmp top
	case $entry in
	*.tar.gz | *.tgz | *.tar)
		tmp=$OUT/work/.unpack-$2
		mkdir -p "$tmp"
		tar -xf "$entry" -C "$tmp" 2>/dev/null || return 1
		# a tarball of one folder: that folder is the tree
		mapfile -t top < <(find "$tmp" -mindepth 1 -maxdepth 1)
		if [ "${#top[@]}" -eq 1 ] && [ -d "${top[0]}" ]; then
			mv "${top[0]}" "$dest"
			rm -rf "$tmp"
		else
			mv "$tmp" "$dest"
		fi ;;
	*)
		cp -a "$entry" "$dest" || return 1 ;;
	esac
	# nothing of the student's build may leak into the grading run
	rm -rf "$dest/build" "$dest/.git"
	[ -f "$dest/Makefile" ] && [ -d "$dest/module" ]
}

# overlay TREE: the instructor's tests, guests and per-lab test lists
overlay() {
	local t=$1 d nn
	rm -rf "$t/tests" "$t/guests"
	cp -a "$ROOT/tests" "$ROOT/guests" "$t/"
	rm -rf "$t/tests/selftests/tvmm/"*_test "$t/guests/"*.bin 2>/dev/null
	for d in "$ROOT"/labs/lab*-*/; do
		d=${d%/}
		nn=$(lab_number "${d##*/}") || continue
		mkdir -p "$t/labs/${d##*/}"
		for f in tests hints; do
			[ -f "$d/$f" ] && cp "$d/$f" "$t/labs/${d##*/}/$f"
		done
	done
}

# seed_of STUDENT TREE: the roster's seed, else the tree's labs/SEED, else 0
seed_of() {
	local s=
	[ -n "$SEEDS" ] && s=$(awk -v st="$1" '$1 == st { print $2; exit }' "$SEEDS")
	[ -n "$s" ] || s=$(tr -dc 0-9 2>/dev/null <"$2/labs/SEED")
	echo "${s:-0}"
}

# row STUDENT LAB STATUS SECONDS [JSON]: one gradebook line
row() {
	"$PY" - "$@" >>"$ROWS" <<-'PYEOF'
	import json, sys
	student, lab, status, seconds = sys.argv[1:5]
	r = {"student": student, "lab": lab, "passed": 0, "failed": 0, "skipped": 0,
	     "total": 0, "score": 0.0, "status": status, "seconds": int(seconds),
	     "points": 0, "points_total": 0, "seed": ""}
	if len(sys.argv) > 5:
	    try:
	        g = json.load(open(sys.argv[5]))
	        for k in ("passed", "failed", "skipped", "total", "score", "points",
	                  "points_total", "seed"):
	            r[k] = g[k]
	        r["tests"] = g["tests"]
	    except (OSError, ValueError, KeyError):
	        pass
	print(json.dumps(r))
	PYEOF
}

# verdict JSON RC: what the lab's report says happened
verdict() {
	"$PY" - "$@" <<-'PYEOF'
	import json, sys
	tests = json.load(open(sys.argv[1])).get("tests", [])
	failed = {t["test"] for t in tests if t["status"] == "FAIL"}
	reasons = " ".join(t.get("reason", "") for t in tests)
	if any(n.endswith("labvm_build") for n in failed):
	    print("build-failed")       # no test ran
	elif any(n.endswith(("kernel_clean", "end_marker")) for n in failed) or \
	        "VM hung or crashed" in reasons:
	    print("crashed")            # an oops or warning, or the VM never finished
	elif sys.argv[2] == "0":
	    print("ok")
	else:
	    print("failing")
	PYEOF
}

# grade_one INDEX ENTRY STUDENT: every lab of one submission; its gradebook
# rows go to $OUT/rows/INDEX.jsonl (the gradebook keeps the submissions'
# order whatever order they finish in), its exports to $OUT/export/STUDENT/
grade_one() {
	local i=$1 entry=$2 student=$3 tree=$OUT/work/$3 rows=$OUT/rows/$1.jsonl
	local labs seed nn t0 log rc secs json status
	ROWS=$rows
	: >"$rows"
	mkdir -p "$OUT/export/$student"
	if ! unpack "$entry" "$student"; then
		say "[$student] not a tvmm tree (no Makefile and module/): graded 0"
		row "$student" "${ONLY_LAB:-all}" no-result 0
		echo no-result >>"$OUT/rows/$i.status"
		return
	fi
	overlay "$tree"
	if [ -n "$ONLY_LAB" ]; then
		labs=$ONLY_LAB
	elif [ -f "$tree/labs/HANDOUT" ]; then
		labs=$(sed -n 's/^labs://p' "$tree/labs/HANDOUT")
	else
		labs="01 02 03 04 05 06 07 08 09 10 11"
	fi
	seed=$(seed_of "$student" "$tree")
	for nn in $labs; do
		t0=$(date +%s)
		log=$OUT/$student-lab$nn.log
		# its own lab VM directory: N submissions boot N lab VMs at once
		TVMM_LABVM_DIR=$OUT/vm/$student SEED=$seed timeout -k 10 "$PER_LAB_TIMEOUT" \
			bash "$tree/tests/grade/grade.sh" "$nn" >"$log" 2>&1 </dev/null
		rc=$?
		secs=$(($(date +%s) - t0))
		json=$tree/build/grade/lab$nn.json
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			status=timeout
		elif [ ! -f "$json" ]; then
			status=no-result
		else
			status=$(verdict "$json" "$rc")
		fi
		row "$student" "$nn" "$status" "$secs" "$json"
		# the exports, from the report the row was made of
		"$PY" "$EXPORT" junit "$json" -o "$OUT/export/$student/lab$nn.junit.xml" \
			--name "$student.lab$nn" --status "$status" --log "$log"
		"$PY" "$EXPORT" gradescope "$json" -o "$OUT/export/$student/lab$nn.results.json" \
			--status "$status" --log "$log" --seconds "$secs"
		echo "$status" >>"$OUT/rows/$i.status"
		say "[$student] lab $nn: $(tail -n 1 "$log") -> $status ($secs s)"
	done
}

# say LINE: one line per event when not on a terminal; on a terminal the
# line goes above the progress line, which is drawn again
say() {
	if [ "$TTY" -eq 1 ]; then
		printf '\r\033[K%s\n' "grade-all: $*"
		progress
	else
		echo "grade-all: $*"
	fi
}

# progress: done/total submissions, failures so far, time left (from the
# mean time per finished submission and the number running at once)
progress() {
	local ndone fails el eta=""
	ndone=$(find "$OUT/rows" -name '*.done' 2>/dev/null | wc -l)
	fails=$(cat "$OUT"/rows/*.status 2>/dev/null | grep -vcx ok)
	el=$(($(date +%s) - T0))
	if [ "$ndone" -gt 0 ] && [ "$ndone" -lt "$N" ]; then
		eta=$(( el * (N - ndone) / ndone ))
		eta=", about $((eta / 60)) min $((eta % 60)) s left"
	fi
	if [ "$TTY" -eq 1 ]; then
		printf '\r\033[Kgrade-all: %d/%d submissions graded, %d failing, %d s%s' \
			"$ndone" "$N" "$fails" "$el" "$eta"
	fi
}

shopt -s nullglob
ENTRIES=() STUDENTS=()
for entry in "$SUB"/*; do
	base=${entry##*/}
	student=${base%.tar.gz}
	student=${student%.tgz}
	student=${student%.tar}
	[ -d "$entry" ] || [ "$student" != "$base" ] || continue
	ENTRIES+=("$entry") STUDENTS+=("$student")
done
N=${#ENTRIES[@]}
[ "$N" -gt 0 ] || die "no submissions (folders or tarballs) in $SUB"
mkdir -p "$OUT/rows" "$OUT/export"
EXPORT=$ROOT/tests/grade/export.py
TTY=0
[ -t 1 ] && TTY=1
T0=$(date +%s)
echo "grade-all: $N submissions, $JOBS at a time"
# on a terminal the progress line ticks while the lab VMs run
TICK=
if [ "$TTY" -eq 1 ]; then
	while sleep 5; do progress; done &
	TICK=$!
	trap 'kill "$TICK" 2>/dev/null' EXIT
fi
running=0
for i in "${!ENTRIES[@]}"; do
	if [ "$running" -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
		progress
	fi
	( grade_one "$i" "${ENTRIES[$i]}" "${STUDENTS[$i]}"; touch "$OUT/rows/$i.done" ) &
	running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
	wait -n
	running=$((running - 1))
	progress
done
if [ -n "$TICK" ]; then kill "$TICK" 2>/dev/null; printf '\r\033[K'; fi
for i in "${!ENTRIES[@]}"; do cat "$OUT/rows/$i.jsonl"; done >"$ROWS"
n=$N

"$PY" - "$ROWS" "$OUT/gradebook.csv" "$OUT/gradebook.json" <<'PYEOF'
import csv, json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cols = ["student", "lab", "passed", "failed", "skipped", "total", "score", "status", "seconds",
        "points", "points_total", "seed"]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
json.dump(rows, open(sys.argv[3], "w"), indent=1)
for r in rows:
    print(f"{r['student']:<20} lab {r['lab']:<4} {r['points']:>3}/{r['points_total']:<3} points "
          f"{r['score']:>5.1f}%  {r['status']} (tests {r['passed']}/{r['total']}, seed {r['seed']}, "
          f"{r['seconds']} s)")
PYEOF
rm -f "$ROWS"
echo "grade-all: $n submissions in $(($(date +%s) - T0)) s, $JOBS at a time; gradebook:" \
	"$OUT/gradebook.csv and $OUT/gradebook.json; JUnit XML and Gradescope results: $OUT/export/"
