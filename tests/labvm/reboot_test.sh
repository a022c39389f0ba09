#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reboot_test.sh - tvmm's reboot notifier at work: the lab VM powers off
# with tvmm loaded and a guest spinning on CPU 1, and its console must say
# that VMX operation ended on every CPU (module/vmx.c, vmx_reboot()).
#
# Why: INIT, which restarts a CPU, is blocked in VMX operation (SDM vol.
# 3C, 24.8); a VMM that leaves a CPU in it at reboot leaves that CPU dead
# to the firmware or the next kernel. Inside the VM nothing can look at
# the machine after the power-off starts, so this runs on the host: it
# boots the lab VM (`labvm.sh run`), whose /init raises the console log
# level before `poweroff -f`, and reads the VM's serial.log after the
# VM is gone. Each CPU reports CR4.VMXE as it has it after the notifier's
# VMXOFF: the line must count every online CPU.
#
#   tests/labvm/reboot_test.sh [--cpus N]   (default 2; TAP on stdout)
#
# Environment: as labvm.sh (TVMM_KO=... runs another tvmm.ko;
# TVMM_LABVM_DIR=... is where the serial.log is).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SERIAL=${TVMM_LABVM_DIR:-$ROOT/build/labvm}/serial.log
CPUS=2
case "${1:-}" in
--cpus) CPUS=${2:?--cpus N}; shift 2 ;;
"") ;;
*) echo "reboot_test.sh: unknown option '$1' (--cpus N)" >&2; exit 2 ;;
esac

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
diag() { sed 's/^/# /'; }

echo "TAP version 13"
echo "1..4"

make -s -C "$ROOT/guests" spin.bin >&2 || { echo "Bail out! make -C guests spin.bin failed"; exit 1; }

# In the VM (tvmm loaded, in /extra): a guest that never exits on its own,
# on the last CPU; wait until it has exits, say where it runs, and leave
# it running: /init powers the VM off next.
last=$((CPUS - 1))
# shellcheck disable=SC2016 # expanded in the VM's shell
cmd='taskset '"$((1 << last))"' tvmm run /extra/spin.bin >/tmp/vm.out 2>&1 &
for i in $(seq 100); do
	s=$(cat /sys/kernel/debug/tvmm/vm*/state 2>/dev/null)
	case $s in *"state: running"*) [ "$(echo "$s" | sed -n "s/^exits: //p")" -gt 0 ] && break ;; esac
	sleep 0.1
done
echo "$s" | grep -E "^(exits|last cpu|state):"
echo "$s" | grep -q "state: running"'
out=$(bash "$HERE/labvm.sh" run --cpus "$CPUS" --files "$ROOT/guests/spin.bin" --cmd "$cmd" 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && grep -q "^last cpu: $last$" <<<"$out"; then
	ok "a guest runs on CPU $last when the lab VM powers off"
else
	echo "$out" | tail -n 40 | diag
	not_ok "a guest runs on CPU $last when the lab VM powers off (labvm.sh run exited $rc)"
fi

# What the kernel printed after the command ended: the power-off.
after=$(sed -n '/^TVMM-RUN-END$/,$p' "$SERIAL" 2>/dev/null)
want="tvmm: VMX off on every CPU (power off): CR4.VMXE clear on $CPUS of $CPUS online CPUs"
if grep -qF "$want" <<<"$after"; then
	ok "reboot notifier: VMX off on all $CPUS CPUs"
else
	grep -E 'tvmm|reboot' <<<"$after" | diag
	not_ok "reboot notifier: no \"$want\" on the console after TVMM-RUN-END"
fi
if grep -q 'reboot: Power down' <<<"$after"; then
	ok "the lab VM powered off"
else
	tail -n 20 <<<"$after" | diag
	not_ok "the lab VM powered off (no \"reboot: Power down\" in $SERIAL)"
fi
if grep -E 'WARNING:|BUG:|Oops|Call Trace|Kernel panic' <<<"$after" >/tmp/reboot_test.$$; then
	diag </tmp/reboot_test.$$
	not_ok "no kernel warning or oops while powering off"
else
	ok "no kernel warning or oops while powering off"
fi
rm -f /tmp/reboot_test.$$
# The rest of the power-off, for the log.
grep -E 'tvmm' <<<"$after" | diag
[ "$failed" -eq 0 ]
