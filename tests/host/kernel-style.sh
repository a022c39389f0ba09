#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-style.sh - the kernel's own quality gates on tvmm's kernel code,
# as TAP for tests/check.sh:
#   - checkpatch.pl --strict on every tracked kernel source file;
#   - a W=1 build with sparse (C=1) against the lab VM's kernel tree, and
#     W=1 builds against Debian's 6.1 and 6.12 headers: no warning allowed.
# Each build runs on a copy of the sources in a temporary directory, so the
# trees never share object files.
#
# Usage: tests/host/kernel-style.sh   (from anywhere; needs tests/deps.sh)
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${TVMM_CACHE:-$HOME/.cache/tvmm}
LINUX_SOURCE_TAR=/usr/src/linux-source-6.1.tar.xz
# A fixed directory, not mktemp's: ccache hashes the source file's path,
# so the same sources at the same path are cache hits from one run to the
# next (make check sets ccache up; sparse runs on every file all the same).
# Two kernel-style.sh at once in one tree would share it: don't.
WORK=$ROOT/build/kernel-style
rm -rf "$WORK"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
diag() { sed 's/^/# /'; }

echo "TAP version 13"
echo "1..7"

# checkpatch.pl and its data files come from linux-source-6.1, cached.
checkpatch_dir() {
	local dir="$CACHE/checkpatch-$(stat -c %Y "$LINUX_SOURCE_TAR")"

	if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
		mkdir -p "$dir.tmp" &&
		tar -xJf "$LINUX_SOURCE_TAR" -C "$dir.tmp" --strip-components=1 \
			--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' &&
		rm -rf "$dir" && mv "$dir.tmp" "$dir"
	fi
	echo "$dir"
}

# Kernel C sources and headers tracked by git (generated files excluded).
kernel_files() {
	git -C "$ROOT" ls-files -- 'module/*.c' 'module/*.h' 'module/*.S' \
		'tests/selftests/tvmm/module/*.c' 'tests/mutants/vmx_repair/*.c' | sed "s|^|$ROOT/|"
}

if [ ! -f "$LINUX_SOURCE_TAR" ]; then
	skip "checkpatch --strict" "$LINUX_SOURCE_TAR missing (run tests/deps.sh)"
else
	cp_dir=$(checkpatch_dir)
	mapfile -t files < <(kernel_files)
	out=$(cd "$cp_dir" && perl scripts/checkpatch.pl --no-tree --strict \
		--quiet --show-types -f "${files[@]}" 2>&1)
	if [ -z "$out" ]; then
		ok "checkpatch --strict clean (${#files[@]} files)"
	else
		echo "$out" | diag
		not_ok "checkpatch --strict clean (${#files[@]} files)"
	fi
fi

# The lab stages' header (every solution on, unless .config says otherwise).
make -C "$ROOT" -s config >/dev/null 2>&1 || true

# build_module NAME KDIR [extra make args]: W=1 build of a copy; TAP line.
# STAGES=stubs builds every lab's student stub instead (allnoconfig).
build_module() {
	local name=$1 kdir=$2 dir log
	shift 2
	if [ ! -d "$kdir" ]; then
		skip "$name" "no kernel tree at $kdir"
		return
	fi
	# Kbuild takes M= as a word list: the directory name must have no spaces.
	dir="$WORK/build$n"
	mkdir -p "$dir"
	cp -r "$ROOT/Kbuild" "$ROOT/module" "$dir/"
	if [ "${STAGES:-}" = stubs ]; then
		(cd "$ROOT" && KCONFIG_CONFIG=$dir/.config /usr/bin/python3 -m allnoconfig Kconfig &&
			KCONFIG_CONFIG=$dir/.config /usr/bin/python3 -m genconfig \
				--header-path "$dir/module/generated/tvmm_config.h" Kconfig) >/dev/null
	fi
	log="$dir/build.log"
	if ! make -C "$kdir" M="$dir" W=1 "$@" modules >"$log" 2>&1; then
		diag <"$log"
		not_ok "$name: build failed"
		return
	fi
	if grep -E "warning:|error:|sparse:" "$log" >/dev/null; then
		grep -E -A3 "warning:|error:|sparse:" "$log" | diag
		not_ok "$name: warnings"
		return
	fi
	ok "$name"
}

LABVM_KDIR=$("$ROOT/tests/labvm/kernel.sh" --kdir 2>/dev/null) || LABVM_KDIR=/nonexistent
build_module "W=1 C=1 (sparse) against the lab VM kernel" "$LABVM_KDIR" C=1
STAGES=stubs build_module "W=1 C=1 with every lab a student stub (allnoconfig)" "$LABVM_KDIR" C=1

hdr61=$(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sort -V | tail -1)
hdr612=$(ls -d /usr/src/linux-headers-6.12.*-amd64 2>/dev/null | sort -V | tail -1)
build_module "W=1 against Debian 6.1 headers (${hdr61##*/})" "${hdr61:-/nonexistent}"
build_module "W=1 against Debian 6.12 headers (${hdr612##*/})" "${hdr612:-/nonexistent}"

# The helper module the selftests load is kernel code too.
if [ -d "$LABVM_KDIR" ]; then
	dir="$WORK/cr4_probe"
	cp -r "$ROOT/tests/selftests/tvmm/module" "$dir"
	if make -C "$LABVM_KDIR" M="$dir" TVMM_MODULE_DIR="$ROOT/module" W=1 C=1 \
		modules >"$dir/build.log" 2>&1 &&
	   ! grep -E "warning:|error:" "$dir/build.log" >/dev/null; then
		ok "selftest helper module: W=1 C=1 clean"
	else
		diag <"$dir/build.log"
		not_ok "selftest helper module: W=1 C=1 clean"
	fi
else
	skip "selftest helper module: W=1 C=1 clean" "no lab VM kernel tree"
fi

# ... and so is the mutant runner's repair module.
if [ -d "$LABVM_KDIR" ]; then
	dir="$WORK/vmx_repair"
	cp -r "$ROOT/tests/mutants/vmx_repair" "$dir"
	if make -C "$LABVM_KDIR" M="$dir" W=1 C=1 modules >"$dir/build.log" 2>&1 &&
	   ! grep -E "warning:|error:" "$dir/build.log" >/dev/null; then
		ok "mutant runner's vmx_repair module: W=1 C=1 clean"
	else
		diag <"$dir/build.log"
		not_ok "mutant runner's vmx_repair module: W=1 C=1 clean"
	fi
else
	skip "mutant runner's vmx_repair module: W=1 C=1 clean" "no lab VM kernel tree"
fi

[ "$failed" -eq 0 ]
