#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the lab VM (busybox sh), once per `make figures`: the demo
# workloads whose figures the pages and slides quote. Prints sections
# "=== NAME" (a command's output as it is) and lines "COUNT NAME KEY N"
# (records of a trace counted with grep); tests/figures/collect.py turns
# them into build/figures/numbers.json. Nothing here judges a figure.
cd /extra || exit 1

# counts NAME TRACE: the trace's records by action and by mnemonic
counts() {
	for a in emulated reflected injected ignored patched fatal; do
		echo "COUNT $1 action.$a $(grep -c "\"action\":\"$a\"" "$2")"
	done
	for m in out in cli sti hlt; do
		echo "COUNT $1 mnemonic.$m $(grep -c "\"mnemonic\":\"$m\"" "$2")"
	done
}

# traced NAME ARGS...: tvmm run --trace NAME.jsonl ARGS in /tmp, then its
# summary line, its stats (table and JSON) and its counts. hello's trace
# is t.jsonl, the name the pages use with its `tvmm stats` table.
traced() {
	name=$1
	t=$1.jsonl
	[ "$name" = hello ] && t=t.jsonl
	shift
	echo "=== $name.run"
	(cd /tmp && tvmm run --trace "$t" "$@" 2>&1)
	echo "status $?"
	echo "=== $name.stats_table"
	(cd /tmp && tvmm stats "$t")
	echo "=== $name.stats"
	(cd /tmp && tvmm stats --json "$t")
	[ "$t" = "$name.jsonl" ] || cp "/tmp/$t" "/tmp/$name.jsonl"
	counts "$name" "/tmp/$name.jsonl"
}

echo "=== labvm"
uname -r
grep -m1 'model name' /proc/cpuinfo
grep -c '^processor' /proc/cpuinfo

traced hello /extra/hello.bin
echo "=== hello.record0"
head -n 1 /tmp/hello.jsonl
traced halt /extra/halt.bin
echo "=== halt.record0"
head -n 1 /tmp/halt.jsonl
traced cpuid_loop /extra/cpuid_loop.bin
traced io_loop /extra/io_loop.bin
traced mmio /extra/mmio.bin
echo "=== mmio.record0"
grep -m1 '"reason":"EPT_VIOLATION"' /tmp/mmio.jsonl
traced minios --mode deprivileged /extra/minios.bin
echo "=== minios.records"
head -n 3 /tmp/minios.jsonl
echo "=== minios.cli"
grep -m1 '"mnemonic":"cli"' /tmp/minios.jsonl
traced minios_hw --mode hw /extra/minios.bin
traced minios_pv --mode paravirt /extra/minios_pv.bin
traced minios_patch --mode patch /extra/minios.bin
echo "=== minios_patch.scan"
grep -m1 '"mnemonic":"scan page"' /tmp/minios_patch.jsonl
# lab 11: the mini-OS saved after 120 exits, the file's size, its restore
echo "=== snapshot.save"
(cd /tmp && tvmm run --mode deprivileged --snapshot s.snap --snapshot-at 120 /extra/minios.bin 2>&1 >/dev/null)
echo "=== snapshot.bytes"
wc -c </tmp/s.snap
echo "=== snapshot.restore"
(cd /tmp && tvmm restore s.snap 2>&1 >/dev/null)
rm -f /tmp/s.snap
traced popek_deprivileged --mode deprivileged /extra/popek.bin
traced popek_patch --mode patch /extra/popek.bin
traced popek_paravirt --mode paravirt /extra/popek_pv.bin
traced popek_hw --mode hw /extra/popek.bin
echo "=== popek_patch.scan"
grep -m1 '"mnemonic":"scan page"' /tmp/popek_patch.jsonl
rm -f /tmp/*.jsonl
cd /extra || exit 1

# live migration (docs/live-migration.md): memwrite's 4 pages converge,
# memwrite_big's 256 hit the round cap; the source's stderr (one line
# per round), then the destination's (the downtime)
for w in memwrite memwrite_big; do
	echo "=== live.$w"
	tvmm migrate --live --to fd:3 --at 100 "/extra/$w.bin" 3>&1 >/dev/null 2>/tmp/live.src |
		tvmm restore --incoming - >/dev/null 2>/tmp/live.dst
	cat /tmp/live.src /tmp/live.dst
done
# consolidation: four VMs on CPU 0, their bills and the total
echo "=== consolidate"
tvmm consolidate --cpus 0 --max-exits 300 /extra/spin.bin /extra/hello.bin \
	/extra/hello.bin /extra/cpuid_loop.bin 2>&1
echo "status $?"

echo "=== compare.minios"
tvmm compare --json --image /extra/minios.bin
echo "=== compare.popek"
tvmm compare --json --workload popek
echo "=== end"
