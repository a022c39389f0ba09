#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# regen.sh - regenerate the reference consoles and statuses that
# emulate_test.sh holds `tvmm emulate` to: every guest of the list below
# run once with `tvmm run --mode hw` (VT-x, in the lab VM), its console
# saved as REF.out and its exit status as REF.status in this
# directory. Rerun after changing a guest:
#
#   bash tests/host/emulate/regen.sh
#
# (about 5 minutes: one Bochs boot). Commit the files it writes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
cd "$top"
# shellcheck source=/dev/null
. "$here/guests.list"
make -s -C guests >&2
files=
cmd=
for g in "${EMULATE_GUESTS[@]}"; do
	read -r ref guest opts <<<"$g"
	case " $files " in *" guests/$guest.bin "*) ;; *) files="$files guests/$guest.bin" ;; esac
	cmd="$cmd tvmm run --mode hw ${opts:-} --trace /tmp/t.jsonl /extra/$guest.bin >/tmp/o 2>/tmp/e; s=\$?;"
	cmd="$cmd echo '@@@ $ref' \$s; base64 /tmp/o; echo '@@@ end';"
	cmd="$cmd echo '@@@ $ref trace'; gzip -c /tmp/t.jsonl | base64; echo '@@@ end';"
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT
bash tests/labvm/labvm.sh run --files "${files# }" --cmd "$cmd" --timeout 1800 | tr -d '\r' >"$out" || true
grep -q '^@@@ end' "$out" || { echo "regen: no result from the lab VM; its output is in $out" >&2; trap - EXIT; exit 1; }
# The hw traces go to build/emulate-ref/ (not kept: they show which
# events the hardware run trapped, for comparing with `tvmm emulate --trace`).
mkdir -p build/emulate-ref
awk -v dir="$here" -v tdir="$top/build/emulate-ref" '
	/^@@@ end/ { cmd = trace ? "base64 -d | gunzip > " tdir "/" name ".jsonl" : "base64 -d > " dir "/" name ".out"
		printf "%s", buf | cmd; close(cmd); name = ""; next }
	/^@@@ .* trace$/ { name = $2; trace = 1; buf = ""; next }
	/^@@@ / { name = $2; trace = 0; print $3 > (dir "/" name ".status"); close(dir "/" name ".status"); buf = ""; next }
	name != "" { buf = buf $0 "\n" }
' "$out"
echo "regen: wrote $(ls "$here"/*.status | wc -l) references in $here" >&2
