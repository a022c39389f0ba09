#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fuzz-vm.sh PROGRAM [ARGS...] - the lab VM's half of `make fuzz` and
# `make fuzz-ioctl` (tests/fuzz/run.sh copies it and PROGRAM to /extra and
# runs it with tvmm.ko loaded). Busybox sh.
#
# Prints one KTAP document: PROGRAM's own results (nested, "# "-indented,
# as the kselftest runner does), then what must hold after the batch:
#   kernel_clean       no WARNING, BUG, Oops, Call Trace, KASAN, lockdep,
#                      UBSAN, RCU or debugobjects report since the start
#   no_host_addresses  no host kernel address (ffff8..., ffffffff...) in
#                      the kernel log lines of the batch
#   vmx_works_after    tvmm (loaded again if the program unloaded it) still
#                      runs hello.bin: "Hello from the guest!", status 0
#   kmemleak           debug kernel: a scan finds no leak whose backtrace
#                      is in tvmm (other reports are printed, not counted)
#   module_unloads     with every VM closed, rmmod tvmm succeeds
set -u

prog=$1
shift
n=0
ok() { n=$((n + 1)); echo "ok $n selftests: fuzz: $1${2:+ # $2}"; }
not_ok() { n=$((n + 1)); echo "not ok $n selftests: fuzz: $1"; }

# Kernel messages stay off the console (they would cut KTAP lines); they
# are checked below.
echo 1 >/proc/sys/kernel/printk
start=$(dmesg | wc -l)
new_log() { dmesg | tail -n +"$((start + 1))"; }

echo "KTAP version 1"
echo "# kernel: $(uname -r), $(grep -c '^processor' /proc/cpuinfo) CPU(s)"
echo "1..6"

echo "# selftests: fuzz: $prog"
{ "/extra/$prog" "$@" 2>&1; echo $? >/tmp/.fuzz_rc; } | sed 's/^/# /'
rc=$(cat /tmp/.fuzz_rc 2>/dev/null || echo 255)
if [ "$rc" = 0 ]; then ok "$prog"; else echo "# $prog: exit code $rc"; not_ok "$prog"; fi

if new_log | grep -E 'WARNING|(^|[^A-Z_])BUG|Oops|Call Trace|KASAN|kmemleak:.*leak|possible circular|possible recursive|inconsistent lock|INFO: |UBSAN|ODEBUG|general protection|stack-protector|rcu_' >/tmp/.bad; then
	head -n 80 /tmp/.bad | sed 's/^/# /'
	not_ok kernel_clean
else
	ok kernel_clean
fi

if new_log | grep -E 'ffff8[0-9a-f]{11}|ffffffff[0-9a-f]{8}' |
	grep -v 'ffffffffffffffff' >/tmp/.addr; then
	head -n 20 /tmp/.addr | sed 's/^/# /'
	not_ok no_host_addresses
else
	ok no_host_addresses
fi

grep -q '^tvmm ' /proc/modules || insmod /lib/modules/tvmm.ko
out=$(tvmm run /extra/hello.bin 2>&1)
hrc=$?
echo "$out" | sed 's/^/# hello: /'
if [ "$hrc" = 0 ] && echo "$out" | grep -q 'Hello from the guest!'; then
	ok vmx_works_after
else
	not_ok vmx_works_after
fi

km=/sys/kernel/debug/kmemleak
if [ -w "$km" ]; then
	# objects must be unreferenced for 5 s before a scan reports them
	sleep 6
	echo scan >"$km"
	echo scan >"$km"
	cat "$km" >/tmp/.leaks
	echo "# kmemleak: $(grep -c '^unreferenced object' /tmp/.leaks) unreferenced object(s) in all"
	if grep -q 'tvmm' /tmp/.leaks; then
		head -n 60 /tmp/.leaks | sed 's/^/# /'
		not_ok kmemleak
	else
		head -n 20 /tmp/.leaks | sed 's/^/# not tvmm: /'
		ok kmemleak
	fi
else
	ok kmemleak "SKIP no kmemleak in this kernel (the debug lab kernel has it)"
fi

if rmmod tvmm; then ok module_unloads; else not_ok module_unloads; fi
echo "# uptime: $(cut -d' ' -f1 /proc/uptime) s"
