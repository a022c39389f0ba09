#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) and locate the lab VM's tiny guest kernel.
#
#   kernel.sh            ensure the kernel is built; progress on stderr
#   kernel.sh --kdir     ensure built; print ONLY the kernel tree path
#   kernel.sh --bzimage  ensure built; print ONLY the bzImage path
#   kernel.sh --key      print the cache key (no build)
#
# TVMM_KERNEL_EXTRA=FILE merges a second fragment after tiny.config (e.g.
# tests/bench/kvm.config, tests/labvm/debug.config); its contents go into
# the key, so each variant is cached in its own tree.
#
# Source: Debian's /usr/src/linux-source-6.1.tar.xz, `make tinyconfig` plus
# the fragment tests/labvm/tiny.config. The tree is cached in
# ${TVMM_CACHE:-$HOME/.cache/tvmm}/kernel-<key>/, where <key> hashes the
# fragments, the linux-source package version and this script down to the
# "end of the cache key" line (what follows it, the cache pruning, does not
# change what is built). The build runs in a temporary directory that is
# renamed into place only when complete, so an interrupted build is never
# reused. A lock serializes concurrent callers. Each variant (tiny, kvm,
# debug: the extra fragment's name) keeps its two newest trees.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FRAGMENT=$HERE/tiny.config
SRC_TAR=${TVMM_LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
SRC_PKG=linux-source-6.1
CACHE=${TVMM_CACHE:-$HOME/.cache/tvmm}
EXTRA=${TVMM_KERNEL_EXTRA:-}
KEY_END='# ---- end of the cache key'

log() { printf 'kernel.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

mode=build
case "${1:-}" in
"") ;;
--kdir) mode=kdir ;;
--bzimage) mode=bzimage ;;
--key) mode=key ;;
-h|--help) sed -n '4,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) die "unknown argument '$1' (try --help)" ;;
esac

[ -r "$SRC_TAR" ] || die "$SRC_TAR missing: run 'bash tests/deps.sh' (package $SRC_PKG)"
[ -r "$FRAGMENT" ] || die "$FRAGMENT missing"
if [ -n "$EXTRA" ]; then
	[ -r "$EXTRA" ] || die "TVMM_KERNEL_EXTRA=$EXTRA is not readable"
	EXTRA=$(realpath "$EXTRA")
fi

src_version=$(dpkg-query -W -f='${Version}' "$SRC_PKG" 2>/dev/null || true)
[ -n "$src_version" ] || src_version=$(stat -c '%s-%Y' "$SRC_TAR")
key=$( { cat "$FRAGMENT" ${EXTRA:+"$EXTRA"}; echo "$SRC_PKG $src_version"; sed "/^$KEY_END/q" "$0"; } |
	sha256sum | cut -c1-12)
KDIR=$CACHE/kernel-$key
BZIMAGE=$KDIR/arch/x86/boot/bzImage

if [ "$mode" = key ]; then
	echo "$key"
	exit 0
fi

# The options the fragment sets: "CONFIG_X=value" and "# CONFIG_X is not set".
wanted_options() {
	grep -hE '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set$)' "$FRAGMENT" ${EXTRA:+"$EXTRA"}
}

verify_config() {	# $1 = .config; prints options that did not apply
	local line opt bad=0
	while IFS= read -r line; do
		case $line in
		"# "*)	# wanted off: absent or "is not set" both count
			opt=${line#\# }; opt=${opt%% *}
			grep -qE "^$opt=" "$1" || continue ;;
		*)	grep -qxF "$line" "$1" && continue
			opt=${line%%=*} ;;
		esac
		log "option did not apply: '$line' (got: $(grep -E "^(# )?${opt}[= ]" "$1" || echo absent))"
		bad=1
	done < <(wanted_options)
	return "$bad"
}

build() {
	local tmp=$1 t0 jobs
	t0=$(date +%s)
	jobs=$(nproc)
	log "building the lab VM kernel into $KDIR (cold cache: about 3 minutes on 2 cores)"
	log "extracting $SRC_TAR"
	mkdir -p "$tmp"
	tar -xJf "$SRC_TAR" -C "$tmp" --strip-components=1
	# Do not let an outer make (KDIR ?= $(shell ...)) leak its flags in.
	unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES KBUILD_EXTMOD M O
	log "configuring: tinyconfig + $(basename "$FRAGMENT")${EXTRA:+ + $EXTRA}"
	# (tinyconfig and merge_config.sh chatter about every override)
	make -C "$tmp" -s tinyconfig >/dev/null 2>&1 ||
		make -C "$tmp" tinyconfig >&2
	(cd "$tmp" && scripts/kconfig/merge_config.sh -m .config "$FRAGMENT" ${EXTRA:+"$EXTRA"}) >/dev/null 2>&1 ||
		(cd "$tmp" && scripts/kconfig/merge_config.sh -m .config "$FRAGMENT" ${EXTRA:+"$EXTRA"}) >&2
	make -C "$tmp" -s olddefconfig >/dev/null 2>&1 || make -C "$tmp" olddefconfig >&2
	verify_config "$tmp/.config" || die "the config fragment did not apply (see above)"
	log "make -j$jobs bzImage modules_prepare"
	make -C "$tmp" -s -j"$jobs" bzImage modules_prepare >&2
	log "make modules (for Module.symvers)"
	make -C "$tmp" -s -j"$jobs" modules >&2
	[ -f "$tmp/arch/x86/boot/bzImage" ] || die "no bzImage produced"
	[ -f "$tmp/Module.symvers" ] || die "no Module.symvers produced"
	echo "$key" > "$tmp/.tvmm-kernel-key"
	variant_name > "$tmp/.tvmm-kernel-variant"
	log "built in $(( $(date +%s) - t0 )) s"
}

