/* SPDX-License-Identifier: GPL-2.0 */
/*
 * profile.h - where the ticks of one VM exit go (make bench's breakdown).
 *
 * Concept: "a VM exit costs N cycles" hides a chain of small costs: the
 * switch into the guest and back (entry.S and the CPU's own work), putting
 * the host's state back, reading the exit information from the VMCS,
 * dispatching, the handler, stepping the guest past the instruction, the
 * interrupt decision for the next entry, statistics, the trace record, and
 * the run loop's "should I stop?" checks. A profile build reads the TSC at
 * the boundary of each part and adds the difference to the part that just
 * ended, so a reader sees what each costs. In the lab VM (Bochs, clock
 * sync=none) the TSC advances with each emulated instruction: a part's
 * ticks are close to the number of instructions it ran, and repeatable.
 *
 * Only in a build with CONFIG_TVMM_PROFILE (Kconfig, "Instrumentation";
 * make bench builds one beside the normal module). Otherwise every
 * profile_*() below is an empty inline and the exit path is unchanged.
 * The profile is read from debugfs, vmN/profile (debugfs.c).
 *
 * Each mark costs a few instructions itself (RDTSC, two adds, two
 * stores); that cost is measured once per VM (profile_init()) and taken
 * out of each part when the profile is shown.
 */
#ifndef _TVMM_PROFILE_H
#define _TVMM_PROFILE_H

#include <linux/seq_file.h>
#include <linux/types.h>
#include <asm/msr.h>

#include "include/tvmm/vmx_arch.h"

/* The parts of one exit's round trip, in the order they run. */
enum profile_part {
	PROFILE_ENTRY,		/* IRQs off, checks, guest breakpoints in */
	PROFILE_SWITCH,		/* entry.S, VMRESUME, the guest, the VM exit */
	PROFILE_HOST,		/* host debug state, NMI/#MC check, IRQs on */
	PROFILE_READ,		/* VMREADs of the exit information */
	PROFILE_DISPATCH,	/* counting, the virtual IF, event checks, dispatch */
	PROFILE_HANDLER,	/* the exit's handler (cpuid.c, io.c, ...) */
	PROFILE_STEP,		/* stepping RIP past the instruction (VMWRITEs) */
	PROFILE_VIRQ,		/* the next entry's interrupt decision (virq.c) */
	PROFILE_STATS,		/* per-reason counters */
	PROFILE_TRACE,		/* tracepoint and trace record */
	PROFILE_LOOP,		/* the slice's stop checks (signal, resched) */
	PROFILE_NR_PARTS
};

/* The exits the bench guest makes, kept apart; everything else is "other". */
enum profile_kind { PROFILE_CPUID, PROFILE_IO, PROFILE_OTHER, PROFILE_NR_KINDS };

#ifdef CONFIG_TVMM_PROFILE

struct tvmm_profile {
	u64 last;				/* TSC at the last mark */
	int kind;				/* this exit's kind, -1: none yet */
	u64 cur[PROFILE_NR_PARTS];		/* this exit's ticks so far */
	u32 cur_marks[PROFILE_NR_PARTS];	/* and its marks per part */
	u64 ticks[PROFILE_NR_KINDS][PROFILE_NR_PARTS];
	u64 marks[PROFILE_NR_KINDS][PROFILE_NR_PARTS];
	u64 exits[PROFILE_NR_KINDS];
	u64 mark_cost;				/* ticks one mark adds */
	u64 vmread_cost, vmwrite_cost;		/* ticks of one, measured */
};

/* The part that just ended gets the ticks since the last mark. */
static __always_inline void profile_mark(struct tvmm_profile *p, enum profile_part part)
{
	u64 now = rdtsc();

	p->cur[part] += now - p->last;
	p->cur_marks[part]++;
	p->last = now;
}

/* Which kind the exit being handled is (its basic exit reason). */
static __always_inline void profile_set_reason(struct tvmm_profile *p, u32 basic_reason)
{
	p->kind = basic_reason == EXIT_REASON_CPUID ? PROFILE_CPUID :
		  basic_reason == EXIT_REASON_IO_INSTRUCTION ? PROFILE_IO : PROFILE_OTHER;
}

/* The round trip is over: add it to its kind; start the next one. */
void profile_exit_done(struct tvmm_profile *p);
/* A slice begins: nothing before this is part of an exit. */
void profile_slice_start(struct tvmm_profile *p);
void profile_init(struct tvmm_profile *p);
void profile_show(struct seq_file *m, const struct tvmm_profile *p);

#else

/* Without CONFIG_TVMM_PROFILE: no field, no code. */
struct tvmm_profile { };

static inline void profile_mark(struct tvmm_profile *p, enum profile_part part) { }
static inline void profile_set_reason(struct tvmm_profile *p, u32 basic_reason) { }
static inline void profile_exit_done(struct tvmm_profile *p) { }
static inline void profile_slice_start(struct tvmm_profile *p) { }
static inline void profile_init(struct tvmm_profile *p) { }
static inline void profile_show(struct seq_file *m, const struct tvmm_profile *p) { }

#endif /* CONFIG_TVMM_PROFILE */
#endif /* _TVMM_PROFILE_H */
