#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: what one VM exit round trip costs, tvmm vs its floor vs KVM.
#
#   tests/bench/run.sh [--reps N] [--no-kvm]
#
# 1. builds guests/bench.bin and the static tests/bench/{tvmm,kvm}_bench;
# 2. boots the normal lab VM (tvmm.ko loaded) and runs tvmm_bench: the guest
#    under tvmm with tracing off, with tracing on, and with null handlers;
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
REPS=3 KVM=1

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--reps) REPS=$2; shift 2 ;;
	--no-kvm) KVM=0; shift ;;
	-h|--help) sed -n '4,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option '$1' (--reps N, --no-kvm)" ;;
	esac
done

mkdir -p "$OUT"
rm -f "$OUT"/tvmm.out "$OUT"/kvm.out "$OUT"/results.txt
# Do not let an outer make leak its flags into the builds below.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

log "building guests/bench.bin and tests/bench/{tvmm,kvm}_bench"
make -s -C "$ROOT/guests" bench.bin >&2 || die "make -C guests failed"
make -s -C "$ROOT/tests/bench" >&2 || die "make -C tests/bench failed"

# The lab VMs get no kselftests (TVMM_TESTS: an empty list): the bench
# needs none, and a broken selftest build does not stop it.
mkdir -p "$OUT/no-tests"
: >"$OUT/no-tests/list"

# --- tvmm, in the normal lab VM ---------------------------------------------
tvmm_ok=0
log "tvmm: booting the lab VM (tvmm_bench -r $REPS)"
if TVMM_TESTS=$OUT/no-tests bash "$LABVM/labvm.sh" run \
	--files "$ROOT/tests/bench/tvmm_bench $ROOT/guests/bench.bin" \
	--cmd "./tvmm_bench -r $REPS" >"$OUT/tvmm.out"; then
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
		# tvmm.ko for the KVM kernel, built outside module/ so the
		# normal build there stays untouched
		ko=$OUT/kvm-ko
		rm -rf "$ko"
		mkdir -p "$ko"
		cp "$ROOT/Kbuild" "$ko/"
		(cd "$ROOT" && find module \( -name '*.[chS]' -o -name Kbuild \) \
			! -name '*.mod.c' -print0 | cpio --null -pdm --quiet "$ko")
		log "kvm: tvmm.ko for $KVM_KDIR (in $ko)"
		if ! make -s -C "$KVM_KDIR" M="$ko" modules >&2; then
			kvm_note="tvmm.ko did not build against $KVM_KDIR"
		else
			log "kvm: booting the KVM lab VM (kvm_bench -r $REPS)"
			KDIR=$KVM_KDIR TVMM_KO=$ko/module/tvmm.ko TVMM_TESTS=$OUT/no-tests \
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
	echo "tvmm with tracing on: cpuid $(v "$(field trace cpuid_exit)"), io $(v "$(field trace io_exit)") ticks per exit"
	echo "run time, tracing on / off: $(ratio "$on" "$off")" \
		"(host TSC ticks from the first TVMM_RUN to the end: $(v "$on") / $(v "$off"))"
	echo
	echo "tvmm   = tvmm's handlers, tracing off; floor = TVMM_CONFIG_NULL_HANDLERS (only"
	echo "         step over the instruction); KVM = kvm_intel in the same lab VM, CPUID"
	echo "         answered in the kernel, OUT 0x80 a KVM_EXIT_IO to kvm_bench and back."
	echo "Ticks are Bochs-emulated TSC ticks (corei7_haswell_4770, ips=50000000,"
	echo "clock: sync=none): the TSC advances with emulated instructions, so the"
	echo "figures are deterministic and count work done, not hardware time."
	[ "$tvmm_ok" -eq 1 ] || echo "tvmm: no figures (see $OUT/tvmm.out)"
	[ "$kvm_ok" -eq 1 ] || echo "KVM: no figures: $kvm_note"
} | tee "$OUT/results.txt"
log "results in $OUT/results.txt"

log "tvmm dot on a 1M-record trace (tests/bench/dot_bench.sh)"
bash "$ROOT/tests/bench/dot_bench.sh" || log "warning: dot_bench.sh failed"

[ "$tvmm_ok" -eq 1 ] && { [ "$kvm_ok" -eq 1 ] || [ "$KVM" -eq 0 ]; }
