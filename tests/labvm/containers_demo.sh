#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make containers-demo: a container and a VM side by side in the lab VM.
# A busybox shell in new PID, UTS and mount namespaces (`unshare`), then
# the mini-OS under tvmm, both watched by the same tvmm:tvmm_exit
# tracepoint: the container reports the host's kernel release and boot_id
# and causes no VM exit; the guest runs its own kernel, whose privileged
# instructions each exit to tvmm. docs/concepts.md, "Containers are not
# VMs"; tests/selftests/tvmm/containers_test.c asserts the same facts.
# Exits with the status of the commands in the VM.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

# Runs in the lab VM (busybox sh), tvmm loaded, the guest in /extra.
# shellcheck disable=SC2016
DEMO_CMD='set -e
T=/sys/kernel/tracing
exits() { grep -c "tvmm_exit: " $T/trace || true; }
echo > $T/trace
echo 1 > $T/events/tvmm/tvmm_exit/enable
echo "== the host (the lab VM itself) =="
echo "kernel $(uname -r), boot_id $(cat /proc/sys/kernel/random/boot_id)"
echo "hostname $(hostname), PID of this shell $$, $(ls -d /proc/[0-9]* | wc -l) processes in /proc"
echo
echo "\$ unshare --pid --uts --mount --fork --mount-proc sh -c ...   # a container"
unshare --pid --uts --mount --fork --mount-proc /bin/sh -c "
hostname tvmm-box
echo \"kernel \$(uname -r), boot_id \$(cat /proc/sys/kernel/random/boot_id)\"
echo \"hostname \$(hostname), PID of this shell \$\$, \$(ls -d /proc/[0-9]* | wc -l) processes in /proc\"
ps"
echo "VM exits while the container ran: $(exits)"
echo
echo > $T/trace
echo "\$ tvmm run --mode deprivileged /extra/minios.bin   # a VM: its own kernel"
tvmm run --mode deprivileged --trace /extra/minios.jsonl /extra/minios.bin
echo 0 > $T/events/tvmm/tvmm_exit/enable
echo "VM exits while the guest ran: $(exits)"
echo "its kernel'"'"'s privileged instructions: VM exits, each emulated by tvmm"
for m in lgdt lidt ltr cli sti out; do
	printf "  %-5s %4s\n" $m $(grep -c "\"mnemonic\":\"$m\"" /extra/minios.jsonl)
done'

bash "$ROOT/tests/deps.sh" >&2
make -s -C "$ROOT/guests" >&2
cat <<'TEXT'
==== containers vs VMs ====
A container is ordinary processes that the one kernel gives a private
view (namespaces): its own hostname (UTS), PID 1 (PID), its own /proc
(mount). A VM is a machine: its own kernel, and every privileged act of
that kernel is a VM exit. Both below run in the lab VM, watched by the
same tvmm:tvmm_exit tracepoint.
TEXT
echo
exec bash "$HERE/labvm.sh" run --files "$ROOT/guests/minios.bin" --cmd "$DEMO_CMD"
