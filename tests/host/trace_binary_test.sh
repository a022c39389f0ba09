#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# trace_binary_test.sh - the binary trace format (userspace/tracefile.h,
# docs/trace-format.md) against the JSON Lines one, with the tool itself.
#
# Rule: a trace converted JSONL -> binary -> JSONL comes back byte for
# byte; `tvmm stats` and every `tvmm dot` drawing print the same bytes for
# a trace and its binary twin (from a file or from standard input); a
# binary file this tool does not understand (truncated, another header
# format, another record version or size, a record that disagrees with
# the header, a damaged field) is refused with exit status 8 and a
# message that says what is wrong, and nothing on standard output.
# Traces: dot_minios.jsonl (a real one, see dot_test.c) and a hand-written
# one with tvmm-dev accesses, a refused access, a patched site, seq gaps.
# Prints TAP.
set -u
cd "$(dirname "$0")" || exit 1
TVMM=${TVMM:-$(pwd)/../../userspace/tvmm}
W=$(mktemp -d /tmp/tvmm-trace-binary-test.XXXXXX)
trap 'rm -rf "$W"' EXIT
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
# check WHAT CMD...: ok if CMD succeeds, else its output as diagnostics
check() {
	what=$1
	shift
	if "$@" >"$W/check.out" 2>&1; then
		ok "$what"
	else
		sed 's/^/# /' "$W/check.out" | tail -n 20
		not_ok "$what"
	fi
}
# has FILE TEXT: does FILE (a message, which print_error() wraps at 80
# columns: a space became a newline) say TEXT?
has() {
	tr '\n' ' ' <"$1" | grep -qF -- "$2"
}
# patch FILE OFFSET OCTAL...: overwrite bytes of FILE at OFFSET
patch() {
	f=$1 off=$2
	shift 2
	for b in "$@"; do
		printf "\\$b" | dd of="$f" bs=1 seek="$off" conv=notrunc 2>/dev/null
		off=$((off + 1))
	done
}

# Lines exactly as `tvmm run --trace` writes them.
L='"qual":"0x181","rip":"0x1000b","cs":8,"cpl":0,"rflags":"0x2","vif":0,"insn":"a10000b0fe","mnemonic":"mov"'
cat >"$W/mmio.jsonl" <<EOF
{"seq":0,"tsc":100,"reason":"EPT_VIOLATION","reason_code":48,$L,"action":"emulated","cycles":724,"gpa":"0xfeb00000","mmio":"read","width":4,"value":"0x4d4d5654"}
{"seq":1,"tsc":200,"reason":"EPT_VIOLATION","reason_code":48,$L,"action":"emulated","cycles":700,"gpa":"0xfeb00008","mmio":"write","width":2,"value":"0xbeef"}
{"seq":2,"tsc":300,"reason":"IO_INSTRUCTION","reason_code":30,"qual":"0xe90000","rip":"0x1000f","cs":8,"cpl":0,"rflags":"0x2","vif":1,"insn":"ee","mnemonic":"out","action":"emulated","cycles":845}
{"seq":5,"tsc":400,"reason":"EXCEPTION_NMI","reason_code":0,"qual":"0x0","rip":"0xffffffffffff0030","cs":11,"cpl":3,"rflags":"0x3202","vif":1,"insn":"cc","mnemonic":"int3","action":"patched","cycles":18446744073709551615}
{"seq":6,"tsc":500,"reason":"EPT_VIOLATION","reason_code":48,$L,"action":"emulated","cycles":650,"gpa":"0xfeb00800","mmio":"read","width":1,"value":"0x0"}
{"seq":7,"tsc":600,"reason":"EPT_VIOLATION","reason_code":48,$L,"action":"fatal","cycles":90,"gpa":"0xfeb00100"}
EOF
cp dot_minios.jsonl "$W/minios.jsonl"

