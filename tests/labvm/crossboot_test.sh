#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# crossboot_test.sh - a VM saved in one boot of the lab VM and restored in
# another: the notes' migration between servers, in miniature.
#
# Why: a snapshot must hold the whole VM, nothing that lives only in the
# host that saved it. A second boot has a new tvmm.ko instance, new VM
# and VPID numbers, other host pages for RAM, EPT and the VMCS, and a host
# TSC that started again from 0. If anything of the guest were left in
# the first host (a deadline as an absolute TSC, the guest's clock, the
# EPT execute bits of patch mode...) the restored guest would print
# something else or stop. Boot 1 runs the mini-OS in patch mode (the mode
# with the most state) to exit N, saves it and prints the file
# (gzip + base64 on the serial console: the only way out of the VM);
# boot 2 restores it. Checked: boot 1's console + boot 2's console is the
# mini-OS's whole console, and the restored VM ends as an uninterrupted
# run does.
#
#   tests/labvm/crossboot_test.sh [--mode MODE] [--at N]   (TAP on stdout)
#
# Environment: as labvm.sh (TVMM_KO=... runs another tvmm.ko,
# TVMM_LABVM_DIR=... where the VM runs).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MODE=patch AT=120
while [ $# -gt 0 ]; do
	case $1 in
	--mode) MODE=${2:?--mode MODE}; shift 2 ;;
	--at) AT=${2:?--at N}; shift 2 ;;
	*) echo "crossboot_test.sh: unknown option '$1' (--mode MODE, --at N)" >&2; exit 2 ;;
	esac
done

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
diag() { sed 's/^/# /'; }

echo "TAP version 13"
echo "1..4"

make -s -C "$ROOT/guests" minios.bin >&2 || { echo "Bail out! make -C guests minios.bin failed"; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The mini-OS's console (guests/README.md; seed 0, the default timer).
cat >"$TMP/want.txt" <<'EOF'
minios: kernel up (GDT, IDT, TSS loaded)
minios: interrupts on, 3 timer ticks seen
minios: cli section: the tick waited for sti
hello from ring 3
app: getticks says the timer ran in ring 3
minios: app exited with 42
EOF

# Boot 1: run to exit $AT, save, and print the console and the file.
cmd1="cd /tmp && tvmm run --mode $MODE --snapshot s.snap --snapshot-at $AT /extra/minios.bin >a.txt 2>a.err
echo \"boot1 status \$?\"; cat a.err; base64 a.txt | sed 's/^/CONSOLE: /'
gzip -c s.snap | base64 | sed 's/^/SNAP: /'"
out1=$(bash "$HERE/labvm.sh" run --files "$ROOT/guests/minios.bin" --cmd "$cmd1" 2>&1)
if grep -q "^boot1 status 0$" <<<"$out1" && grep -q "saved to s.snap after $AT exits" <<<"$out1"; then
	ok "boot 1: minios ($MODE) saved after $AT exits"
else
	tail -n 40 <<<"$out1" | grep -v '^SNAP: \|^CONSOLE: ' | diag
	not_ok "boot 1: minios ($MODE) saved after $AT exits"
fi
# The consoles travel in base64: a snapshot may cut a line in two.
sed -n 's/^CONSOLE: //p' <<<"$out1" | base64 -d >"$TMP/a.txt"
sed -n 's/^SNAP: //p' <<<"$out1" | base64 -d 2>/dev/null | gunzip -c >"$TMP/s.snap" 2>/dev/null
size=$(stat -c %s "$TMP/s.snap" 2>/dev/null || echo 0)
if [ "$size" -gt 1048576 ] && [ "$(head -c 8 "$TMP/s.snap")" = TVMMSNAP ]; then
	ok "the snapshot came out of boot 1 whole ($size bytes)"
else
	not_ok "the snapshot came out of boot 1 whole (got $size bytes)"
fi

# Boot 2: another lab VM boot, another tvmm.ko instance: restore.
cmd2="cd /tmp && tvmm restore /extra/s.snap >b.txt 2>b.err; echo \"boot2 status \$?\"
cat b.err; base64 b.txt | sed 's/^/CONSOLE: /'"
out2=$(bash "$HERE/labvm.sh" run --no-build --files "$TMP/s.snap" --cmd "$cmd2" 2>&1)
sed -n 's/^CONSOLE: //p' <<<"$out2" | base64 -d >"$TMP/b.txt"
if grep -q "^boot2 status 0$" <<<"$out2" && grep -q "tvmm: hlt after" <<<"$out2"; then
	ok "boot 2: the restored minios ran to its normal end (hlt, status 0)"
else
	tail -n 40 <<<"$out2" | diag
	not_ok "boot 2: the restored minios ran to its normal end (hlt, status 0)"
fi
if cat "$TMP/a.txt" "$TMP/b.txt" | cmp -s - "$TMP/want.txt"; then
	ok "boot 1's console + boot 2's console = the whole minios console"
else
	{ echo "boot 1:"; cat "$TMP/a.txt"; echo "boot 2:"; cat "$TMP/b.txt"; } | diag
	not_ok "boot 1's console + boot 2's console = the whole minios console"
fi
[ "$failed" -eq 0 ]
