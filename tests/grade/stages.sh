#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The lab stages are real exercises: for every lab, a build with that
# lab's solution off (every other on) must FAIL that lab's autograder, and
# the failure must come from the lab's own stub (its "TODO(labNN." message
# in dmesg or in the test's output), without any kernel warning or oops.
# The other half, every autograder passing with every solution on, is the
# vm-bochs step of `make check`.
#
# Also the cumulative order of a course: a lab's autograder passes when only
# LATER labs are stubs (what a student doing that lab has), for every lab.
#
# And the points (labs/*/tests, tests/grade/points.py): every case's result
# of every run is recorded ("# case" lines; build/stages/VARIANT.results,
# build/stages/labNN.stub-passes); per lab, a case worth points fails with
# the lab's stubs and a "check" does not, so the stubs earn 0 points and the
# solution (later labs stubbed) every point, and each TODO is worth some.
# Labs 04, 05 and 07 to 11 run once more with the guests' variant of a seed
# (TVMM_STAGES_SEED, default 2718): full marks again, and hello.bin prints
# another line than with seed 0.
#
# The variants are built again only when what they are built from changed
# (build/stages/variants.key, see variants_key below).
#
# One lab VM boot for all of it: each variant (a tvmm.ko, or for lab 09 the
# tvmm tool) is built here, copied to /extra, and /extra/stages.sh runs each
# lab's programs against its variant with TVMM_KO=... Prints KTAP.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/grade/labs.sh
. "$ROOT/tests/grade/labs.sh"
B=$ROOT/build/stages
PY=/usr/bin/python3
KDIR=${KDIR:-$("$ROOT/tests/labvm/kernel.sh" --kdir)} || { echo "stages: no lab VM kernel" >&2; exit 1; }

fail_doc() {
	printf 'KTAP version 1\n1..1\nnot ok 1 stages.build # %s\n' "$1"
	exit 1
}

# All variants build in one tree, one after the other: only the lab
# header changes between them, so with ccache (keyed by the preprocessed
# source) a file without that lab's TODOs is a cache hit, and a variant
# costs seconds instead of a full module build.
T=$B/tree
CCACHE_DIR=${CCACHE_DIR:-${TVMM_CACHE:-$HOME/.cache/tvmm}/ccache}
export CCACHE_DIR
CC_FOR_VARIANTS=gcc
command -v ccache >/dev/null && CC_FOR_VARIANTS="ccache gcc"

# variant NAME "SYM=n ..." : build tvmm.ko (or the tool) with those labs off
variant() {
	local name=$1 off=$2
	# shellcheck disable=SC2086 # a list of NAME=VALUE words
	lab_header "$ROOT" "$T/.config" "$T/module/generated/tvmm_config.h" $off >/dev/null ||
		return 1
	# lab 09 lives in the tool, the others in tvmm.ko; a variant may need both
	if [ "$off" != TVMM_LAB09_SOLUTION=n ]; then
		make -s -C "$KDIR" M="$T" CC="$CC_FOR_VARIANTS" -j2 modules >"$B/$name.log" 2>&1 &&
			cp "$T/module/tvmm.ko" "$B/files/$name.ko" || return 1
	fi
	if [[ $off == *LAB09* ]]; then
		make -s -C "$T/userspace" CONFIG_H="$T/module/generated/tvmm_config.h" \
			>>"$B/$name.log" 2>&1 &&
			mkdir -p "$B/files/$name" && cp "$T/userspace/tvmm" "$B/files/$name/tvmm"
	fi
}

# Per-student variants (tests/selftests/tvmm/seed.h): the labs whose guests
# have a seeded variant are graded once more with the full module and seed
# SEED; with the canonical seed 0 of the other runs, two seeds that must
# both earn full marks while the guests print differently.
SEED=${TVMM_STAGES_SEED:-2718}
SEEDED_LABS="04 05 07 08 09 10 11"

