/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compare_props.h - Popek and Goldberg's three properties of one
 * technique, as `tvmm compare` measures them (compare_props.c).
 */
#ifndef TVMM_COMPARE_PROPS_H
#define TVMM_COMPARE_PROPS_H

#include <stdbool.h>

#include "cli.h"

struct pg_props {
	bool measured;			/* the probe ran (else: why in @how) */
	bool equivalent;		/* the workload: same console as hw, normal end */
	bool resource_control;		/* the probe was stopped at both resources */
	unsigned long long insns;	/* instructions of the probe's counted region */
	unsigned long long trapped;	/* of them, run by the VMM (exits in the region) */
	double efficiency;		/* 1 - trapped / insns */
	char how[160];			/* what stopped the probe, or what did not */
};

/* The mode of the row that runs `tvmm emulate` instead of tvmm.ko. */
#define COMPARE_EMULATED	(~0U)

/*
 * Run the probe guest @image (guests/pgprobe.S) in @mode and fill @p's
 * resource control and efficiency. 0 (whatever the verdict), or the exit
 * status of a run that could not happen (message printed).
 */
int pg_probe_run(const char *image, unsigned int mode, struct pg_props *p);

#endif /* TVMM_COMPARE_PROPS_H */
