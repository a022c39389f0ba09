#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The tvmm lab VM: a tiny Linux in Bochs (Intel VMX) or QEMU TCG (no VMX).
#
#   labvm.sh build
#       build the kernel (cached), tvmm.ko, the tvmm tool, the selftests and
#       the base initramfs build/labvm/initramfs.cpio (uncompressed: boots
#       1 s faster in Bochs than gzip)
#   labvm.sh tests [--select "A B"] [--emulator bochs|qemu-novmx] [--timeout S]
#       boot, run the kselftests (all, or the selection), print the KTAP
#       document to stdout; exit 0 only if the VM finished and all passed
#   labvm.sh run [--files "a b"] --cmd "CMD" [--emulator ...] [--timeout S]
#       boot with tvmm.ko loaded, copy FILES to /extra, run CMD there as
#       root; print its output, then "labvm: exit status N"; exit N
#   labvm.sh shell [--files "a b"] [--emulator ...]
#       the VM on this terminal (serial console, root shell, tvmm.ko loaded);
#       leave with: poweroff -f
#
# Common options: --no-build (reuse the last build), --timeout SECONDS,
# --cpus N (emulated CPUs, default 1: a second CPU doubles Bochs' wall time).
# Environment: KDIR (guest kernel tree; default: tests/labvm/kernel.sh --kdir),
# TVMM_CACHE (kernel cache), TVMM_KO / TVMM_BIN / TVMM_TESTS
# (use this tvmm.ko / tvmm binary / directory of tests with a `list` file
# instead of building them), TVMM_LABVM_TIMEOUT, TVMM_TEST_TIMEOUT,
# TVMM_BOCHS_MEGS (Bochs RAM in MB; default: 128, more when the initrds
# need it, see bochs_megs),
# TVMM_LABVM_DIR (this run's directory, default build/labvm: two runs at
# once in one tree each need their own; make check gives each step one).
# Logs: build/labvm/{serial.log,bochs.log,bochsrc,qemu-serial.log}.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
B=${TVMM_LABVM_DIR:-$ROOT/build/labvm}
case $B in /*) ;; *) B=$PWD/$B ;; esac	# the emulators run in $B
STAGE=$B/stage
BASE_CPIO=$B/initramfs.cpio
CMDLINE="console=ttyS0,115200 quiet panic=-1 reboot=t nokaslr cryptomgr.notests rodata=off${TVMM_LABVM_APPEND:+ $TVMM_LABVM_APPEND}"
ISOLINUX_BIN=/usr/lib/ISOLINUX/isolinux.bin
LDLINUX_C32=/usr/lib/syslinux/modules/bios/ldlinux.c32

log() { printf 'labvm: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

usage() { sed -n '4,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; }

# --- build ------------------------------------------------------------------

# The guest kernel tree: $KDIR when set (any built tree with a bzImage),
# else the cached tiny kernel (built on first use).
kdir() {
	local k
	if [ -n "${KDIR:-}" ]; then
		[ -f "$KDIR/arch/x86/boot/bzImage" ] || die "KDIR=$KDIR has no arch/x86/boot/bzImage"
		echo "$KDIR"
		return
	fi
	k=$("$HERE/kernel.sh" --kdir) || die "kernel build failed"
	echo "$k"
}

# build/labvm/busybox.cpio: static busybox and its ~400 applet links,
# rebuilt only when /bin/busybox changes
busybox_cpio() {
	local bb=/bin/busybox d=$B/busybox-root a
	[ -x "$bb" ] || die "$bb missing: run 'bash tests/deps.sh' (busybox-static)"
	if [ -f "$B/busybox.cpio" ] && [ "$B/busybox.cpio" -nt "$bb" ]; then
		return
	fi
	rm -rf "$d"
	mkdir -p "$d"/{bin,sbin,usr/bin,usr/sbin}
	install -m 755 "$bb" "$d/bin/busybox"
	(
		cd "$d"
		while IFS= read -r a; do
			[ "$a" = bin/busybox ] && continue
			[ -d "${a%/*}" ] || mkdir -p "${a%/*}"
			ln -sf /bin/busybox "$a"
		done < <("$bb" --list-full)
		ln -sf /bin/busybox bin/sh
		find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet
	) >"$B/busybox.cpio.tmp"
	mv "$B/busybox.cpio.tmp" "$B/busybox.cpio"
}

do_build() {
	local t0
	t0=$(date +%s)
	KDIR=$(kdir)
	mkdir -p "$B"
	rm -f "$BASE_CPIO"	# never boot a stale image after a failed build
	rm -rf "$STAGE"
	mkdir -p "$STAGE"/{usr/bin,lib/modules,tests/tvmm,extra,proc,sys,dev,tmp,root,etc}

	# Runs in other directories (TVMM_LABVM_DIR) build in the same
	# source tree: one make at a time there (fd 7, released below).
	mkdir -p "$ROOT/build"
	exec 7>"$ROOT/build/.labvm-build.lock"
	flock 7

	# tvmm.ko and the tvmm tool
	if [ -n "${TVMM_KO:-}" ]; then
		log "using TVMM_KO=$TVMM_KO"
	else
		log "make module userspace (KDIR=$KDIR)"
		# one compiler per CPU (not for the selftests below: their
		# helper modules are built by one Kbuild run per .ko, in one
		# directory)
		make -C "$ROOT" -s -j"$(nproc)" KDIR="$KDIR" module userspace >&2 ||
			die "'make module userspace' failed"
	fi
	install -m 644 "${TVMM_KO:-$ROOT/module/tvmm.ko}" "$STAGE/lib/modules/tvmm.ko"
	local bin=${TVMM_BIN:-$ROOT/userspace/tvmm}
	if [ -f "$bin" ]; then
		file -b "$bin" | grep -q 'statically linked' ||
			log "warning: $bin is not statically linked; it will not run in the VM"
		install -m 755 "$bin" "$STAGE/usr/bin/tvmm"
	else
		log "warning: $bin missing; no tvmm tool in the VM"
	fi

	# the kselftests: binaries + `list` + helper modules
	if [ -n "${TVMM_TESTS:-}" ]; then
		log "using tests from TVMM_TESTS=$TVMM_TESTS"
		cp -a "$TVMM_TESTS"/. "$STAGE/tests/tvmm/"
	elif grep -qs '^install:' "$ROOT/tests/selftests/tvmm/Makefile"; then
		log "make -C tests/selftests/tvmm install"
		if ! make -C "$ROOT/tests/selftests/tvmm" -s KDIR="$KDIR" install \
			INSTALL_PATH="$STAGE/tests/tvmm" >&2; then
			# fatal for `tests`; `run`, `shell` and the demo go on without
			[ "$NEED_TESTS" -eq 0 ] ||
				die "'make -C tests/selftests/tvmm install' failed"
			log "warning: 'make -C tests/selftests/tvmm install' failed; going on without the selftests"
		fi
	else
		log "warning: tests/selftests/tvmm has no 'install' target yet: no selftests in the VM"
	fi
	flock -u 7
	exec 7>&-
	[ -f "$STAGE/tests/tvmm/list" ] ||
		log "warning: no tests/tvmm/list installed: 'tests' will only run kernel_clean"

	busybox_cpio
	install -m 755 "$HERE/init" "$STAGE/init"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$STAGE/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$STAGE/etc/group"
	# shellcheck disable=SC2016 # $PWD expands in the VM's shell
	printf 'PS1='\''tvmm-lab:$PWD# '\''\n' >"$STAGE/etc/profile"

	# the kernel unpacks concatenated cpio archives one after the other
	{
		cat "$B/busybox.cpio"
		(cd "$STAGE" && find . -print0 | LC_ALL=C sort -z |
			cpio --null -o -H newc -R 0:0 --quiet)
	} >"$BASE_CPIO.tmp"
	mv "$BASE_CPIO.tmp" "$BASE_CPIO"
	echo "$KDIR/arch/x86/boot/bzImage" >"$B/bzimage.path"
	log "built $BASE_CPIO ($(du -k "$BASE_CPIO" | cut -f1) KiB) in $(( $(date +%s) - t0 )) s"
}

# --- per-run pieces -----------------------------------------------------------

shquote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# make_extra MODE SELECT CMD FILES: the per-run cpio with /extra
make_extra() {
	local mode=$1 select=$2 cmd=$3 files=$4 d=$B/run f
	rm -rf "$d"
	mkdir -p "$d/extra"
	for f in $files; do
		[ -e "$f" ] || die "FILES: '$f' does not exist"
		cp -a "$f" "$d/extra/"
	done
	{
		echo "TVMM_MODE=$(shquote "$mode")"
		echo "TVMM_SELECT=$(shquote "$select")"
		echo "TVMM_CMD=$(shquote "$cmd")"
		echo "TVMM_TEST_TIMEOUT=$(shquote "${TVMM_TEST_TIMEOUT:-120}")"
	} >"$d/extra/run.env"
	(cd "$d" && find extra -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) >"$B/extra.cpio"
}

make_iso() {
	local iso=$B/iso
	rm -rf "$iso"
	mkdir -p "$iso/isolinux"
	cp "$ISOLINUX_BIN" "$LDLINUX_C32" "$iso/isolinux/"
	cp "$BZIMAGE" "$iso/vmlinuz"
	cp "$BASE_CPIO" "$iso/initrd.img"
	cp "$B/extra.cpio" "$iso/extra.img"
	cat >"$iso/isolinux/isolinux.cfg" <<-EOF
	DEFAULT tvmm
	PROMPT 0
	TIMEOUT 0
	LABEL tvmm
	  KERNEL /vmlinuz
	  APPEND initrd=/initrd.img,/extra.img $CMDLINE
	EOF
	xorriso -as mkisofs -quiet -o "$B/lab.iso" -b isolinux/isolinux.bin \
		-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 \
		-boot-info-table "$iso" 2>"$B/xorriso.log" ||
		{ cat "$B/xorriso.log" >&2; die "xorriso failed"; }
}

# bochs_megs: Bochs RAM in MB. The kernel holds both initrds in RAM and
# unpacks them into its rootfs beside them: 128 MB fits the usual ~36 MB,
# not the lab stages' 53 MB with their module variants ("Initramfs
# unpacking failed: write error", then a shell with files missing). So,
# unless TVMM_BOCHS_MEGS says otherwise, at least twice the initrds plus
# 48 MB for the kernel, in steps of 64 MB from 128.
bochs_megs() {
	local kb megs=128
	if [ -n "${TVMM_BOCHS_MEGS:-}" ]; then
		echo "$TVMM_BOCHS_MEGS"
		return
	fi
	kb=$(( ($(stat -c %s "$BASE_CPIO") + $(stat -c %s "$B/extra.cpio")) / 1024 ))
	while [ $((megs * 1024)) -lt $((2 * kb + 48 * 1024)) ]; do
		megs=$((megs + 64))
	done
	echo "$megs"
}

# write_bochsrc COM1_LINE
write_bochsrc() {
	cat >"$B/bochsrc" <<-EOF
	config_interface: textconfig
	display_library: term
	megs: $(bochs_megs)
	romimage: file=/usr/share/bochs/BIOS-bochs-latest
	vgaromimage: file=/usr/share/vgabios/vgabios.bin
	cpu: model=corei7_haswell_4770, count=$CPUS, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1
	pci: enabled=1, chipset=i440fx
	ata0-master: type=cdrom, path=$B/lab.iso, status=inserted
	boot: cdrom
	clock: sync=none
	$1
	panic: action=fatal
	mouse: enabled=0
	log: $B/bochs.log
	EOF
	printf 'c\nquit\n' >"$B/dbg.rc"
}

# boot EMULATOR TIMEOUT SERIAL_LOG: batch boot, output to SERIAL_LOG
boot_batch() {
	local emu=$1 secs=$2 serial=$3 rc=0 t0
	rm -f "$serial"
	t0=$(date +%s.%N)
	case $emu in
	bochs)
		make_iso
		write_bochsrc "com1: enabled=1, mode=file, dev=$serial"
		log "booting Bochs, $CPUS CPU(s) (timeout ${secs}s; logs in $B)"
		(cd "$B" && TERM=dumb timeout -k 5 "$secs" bochs-bin -q -f "$B/bochsrc" \
			-rc "$B/dbg.rc" </dev/null >"$B/bochs.out" 2>&1) || rc=$?
		;;
	qemu-novmx)
		cat "$BASE_CPIO" "$B/extra.cpio" >"$B/initrd-qemu.img"
		log "booting QEMU TCG, -cpu qemu64, no VMX (timeout ${secs}s)"
		timeout -k 5 "$secs" qemu-system-x86_64 -accel tcg -cpu qemu64 -m 256 \
			-smp "$CPUS" -kernel "$BZIMAGE" -initrd "$B/initrd-qemu.img" \
			-append "$CMDLINE" -display none -monitor none \
			-serial "file:$serial" -no-reboot </dev/null \
			>"$B/qemu.out" 2>&1 || rc=$?
		;;
	*) die "unknown emulator '$emu' (bochs or qemu-novmx)" ;;
	esac
	[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && log "emulator killed after ${secs}s timeout"
	log "$emu finished in $(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)") s"
	# serial output has CRLF line ends
	[ -f "$serial" ] && sed -i 's/\r$//' "$serial"
	if grep -q 'Initramfs unpacking failed' "$serial" 2>/dev/null; then
		log "the lab VM could not unpack its initramfs: files are missing, so its results mean nothing; give it more memory (TVMM_BOCHS_MEGS, now $(sed -n 's/^megs: //p' "$B/bochsrc" 2>/dev/null || echo '?') MB)"
		return 1
	fi
	return 0
}

# show why a VM did not finish: serial tail and emulator errors, to stderr
diagnose() {
	local emu=$1 serial=$2
	{
		echo "labvm: ---- last 60 lines of $serial ----"
		if [ -s "$serial" ]; then tail -n 60 "$serial"; else echo "(empty)"; fi
		if [ "$emu" = bochs ]; then
			echo "labvm: ---- VMENTER FAIL / panic lines of $B/bochs.log ----"
			grep -E 'VMENTER FAIL|panic|PANIC' "$B/bochs.log" 2>/dev/null | tail -n 40 || echo "(none)"
		else
			echo "labvm: ---- $B/qemu.out ----"
			tail -n 20 "$B/qemu.out" 2>/dev/null || true
		fi
		echo "labvm: ----"
	} >&2
}

# --- subcommands ------------------------------------------------------------

EMU=bochs SELECT="" CMD="" FILES="" NO_BUILD=0 TIMEOUT="" CPUS=${TVMM_BOCHS_CPUS:-1}
NEED_TESTS=1	# a selftests build failure is fatal (only `tests` needs them)

parse_opts() {
	while [ $# -gt 0 ]; do
		case $1 in
		--select) SELECT=${2//,/ }; shift 2 ;;
		--emulator) EMU=$2; shift 2 ;;
		--cmd) CMD=$2; shift 2 ;;
		--files) FILES=$2; shift 2 ;;
		--timeout) TIMEOUT=$2; shift 2 ;;
		--cpus) CPUS=$2; shift 2 ;;
		--no-build) NO_BUILD=1; shift ;;
		*) die "unknown option '$1' (see: labvm.sh --help)" ;;
		esac
	done
	case $EMU in bochs|qemu-novmx) ;; *) die "--emulator must be bochs or qemu-novmx" ;; esac
}

prepare() {
	if [ "$NO_BUILD" -eq 0 ] || [ ! -f "$BASE_CPIO" ]; then
		do_build
	fi
	prepare_done
}

prepare_done() {
	BZIMAGE=$(cat "$B/bzimage.path")
	[ -f "$BZIMAGE" ] || die "$BZIMAGE missing: run 'labvm.sh build'"
}

serial_for() { if [ "$1" = bochs ]; then echo "$B/serial.log"; else echo "$B/qemu-serial.log"; fi; }

cmd_tests() {
	parse_opts "$@"
	# a build failure is a test failure the counters must see
	if ! (prepare); then
		printf 'KTAP version 1\n1..1\nnot ok 1 selftests: tvmm: labvm_build # build failed (see the messages above)\n'
		return 1
	fi
	prepare_done
	local serial
	serial=$(serial_for "$EMU")
	make_extra tests "$SELECT" "" ""
	boot_batch "$EMU" "${TIMEOUT:-${TVMM_LABVM_TIMEOUT:-300}}" "$serial"
	if grep -q '^TVMM-KTAP-END$' "$serial" 2>/dev/null; then
		sed -n '/^TVMM-KTAP-BEGIN$/,/^TVMM-KTAP-END$/p' "$serial" | sed '1d;$d' >"$B/ktap.txt"
		cat "$B/ktap.txt"
		# exit status: did everything pass?
		python3 "$ROOT/tests/lib/ktap.py" summarize -q -q "$B/ktap.txt"
		return
	fi
	log "error: no TVMM-KTAP-END marker: the VM hung, panicked or crashed"
	diagnose "$EMU" "$serial"
	# Close the document with a failing result for the test that was
	# running (the kselftest runner's "selftests: tvmm: NAME" line after
	# the last result), so the counters see the failure.
	local doc=$B/ktap.txt last n name
	if grep -q '^TVMM-KTAP-BEGIN$' "$serial" 2>/dev/null; then
		sed -n '/^TVMM-KTAP-BEGIN$/,$p' "$serial" | sed '1d' >"$doc"
	else
		printf 'KTAP version 1\n1..1\n' >"$doc"
	fi
	cat "$doc"
	last=$(grep -nE '^(not )?ok [0-9]+' "$doc" | tail -n 1)
	n=$(sed -E 's/^[0-9]+:(not )?ok ([0-9]+).*/\2/' <<<"${last:-0:ok 0}")
	name=$(sed -n "${last%%:*},\$p" "$doc" | sed -n 's/^# selftests: tvmm: //p' | tail -n 1)
	echo "not ok $((n + 1)) selftests: tvmm: ${name:-labvm_boot} # $EMU: VM hung or crashed (no TVMM-KTAP-END; see $serial)"
	return 1
}

