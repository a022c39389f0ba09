#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A class of lab 05 submissions for grade-all's tests and measurements:
#
#   tests/grade/class_fixture.sh HANDOUT CLASS [N]
#
# HANDOUT is a lab 05 handout tree (make handout LABS=05); CLASS gets N
# (default 3) student trees, in turn:
#   correct  both TODOs as the reference solution has them (a folder),
#            its own seed in labs/SEED (2718 for the first, then 2719...)
#   partial  CPUID done, the I/O exit still the stub (a tarball)
#   crashing CPUID done, an I/O handler that writes to NULL in the kernel
#            (a folder)
# named alice, bob, carol, dave, ... (the first three: one of each kind).
set -eu -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
H=$1 C=$2 N=${3:-3}
NAMES=(alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert sybil)
[ "$N" -le "${#NAMES[@]}" ] || { echo "class_fixture: at most ${#NAMES[@]} students" >&2; exit 2; }
fill() { /usr/bin/python3 "$ROOT/tests/grade/fill_todo.py" "$@"; }
mkdir -p "$C"
for ((i = 0; i < N; i++)); do
	s=${NAMES[$i]}
	case $((i % 3)) in
	0)
		cp -a "$H" "$C/$s"
		fill "$C/$s/module/io.c" lab05.1 --from "$ROOT/module/io.c"
		fill "$C/$s/module/cpuid.c" lab05.2 --from "$ROOT/module/cpuid.c"
		echo $((2718 + i / 3)) >"$C/$s/labs/SEED" ;;
	1)
		rm -rf "${C:?}/.$s"
		mkdir -p "$C/.$s"
		cp -a "$H" "$C/.$s/$s"
		fill "$C/.$s/$s/module/cpuid.c" lab05.2 --from "$ROOT/module/cpuid.c"
		tar -C "$C/.$s" -czf "$C/$s.tar.gz" "$s"
		rm -rf "${C:?}/.$s" ;;
	2)
		cp -a "$H" "$C/$s"
		fill "$C/$s/module/cpuid.c" lab05.2 --from "$ROOT/module/cpuid.c"
		fill "$C/$s/module/io.c" lab05.1 --code "*(volatile int *)NULL = vm->id;" ;;
	esac
done