for t in minios mmio; do
	mkdir -p "$W/$t.j" "$W/$t.b"
	cp "$W/$t.jsonl" "$W/$t.j/t"
	check "$t: tvmm convert JSONL -> binary" "$TVMM" convert "$W/$t.jsonl" -o "$W/$t.b/t"
	lines=$(wc -l <"$W/$t.jsonl")
	size=$(wc -c <"$W/$t.b/t")
	magic=$(head -c 8 "$W/$t.b/t")
	rs=$(od -An -tu2 -j14 -N2 "$W/$t.b/t" | tr -d ' ')
	if [ "$magic" = TVMMEXIT ] && [ "$rs" -ge 128 ] && [ "$size" -eq $((16 + lines * rs)) ]; then
		ok "$t: the binary file is the 16-byte header and $lines records of $rs bytes"
	else
		echo "# magic '$magic', $size bytes, records of $rs"
		not_ok "$t: the binary file is the 16-byte header and $lines records"
	fi
	check "$t: binary -> JSONL gives the same bytes back" \
		sh -c "'$TVMM' convert '$W/$t.b/t' -o '$W/$t.back' && cmp '$W/$t.jsonl' '$W/$t.back'"
	# The same name in both runs: stats and dot print it.
	same=0 cmds=0
	for args in "stats" "stats --json" "dot --graph" "dot --rings" "dot --sequence" \
		    "dot --sequence --from 3 --to 200 --max 10" "dot --graph --max 3"; do
		cmds=$((cmds + 1))
		# shellcheck disable=SC2086
		(cd "$W/$t.j" && "$TVMM" $args t >"$W/out.j" 2>&1; echo "status $?" >>"$W/out.j")
		# shellcheck disable=SC2086
		(cd "$W/$t.b" && "$TVMM" $args t >"$W/out.b" 2>&1; echo "status $?" >>"$W/out.b")
		if cmp -s "$W/out.j" "$W/out.b"; then
			same=$((same + 1))
		else
			echo "# tvmm $args: the outputs differ:"
			diff "$W/out.j" "$W/out.b" | head -n 10 | sed 's/^/# /'
		fi
	done
	if [ "$same" -eq "$cmds" ]; then
		ok "$t: stats and dot print the same bytes for both formats ($cmds commands)"
	else
		not_ok "$t: stats and dot print the same bytes for both formats ($cmds commands)"
	fi
	"$TVMM" stats - <"$W/$t.j/t" >"$W/in.j" 2>&1
	"$TVMM" stats - <"$W/$t.b/t" >"$W/in.b" 2>&1
	check "$t: the same from standard input" cmp "$W/in.j" "$W/in.b"
done
check "mmio: the device table survives the binary format" \
	sh -c "'$TVMM' stats --json '$W/mmio.b/t' | grep -q '\"mmio_refused\": 1'"

# refused NAME WANT: `tvmm stats` and `tvmm dot` on $W/bad: status 8, WANT
# in the message, nothing on stdout.
refused() {
	name=$1 want=$2 good=1
	for cmd in stats "dot --rings"; do
		# shellcheck disable=SC2086
		"$TVMM" $cmd "$W/bad" >"$W/bad.out" 2>"$W/bad.err"
		rc=$?
		if [ "$rc" -ne 8 ] || [ -s "$W/bad.out" ] || ! has "$W/bad.err" "$want"; then
			echo "# tvmm $cmd: status $rc, stdout $(wc -c <"$W/bad.out") bytes, stderr: $(cat "$W/bad.err")"
			echo "# wanted status 8 and: $want"
			good=0
		fi
	done
	if [ "$good" -eq 1 ]; then
		ok "refused: $name"
	else
		not_ok "refused: $name"
	fi
}
B=$W/minios.b/t
# The record this tool writes, from the file (so a new version needs no edit here).
RS=$(( ($(wc -c <"$B") - 16) / $(wc -l <"$W/minios.jsonl") ))
RV=$(od -An -tu2 -j12 -N2 "$B" | tr -d ' ')
head -c 10 "$B" >"$W/bad"
refused "a file that ends in the header" "ends inside its 16-byte header"
head -c $((16 + 3 * RS + 50)) "$B" >"$W/bad"
refused "a file that ends inside a record" "record 4 (byte $((16 + 3 * RS))): the file ends 50 bytes into it, of $RS: truncated"
cp "$B" "$W/bad"; patch "$W/bad" 8 002
refused "another header format" "a binary trace of format 2"
cp "$B" "$W/bad"; patch "$W/bad" 10 040
refused "another header size" "(header of 32 bytes)"
cp "$B" "$W/bad"; patch "$W/bad" 12 143
refused "another record version" "a binary trace of record version 99 ($RS bytes each); this tvmm reads version $RV ($RS bytes)"
cp "$B" "$W/bad"; patch "$W/bad" 14 101
refused "another record size" "record version $RV (65 bytes each)"
cp "$B" "$W/bad"; patch "$W/bad" $((16 + RS)) 143
refused "a record whose version disagrees with the header" "record 2 (byte $((16 + RS))): version 99, size $RS, but the header says version $RV, size $RS"
cp "$B" "$W/bad"; patch "$W/bad" $((16 + 2 * RS + 2)) 100
refused "a record whose size disagrees with the header" "record 3 (byte $((16 + 2 * RS))): version $RV, size 64"
# struct tvmm_exit_record: cpl at byte 74, mnemonic at 94 (16 bytes);
# new fields go at the end, so these stay.
cp "$B" "$W/bad"; patch "$W/bad" $((16 + 74)) 007
refused "a CPL of 7" "record 1 (byte 16): cpl 7 (a CPL is 0 to 3): a damaged record"
cp "$B" "$W/bad"
patch "$W/bad" $((16 + RS + 94)) 170 170 170 170 170 170 170 170 170 170 170 170 170 170 170 170
refused "a mnemonic without its NUL" "record 2 (byte $((16 + RS))): a mnemonic without its NUL"
printf 'TVMMEXI' >"$W/bad.short"
"$TVMM" stats "$W/bad.short" >/dev/null 2>"$W/bad.err"
check "7 bytes of the magic are no binary trace: read as JSON, refused" \
	has "$W/bad.err" "column 1: expected '{'"

