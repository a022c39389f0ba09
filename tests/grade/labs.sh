# SPDX-License-Identifier: GPL-2.0
# Sourced by the grading scripts: find a lab's directory from its number.

# lab_number ARG: "5", "05", "lab05", "lab05-trap-and-emulate" -> "05"
lab_number() {
	local n=${1#lab}
	n=${n%%-*}
	[[ $n =~ ^[0-9]{1,2}$ ]] || return 1
	printf '%02d' "$((10#$n))"
}

# lab_dir ROOT NN -> ROOT/labs/labNN-topic (fails if there is none)
lab_dir() {
	local d
	for d in "$1"/labs/lab"$2"-*/; do
		[ -d "$d" ] && { echo "${d%/}"; return 0; }
	done
	return 1
}

# lab_programs DIR -> the kselftest programs of a lab: the one-word lines
# of its `tests` file (the "fixture.test TODO=points" lines are the points,
# tests/grade/points.py)
lab_programs() {
	[ -f "$1/tests" ] || return 0
	awk '$1 !~ /^#/ && NF == 1 && $1 !~ /[.]/ { printf "%s ", $1 }' "$1/tests"
}

# lab_header ROOT CONFIG HEADER [NAME=VALUE ...]: the Kconfig defaults (every
# lab's solution on) plus those settings, written with kconfiglib to CONFIG
# (a .config) and HEADER (the C header Kbuild includes)
lab_header() {
	local root=$1 config=$2 header=$3
	shift 3
	(
		cd "$root" || exit 1
		export KCONFIG_CONFIG=$config
		rm -f "$config"
		/usr/bin/python3 -m olddefconfig Kconfig >/dev/null || exit 1
		if [ $# -gt 0 ]; then
			/usr/bin/python3 -m setconfig --kconfig Kconfig "$@" >/dev/null || exit 1
		fi
		/usr/bin/python3 -m genconfig --header-path "$header" Kconfig
	)
}