ensure_built() {
	[ -f "$KDIR/.tvmm-kernel-key" ] && return 0
	mkdir -p "$CACHE"
	exec 9>"$CACHE/kernel-$key.lock"
	if ! flock -n 9; then
		log "another kernel.sh is building kernel-$key; waiting for it"
		flock 9
	fi
	if [ ! -f "$KDIR/.tvmm-kernel-key" ]; then
		# Anything left under our key is from an interrupted build.
		rm -rf "$KDIR" "$CACHE/kernel-$key".tmp.*
		local tmp=$CACHE/kernel-$key.tmp.$$
		trap 'rm -rf "$tmp"' EXIT
		trap 'exit 130' INT TERM
		build "$tmp"
		mv -T "$tmp" "$KDIR"
		trap - EXIT INT TERM
		prune_old_trees
	fi
	exec 9>&-
}

# ---- end of the cache key: nothing below changes what is built ----------

# The variant a tree was built as: the extra fragment's name without
# ".config" (kvm, debug), or "tiny". Trees built before the variant file
# existed are told apart by their .config.
variant_name() {
	local v=${EXTRA##*/}
	v=${v%.config}
	echo "${v:-tiny}"
}
variant_of() {	# $1 = tree
	if [ -f "$1/.tvmm-kernel-variant" ]; then
		cat "$1/.tvmm-kernel-variant"
	elif grep -q '^CONFIG_KVM=y' "$1/.config" 2>/dev/null; then
		echo kvm
	else
		echo tiny
	fi
}

# Keep this tree and the previous one of the same variant (another checkout
# may still use it); older ones are 1-2 GB each. Other variants are left
# alone, so building the debug kernel never evicts the normal one.
prune_old_trees() {
	local mine old
	mine=$(variant_name)
	while IFS= read -r old; do
		if [ "$(variant_of "$old")" = "$mine" ]; then
			printf '%s\n' "$old"
		fi
	done < <(find "$CACHE" -mindepth 2 -maxdepth 2 -name .tvmm-kernel-key \
		-path "$CACHE/kernel-*" -printf '%T@ %h\n' | sort -rn | cut -d' ' -f2-) |
		tail -n +3 | while IFS= read -r old; do
			log "removing old $mine kernel tree $old"
			rm -rf "$old" "$old.lock"
		done
}

# A cold build takes minutes: say how far it is, every 5%, from what the
# build has made so far (Kbuild writes a .cmd file for each file it
# compiled or linked) against what the last build of this variant made
# (its tree in the cache), else about 1850. Runs beside the build, here
# below the key line, so that it changes nothing of what is built.
build_progress() {
	local tree total=1850 made pct last=-5 tmp
	tree=$(find "$CACHE" -mindepth 2 -maxdepth 2 -name .tvmm-kernel-key -path "$CACHE/kernel-*" \
		-printf '%h\n' 2>/dev/null | while IFS= read -r t; do
			[ "$(variant_of "$t")" = "$(variant_name)" ] && echo "$t"; done | head -n 1)
	[ -n "$tree" ] && total=$(find "$tree" -name '.*.cmd' | wc -l)
	[ "$total" -gt 0 ] || total=1850
	while kill -0 "$1" 2>/dev/null && [ ! -f "$KDIR/.tvmm-kernel-key" ]; do
		sleep 3
		tmp=$(find "$CACHE" -maxdepth 1 -name "kernel-$key.tmp.*" -print -quit)
		[ -n "$tmp" ] || continue
		made=$(find "$tmp" -name '.*.cmd' 2>/dev/null | wc -l)
		pct=$((100 * made / total))
		[ "$pct" -le 99 ] || pct=99
		if [ "$pct" -ge $((last + 5)) ]; then
			log "$pct% ($made/$total files) building the lab VM kernel"
			last=$pct
		fi
	done
}

if [ ! -f "$KDIR/.tvmm-kernel-key" ] && [ "$mode" != key ]; then
	build_progress $$ &
fi
ensure_built
case "$mode" in
kdir) echo "$KDIR" ;;
bzimage) echo "$BZIMAGE" ;;
build) log "kernel ready: $BZIMAGE" ;;
esac