# variants_key: a hash of everything the variants and stages.list are
# made of: the sources copied to $T, the Kconfig files, each lab's tests
# file (its programs), the seed, the kernel tree, the compiler and these
# scripts. The same key means the same files in build/stages/files.
variants_key() {
	(
		cd "$ROOT" || exit 1
		git ls-files -z Kbuild Kconfig module userspace 'labs/*/Kconfig' 'labs/*/tests' |
			xargs -0 sha256sum
		sha256sum tests/grade/stages.sh tests/grade/labs.sh
		echo "seed $SEED labs $SEEDED_LABS kdir $KDIR"
		gcc --version | head -n 1
	) | sha256sum | cut -c1-16
}

# --reuse: only the verdicts, from the last run's build/stages/run.out
# (after editing a lab's tests file: no build, no lab VM)
if [ "${1:-}" != --reuse ]; then
key=$(variants_key) || fail_doc "hashing the variants' inputs failed"
if [ -f "$B/variants.key" ] && [ "$(cat "$B/variants.key")" = "$key" ] &&
   [ -f "$B/files/stages.list" ]; then
	# Nothing the variants are built from changed since the last run:
	# its build/stages/files is what this run would build again.
	echo "# stages: inputs unchanged (key $key): the variants of the last run" >&2
	rm -f "$B/run.out" "$B/labvm.log"
else
rm -rf "$B"
mkdir -p "$B/files" "$T/module/generated"
(cd "$ROOT" && git ls-files -z Kbuild module userspace | xargs -0 cp --parents -t "$T") ||
	fail_doc "copying the tree to $T failed"
: >"$B/files/stages.list"
echo "# stages: building one variant per lab (in $T, CC=$CC_FOR_VARIANTS)" >&2
for d in "$ROOT"/labs/lab*-*/; do
	d=${d%/}
	nn=$(lab_number "${d##*/}") || continue
	[ "$nn" != 00 ] && [ -f "$d/Kconfig" ] || continue
	progs=$(lab_programs "$d")
	[ -n "$progs" ] || continue
	variant "off$nn" "TVMM_LAB${nn}_SOLUTION=n" ||
		fail_doc "building lab $nn's stub variant failed: $B/off$nn.log"
	echo "off$nn $nn fail $progs" >>"$B/files/stages.list"
