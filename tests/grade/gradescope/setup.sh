#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Gradescope runs this once, as root, when it builds the autograder's
# image: install what the lab VM needs and build what every grading run
# would otherwise build again.
#
# The packages are Debian 12's (tests/deps.sh: the 6.1 kernel source the
# lab VM's kernel is built from, Bochs with VT-x), so the image must be
# Debian 12: on Gradescope, a manual Docker configuration whose image is
# built from debian:12. Any other system stops here, saying so.
#
# AUTOGRADER_ROOT=DIR (default /autograder): as in run_autograder.
set -euo pipefail

SRC=${AUTOGRADER_ROOT:-/autograder}/source
# shellcheck source=/dev/null
. /etc/os-release
if [ "${ID:-}" != debian ] || [ "${VERSION_ID:-}" != 12 ]; then
	echo "setup.sh: this autograder needs Debian 12 (found ${PRETTY_NAME:-an unknown system})." >&2
	echo "setup.sh: use a Docker image built from debian:12 (docs/instructor-guide.md, Gradescope)." >&2
	exit 1
fi
bash "$SRC/tests/deps.sh"
# The lab VM's kernel into ~/.cache/tvmm (about 3 minutes on 2 cores): in
# the image, so no grading run builds it.
bash "$SRC/tests/labvm/kernel.sh"
# the instructor's tree builds here: a bundle that cannot grade fails now,
# not on every submission
make -C "$SRC" -s module userspace guests
echo "setup.sh: ready"
