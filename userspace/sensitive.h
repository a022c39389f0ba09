/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sensitive.h - one row of `tvmm sensitive`: an x86 sensitive instruction
 * run at ring 3, and what happened (sensitive.c runs them,
 * sensitive_venn.c draws the result).
 */
#ifndef TVMM_SENSITIVE_H
#define TVMM_SENSITIVE_H

#include <stdbool.h>
#include <stdint.h>

struct probe {
	const char *insn;
	bool sensitive;		/* reads or writes privileged state */
	bool trapped;		/* it faulted at ring 3 (or see @umip) */
	bool umip;		/* it faulted, and Linux's UMIP emulation answered */
	bool has_value;		/* @value (and @limit for SGDT/SIDT) were read */
	uint64_t value;		/* what it returned: a base or a 16-bit value */
	uint16_t limit;
	char what[160];		/* what happened, in words */
};

/*
 * Draw @probes as a Venn-style figure (privileged, sensitive, sensitive
 * but unprivileged) to @path (.dot, .svg, .png: dot_write_output());
 * @umip: Linux's UMIP emulation was seen. 0 or an exit status.
 */
int sensitive_chart(const char *path, const struct probe *probes, unsigned int n,
		    bool umip);

#endif /* TVMM_SENSITIVE_H */
