#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: what one VM exit round trip costs, tvmm vs its floor vs KVM.
#
#   tests/bench/run.sh [--reps N] [--no-kvm] [--no-dot]
#
# 1. builds guests/bench.bin and the static tests/bench/{tvmm,kvm}_bench;
# 2. builds a profiling tvmm.ko (CONFIG_TVMM_PROFILE, module/profile.h) in
#    build/bench/profile-ko; boots the normal lab VM (tvmm.ko loaded) and
#    runs tvmm_bench: the guest under tvmm with tracing off, with tracing
#    on, and with null handlers; then, in the same boot, swaps in the
#    profiling module and runs each configuration once more for the
#    breakdown of an exit by part (the profile's marks make those runs
#    slower: their totals are not the table's figures);
# 3. builds (once, cached) a lab VM kernel with KVM built in
#    (TVMM_KERNEL_EXTRA=tests/bench/kvm.config tests/labvm/kernel.sh), boots
#    it and runs kvm_bench, the same guest under KVM. tvmm.ko for that
#    kernel is built in build/bench/kvm-ko (not in module/) and unloaded
#    before kvm_bench runs: tvmm takes VMX at load, KVM at VM creation;
#    then rebuilds the normal lab VM (labvm.sh build) so build/labvm is as
#    other users expect it;
# 4. prints the table (also in build/bench/results.txt).
#
# Figures only: nothing here asserts a timing. Exit status 0 if both parts
# produced figures, 1 if one did not (the table shows what there is).
# Logs: build/bench/{tvmm,kvm}.out (program output), build/labvm/ (VM logs
# of the last boot).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LABVM=$ROOT/tests/labvm
OUT=$ROOT/build/bench
REPS=3 KVM=1 DOT=1

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--reps) REPS=$2; shift 2 ;;
	--no-kvm) KVM=0; shift ;;
	--no-dot) DOT=0; shift ;;
	-h|--help) sed -n '4,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option '$1' (--reps N, --no-kvm, --no-dot)" ;;
	esac
done

mkdir -p "$OUT"
rm -f "$OUT"/tvmm.out "$OUT"/kvm.out "$OUT"/results.txt
# Do not let an outer make leak its flags into the builds below.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

log "building guests/bench.bin and tests/bench/{tvmm,kvm}_bench"
make -s -C "$ROOT/guests" bench.bin >&2 || die "make -C guests failed"
make -s -C "$ROOT/tests/bench" >&2 || die "make -C tests/bench failed"

# build_ko DIR KDIR [DEFINE]: tvmm.ko from a copy of the tree in DIR (so
# the normal build in module/ stays untouched), against KDIR, with
# "#define DEFINE 1" added to the lab-stage header; prints DIR/module/tvmm.ko
build_ko() {
	local dir=$1 kdir=$2 define=${3:-}

	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$ROOT/Kbuild" "$dir/"
	(cd "$ROOT" && find module \( -name '*.[chS]' -o -name Kbuild \) \
		! -name '*.mod.c' -print0 | cpio --null -pdm --quiet "$dir")
	[ -z "$define" ] || echo "#define $define 1" >>"$dir/module/generated/tvmm_config.h"
	make -s -C "$kdir" M="$dir" modules >&2 || return 1
	echo "$dir/module/tvmm.ko"
}

make -s -C "$ROOT" config >&2 || die "make config failed"

# The lab VMs get no kselftests (TVMM_TESTS: an empty list): the bench
# needs none, and a broken selftest build does not stop it.
mkdir -p "$OUT/no-tests"
: >"$OUT/no-tests/list"

# --- tvmm, in the normal lab VM ---------------------------------------------
tvmm_ok=0 profile_ko=""
KDIR_NORMAL=$("$LABVM/kernel.sh" --kdir) || die "the lab kernel did not build"
log "tvmm: the profiling tvmm.ko (CONFIG_TVMM_PROFILE) in $OUT/profile-ko"
if profile_ko=$(build_ko "$OUT/profile-ko" "$KDIR_NORMAL" CONFIG_TVMM_PROFILE); then
	cp "$profile_ko" "$OUT/tvmm-profile.ko"
	profile_ko=$OUT/tvmm-profile.ko
else
	log "warning: the profiling module did not build: no breakdown"
	profile_ko=""