done
for d in "$ROOT"/labs/lab*-*/; do
	d=${d%/}
	nn=$(lab_number "${d##*/}") || continue
	[ "$nn" != 00 ] && [ -f "$d/Kconfig" ] || continue
	progs=$(lab_programs "$d")
	[ -n "$progs" ] || continue
	off=
	for later in $(seq $((10#$nn + 1)) 10); do
		l=$(printf '%02d' "$later")
		ld=$(lab_dir "$ROOT" "$l") && [ -f "$ld/Kconfig" ] && off="$off TVMM_LAB${l}_SOLUTION=n"
	done
	variant "upto$nn" "$off" ||
		fail_doc "building the labs-after-$nn-off variant failed: $B/upto$nn.log"
	echo "upto$nn $nn pass $progs" >>"$B/files/stages.list"
done
for nn in $SEEDED_LABS; do
	d=$(lab_dir "$ROOT" "$nn") || continue
	echo "seed$SEED-$nn $nn pass $(lab_programs "$d")" >>"$B/files/stages.list"
done
# written last: an interrupted build is never taken for a complete one
echo "$key" >"$B/variants.key"
fi
cp "$ROOT/tests/grade/stages-vm.sh" "$B/files/stages.sh"

files=$(cd "$B/files" && ls | tr "\n" " ")
out=$B/run.out
(cd "$B/files" && bash "$ROOT/tests/labvm/labvm.sh" run --files "$files" \
	--timeout "${TVMM_STAGES_TIMEOUT:-2400}" --cmd "sh /extra/stages.sh") >"$out" 2>"$B/labvm.log"
fi
out=$B/run.out
[ -f "$out" ] || fail_doc "no $out: run stages.sh without --reuse first"
SEEDED_LABS=$(sed -n "s/^seed$SEED-\([0-9]*\) .*/\1/p" "$B/files/stages.list" | tr '\n' ' ')
rm -f "$B"/*.results "$B"/lab*.stub-passes
# the KTAP document is what stages.sh printed between the run markers,
# plus one result per lab: its points (tests/grade/points.py verify)
if ! grep -q '^TVMM-STAGES-END$' "$out"; then
	cat "$out" "$B/labvm.log" | tail -n 40 | sed 's/^/# /'
	fail_doc "the stages run did not finish (VM hung or crashed?): $out"
fi
doc=$B/stages.ktap
sed -n '/^TVMM-STAGES-BEGIN$/,/^TVMM-STAGES-END$/p' "$out" | sed '1d;$d' >"$doc"
# each variant's case results: build/stages/VARIANT.results, "STATUS CASE";
# labNN.stub-passes: the cases that do not fail with lab NN's stubs
sed -n 's/^# case \([^ ]*\) [^ ]* \([a-z]*\) \(.*\)$/\1 \2 \3/p' "$doc" |
	while read -r variant status name; do
		echo "$status $name" >>"$B/$variant.results"
	done
n=$(sed -n 's/^1\.\.//p' "$doc")
for d in "$ROOT"/labs/lab*-*/; do
	d=${d%/}
	nn=$(lab_number "${d##*/}") || continue
	grep -q "^off$nn $nn fail" "$B/files/stages.list" || continue
	touch "$B/off$nn.results" "$B/upto$nn.results"
	awk '$1 != "fail" { print $2 }' "$B/off$nn.results" | sort >"$B/lab$nn.stub-passes"
	todos=$(cd "$ROOT" && grep -rhoE "TODO\(lab$nn\.[0-9]+\) BEGIN" module userspace |
		sed 's/TODO(\(.*\)) BEGIN/\1/' | sort -u | tr '\n' ' ')
	n=$((n + 1))
	if "$PY" "$ROOT/tests/grade/points.py" verify "$nn" "$d/tests" \
		"$B/off$nn.results" "$B/upto$nn.results" "$todos"; then
		echo "ok $n lab$nn.points_zero_with_stubs_full_with_solution"
	else
		echo "not ok $n lab$nn.points_zero_with_stubs_full_with_solution"
	fi
done >"$B/points.ktap"
for nn in $SEEDED_LABS; do
	d=$(lab_dir "$ROOT" "$nn") || continue
	n=$((n + 1))
	touch "$B/seed$SEED-$nn.results"
	if "$PY" "$ROOT/tests/grade/points.py" full "$nn" "$d/tests" "$B/seed$SEED-$nn.results"; then
		echo "ok $n lab$nn.full_marks_with_seed_$SEED"
	else
		echo "not ok $n lab$nn.full_marks_with_seed_$SEED"
	fi
done >>"$B/points.ktap"
n=$((n + 1))
h0=$(sed -n 's/^# seed 0 hello: //p' "$doc" | head -n 1)
hs=$(sed -n "s/^# seed $SEED hello: //p" "$doc" | head -n 1)
if [ -n "$h0" ] && [ -n "$hs" ] && [ "$h0" != "$hs" ]; then
	{ echo "# hello.bin prints '$h0' with seed 0, '$hs' with seed $SEED"
	  echo "ok $n seeds_change_the_guests"; } >>"$B/points.ktap"
else
	echo "# hello.bin printed '$h0' with seed 0 and '$hs' with seed $SEED" >>"$B/points.ktap"
	echo "not ok $n seeds_change_the_guests" >>"$B/points.ktap"
fi
{
	echo "KTAP version 1"
	echo "1..$n"
	sed '/^KTAP version/d; /^1\.\./d' "$doc"
	cat "$B/points.ktap"
} >"$B/stages.full.ktap"
cat "$B/stages.full.ktap"
"$PY" "$ROOT/tests/lib/ktap.py" summarize -q -q "$B/stages.full.ktap"
