#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# minios_qemu_test.sh - the mini-OS (guests/minios.bin) boots on a bare PC
# in QEMU TCG (no VT-x needed) and prints exactly its expected console.
#
# Its kernel runs at ring 0 there, as in `tvmm run --mode hw`, with a PIT
# timer on vector 0x20 (minios_boot.S). -icount makes guest time follow
# instructions, so the timer periods, the cli section and the ring-3 spin
# come out the same on every run. What needs tvmm (ring 1, traps,
# reflection) is checked in the lab VM by deprivilege_test.
# Prints TAP; exit 0 on pass or skip.
set -u
cd "$(dirname "$0")" || exit 1
G=../../guests
QEMU=qemu-system-i386
# PIT 1.193182 MHz / 1193: ~1 ms; with -icount shift=0 the TSC also counts
# ~1 GHz, so minios' 2.5M-tick spins span 2.5 timer periods, as under tvmm.
PIT_DIVISOR=1193
EXPECTED='minios: kernel up (GDT, IDT, TSS loaded)
minios: interrupts on, 3 timer ticks seen
minios: cli section: the tick waited for sti
hello from ring 3
app: getticks says the timer ran in ring 3
minios: app exited with 42'

echo "1..1"
if ! command -v $QEMU >/dev/null 2>&1; then
	echo "ok 1 # SKIP $QEMU not installed (qemu-system-x86)"
	exit 0
fi
make -s -C $G minios.bin || { echo "not ok 1 - guests/minios.bin does not build"; exit 1; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
cp $G/minios.bin "$T/" && cp minios_boot.S "$T/"
(cd "$T" && as --32 --defsym PIT_DIVISOR=$PIT_DIVISOR -o boot.o minios_boot.S &&
	ld -m elf_i386 -N -Ttext 0x100000 -e _start -o boot.elf boot.o 2>/dev/null) ||
	{ echo "not ok 1 - minios_boot.S does not build"; exit 1; }

# minios ends with CLI; HLT: QEMU then idles. Stop it once the last line
# is out, or after 20 s.
$QEMU -icount shift=0 -kernel "$T/boot.elf" -display none -no-reboot \
	-debugcon file:"$T/console.txt" -cpu max >/dev/null 2>&1 &
qpid=$!
i=0
while [ $i -lt 200 ]; do
	grep -q 'exited with\|panic' "$T/console.txt" 2>/dev/null && break
	kill -0 $qpid 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
sleep 0.2
kill $qpid 2>/dev/null
wait $qpid 2>/dev/null

got=$(cat "$T/console.txt" 2>/dev/null)
if [ "$got" = "$EXPECTED" ]; then
	echo "ok 1 - minios prints its expected console on a bare PC (QEMU TCG, ring 0)"
	exit 0
fi
echo "not ok 1 - minios console under QEMU differs from the expected text"
printf '%s\n' "$got" | sed 's/^/# got: /'
exit 1
