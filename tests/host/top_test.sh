#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# top_test.sh - `tvmm top` and `tvmm migrate` reading debugfs, on a fake
# debugfs directory (TVMM_DEBUGFS), with the tool itself: no VM, no module.
#
# Rules: top lists every vmN directory, in id order, with the fields of
# its state, usage and exits files; --once gives each VM's shares of its
# run ticks (guest, tvmm, host, halted) and its exits per second over its
# age; --json gives the same numbers; a VM whose tool is outside TVMM_RUN
# is "idle", a halted one "halted", an ended one its end; no tvmm
# directory is status 3 with a message. migrate refuses, with status 2
# and a reason, a VM that does not exist, has ended or has never run,
# and hands --live to live migration's own parser.
# Prints TAP.
set -u
cd "$(dirname "$0")" || exit 1
TVMM=${TVMM:-$(pwd)/../../userspace/tvmm}
W=$(mktemp -d /tmp/tvmm-top-test.XXXXXX)
trap 'rm -rf "$W"' EXIT
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
# has FILE TEXT: does FILE say TEXT (print_error() wraps at 80 columns)?
has() {
	tr '\n' ' ' <"$1" | grep -qF -- "$2"
}
# expect WHAT FILE TEXT
expect() {
	if has "$2" "$3"; then
		ok "$1"
	else
		sed 's/^/# /' "$2" | tail -n 10
		echo "# expected: $3"
		not_ok "$1"
	fi
}

# vm STATE-LINES USAGE-LINES EXITS-LINES ID
vm() {
	mkdir -p "$W/tvmm/vm$4"
	printf '%b' "$1" >"$W/tvmm/vm$4/state"
	printf '%b' "$2" >"$W/tvmm/vm$4/usage"
	printf '%b' "$3" >"$W/tvmm/vm$4/exits"
}
EXITS_HDR='reason                          count           cycles        avg\n'
# vm2: running, 75/5/20/0 % of 1000 ticks, 400 exits in 2 s (300 I/O, 100 CPUID).
vm "mode: hw\nmemory: 2048 KiB\nimage loaded: yes\nexits: 400\nlast cpu: 1\nvpid: 3\npid: 99999999\ntid: 99999999\nhalted: 0\nstate: running\n" \
   "guest ticks: 750\ntvmm ticks: 50\nhost ticks: 200\nhalted ticks: 0\nrun ticks: 1000\nin run: yes\nexits: 400\nslices: 4\nmemory: 2048 KiB\nage ms: 2000\nram MiB*s: 4.000\n" \
   "${EXITS_HDR}CPUID                             100             5000         50\nIO_INSTRUCTION                    300            15000         50\ntotal                             400\n" 2
# vm0: halted, its tool still in TVMM_RUN.
vm "mode: deprivileged\nmemory: 4096 KiB\nexits: 10\nlast cpu: 0\npid: 99999998\ntid: 99999998\nhalted: 1\nstate: running\n" \
   "guest ticks: 100\ntvmm ticks: 100\nhost ticks: 0\nhalted ticks: 800\nrun ticks: 1000\nin run: yes\nexits: 10\nmemory: 4096 KiB\nage ms: 1000\nram MiB*s: 4.000\n" \
   "${EXITS_HDR}HLT                                10              100         10\n" 0
# vm1: ended (max-exits), its file still open.
vm "mode: hw\nmemory: 2048 KiB\nexits: 5\nlast cpu: 0\npid: 99999997\ntid: 99999997\nhalted: 0\nstate: max-exits\n" \
   "guest ticks: 10\ntvmm ticks: 10\nhost ticks: 0\nhalted ticks: 0\nrun ticks: 20\nin run: no\nexits: 5\nmemory: 2048 KiB\nage ms: 500\nram MiB*s: 1.000\n" \
   "${EXITS_HDR}PREEMPTION_TIMER                    5               50         10\n" 1
# vm3: never run (no tid), outside TVMM_RUN.
vm "mode: hw\nmemory: 2048 KiB\nexits: 0\nlast cpu: -1\npid: 0\ntid: 0\nhalted: 0\nstate: running\n" \
   "guest ticks: 0\ntvmm ticks: 0\nhost ticks: 0\nhalted ticks: 0\nrun ticks: 0\nin run: no\nexits: 0\nmemory: 2048 KiB\nage ms: 0\nram MiB*s: 0.000\n" \
   "${EXITS_HDR}total 0\n" 3

