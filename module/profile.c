// SPDX-License-Identifier: GPL-2.0
/*
 * profile.c - the exit profile's bookkeeping and its debugfs view
 * (CONFIG_TVMM_PROFILE builds only; profile.h says what is measured).
 *
 * Concept: measure before you cut. The marks in the run loop (vcpu.c,
 * vcpu_state.c, trace.c) split every exit's round trip into parts; here
 * each finished round trip is added to its kind (CPUID, I/O, other), and
 * vmN/profile shows the mean ticks per exit of each part with the marks'
 * own cost taken out.
 *
 * Context: the run loop (preemption off) writes; debugfs reads at any
 * time (figures may be one exit stale, never torn in a way that matters
 * for a mean over thousands of exits).
 */
#include <linux/math64.h>
#include <linux/string.h>

#include "tvmm.h"
#include "vmx_insn.h"
#include "include/tvmm/exit_names.h"

#ifdef CONFIG_TVMM_PROFILE

static const char *const profile_part_names[PROFILE_NR_PARTS] = {
	[PROFILE_ENTRY]		= "entry",
	[PROFILE_SWITCH]	= "switch",
	[PROFILE_HOST]		= "host",
	[PROFILE_READ]		= "read",
	[PROFILE_DISPATCH]	= "dispatch",
	[PROFILE_HANDLER]	= "handler",
	[PROFILE_STEP]		= "step",
	[PROFILE_VIRQ]		= "virq",
	[PROFILE_STATS]		= "stats",
	[PROFILE_TRACE]		= "trace",
	[PROFILE_LOOP]		= "loop",
};

static const char *const profile_kind_names[PROFILE_NR_KINDS] = {
	[PROFILE_CPUID]	= "cpuid",
	[PROFILE_IO]	= "io",
	[PROFILE_OTHER]	= "other",
};

#define PROFILE_CALIBRATION_MARKS	64

void profile_exit_done(struct tvmm_profile *p)
{
	unsigned int i;

	if (p->kind >= 0) {
		for (i = 0; i < PROFILE_NR_PARTS; i++) {
			p->ticks[p->kind][i] += p->cur[i];
			p->marks[p->kind][i] += p->cur_marks[i];
		}
		p->exits[p->kind]++;
	}
	memset(p->cur, 0, sizeof(p->cur));
	memset(p->cur_marks, 0, sizeof(p->cur_marks));
	p->kind = -1;
	p->last = rdtsc();	/* this bookkeeping is no part of any exit */
}

/*
 * What one VMREAD and one VMWRITE cost here, measured once, in the first
 * slice (a VMCS must be current): GUEST_RIP read, then written back
 * unchanged, PROFILE_CALIBRATION_MARKS times each.
 */
static void profile_vmcs_costs(struct tvmm_profile *p)
{
	unsigned long flags;
	u64 rip = 0, t0, t1, t2;
	unsigned int i;
	int err = 0;	/* rewriting GUEST_RIP's own value cannot fail... */

	local_irq_save(flags);
	t0 = rdtsc();
	for (i = 0; i < PROFILE_CALIBRATION_MARKS; i++)
		rip = vmcs_read(VMCS_GUEST_RIP);
	t1 = rdtsc();
	for (i = 0; i < PROFILE_CALIBRATION_MARKS; i++)
		vmx_vmwrite(VMCS_GUEST_RIP, rip, &err);
	t2 = rdtsc();
	local_irq_restore(flags);
	/* ...but if it did, say so rather than show a figure. */
	p->vmread_cost = err ? 0 : div_u64(t1 - t0, PROFILE_CALIBRATION_MARKS);
	p->vmwrite_cost = err ? 0 : div_u64(t2 - t1, PROFILE_CALIBRATION_MARKS);
}

void profile_slice_start(struct tvmm_profile *p)
{
	if (!p->vmread_cost)
		profile_vmcs_costs(p);
	p->kind = -1;
	profile_exit_done(p);
}

/*
 * What one mark costs: marks back to back, with nothing between them,
 * all charged to one part. Interrupts are off so that no host interrupt
 * lands in the middle.
 */
void profile_init(struct tvmm_profile *p)
{
	unsigned long flags;
	unsigned int i;

	memset(p, 0, sizeof(*p));
	local_irq_save(flags);
	p->last = rdtsc();
	for (i = 0; i < PROFILE_CALIBRATION_MARKS; i++)
		profile_mark(p, PROFILE_ENTRY);
	local_irq_restore(flags);
	p->mark_cost = div_u64(p->cur[PROFILE_ENTRY], PROFILE_CALIBRATION_MARKS);
	p->kind = -1;
	profile_exit_done(p);	/* the VMCS costs wait for the first slice */
}

/* Mean ticks per exit of one part, the marks' cost taken out, in tenths. */
static u64 profile_part_tenths(const struct tvmm_profile *p, int kind, int part)
{
	u64 ticks = p->ticks[kind][part], cost = p->marks[kind][part] * p->mark_cost;

	ticks = ticks > cost ? ticks - cost : 0;
	return div64_u64(ticks * 10, p->exits[kind]);
}

/**
 * profile_show() - vmN/profile: one line per kind of exit seen,
 * "KIND exits=N PART=T.t ... total=T.t", ticks per exit.
 * @m: the seq_file
 * @p: the VM's profile
 */
void profile_show(struct seq_file *m, const struct tvmm_profile *p)
{
	int kind, part;
	u64 t, total;

	seq_printf(m, "# TSC ticks per exit by part; one mark's cost (%llu ticks) taken out\n",
		   p->mark_cost);
	seq_printf(m, "# one VMREAD: %llu ticks, one VMWRITE: %llu ticks (a loop of %u, loop included)\n",
		   p->vmread_cost, p->vmwrite_cost, PROFILE_CALIBRATION_MARKS);
	for (kind = 0; kind < PROFILE_NR_KINDS; kind++) {
		if (!p->exits[kind])
			continue;
		seq_printf(m, "%s exits=%llu", profile_kind_names[kind], p->exits[kind]);
		total = 0;
		for (part = 0; part < PROFILE_NR_PARTS; part++) {
			t = profile_part_tenths(p, kind, part);
			total += t;
			seq_printf(m, " %s=%llu.%llu", profile_part_names[part], t / 10, t % 10);
		}
		seq_printf(m, " total=%llu.%llu\n", total / 10, total % 10);
	}
}

#endif /* CONFIG_TVMM_PROFILE */
