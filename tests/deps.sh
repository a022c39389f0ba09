#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian 12 package tvmm needs (build, lab VM, tests, docs).
# Idempotent: when all are installed already it does not touch apt (~1 s).
# Runs as root (or via sudo when available), never reads stdin.
set -euo pipefail

PACKAGES=(
	# build: module, userspace, tiny guest kernel
	make gcc bc flex bison libelf-dev libssl-dev cpio lz4 sparse perl git
	linux-source-6.1 linux-kbuild-6.1 linux-headers-amd64
	linux-headers-6.12-amd64 unifdef python3 python3-kconfiglib
	# lab stages: one module build per lab variant, mostly cache hits
	ccache
	# lab VM: Bochs (VMX), QEMU (no-VMX / SVM), boot medium, initramfs
	bochs bochs-term bochsbios vgabios qemu-system-x86
	xorriso isolinux syslinux-common busybox-static
	# diagrams; docs and slides (make docs slides); slides' PDFs and
	# their check in a real browser (tests/host/slides_test.sh)
	graphviz pandoc chromium
	# tvmm emulate's differential test: Unicorn the oracle, capstone to
	# disassemble a failing sequence (tests/host/emu_diff_test.c)
	libunicorn-dev libcapstone-dev
	# course platforms: Gradescope results.json schema check, CI files lint
	python3-jsonschema yamllint
)

missing=()
for p in "${PACKAGES[@]}"; do
	# dpkg -s answers "installed" only for a fully configured package.
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' installed$'; then
		missing+=("$p")
	fi
done

if [ "${#missing[@]}" -eq 0 ]; then
	echo "deps.sh: all ${#PACKAGES[@]} packages installed"
	exit 0
fi

echo "deps.sh: installing: ${missing[*]}"
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null ||
		{ echo "deps.sh: not root and no sudo; install as root: ${missing[*]}" >&2; exit 1; }
	SUDO=(sudo -n)
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q </dev/null
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends "${missing[@]}" </dev/null
echo "deps.sh: done"