cmd_run() {
	parse_opts "$@"
	NEED_TESTS=0
	prepare
	local serial rc
	serial=$(serial_for "$EMU")
	make_extra run "" "$CMD" "$FILES"
	boot_batch "$EMU" "${TIMEOUT:-${TVMM_LABVM_TIMEOUT:-300}}" "$serial"
	if grep -q '^TVMM-RUN-END$' "$serial" 2>/dev/null; then
		# what insmod said before the begin marker (errors) goes to stderr
		sed -n '1,/^TVMM-RUN-BEGIN$/p' "$serial" | grep -E 'insmod|labvm:|tvmm' >&2 || true
		sed -n '/^TVMM-RUN-BEGIN$/,/^TVMM-RUN-END$/p' "$serial" | sed '1d;$d'
		rc=$(sed -n 's/^labvm: exit status \([0-9]*\)$/\1/p' "$serial" | tail -n 1)
		echo "labvm: exit status ${rc:-255}"
		exit "${rc:-255}"
	fi
	log "error: no TVMM-RUN-END marker: the VM hung, panicked or crashed"
	diagnose "$EMU" "$serial"
	sed -n '/^TVMM-RUN-BEGIN$/,$p' "$serial" 2>/dev/null | sed '1d'
	echo "labvm: exit status 124"
	exit 124
}

