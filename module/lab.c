// SPDX-License-Identifier: GPL-2.0
/*
 * lab.c - what tvmm does when a lab's TODO is still the student's stub.
 *
 * Concept: tvmm is also the course's exercise book. Each lab of labs/
 * marks the code a student writes with TODO(labNN.k) BEGIN/END; the
 * top-level Kconfig's CONFIG_TVMM_LABNN_SOLUTION chooses, for each lab,
 * the reference solution or a stub that calls one of these functions. A
 * stub must build, never crash the lab VM, and say plainly which TODO is
 * missing and where its exercise is, so that an empty TODO is a clear
 * failing test, not a mystery (docs/instructor-guide.md). A stub that runs
 * while a guest runs also ends the VM: vcpu_lab_todo() in vcpu_state.c.
 */
#include <linux/kernel.h>

#include "tvmm.h"

/* The lab directories, by lab number (labs/README.md). */
static const char *const lab_dirs[] = {
	"lab00-environment", "lab01-detect", "lab02-vmxon", "lab03-vmcs",
	"lab04-first-launch", "lab05-trap-and-emulate", "lab06-deprivileging",
	"lab07-interrupts", "lab08-sensitive", "lab09-compare", "lab10-memory-io",
	"lab11-vm-life",
};

/* "lab05.2" -> 5; anything else -> 0. */
unsigned int tvmm_lab_number(const char *todo)
{
	unsigned int n = 0;

	if (strncmp(todo, "lab", 3) || sscanf(todo + 3, "%2u", &n) != 1 ||
	    n >= ARRAY_SIZE(lab_dirs))
		return 0;
	return n;
}

/* The directory of lab @lab under labs/ (lab 0's for an unknown number). */
const char *tvmm_lab_dir(unsigned int lab)
{
	return lab_dirs[lab < ARRAY_SIZE(lab_dirs) ? lab : 0];
}

/**
 * tvmm_lab_todo() - a stub ran: say which TODO is missing.
 * @todo: "labNN.k", as in the TODO marker
 * @what: what the TODO should do, in a few words
 *
 * Rate-limited, so a stub in a hot path cannot flood the log.
 *
 * Return: -ENOPKG, for the stub to return: "this lab's solution is not
 * in the build". (-ENOSYS would read better, but the kernel keeps it for
 * "no such system call".) The tool turns it into a message pointing at
 * dmesg; the selftests fail on it, they never skip.
 */
int tvmm_lab_todo(const char *todo, const char *what)
{
	pr_warn_ratelimited("TODO(%s) not done: %s. The exercise: labs/%s/README.md\n",
			    todo, what, tvmm_lab_dir(tvmm_lab_number(todo)));
	return -ENOPKG;
}
