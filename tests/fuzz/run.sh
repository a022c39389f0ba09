#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a fuzz batch in the lab VM and print its KTAP document.
#
#   run.sh guest [--seed S] [--guests N] [--first I] [--modes hw,real,...]
#   run.sh ioctl [--seed S] [--calls N]
#   common: [--kernel debug|normal] [--timeout S]
#
# guest: guest_fuzz runs N random guests (default 2000) in each mode
# (default all five: 10,000 runs); ioctl: ioctl_fuzz makes N random calls
# (default 1,000,000). Both check the kernel log, kmemleak and that tvmm
# still runs a guest afterwards (fuzz-vm.sh). --kernel debug (the default)
# boots the debug lab kernel (tests/labvm/debug.config: KASAN, lockdep,
# kmemleak, debugobjects; built and cached on first use), normal the
# usual one. Without --seed the seed comes from the clock; it is printed
# first, and `make fuzz SEED=S` runs the same batch again.
# Environment: FUZZ_KERNEL (as --kernel), KDIR (boot this tree instead).
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LABVM=$ROOT/tests/labvm

log() { printf 'fuzz: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

what=${1:-}
shift || true
case "$what" in
guest|ioctl) ;;
-h|--help|"") sed -n '4,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) die "unknown fuzzer '$what' (guest or ioctl)" ;;
esac

seed="" guests=2000 first=0 modes="" calls=1000000 timeout=""
kernel=${FUZZ_KERNEL:-debug}
while [ $# -gt 0 ]; do
	case "$1" in
	--seed) seed=$2; shift 2 ;;
	--guests) guests=$2; shift 2 ;;
	--first) first=$2; shift 2 ;;
	--modes) modes=$2; shift 2 ;;
	--calls) calls=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	*) die "unknown option '$1' (try --help)" ;;
	esac
done
[ -n "$seed" ] || seed=$(( $(date +%s%N) % 1000000007 ))
for v in "$seed" "$guests" "$first" "$calls"; do
	case "$v" in ''|*[!0-9]*) die "'$v' is not a number" ;; esac
done

if [ -z "${KDIR:-}" ]; then
	case "$kernel" in
	normal) KDIR=$("$LABVM/kernel.sh" --kdir) || die "kernel build failed" ;;
	debug)
		log "the debug lab kernel (KASAN, lockdep, kmemleak; cold cache: ~15 min)"
		KDIR=$(TVMM_KERNEL_EXTRA=$LABVM/debug.config "$LABVM/kernel.sh" --kdir) ||
			die "debug kernel build failed" ;;
	*) die "--kernel $kernel: debug or normal" ;;
	esac
fi
export KDIR
# KASAN's shadow memory, and up to seven VMs of up to 64 MiB each
export TVMM_BOCHS_MEGS=${TVMM_BOCHS_MEGS:-512}

# The VM's whole-run bound (in-VM watchdogs catch a hang much sooner):
# generous, since Bochs on a busy machine runs 10x slower than alone.
slow=1
[ "$kernel" = debug ] && slow=4
make -s -C "$ROOT/guests" || die "building the guests failed"

suffix=""
if [ "$what" = guest ]; then
	prog=guest_fuzz
	args="--seed $seed --guests $guests --first $first${modes:+ --modes $modes}"
	[ -n "$timeout" ] || timeout=$(( 600 + guests * 5 * slow ))
else
	prog=ioctl_fuzz
	suffix=-ioctl
	args="--seed $seed --calls $calls"
	[ -n "$timeout" ] || timeout=$(( 900 + calls * slow / 200 ))
fi
make -s -C "$HERE" "$prog" || die "building $prog failed"
log "seed $seed: $prog $args on the $kernel kernel ($KDIR), VM timeout ${timeout}s"
log "the same batch again: make fuzz$suffix SEED=$seed"
t0=$(date +%s)
out=$(bash "$LABVM/labvm.sh" run --timeout "$timeout" \
	--files "$HERE/$prog $HERE/fuzz-vm.sh $ROOT/guests/hello.bin" \
	--cmd "sh /extra/fuzz-vm.sh $prog $args")
rc=$?
grep -v '^labvm: exit status' <<<"$out"
if [ "$rc" -eq 124 ]; then
	echo "not ok 99 selftests: fuzz: lab_vm # the VM hung or crashed (seed $seed): see ${TVMM_LABVM_DIR:-build/labvm}/serial.log"
fi
log "seed $seed: $prog done in $(( $(date +%s) - t0 )) s (VM boot included), status $rc"
exit "$rc"