# tvmm convert refuses what it cannot convert exactly.
printf '{"seq":0,"reason":"HLT","reason_code":12,"cycles":5}\n' >"$W/short.jsonl"
"$TVMM" convert "$W/short.jsonl" -o "$W/short.bin" 2>"$W/conv.err"
rc=$?
if [ "$rc" -eq 8 ] && [ ! -e "$W/short.bin" ] &&
   has "$W/conv.err" "short.jsonl:1: not a line \`tvmm run --trace\` writes"; then
	ok "convert: a line without every key has no exact record: refused, no file left"
else
	echo "# status $rc: $(cat "$W/conv.err")"
	not_ok "convert: a line without every key has no exact record: refused, no file left"
fi
sed 's/"reason":"EPT_VIOLATION"/"reason":"EPT_MISCONFIG"/' "$W/mmio.jsonl" >"$W/renamed.jsonl"
"$TVMM" convert "$W/renamed.jsonl" -o "$W/renamed.bin" 2>"$W/conv.err"
rc=$?
if [ "$rc" -eq 8 ] && has "$W/conv.err" "renamed.jsonl:1:"; then
	ok "convert: a reason name that is not its code's is refused"
else
	echo "# status $rc: $(cat "$W/conv.err")"
	not_ok "convert: a reason name that is not its code's is refused"
fi
"$TVMM" convert --to binary "$B" -o "$W/again" 2>"$W/conv.err"
rc=$?
if [ "$rc" -eq 2 ] && has "$W/conv.err" "is binary already"; then
	ok "convert: binary to binary is a usage error"
else
	echo "# status $rc: $(cat "$W/conv.err")"
	not_ok "convert: binary to binary is a usage error"
fi
"$TVMM" run --trace-format yaml --trace "$W/x" /dev/null 2>"$W/run.err"
rc=$?
if [ "$rc" -eq 2 ] && has "$W/run.err" "give jsonl (the default) or binary"; then
	ok "run: --trace-format takes jsonl or binary"
else
	echo "# status $rc: $(cat "$W/run.err")"
	not_ok "run: --trace-format takes jsonl or binary"
fi
"$TVMM" run --trace-format binary /dev/null 2>"$W/run.err"
rc=$?
if [ "$rc" -eq 2 ] && has "$W/run.err" "needs --trace FILE"; then
	ok "run: --trace-format binary without --trace is a usage error"
else
	echo "# status $rc: $(cat "$W/run.err")"
	not_ok "run: --trace-format binary without --trace is a usage error"
fi
echo "1..$n"
[ "$n" -eq 27 ] || { echo "# ran $n checks, expected 27"; failed=$((failed + 1)); }
[ "$failed" -eq 0 ]
