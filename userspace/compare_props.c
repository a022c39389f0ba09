// SPDX-License-Identifier: GPL-2.0
/*
 * compare_props.c - Popek and Goldberg's three properties of a VMM,
 * measured for each technique of `tvmm compare`.
 *
 * Concept: Popek and Goldberg (1974) ask three things of a virtual
 * machine monitor:
 *   equivalence: a program runs as it would on the real machine (compare.c
 *     judges it on the workload: the hw run's console, a normal end);
 *   resource control: the program cannot reach resources the VMM did not
 *     give it;
 *   efficiency: a statistically dominant share of its instructions runs
 *     directly on the real CPU, without the VMM.
 * The last two are measured here with the probe guest guests/pgprobe.S
 * (pgprobe_pv.bin for paravirt), one extra run per technique:
 *   - resource control holds if the run ended at the EPT violation of its
 *     store above its RAM (a "fatal" EPT_VIOLATION record at that GPA),
 *     its read of the host's CMOS clock gave all ones (no device behind
 *     the port), and the line that follows a successful store never came;
 *   - efficiency is counted, not timed: the probe's table (image offset
 *     16) gives the exact number of instructions its counted loop runs
 *     (fixed by construction; tests/host/guests_test.c checks it against
 *     the assembled code), and every exit record whose RIP lies in that
 *     loop, with a guest instruction behind it (emulated, patched,
 *     reflected, fatal: not an injected tick or an ignored host
 *     interrupt), is one instruction the VMM ran instead of the CPU.
 *     efficiency = 1 - those / the count. A timed figure (the lab VM's TSC
 *     counts instructions) was tried and rejected: the VMM's share of a
 *     round trip varies by hundreds of ticks with the guest's state, more
 *     than a small guest's own work between two exits.
 * Context: userspace, root (opens /dev/tvmm through run_capture()).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tvmm/vmx_arch.h>

#include "compare_props.h"

#define PGPROBE_MAGIC		"PGPROBE1"
#define PGPROBE_TABLE		16		/* its offset in the image */
#define PGPROBE_NOT_GIVEN_GPA	0x4000000ULL	/* pgprobe.S's store: 64 MiB */
#define PGPROBE_CMOS_LINE	"pgprobe: cmos seconds 000000ff\n"
#define PGPROBE_LOOP_LINE	"pgprobe: counted loop done\n"
#define PGPROBE_ESCAPED		"ESCAPED"

/* pgprobe.S's table: where its counted region is, what it runs. */
struct pgprobe_table {
	char magic[8];
	uint32_t begin, end;		/* guest addresses: [begin, end) */
	uint32_t insns, iterations;
};

struct probe_count {
	const struct pgprobe_table *t;
	unsigned long long trapped;
	bool stopped_store;		/* a fatal EPT violation at the store's GPA */
};

static int read_table(const char *image, struct pgprobe_table *t)
{
	FILE *f = fopen(image, "rb");
	size_t n = 0;

	if (!f) {
		print_error("compare: %s: %s: the property runs need the probe guest "
			    "(guests/pgprobe.bin and pgprobe_pv.bin; --probe IMAGE names it, "
			    "--no-properties skips them)", image, strerror(errno));
		return TVMM_EXIT_USAGE;
	}
	if (!fseek(f, PGPROBE_TABLE, SEEK_SET))
		n = fread(t, sizeof(*t), 1, f);
	fclose(f);
	if (n != 1 || memcmp(t->magic, PGPROBE_MAGIC, sizeof(t->magic)) ||
	    t->end <= t->begin || !t->insns) {
		print_error("compare: %s is not the probe guest: no %s table at offset %d "
			    "(build guests/pgprobe.S)", image, PGPROBE_MAGIC, PGPROBE_TABLE);
		return TVMM_EXIT_USAGE;
	}
	return 0;
}

/* Exits that stand for a guest instruction the VMM ran. */
static bool is_instruction(const struct tvmm_exit_record *rec)
{
	return rec->action == TVMM_ACTION_EMULATED || rec->action == TVMM_ACTION_PATCHED ||
	       rec->action == TVMM_ACTION_REFLECTED || rec->action == TVMM_ACTION_FATAL;
}

static void count_record(void *arg, const struct tvmm_exit_record *rec)
{
	struct probe_count *c = arg;

	if (rec->rip >= c->t->begin && rec->rip < c->t->end && is_instruction(rec))
		c->trapped++;
	if (rec->reason_code == EXIT_REASON_EPT_VIOLATION &&
	    rec->action == TVMM_ACTION_FATAL && rec->gpa == PGPROBE_NOT_GIVEN_GPA)
		c->stopped_store = true;
}

/* @needle in the @len bytes of @hay (not NUL-terminated). */
static bool has(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; hay && i + n <= len; i++)
		if (!memcmp(hay + i, needle, n))
			return true;
	return false;
}

int pg_probe_run(const char *image, unsigned int mode, struct pg_props *p)
{
	struct pgprobe_table t;
	struct probe_count c = { &t, 0, false };
	struct run_capture cap;
	int status;

	status = read_table(image, &t);
	if (status)
		return status;
	memset(&cap, 0, sizeof(cap));
	cap.on_record = count_record;
	cap.arg = &c;
	if (mode == COMPARE_EMULATED) {	/* tvmm emulate: a software CPU */
		unsigned long long insns;
		double seconds;

		status = emulate_capture(image, &cap, &insns, &seconds);
	} else {
		status = run_capture(image, mode, &cap);
	}
	if (status) {
		free(cap.console);
		if (status == TVMM_EXIT_USAGE) {	/* a mode this tvmm.ko refuses */
			snprintf(p->how, sizeof(p->how), "probe not run (status %d)", status);
			return 0;
		}
		return status;
	}
	p->measured = true;
	p->insns = t.insns;
	/*
	 * An emulator runs every instruction of the loop itself, trapped or
	 * not: its efficiency is 0 by construction, as Popek and Goldberg's
	 * definition has it (the records count only what a VMM would trap).
	 */
	p->trapped = mode == COMPARE_EMULATED ? t.insns : c.trapped;
	p->efficiency = p->trapped >= t.insns ? 0.0 : 1.0 - (double)p->trapped / t.insns;
	if (!has(cap.console, cap.console_len, PGPROBE_LOOP_LINE)) {
		p->efficiency = 0.0;
		snprintf(p->how, sizeof(p->how), "the probe did not finish its counted loop (%s)",
			 cap.how);
	} else if (has(cap.console, cap.console_len, PGPROBE_ESCAPED)) {
		snprintf(p->how, sizeof(p->how), "the store above guest RAM went through");
	} else if (!has(cap.console, cap.console_len, PGPROBE_CMOS_LINE)) {
		snprintf(p->how, sizeof(p->how), "the host's CMOS port answered (or no answer)");
	} else if (!cap.ended || cap.end != TVMM_END_EPT_VIOLATION || !c.stopped_store) {
		snprintf(p->how, sizeof(p->how), "the store above guest RAM was not stopped (%s)",
			 cap.how);
	} else {
		p->resource_control = true;
		snprintf(p->how, sizeof(p->how),
			 "CMOS port read all ones; store at 0x%llx stopped (EPT violation)",
			 PGPROBE_NOT_GIVEN_GPA);
	}
	free(cap.console);
	return 0;
}
