#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot the lab VM (Bochs, emulated Intel CPU with VMX), load
# tvmm.ko and show what it does. Exits with the status of the demo commands.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

# The commands run inside the VM, in order (later labs add more).
DEMO_CMD='set -e
echo "\$ tvmm caps"
tvmm caps
echo
echo "\$ tvmm run --trace /extra/hello.jsonl /extra/hello.bin"
tvmm run --trace /extra/hello.jsonl /extra/hello.bin
echo
echo "\$ head -n 3 /extra/hello.jsonl      # one JSON record per VM exit"
head -n 3 /extra/hello.jsonl
echo
echo "\$ tvmm stats /extra/hello.jsonl"
tvmm stats /extra/hello.jsonl
echo
echo "\$ tvmm run --mode deprivileged --trace /extra/minios.jsonl /extra/minios.bin"
tvmm run --mode deprivileged --trace /extra/minios.jsonl /extra/minios.bin
echo
echo "The three flows of the notes, one record each from the trace above:"
echo "  a privileged instruction trapped and emulated (the guest kernel at ring 1):"
grep -m1 "\"mnemonic\":\"cli\"" /extra/minios.jsonl
echo "  a system call from ring 3 reflected to the guest kernel handler:"
grep -m1 "\"action\":\"reflected\"" /extra/minios.jsonl
echo "  a host timer exit that tvmm turned into a virtual interrupt for the guest ISR:"
grep "\"action\":\"injected\"" /extra/minios.jsonl | grep -m1 -v "\"mnemonic\":\"hlt\""
echo
echo "\$ tvmm stats /extra/minios.jsonl"
tvmm stats /extra/minios.jsonl
echo
echo "\$ tvmm compare --workload popek   # Popek-Goldberg: one guest, four ways to run it, and emulated"
tvmm compare --workload popek || echo "(status $?: deprivileged is not correct, as Popek and Goldberg predict)"
echo
echo "\$ tvmm dot --sequence /extra/minios.jsonl -o /extra/minios.dot   # the trace as the notes draw it"
tvmm dot --sequence /extra/minios.jsonl -o /extra/minios.dot
echo TVMM-DOT-BEGIN
cat /extra/minios.dot
echo TVMM-DOT-END'

bash "$ROOT/tests/deps.sh" >&2
make -s -C "$ROOT/guests" >&2

cat <<'EOF'
==== tvmm demo ====
This machine has no VMX, so tvmm runs inside the lab VM: a tiny Linux
booted in Bochs, which emulates an Intel Core i7 (Haswell) with VT-x, EPT
and VPID. The VM loads tvmm.ko, then runs the commands below; their output
comes back over the emulated serial port. "tvmm caps" reads the VMX
capability MSRs (IA32_VMX_BASIC, the allowed-0/1 control settings, EPT/VPID
support) and says what this CPU lets a hypervisor do. Then a tiny guest,
guests/hello.S, runs in VMX non-root mode: each OUT to the console port
traps to tvmm (a VM exit), tvmm prints the byte and resumes the guest;
HLT ends it. The trace has one record per exit; "tvmm stats" sums it up
the way "perf kvm stat" does for KVM. Last, guests/minios.S, a small
kernel written for ring 0, runs de-privileged at ring 1 ("virtual kernel
mode") with an application at ring 3: its CLI, STI, OUT, LGDT... trap and
are emulated on a per-VM virtual CPU, its system calls are reflected to
its own handler, and a virtual timer interrupt reaches its ISR only when
its virtual IF is 1. Then guests/popek.S, which trusts POPF, PUSHF, SGDT,
SMSW and MOV from CS, runs four ways: at ring 1 those instructions do not
trap and it goes wrong silently (Popek and Goldberg); scan-and-patch,
paravirtualization and VT-x each make it right, at different costs.
(The first run builds the guest kernel: 3 to 10 minutes. Then ~15 s.)
EOF
echo
# The VM's output comes back whole when it ends: keep it, show it without
# the DOT text between the markers, and render that on the host.
OUT=$ROOT/build/demo
mkdir -p "$OUT"
rc=0
bash "$HERE/labvm.sh" run --files "$ROOT/guests/hello.bin $ROOT/guests/minios.bin $ROOT/guests/popek.bin $ROOT/guests/popek_pv.bin $ROOT/guests/pgprobe.bin $ROOT/guests/pgprobe_pv.bin" \
	--cmd "$DEMO_CMD" >"$OUT/demo.out" || rc=$?
sed '/^TVMM-DOT-BEGIN$/,/^TVMM-DOT-END$/d' "$OUT/demo.out"
if grep -q '^TVMM-DOT-END$' "$OUT/demo.out"; then
	sed -n '/^TVMM-DOT-BEGIN$/,/^TVMM-DOT-END$/p' "$OUT/demo.out" | sed '1d;$d' \
		>"$OUT/minios-sequence.dot"
	echo
	if command -v dot >/dev/null && dot -Tsvg -o "$OUT/minios-sequence.svg" "$OUT/minios-sequence.dot" &&
		dot -Tpng -o "$OUT/minios-sequence.png" "$OUT/minios-sequence.dot"; then
		echo "The sequence diagram of the de-privileged minios run (trap, emulate, reflect, inject):"
		echo "  $OUT/minios-sequence.svg (and .png, .dot)"
	else
		echo "The sequence diagram of the de-privileged minios run, as DOT text (no Graphviz to render it):"
		echo "  $OUT/minios-sequence.dot   (render: dot -Tsvg -o minios-sequence.svg $OUT/minios-sequence.dot)"
	fi
fi
exit "$rc"