fi
# What runs in the VM: the figures, then (if built) the profile; the
# status is the figures' run's.
cat >"$OUT/bench-vm.sh" <<'EOS'
./tvmm_bench -r "$1"
status=$?
if [ -e ./tvmm-profile.ko ] && rmmod tvmm && insmod ./tvmm-profile.ko; then
	./tvmm_bench -r 1 | grep '^PROFILE'
fi
exit $status
EOS
log "tvmm: booting the lab VM (tvmm_bench -r $REPS, then the profile)"
if TVMM_TESTS=$OUT/no-tests bash "$LABVM/labvm.sh" run \
	--files "$ROOT/tests/bench/tvmm_bench $ROOT/guests/bench.bin $OUT/bench-vm.sh $profile_ko" \
	--cmd "sh ./bench-vm.sh $REPS" >"$OUT/tvmm.out"; then
	tvmm_ok=1
fi
cat "$OUT/tvmm.out"
grep -q '^BENCH mode=normal ' "$OUT/tvmm.out" || tvmm_ok=0

# --- KVM, in the KVM lab VM ---------------------------------------------------
kvm_ok=0 kvm_note=""
if [ "$KVM" -eq 1 ]; then
	log "kvm: the KVM lab kernel (TVMM_KERNEL_EXTRA=tests/bench/kvm.config; cold cache: ~3 min)"
	if ! KVM_KDIR=$(TVMM_KERNEL_EXTRA=$ROOT/tests/bench/kvm.config "$LABVM/kernel.sh" --kdir); then
		kvm_note="the KVM kernel did not build (see the messages above)"
	else
		# tvmm.ko for the KVM kernel (the VM loads it at boot)
		log "kvm: tvmm.ko for $KVM_KDIR (in $OUT/kvm-ko)"
		if ! kvm_ko=$(build_ko "$OUT/kvm-ko" "$KVM_KDIR"); then
			kvm_note="tvmm.ko did not build against $KVM_KDIR"
		else
			log "kvm: booting the KVM lab VM (kvm_bench -r $REPS)"
			KDIR=$KVM_KDIR TVMM_KO=$kvm_ko TVMM_TESTS=$OUT/no-tests \
				bash "$LABVM/labvm.sh" run \
				--files "$ROOT/tests/bench/kvm_bench $ROOT/guests/bench.bin" \
				--cmd "if grep -q '^tvmm ' /proc/modules; then rmmod tvmm || exit 3; fi; echo \"kvm: \$(uname -r), /dev/kvm: \$(ls /dev/kvm 2>&1)\"; ./kvm_bench -r $REPS" \
				>"$OUT/kvm.out"
			rc=$?
			cat "$OUT/kvm.out"
			if grep -q '^BENCH mode=kvm ' "$OUT/kvm.out"; then
				kvm_ok=1
			else
				kvm_note="kvm_bench gave no figures (status $rc; see $OUT/kvm.out, build/labvm/bochs.log)"
			fi
		fi
	fi
	# leave build/labvm holding the normal lab VM again
	log "restoring the normal lab VM build (labvm.sh build)"
	bash "$LABVM/labvm.sh" build >/dev/null 2>&1 || log "warning: 'labvm.sh build' failed"
else
	kvm_note="skipped (--no-kvm)"
fi

# --- the table ----------------------------------------------------------------

# field MODE KEY: a value from the "BENCH mode=MODE ..." line, or empty
field() {
	cat "$OUT/tvmm.out" "$OUT/kvm.out" 2>/dev/null |
		sed -n "s/^BENCH mode=$1 .*\<$2=\([^ ]*\).*/\1/p" | head -n 1
}
# ratio A B: A/B with 2 decimals, or n/a
ratio() {
	if [ -n "$1" ] && [ -n "$2" ] && awk -v b="$2" 'BEGIN { exit !(b > 0) }'; then
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
	else
		printf 'n/a'
	fi
}
v() { printf '%s' "${1:-n/a}"; }