cmd_shell() {
	parse_opts "$@"
	NEED_TESTS=0
	if [ ! -t 0 ] || [ ! -t 1 ]; then die "shell needs a terminal"; fi
	prepare
	make_extra shell "" "" "$FILES"
	log "leave the VM with: poweroff -f   (if it hangs: kill the bochs-bin process from another terminal)"
	case $EMU in
	bochs)
		make_iso
		write_bochsrc "com1: enabled=1, mode=term, dev=$(tty)"
		# Bochs' own display is the 'term' library: keep it off this
		# terminal; the guest console is com1 on this tty.
		(cd "$B" && TERM=dumb timeout --foreground -k 5 "${TIMEOUT:-14400}" bochs-bin -q \
			-f "$B/bochsrc" -rc "$B/dbg.rc" </dev/null >"$B/bochs.out" 2>&1) || true
		stty sane 2>/dev/null || true
		;;
	qemu-novmx)
		cat "$BASE_CPIO" "$B/extra.cpio" >"$B/initrd-qemu.img"
		timeout --foreground -k 5 "${TIMEOUT:-14400}" qemu-system-x86_64 -accel tcg -cpu qemu64 -m 256 \
			-smp "$CPUS" -kernel "$BZIMAGE" -initrd "$B/initrd-qemu.img" -append "$CMDLINE" \
			-display none -serial mon:stdio -no-reboot || true
		;;
	esac
	log "VM stopped"
}

# serialize runs in one directory: they share its files
lock() {
	mkdir -p "$B"
	exec 8>"$B/.lock"
	flock -n 8 || { log "another labvm.sh is running; waiting"; flock 8; }
}

sub=${1:-}
[ $# -gt 0 ] && shift
case $sub in
build) lock; do_build ;;
tests) lock; cmd_tests "$@" ;;
run) lock; cmd_run "$@" ;;
shell) lock; cmd_shell "$@" ;;
-h|--help|help) usage ;;
"") usage >&2; exit 2 ;;
*) die "unknown subcommand '$sub' (build, tests, run, shell)" ;;
esac