export TVMM_DEBUGFS="$W/tvmm"
"$TVMM" top --once >"$W/top.txt" 2>"$W/top.err"
rc=$?
[ "$rc" -eq 0 ] && ok "top --once: status 0" || { cat "$W/top.err"; not_ok "top --once: status 0 (got $rc)"; }
expect "top --once: 4 VMs, averages" "$W/top.txt" "tvmm top: 4 VMs, averages since each VM was built"
# vm2's row: 400 exits in 2 s, 75 / 5 / 20 / 0 %, RAM-seconds, busiest reason first.
expect "top --once: vm2's rates and shares" "$W/top.txt" "running     1 hw             2048K     200.0   75.0    5.0   20.0    0.0     4.000  io 150, cpuid 50"
expect "top --once: vm0 halted" "$W/top.txt" "halted      0 deprivileged   4096K      10.0   10.0   10.0    0.0   80.0"
expect "top --once: vm1 ended" "$W/top.txt" "max-exits   0 hw"
expect "top --once: vm3 idle" "$W/top.txt" "idle       -1 hw"
if awk '/^vm/ { print $1 }' "$W/top.txt" | tr '\n' ' ' | grep -qx 'vm0 vm1 vm2 vm3 '; then
	ok "top --once: rows in id order"
else
	not_ok "top --once: rows in id order"
fi

"$TVMM" top --once --json >"$W/top.json" 2>&1
expect "top --json: vm2's fields" "$W/top.json" '{"vm":"vm2","id":2,"name":"-","pid":99999999,"tid":99999999,"state":"running","cpu":1,"mode":"hw","memory_kib":2048,"exits":400,"seconds":2.00,"exits_per_s":200.00,"exits_per_s_by_reason":{"CPUID":50.00,"IO_INSTRUCTION":150.00},"guest_ticks":750,"tvmm_ticks":50,"host_ticks":200,"halted_ticks":0,"run_ticks":1000,"guest_pct":75.00,"tvmm_pct":5.00,"host_pct":20.00,"halted_pct":0.00,"ram_mib_s":4.000}'
expect "top --json: lifetime averages" "$W/top.json" '{"over":"lifetime","vms":[{"vm":"vm0"'
if command -v python3 >/dev/null && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["vms"]) == 4' "$W/top.json"; then
	ok "top --json: one valid document, 4 VMs"
else
	not_ok "top --json: one valid document, 4 VMs"
fi

TVMM_DEBUGFS="$W/none" "$TVMM" top --once >"$W/none.out" 2>&1
rc=$?
if [ "$rc" -eq 3 ] && has "$W/none.out" "TVMM_DEBUGFS=$W/none"; then
	ok "top: no tvmm directory is status 3, with its path"
else
	cat "$W/none.out"
	not_ok "top: no tvmm directory is status 3 (got $rc)"
fi
"$TVMM" top --interval 0 >"$W/bad.out" 2>&1
[ $? -eq 2 ] && ok "top: --interval 0 is a usage error" || not_ok "top: --interval 0 is a usage error"

# migrate's refusals, before it touches any thread.
"$TVMM" migrate vm7 --cpu 0 >"$W/m.out" 2>&1
rc=$?
[ "$rc" -eq 2 ] && has "$W/m.out" "there is no vm7" && ok "migrate: no such VM: status 2" ||
	{ cat "$W/m.out"; not_ok "migrate: no such VM: status 2 (got $rc)"; }
"$TVMM" migrate vm1 --cpu 0 >"$W/m.out" 2>&1
rc=$?
[ "$rc" -eq 2 ] && has "$W/m.out" "vm1 has ended (max-exits)" && ok "migrate: an ended VM: status 2" ||
	{ cat "$W/m.out"; not_ok "migrate: an ended VM: status 2 (got $rc)"; }
"$TVMM" migrate --cpu 0 3 >"$W/m.out" 2>&1
rc=$?
[ "$rc" -eq 2 ] && has "$W/m.out" "vm3 has not run yet" && ok "migrate: a VM never run: status 2" ||
	{ cat "$W/m.out"; not_ok "migrate: a VM never run: status 2 (got $rc)"; }
"$TVMM" migrate vm2 >"$W/m.out" 2>&1
[ $? -eq 2 ] && has "$W/m.out" "give one VM and --cpu B" && ok "migrate: no --cpu: status 2" ||
	{ cat "$W/m.out"; not_ok "migrate: no --cpu: status 2"; }
"$TVMM" migrate --live --help >"$W/m.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] && has "$W/m.out" "usage: tvmm migrate --live" && ok "migrate: --live goes to live migration's parser" ||
	{ cat "$W/m.out"; not_ok "migrate: --live goes to live migration's parser (status $rc)"; }

echo "1..$n"
[ "$n" -eq 17 ] || { echo "# ran $n checks, expected 17"; failed=$((failed + 1)); }
[ "$failed" -eq 0 ]