# profile_table: the profiling module's breakdown, one row per part of an
# exit, one column per configuration and exit kind (module/profile.h)
profile_table() {
	grep -q '^PROFILE ' "$OUT/tvmm.out" 2>/dev/null || {
		echo
		echo "no breakdown (the profiling module did not run; see $OUT/tvmm.out)"
		return
	}
	echo
	echo "where the ticks of one exit go (CONFIG_TVMM_PROFILE module, one run each;"
	echo "mean ticks per exit, the profile marks' own cost taken out)"
	awk '
	$1 == "PROFILE" && ($3 == "cpuid" || $3 == "io") {
		sub("mode=", "", $2)
		col = $2 " " $3
		if (!(col in seen)) { seen[col] = 1; cols[++nc] = col }
		for (i = 5; i <= NF; i++) {
			split($i, kv, "=")
			if (!(kv[1] in known)) { known[kv[1]] = 1; parts[++np] = kv[1] }
			val[col, kv[1]] = kv[2]
		}
	}
	END {
		printf "%-10s", "part"
		for (c = 1; c <= nc; c++) printf " %13s", cols[c]
		printf "\n"
		for (p = 1; p <= np; p++) {
			printf "%-10s", parts[p]
			for (c = 1; c <= nc; c++) printf " %13s", val[cols[c], parts[p]]
			printf "\n"
		}
	}' "$OUT/tvmm.out"
	grep -m1 '^PROFILE mode=normal # one VMREAD' "$OUT/tvmm.out" | sed 's/^PROFILE mode=normal # /(/; s/$/)/'
	echo "entry: IRQs off, guest breakpoints in; switch: entry.S, VMRESUME, the guest's"
	echo "loop, the VM exit; host: host debug state, NMI check, IRQs on; read: VMREADs"
	echo "of the exit; dispatch: counting, virtual IF, event checks; step: RIP past the"
	echo "instruction; virq: the next entry's interrupt decision; loop: stop checks."
}

{
	n=$(field normal n)
	[ -n "$n" ] || n=$(field kvm n)
	echo "make bench: one VM exit round trip, in guest TSC ticks per exit"
	echo "(guests/bench.bin: (loop with the instruction - empty loop) / n, n=${n:-?}, best of $REPS runs)"
	echo
	printf '%-14s %10s %10s %10s %11s %10s\n' exit tvmm floor KVM tvmm/floor tvmm/KVM
	for k in cpuid io; do
		t=$(field normal "${k}_exit") f=$(field floor "${k}_exit") q=$(field kvm "${k}_exit")
		label=$k
		[ "$k" = io ] && label="io (out 0x80)"
		printf '%-14s %10s %10s %10s %11s %10s\n' "$label" "$(v "$t")" "$(v "$f")" "$(v "$q")" \
			"$(ratio "$t" "$f")" "$(ratio "$t" "$q")"
	done
	echo
	on=$(field trace run_tsc) off=$(field normal run_tsc)
	echo "tvmm with tracing on: cpuid $(v "$(field trace cpuid_exit)"), io $(v "$(field trace io_exit)") ticks per exit" \
		"(records read in place from the mapped ring)"
	echo "  drained with read() instead: cpuid $(v "$(field trace-read cpuid_exit)")," \
		"io $(v "$(field trace-read io_exit)") (every record copied out)"
	echo "run time, tracing on / off: $(ratio "$on" "$off")" \
		"(host TSC ticks from the first TVMM_RUN to the end: $(v "$on") / $(v "$off"))"
	echo
	echo "tvmm   = tvmm's handlers, tracing off; floor = TVMM_CONFIG_NULL_HANDLERS (only"
	echo "         step over the instruction); KVM = kvm_intel in the same lab VM, CPUID"
	echo "         answered in the kernel, OUT 0x80 a KVM_EXIT_IO to kvm_bench and back."
	echo "Ticks are Bochs-emulated TSC ticks (corei7_haswell_4770, ips=50000000,"
	echo "clock: sync=none): the TSC advances with emulated instructions, so the"
	echo "figures are deterministic and count work done, not hardware time."
	profile_table
	[ "$tvmm_ok" -eq 1 ] || echo "tvmm: no figures (see $OUT/tvmm.out)"
	[ "$kvm_ok" -eq 1 ] || echo "KVM: no figures: $kvm_note"
} | tee "$OUT/results.txt"
log "results in $OUT/results.txt"

if [ "$DOT" -eq 1 ]; then
	log "tvmm dot on a 1M-record trace (tests/bench/dot_bench.sh)"
	bash "$ROOT/tests/bench/dot_bench.sh" || log "warning: dot_bench.sh failed"
fi

[ "$tvmm_ok" -eq 1 ] && { [ "$kvm_ok" -eq 1 ] || [ "$KVM" -eq 0 ]; }
